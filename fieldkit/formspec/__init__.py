"""Module definitions (`forms/*.toml`) as typed specs, and the rules records must follow.

No widgets, no SQL: the UI builds forms from these specs, the store indexes what
`index_terms` returns, ledgers print `ModuleSpec.ledger`. See docs/forms.md for the format.
"""

from __future__ import annotations

from fieldkit.formspec.expr import Actor, Expr, ExprError, compile_expr
from fieldkit.formspec.field_types import TYPES, TypeSpec, coerce, type_spec
from fieldkit.formspec.index import KINDS, IndexTerms, index_terms
from fieldkit.formspec.loader import default_forms_dir, load_module_file, load_modules
from fieldkit.formspec.model import (
    Choice,
    FieldSpec,
    FieldType,
    FormSpecError,
    Label,
    LedgerSpec,
    ModuleCatalog,
    ModuleSpec,
)
from fieldkit.formspec.print_layout import PrintLayout, PrintSection, print_layout_of
from fieldkit.formspec.records import (
    ERROR,
    WARNING,
    FieldIssue,
    calculated,
    is_relevant,
    normalise_record,
    validate_record,
)
from fieldkit.formspec.values import code_key, is_empty, parse_date, parse_datetime
from fieldkit.formspec.workflow import Guard, Step, StepResult, Workflow, owned_changes, run_step

__all__ = [
    "ERROR",
    "KINDS",
    "TYPES",
    "WARNING",
    "Actor",
    "Choice",
    "Expr",
    "ExprError",
    "FieldIssue",
    "FieldSpec",
    "FieldType",
    "FormSpecError",
    "Guard",
    "IndexTerms",
    "Label",
    "LedgerSpec",
    "ModuleCatalog",
    "ModuleSpec",
    "PrintLayout",
    "PrintSection",
    "Step",
    "StepResult",
    "TypeSpec",
    "Workflow",
    "calculated",
    "code_key",
    "coerce",
    "compile_expr",
    "default_forms_dir",
    "index_terms",
    "is_empty",
    "is_relevant",
    "load_module_file",
    "load_modules",
    "normalise_record",
    "owned_changes",
    "parse_date",
    "parse_datetime",
    "print_layout_of",
    "run_step",
    "type_spec",
    "validate_record",
]

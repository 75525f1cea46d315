"""The merge policy is declared in the forms (`merge`, `append_only`): read, checked with the
file and field named, and turned into the policy sync merges with."""

from __future__ import annotations

import pytest

from fieldkit.formspec import FormSpecError, load_modules
from fieldkit.services.form_sets import policy_of

from .test_form_tools import copy_forms, edit


def test_the_shipped_forms_make_visits_append_only_and_nothing_else():
    policy = policy_of(load_modules())
    assert policy.append_only == frozenset({"visits"}) and policy.append_only_fields == frozenset()
    assert policy.keeps_all("visits", "summary") and not policy.keeps_all("residents", "name")
    assert "notes" not in policy.append_only  # the module the old hard-coded list named never existed


def test_a_field_can_be_append_only_on_its_own(tmp_path):
    forms = copy_forms(tmp_path / "forms")
    edit(forms / "01_visits.toml", 'merge = "append_only"\n', "")
    edit(forms / "01_visits.toml", 'role = "grid"\n', 'role = "grid"\nappend_only = true\n')
    policy = policy_of(load_modules(forms))
    assert policy.append_only == frozenset() and policy.append_only_fields == frozenset({"visits.grid"})


@pytest.mark.parametrize(("old", "new", "field", "words"), [
    ('merge = "append_only"\n', 'merge = "sometimes"\n', "merge", "merge 只能是 fields 或 append_only"),
    ('role = "grid"\n', 'role = "grid"\nappend_only = "yes"\n', "grid", "append_only 只能是 true 或 false"),
    ('label = { zh = "人员", en = "Person" }\n', 'label = { zh = "人员", en = "Person" }\n  append_only = true\n',
     "persons_met.person", "请设在重复组上"),
])
def test_a_bad_declaration_is_refused_naming_file_and_field(tmp_path, old, new, field, words):
    forms = copy_forms(tmp_path / "forms")
    edit(forms / "01_visits.toml", old, new)
    with pytest.raises(FormSpecError) as e:
        load_modules(forms)
    assert e.value.field == field and words in e.value.message
    assert "01_visits.toml" in str(e.value.path)

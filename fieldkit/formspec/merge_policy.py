"""The merge policy a catalogue declares: which modules and fields sync keeps append-only.

Declared in the forms (`merge = "append_only"` on a module, `append_only = true` on a field),
never in code, so every device and the server merge a module the way its form set says
(`services.form_sets.policy_of` makes the `sync.merge.Policy`; the server is told it with the
form set it publishes). Pure: no sync import (formspec sits below services).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fieldkit.formspec.model import ModuleSpec


@dataclass(frozen=True)
class MergeDeclarations:
    """``append_only`` module ids; ``append_only_fields`` and ``known`` as ``"module.field"``."""

    append_only: frozenset[str]
    append_only_fields: frozenset[str]
    known: frozenset[str]


def declarations(modules: Iterable[ModuleSpec]) -> MergeDeclarations:
    mods: set[str] = set()
    fields: set[str] = set()
    known: set[str] = set()
    for spec in modules:
        if spec.merge == "append_only":
            mods.add(spec.id)
        for f in spec.fields:
            known.add(f"{spec.id}.{f.name}")
            if f.append_only:
                fields.add(f"{spec.id}.{f.name}")
    return MergeDeclarations(frozenset(mods), frozenset(fields), frozenset(known))

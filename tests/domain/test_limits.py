"""The limits module: JSON depth measured without recursion, refusals that name the limit."""

from __future__ import annotations

import json

import pytest

from fieldkit.domain import limits
from fieldkit.domain.limits import JSON_MAX_DEPTH, LimitExceeded, json_depth, loads_json


@pytest.mark.parametrize(("text", "depth"), [
    ("1", 0), ("[]", 1), ('{"a": [1, {"b": []}]}', 4), ('["[[[[", "]]"]', 1), (r'["\"[[["]', 1),
    ("[" * 100_000, 100_000),  # broken JSON is measured too, without recursion
])
def test_depth_counts_brackets_outside_strings(text, depth):
    assert json_depth(text) == depth


def test_json_at_the_limit_loads_and_one_level_more_is_refused_by_name():
    ok = "[" * JSON_MAX_DEPTH + "]" * JSON_MAX_DEPTH
    assert loads_json(ok) == json.loads(ok)
    with pytest.raises(LimitExceeded) as e:
        loads_json("[" * (JSON_MAX_DEPTH + 1) + "]" * (JSON_MAX_DEPTH + 1), what="自然村", what_en="Hamlets")
    assert e.value.message == f"自然村嵌套过深：{JSON_MAX_DEPTH + 1} 层，最多 {JSON_MAX_DEPTH} 层"
    assert e.value.to_dict()["limit"] == "JSON_MAX_DEPTH"


def test_broken_json_is_still_the_callers_to_name():
    with pytest.raises(json.JSONDecodeError):
        loads_json('{"a":')


def test_every_limit_is_documented():
    from pathlib import Path

    table = (Path(__file__).parents[2] / "docs" / "limits.md").read_text(encoding="utf-8")
    names = [n for n in vars(limits) if n.isupper() and not n.startswith("_") and n != "MiB"]
    assert names and [n for n in names if f"`{n}`" not in table] == []

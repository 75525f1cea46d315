"""Shared sample ledgers for the ledger tests: a layout and deterministic rows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from fieldkit.ledger import LedgerLayout

VILLAGES = ("东山村", "西坑村", "南岭村")
SURNAMES = "张王李赵陈林黄吴"

LAYOUT = LedgerLayout(
    title="流动人口管理台账",
    columns=(
        ("序号", 5, "number"),
        ("姓名", 8, "name"),
        ("公民身份号码", 20, "id"),
        ("所属村", 10, "text"),
        ("登记日期", 11, "date"),
        ("备注", 30, "long"),
    ),
    station="城关派出所",
    period="2026-01-01 至 2026-03-31",
    village_column=3,
    date_column=4,
    footer="FieldKit 导出",
)


def row(i: int) -> list:
    """Row i (1-based): a unique marker in the note column so tests can find every row."""
    month = 1 + (i // 7) % 3
    return [
        i,
        SURNAMES[i % len(SURNAMES)] + "某" + "一二三四五"[i % 5],
        f"3501021990{month:02d}{i % 28 + 1:02d}{i % 1000:03d}X",
        VILLAGES[i % len(VILLAGES)],
        f"2026-{month:02d}-{i % 28 + 1:02d}",
        f"记录{i:05d}",
    ]


def rows(n: int) -> Iterator[list]:
    """A generator, as the writers get from the store: never a list."""
    return (row(i) for i in range(1, n + 1))


def expected_counts(n: int) -> Counter:
    return Counter((r[3], r[4][:7]) for r in rows(n))

"""The punctuation that joins a label to its value, in the UI language.

Chinese writes "姓名：张伟", "户主、配偶", "住户（4）"; English writes "Name: 张伟", "Head, Spouse",
"Household members (4)". Gluing "：" onto an English label is what made the English UI read
half-Chinese, so each pattern is one translated string ("%1：%2" → "%1: %2") — never a colon
concatenated in code.

Threading: GUI thread (translations are installed there).
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QCoreApplication


def tr(text: str) -> str:
    return QCoreApplication.translate("Words", text)


def labelled(label: str, value: str = "") -> str:
    """'姓名：张伟' / 'Name: 张伟'; with no value, the label and its colon ('姓名：' / 'Name:')."""
    if not value:
        return tr("%1：").replace("%1", label)
    return tr("%1：%2").replace("%1", label).replace("%2", value)


def counted(label: str, count: int | str) -> str:
    """'住户（4）' / 'Household members (4)'."""
    return tr("%1（%2）").replace("%1", label).replace("%2", str(count))


def items(parts: Iterable[str]) -> str:
    """A list of names or kinds: '户主、配偶' / 'Head, Spouse'."""
    return tr("、").join(parts)


def clauses(parts: Iterable[str]) -> str:
    """Sentences or entries side by side: 'A；B' / 'A; B'."""
    return tr("；").join(parts)

"""Masking ID numbers where a passer-by can read them: headings, tab titles, window titles.

A record page's heading is in large type and the laptop is often open at a doorstep or on a
village office desk; the full 18-digit number stays in the record's own fields and forms, where
the officer looks for it on purpose. One rule, used by every heading and tab: keep the first
four digits (the prefecture: "which county is this") and the last four (what people quote to
tell two cards apart), star the rest.

Pure; any thread.
"""

from __future__ import annotations

import re

KEEP_HEAD = 4
KEEP_TAIL = 4
# An 18-digit resident ID (last character may be X) or an old 15-digit one, not part of a longer
# run of digits (a phone number or a doorplate code is never touched).
_ID = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")


def mask_id_number(number: str) -> str:
    """`350921199003076632` → `3509**********6632`; anything too short is returned as is."""
    if len(number) <= KEEP_HEAD + KEEP_TAIL:
        return number
    return number[:KEEP_HEAD] + "*" * (len(number) - KEEP_HEAD - KEEP_TAIL) + number[-KEEP_TAIL:]


def mask_id_numbers(text: str) -> str:
    """`text` with every ID number in it masked (a title like "张伟 350921199003076632")."""
    return _ID.sub(lambda m: mask_id_number(m.group(1)), text)

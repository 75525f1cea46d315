"""CSV cells that are safe to open in Excel ("CSV injection"), and back.

One rule for every CSV FieldKit writes for people to open — module exports (`services.csvio`)
and ledgers (`ledger.csvout`) — and its inverse for reading FieldKit's own exports back.
Pure functions; any thread.
"""

from __future__ import annotations

import re

# A cell Excel would run as a formula: one of = + - @ (tab and CR too: Excel skips them before
# looking), possibly behind apostrophes — those are escaped as well, so that taking one
# apostrophe off on import gives back exactly the value exported ("'=x" → "''=x" → "'=x").
_FORMULA = re.compile(r"'*[=+\-@\t\r]")
_ESCAPED = re.compile(r"'+[=+\-@\t\r]")
# A number (what a number field writes; a +86… phone number too): Excel reads it as a number, not a formula,
# and an apostrophe would turn every negative number in a sum column into text.
_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?(e[+-]?\d+)?")


def escape_formula(text: str) -> str:
    """`text` safe to open in Excel: a leading ``'`` when Excel would run it as a formula."""
    return "'" + text if _FORMULA.match(text) and not _NUMBER.fullmatch(text) else text


def unescape_formula(text: str) -> str:
    """The inverse of `escape_formula`: one leading ``'`` off when it guards a formula character."""
    return text[1:] if _ESCAPED.match(text) else text

"""The one passphrase policy: store passphrases (unlock, new user, change, reset, recovery) and
sealed-export passphrases alike.

Strength is estimated by the maintained `zxcvbn` package (Dropbox's estimator: dictionaries of
common passwords, names and words, keyboard walks, repeats, sequences and dates), not by
counting character classes — "Password1!" has four classes and is among the first guesses of
any cracker. A passphrase is accepted at score ≥ `MIN_SCORE` (3: about 10^8 guesses, which at
Argon2id's ~0.35 s per guess on one core is years; a sealed export's scrypt is as slow) and at
least `MIN_LENGTH` characters. Words the user's own context supplies (the login, the display
name, "fieldkit") count as known words.

zxcvbn's feedback is English; the phrases it produces are a fixed set, translated here, so the
user is told in Chinese *what* is weak and how to do better.

Pure; thread-safe.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from zxcvbn import zxcvbn

from .errors import ExitCode, UserFacingError

MIN_LENGTH = 8
MIN_SCORE = 3
# zxcvbn's cost grows with length; a pasted novel must not freeze the dialog at each keystroke.
_ASSESS_CHARS = 100
_CONTEXT_WORDS = ("fieldkit", "police", "paichusuo", "派出所", "口令", "password")

_WARNINGS_ZH = {
    "This is a top-10 common password.": "这是最常见的 10 个口令之一",
    "This is a top-100 common password.": "这是最常见的 100 个口令之一",
    "This is a very common password.": "这是很常见的口令",
    "This is similar to a commonly used password.": "与常见口令很相似",
    "A word by itself is easy to guess.": "单个词很容易被猜到",
    "Names and surnames by themselves are easy to guess.": "单独的姓名很容易被猜到",
    "Common names and surnames are easy to guess.": "常见姓名很容易被猜到",
    "Straight rows of keys are easy to guess.": "键盘上连成一排的键很容易被猜到",
    "Short keyboard patterns are easy to guess.": "简短的键盘图案很容易被猜到",
    'Repeats like "aaa" are easy to guess.': "“aaa”这样的重复很容易被猜到",
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".':
        "“abcabcabc”这样的重复并不比“abc”难猜多少",
    "Sequences like abc or 6543 are easy to guess.": "abc、6543 这样的顺序很容易被猜到",
    "Recent years are easy to guess.": "近几年的年份很容易被猜到",
    "Dates are often easy to guess.": "日期很容易被猜到",
}


@dataclass(frozen=True)
class Strength:
    """`score` 0–4 (zxcvbn's); `ok` when the policy accepts it; `hint`/`hint_en` say what is weak
    and how to do better (for the strength label under a passphrase field)."""

    score: int
    ok: bool
    hint: str
    hint_en: str


def assess(passphrase: str, *, context: Iterable[str] = ()) -> Strength:
    """Score `passphrase`; `context` holds words the user's situation makes guessable (login…)."""
    p = passphrase or ""
    if len(p) < MIN_LENGTH:
        return Strength(0, False, f"太短：至少 {MIN_LENGTH} 个字符，建议用几个词组成一句话",
                        f"Too short: at least {MIN_LENGTH} characters; a few words make a good passphrase")
    words = [w for w in (*_CONTEXT_WORDS, *context) if w]
    result = zxcvbn(p[:_ASSESS_CHARS], user_inputs=words)
    score = int(result["score"])
    warning = result["feedback"].get("warning") or ""
    if score >= MIN_SCORE:
        zh, en = ("强", "Strong") if score == 4 else ("可以使用；再长一些更安全", "Acceptable; longer is safer")
        return Strength(score, True, zh, en)
    what = _WARNINGS_ZH.get(warning, "太容易被猜到")
    return Strength(
        score, False,
        f"{what}。请再加一两个不常见的词，或用一句只有自己知道的话",
        f"{warning or 'Too easy to guess.'} Add a word or two that are not common, or use a sentence only you know",
    )


class WeakPassphrase(UserFacingError):
    """Refused input (CLI exit 4, like any invalid value), naming the field "passphrase"."""

    default_code = "weak_passphrase"
    exit_code = ExitCode.INVALID


def check(passphrase: str, *, purpose: str = "store", context: Iterable[str] = ()) -> str:
    """`passphrase` if the policy accepts it, else `WeakPassphrase` (field "passphrase").
    `purpose` "store" (unlocking the laptop) or "export" (a sealed export file)."""
    s = assess(passphrase, context=context)
    if not s.ok:
        what, what_en = ("导出文件口令", "Export passphrase") if purpose == "export" else ("口令", "Passphrase")
        raise WeakPassphrase(f"{what}太弱：{s.hint}", message_en=f"{what_en} too weak: {s.hint_en}",
                             field="passphrase")
    return passphrase

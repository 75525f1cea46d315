"""Search keys for a person's name: the full name, 2-character substrings and pinyin.

Officers search for "张伟" (two characters — too short for a trigram index), for "伟" inside a
three-character name, or type "zw" on a laptop without a Chinese IME. `name_terms` yields every
key the store indexes for a name. Surnames with a special reading (单 Shàn, 曾 Zēng, 解 Xiè…)
and heteronyms get all plausible readings, so a search with either reading finds the person.
Pure function; safe from any thread (pypinyin's dictionaries load on first use).
pypinyin itself is imported on the first Chinese name (~0.3 s): a search for an ID number or
"张伟" on the command line, which needs no pinyin, does not wait for it.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass

# Readings a character takes as a surname, where that differs from its everyday reading.
_SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "单": ("shan",), "曾": ("zeng",), "解": ("xie",), "仇": ("qiu",), "区": ("ou",), "查": ("zha",),
    "朴": ("piao",), "盖": ("ge", "gai"), "缪": ("miao",), "覃": ("qin", "tan"), "召": ("shao",),
    "乐": ("yue", "le"), "翟": ("zhai",), "秘": ("bi",), "冼": ("xian",), "员": ("yun",),
    "黑": ("he",), "隗": ("wei",), "宓": ("mi",), "贲": ("ben",), "能": ("nai",), "句": ("gou",),
    "种": ("chong",), "繁": ("po",), "藏": ("zang",), "尉": ("yu", "wei"), "长": ("chang",),
    "重": ("chong",), "沈": ("shen",), "石": ("shi",), "柏": ("bai",), "薄": ("bo",), "燕": ("yan",),
    "华": ("hua",), "任": ("ren",), "那": ("na",), "过": ("guo",), "谌": ("chen",), "折": ("she",),
    "阚": ("kan",), "恽": ("yun",), "郇": ("huan",), "眭": ("sui",), "褚": ("chu",), "车": ("che",),
    "莘": ("shen",), "令": ("ling",), "都": ("du",), "乜": ("nie",), "粘": ("nian",), "洗": ("xian",),
}
# Compound surnames, with the reading of each character as a surname.
_COMPOUND_SURNAMES: dict[str, tuple[str, ...]] = {
    "尉迟": ("yu", "chi"), "万俟": ("mo", "qi"), "长孙": ("zhang", "sun"), "单于": ("chan", "yu"),
    "澹台": ("tan", "tai"), "令狐": ("ling", "hu"), "欧阳": ("ou", "yang"), "司马": ("si", "ma"),
    "诸葛": ("zhu", "ge"), "上官": ("shang", "guan"), "皇甫": ("huang", "fu"), "东方": ("dong", "fang"),
    "慕容": ("mu", "rong"), "宇文": ("yu", "wen"), "司徒": ("si", "tu"), "夏侯": ("xia", "hou"),
    "公孙": ("gong", "sun"), "轩辕": ("xuan", "yuan"), "呼延": ("hu", "yan"), "端木": ("duan", "mu"),
}
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_MAX_VARIANTS = 16  # a name of rare heteronyms must not explode into hundreds of keys


@dataclass(frozen=True)
class NameTerms:
    """Search keys for one name.

    full — the name as stored (NFKC, no spaces); bigrams — every 2-character substring of its
    Chinese characters (a 2-character name's only bigram is the name itself); initials —
    pinyin initials such as "zw", one per reading; pinyin — full pinyin such as "zhangwei".
    """

    full: str
    bigrams: tuple[str, ...]
    initials: tuple[str, ...]
    pinyin: tuple[str, ...]


def normalise_name(name: str) -> str:
    """Fold full-width characters and drop spaces (ID cards print names without them)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name or ""))


@functools.lru_cache(maxsize=16384)
def _char_readings(ch: str) -> tuple[str, ...]:
    """Every reading of one character alone, the most common first (empty for non-Chinese)."""
    from pypinyin import Style, pinyin

    got = pinyin(ch, style=Style.NORMAL, heteronym=True, errors="ignore")
    return tuple(got[0]) if got else ()


def _has_phrase(name: str) -> bool:
    """Whether some run of 2+ characters of `name` is a phrase in pypinyin's dictionary."""
    from pypinyin.phrases_dict import phrases_dict

    return any(name[i:j] in phrases_dict for i in range(len(name) - 1) for j in range(i + 2, len(name) + 1))


def _readings(name: str) -> list[tuple[str, ...]]:
    """Per character, the readings to index: the surname reading first, then everyday ones."""
    alone = [_char_readings(ch) for ch in name]
    if all(alone) and (all(len(r) == 1 for r in alone) or not _has_phrase(name)):
        # Context changes a reading only inside a dictionary phrase (重阳 chóng); a name with no
        # phrase in it reads character by character — without segmenting it (~100 µs a name).
        default: list[str] = [r[0] for r in alone]
        every: list[list[str]] = [[r[0]] for r in alone]
    else:
        from pypinyin import Style, lazy_pinyin, pinyin

        default = lazy_pinyin(name, style=Style.NORMAL, errors="ignore")
        every = pinyin(name, style=Style.NORMAL, heteronym=True, errors="ignore")
    out: list[tuple[str, ...]] = []
    compound = next((c for c in _COMPOUND_SURNAMES if name.startswith(c) and len(name) > len(c)), "")
    for i in range(len(name)):
        ordered: list[str] = []
        if i < len(compound):
            ordered.append(_COMPOUND_SURNAMES[compound][i])
        elif i == 0 and name[0] in _SURNAME_READINGS:
            ordered.extend(_SURNAME_READINGS[name[0]])
        # The context-aware reading plus the dictionary's most common one: enough to find
        # 单/曾/解 either way without flooding the index with rare readings (王 "yu").
        ordered.append(default[i])
        ordered.append(every[i][0])
        out.append(tuple(dict.fromkeys(r for r in ordered if r)))
    return out


def _combine(parts: list[tuple[str, ...]], limit: int) -> tuple[str, ...]:
    return tuple(dict.fromkeys("".join(c) for c in itertools.islice(itertools.product(*parts), limit)))


def name_keys(name: str) -> tuple[str, tuple[str, ...]]:
    """`name_terms(name)`'s `full` and `bigrams` alone: no pinyin, so no pypinyin import."""
    full = normalise_name(name)
    han = "".join(ch for ch in full if _CJK.match(ch))
    return full, tuple(dict.fromkeys(han[i : i + 2] for i in range(len(han) - 1)))


@functools.lru_cache(maxsize=16384)
def name_terms(name: str) -> NameTerms:
    """All search keys for `name` (see NameTerms). Empty name → empty terms. Cached: pinyin
    costs ~150 µs a name, and a township's names repeat (王伟, 李娜…)."""
    full, bigrams = name_keys(name)
    if not full:
        return NameTerms("", (), (), ())
    han = "".join(ch for ch in full if _CJK.match(ch))
    if han and han == full:
        readings = _readings(full)
        # The first-choice reading of every syllable comes first: that is the "main" pinyin.
        full_py = _combine(readings, _MAX_VARIANTS)
        initial_sets = [tuple(dict.fromkeys(r[0] for r in rs)) for rs in readings]
        initials = _combine(initial_sets, _MAX_VARIANTS * 2)
    else:
        latin = re.sub(r"[^a-z]", "", full.lower())
        words = re.findall(r"[a-z]+", unicodedata.normalize("NFKC", name).lower())
        full_py = (latin,) if latin else ()
        initials = ("".join(w[0] for w in words),) if words else ()
    return NameTerms(full, bigrams, initials, full_py)


"""Name search keys: two-character names, pinyin initials, surnames with special readings."""

from __future__ import annotations

from fieldkit.domain.names import name_keys, name_terms
from fieldkit.domain.roles import Role


def test_two_character_name_has_itself_as_bigram_and_zw_initials() -> None:
    t = name_terms("张伟")
    assert t.full == "张伟"
    assert t.bigrams == ("张伟",)
    assert "zw" in t.initials
    assert "zhangwei" in t.pinyin


def test_three_character_name_gives_every_pair() -> None:
    t = name_terms("林秀英")
    assert t.bigrams == ("林秀", "秀英")
    assert t.initials[0] == "lxy" and t.pinyin[0] == "linxiuying"


def test_surname_readings_find_the_person_either_way() -> None:
    shan = name_terms("单雄信")
    assert shan.pinyin[0] == "shanxiongxin"  # as a surname 单 is Shàn
    assert {"sxx", "dxx"} <= set(shan.initials)  # but people also type the everyday reading
    zeng = name_terms("曾国藩")
    assert zeng.pinyin[0] == "zengguofan" and "zgf" in zeng.initials
    assert "xf" in name_terms("解放").initials  # 解 as a surname is Xiè


def test_compound_surname() -> None:
    t = name_terms("欧阳娜娜")
    assert t.initials == ("oynn",)
    assert t.bigrams == ("欧阳", "阳娜", "娜娜")


def test_spaces_and_full_width_are_folded() -> None:
    assert name_terms(" 王 小明 ").full == "王小明"


def test_empty_and_foreign_names() -> None:
    assert name_terms("") == name_terms("  ")
    assert name_terms("").full == ""
    t = name_terms("Nguyen Thi Lan")
    assert t.bigrams == () and t.initials == ("ntl",) and t.pinyin == ("nguyenthilan",)


def test_single_character_name_has_no_bigram() -> None:
    t = name_terms("李")
    assert t.bigrams == () and t.initials == ("l",)


def test_roles_have_chinese_and_english_labels() -> None:
    assert [r.value for r in Role] == ["officer", "grid_worker", "chief"]
    assert Role.GRID_WORKER.zh == "网格员" and Role.CHIEF.label("en") == "Station chief"
    assert Role.parse("所长") is Role.CHIEF and Role.parse("Grid worker") is Role.GRID_WORKER


def test_name_keys_are_name_terms_without_the_pinyin():
    # The search's "which field matched" uses these keys for a hit by characters: they must be
    # the very keys the index holds, or the CLI would name the wrong field (姓名 vs 曾用名).
    for name in ("张伟", "欧阳娜娜", " 单 田芳 ", "Ａｌｉ", "李Tom", ""):
        terms = name_terms(name)
        assert name_keys(name) == (terms.full, terms.bigrams)

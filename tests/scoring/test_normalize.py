"""Normalisation: exact OpenCC t2s + NFKC, and the offset map back to the original."""

from __future__ import annotations

import unicodedata

import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import normalize as norm_module
from scoring.normalize import count_chars, fold_phrase, normalize, to_simplified

OPENCC = opencc.OpenCC("t2s")


def span_text(text: str, start: int, end: int) -> str:
    nt = normalize(text)
    o_start, o_end = nt.to_original(start, end)
    return text[o_start:o_end]


def test_simplified_ascii_text_is_untouched_and_maps_one_to_one() -> None:
    nt = normalize("亲您好这款有现货")
    assert nt.text == "亲您好这款有现货"
    assert nt.starts is None
    assert nt.to_original(2, 4) == (2, 4)


def test_traditional_becomes_simplified_with_offsets_kept() -> None:
    text = "您好，請問這件衣服會起球嗎？"
    nt = normalize(text)
    assert nt.text == "您好,请问这件衣服会起球吗?"
    # Every OpenCC t2s mapping keeps length, so positions line up one to one.
    assert len(nt.text) == len(text)
    i = nt.text.index("衣服")
    assert text[slice(*nt.to_original(i, i + 2))] == "衣服"


def test_opencc_phrases_are_honoured() -> None:
    # 乾隆 keeps 乾 (a phrase rule), 乾貨 becomes 干货 (character rule).
    assert to_simplified("乾隆皇帝的乾貨") == "乾隆皇帝的干货"
    assert to_simplified("乾隆皇帝的乾貨") == OPENCC.convert("乾隆皇帝的乾貨")


def test_full_width_letters_fold_to_lower_ascii() -> None:
    nt = normalize("加ＶＸ吧！")
    assert nt.text == "加vx吧!"
    assert span_text("加ＶＸ吧！", 1, 3) == "ＶＸ"


def test_ellipsis_expansion_keeps_later_offsets_right() -> None:
    text = "好的……你放心"
    nt = normalize(text)
    assert nt.text == "好的......你放心"
    i = nt.text.index("你")
    assert nt.to_original(i, i + 1) == (4, 5)
    # Each of the six dots stands for the ellipsis character it came from.
    assert nt.to_original(2, 5) == (2, 3)
    assert nt.to_original(2, 8) == (2, 4)


def test_double_exclamation_maps_both_marks_to_one_character() -> None:
    text = "谢谢‼"
    nt = normalize(text)
    assert nt.text == "谢谢!!"
    assert nt.to_original(2, 4) == (2, 3)


def test_combining_marks_compose_and_map_to_their_cluster() -> None:
    text = "ｅ\u0301好"  # full-width e + combining acute
    nt = normalize(text)
    assert nt.text == "é好"
    assert nt.to_original(0, 1) == (0, 2)
    assert normalize("ﬁ\u0300!").to_original(0, 2) == (0, 2)  # "fì" is one cluster
    assert nt.to_original(1, 2) == (2, 3)


def test_zero_width_spans_map_to_insertion_points() -> None:
    text = "好的……"
    nt = normalize(text)
    assert nt.to_original(0, 0) == (0, 0)
    assert nt.to_original(len(nt.text), len(nt.text)) == (len(text), len(text))


def test_length_changing_t2s_would_fall_back_per_character(monkeypatch: pytest.MonkeyPatch) -> None:
    converter = norm_module._t2s()

    class Stretching:
        def convert(self, text: str) -> str:
            return text.replace("乾隆", "乾隆隆") if len(text) > 1 else OPENCC.convert(text)

    monkeypatch.setattr(converter, "converter", Stretching())
    # Offsets are kept by converting character by character, at the price of the phrase
    # (乾隆 becomes 干隆) in this situation that the shipped dictionaries never create.
    assert converter._exact("乾隆的乾貨") == "干隆的干货"


def test_count_chars_ignores_all_whitespace() -> None:
    assert count_chars("亲 您好\u3000！\n") == 4
    assert count_chars("") == 0
    assert count_chars(" \t") == 0


def test_fold_phrase_matches_reply_normalisation() -> None:
    assert fold_phrase("加ＱＱ") == "加qq"
    assert fold_phrase("１００％有效") == "100%有效"
    assert fold_phrase("請不要") == "请不要"


# ----------------------------------------------------------------- properties

_T2S = norm_module._t2s()
# A spread of the characters t2s changes, and OpenCC phrases to exercise its phrase path.
_TRADITIONAL = sorted(map(chr, _T2S.char_table))[::10]
_PHRASES = [
    line.split("\t")[0]
    for line in (norm_module.Path(opencc.__file__).parent / "dictionary" / "TSPhrases.txt")
    .read_text(encoding="utf-8")
    .splitlines()
    if line
][:200]
_TOKENS = st.one_of(
    st.sampled_from(_TRADITIONAL),
    st.sampled_from(_PHRASES),
    st.sampled_from(list("的一是了我你们好，。！？ ,.-…‼ＡＢｃ１２")),
    st.text(max_size=3),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_TOKENS, max_size=20).map("".join))
def test_t2s_equals_opencc_exactly(text: str) -> None:
    assert to_simplified(text) == OPENCC.convert(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(_TOKENS, max_size=20).map("".join))
def test_normalized_text_is_folded_nfkc_of_t2s(text: str) -> None:
    expected = unicodedata.normalize("NFKC", OPENCC.convert(text))
    assert normalize(text).text == norm_module._fold_case(expected)


_NFKC_ALPHABET = st.sampled_from(
    list("好的你aZ9 ,，！!？…‼①㈱ｶﾞｱﾟ\u0301\u0308\u3099\u1161\u11a8가ᄀＱｑﬁ™\u00a0")
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=30), st.lists(_NFKC_ALPHABET, max_size=30).map("".join)))
def test_offset_map_is_monotone_in_bounds_and_explains_each_character(text: str) -> None:
    nt = normalize(text)
    if nt.starts is None or nt.ends is None:
        assert len(nt.text) == len(text)
        return
    assert len(nt.starts) == len(nt.ends) == len(nt.text)
    previous = (0, 0)
    for i, (start, end) in enumerate(zip(nt.starts, nt.ends, strict=True)):
        assert 0 <= start < end <= len(text)
        assert start >= previous[0] and end >= previous[1]
        previous = (start, end)
        # The character came from that original span.
        piece = norm_module._fold_case(
            unicodedata.normalize("NFKC", to_simplified(text[start:end]))
        )
        assert nt.text[i] in piece

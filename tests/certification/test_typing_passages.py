"""Typing-test passages: model replies from the course content, never the bad examples next
to them, in passages of 120-200 characters, drawn per attempt from a seed."""

from __future__ import annotations

from pathlib import Path

import pytest

from certification.typing_passages import (
    BUILTIN_PASSAGES,
    MAX_CHARS,
    MIN_CHARS,
    builtin_passages,
    lesson_replies,
    passage_choose,
    passage_key,
    passage_of_key,
    passages,
)
from courses.importing import course_import
from tests.factories import LessonFactory

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_COURSE = ROOT / "content" / "courses" / "cs-onboarding" / "course.yaml"

LESSON = """\
## 用语规范

请买家配合时说“请”。

- ✗ 把地址发过来。
- ✓ 请您把收货地址发给我核对一下，谢谢～

“您没看详情页吗？”这样的反问带着质疑，很容易激怒买家。

| 禁用语 | 推荐说法 |
| --- | --- |
| 我不知道 | 这个问题我马上帮您确认，请稍等一下 |
| 卖完了 | 这款暂时没有现货，给您推荐一款**相近**的好吗 |

| 话题 | ✗ 绝对承诺 | ✓ 留有余地 |
| --- | --- | --- |
| 到货时间 | 明天一定到。 | 付款后会尽快为您发出，一般发货后一两天送达，具体以快递派送为准。 |

- 不好：“再买个充电头吧，您看现在有满减。”
- 好：“您选的无线充电器不带充电头，要配 20W 以上的 PD 头才能达到 15W。”

> 客服（约 8 分钟后）：您好，刚才看您在比较这两款大衣，还有哪里拿不准吗？
>
> 买家：还是再看看吧。
"""


def _chars(text: str) -> int:
    return len("".join(text.split()))


def test_model_replies_are_taken_and_bad_examples_left(db):
    replies = lesson_replies(LESSON)
    assert replies == [
        "请您把收货地址发给我核对一下，谢谢～",
        "这个问题我马上帮您确认，请稍等一下",
        "这款暂时没有现货，给您推荐一款相近的好吗",  # Markdown emphasis removed
        "付款后会尽快为您发出，一般发货后一两天送达，具体以快递派送为准。",
        "您选的无线充电器不带充电头，要配 20W 以上的 PD 头才能达到 15W。",
        "您好，刚才看您在比较这两款大衣，还有哪里拿不准吗？",
    ]
    joined = "".join(replies)
    for bad in ("把地址发过来", "您没看详情页吗", "我不知道", "卖完了", "明天一定到", "充电头吧"):
        assert bad not in joined
    assert "还是再看看吧" not in joined  # the buyer's line of the sample dialogue


def test_passages_come_from_the_lessons_in_the_database(db):
    for _ in range(4):
        LessonFactory(body=LESSON)
    found = passages()
    course_made = [p for p in found if p.key.startswith("course-")]
    assert course_made, "the lessons give passages"
    for passage in course_made:
        assert MIN_CHARS <= _chars(passage.text) <= MAX_CHARS
        assert "请您把收货地址发给我核对一下" in passage.text or "您" in passage.text
        for markup in ("**", "|", "✓", "✗", ">"):
            assert markup not in passage.text
    # One lesson repeated four times gives its replies once: too few for several
    # passages, so the built-in ones are offered as well.
    assert {p.text for p in builtin_passages()} <= {p.text for p in found}


def test_the_shipped_course_gives_several_clean_passages(db):
    course_import(SHIPPED_COURSE)
    found = passages()
    assert len(found) >= 5
    assert all(p.key.startswith("course-") for p in found), "no built-in filler needed"
    for passage in found:
        assert MIN_CHARS <= _chars(passage.text) <= MAX_CHARS, passage.text
        assert passage.text[-1] in "。！？～"
        for markup in ("**", "|", "✓", "✗", "…", "#"):
            assert markup not in passage.text
    joined = "".join(p.text for p in found)
    # The shipped course's bad examples, each shown next to a good one.
    for bad in ("你自己看详情页", "绝对没有色差", "明天一定到", "吃了保证降血压", "亲！！！"):
        assert bad not in joined
    assert "请您把收货地址发给我核对一下，谢谢～" in joined


def test_no_course_falls_back_to_the_built_in_passages(db):
    found = passages()
    assert [p.text for p in found] == list(BUILTIN_PASSAGES)
    for passage in found:
        assert MIN_CHARS <= _chars(passage.text) <= MAX_CHARS
        assert passage.key.startswith("builtin-")


def test_inactive_lessons_are_not_read(db):
    for _ in range(3):
        LessonFactory(body=LESSON.replace("请您把收货地址", "请您把新的收货地址"), is_active=False)
    assert [p.text for p in passages()] == list(BUILTIN_PASSAGES)


@pytest.mark.parametrize("seed", [0, 1, 7, 2**61 + 5])
def test_the_seed_stored_with_a_test_names_its_passage(db, seed):
    passage = passage_choose(seed)
    assert passage_choose(seed) == passage
    key = passage_key(seed, passage)
    assert passage_of_key(key) == passage
    assert len(key) <= 120  # TypingTest.passage_key


def test_different_seeds_draw_different_passages(db):
    drawn = {passage_choose(seed).key for seed in range(20)}
    assert len(drawn) == len(BUILTIN_PASSAGES)


def test_a_key_the_content_no_longer_holds_names_nothing(db):
    assert passage_of_key("3:course-000000000000") is None
    assert passage_of_key("not-a-key") is None

"""Passages for the typing test: customer-service sentences taken from the course content.

The lessons' Markdown holds good replies in a few recognisable shapes, and bad ones right
next to them, so only places that mark a reply as a model are read:

* a line or table cell marked ✓ (``- ✓ 请您把收货地址发给我核对一下，谢谢～``);
* the cells of a table column headed as the recommended wording (``推荐说法``, ``应对话术``,
  ``✓ 留有余地``), never a column headed ✗, ``不推荐`` or ``禁用``;
* what the agent says in a sample dialogue (``> 客服：…``), and quoted replies (“…” holding
  您, 亲 or 咱们) under a heading about wording (``## 常用话术``) or after a cue that
  introduces one (``参考说法：``, ``好：``, ``例如：``), on a line with no ✗ and no ``不好``.

The replies are cleaned to plain text and put together, in course order, into passages of
``MIN_CHARS``-``MAX_CHARS`` characters. Each has a key made from its text, so a test names
the passage it showed even after the course is edited (the test keeps the text as well).
With fewer than ``MIN_PASSAGES`` from the courses (none imported yet), a small built-in set
written for this project fills in.

Which passage an attempt gets follows from a seed stored in its ``passage_key``
(``"<seed>:<passage key>"``): the seed modulo the number of passages.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from courses.models import Lesson

MIN_CHARS = 120  # characters (whitespace not counted), about two minutes at the required speed
MAX_CHARS = 200
MIN_PASSAGES = 3  # fewer from the courses: the built-in ones are added
MIN_REPLY_CHARS = 12  # shorter quotes are phrases ("您看这样可以吗？"), not replies

# Written for this project: what a shop's agent says in a day (greeting, sizes, shipping,
# an after-sales problem, a price talk). Used when the courses give too few passages.
BUILTIN_PASSAGES = (
    "您好，欢迎光临本店，我是客服小悦，很高兴为您服务。您想了解哪一款商品呢？可以把您的身高、"
    "体重和平时穿的尺码告诉我，我帮您对照尺码表推荐合适的码数。这款大衣是双面呢工艺，不加里衬也"
    "很挺括，现在下单今天就能发货。颜色方面，不同屏幕显示会有轻微差别，您可以参考买家秀里自然光下"
    "的照片。",
    "亲，您的订单已经付款成功了，我们会在四十八小时内为您安排发货。请您核对一下收货地址和电话，"
    "确认无误后回复我一声就好。发货以后物流信息会同步到订单页，一般两到三天送达，具体以快递派送为"
    "准，我也会帮您留意物流的进度。收到商品后请您先检查一下，有任何问题随时来找我。",
    "非常抱歉给您添麻烦了。麻烦您拍一张问题部位的照片发给我，我马上帮您核实。如果是咱们的问题，"
    "您看是给您补发一件，还是直接办理退款？来回的运费都由我们承担。处理的进度我会及时告诉您，请您"
    "放心。这次的不愉快是我们没做好，谢谢您耐心地告诉我们，我们一定改进。",
    "谢谢您对咱们店的信任。这款的价格对每位顾客都是一样的，这边没办法单独改价，这也是对您负责。"
    "店里现在有满减活动，您再搭配一件常用的小物就能包邮，我帮您算一下最省的买法好吗？您也可以先收"
    "藏商品，有活动时我会第一时间通知您。这款的面料和做工都有保证，收到后不满意也支持七天无理由"
    "退货。",
)

_GOOD_HEADER = re.compile(r"✓|推荐|话术|规范|留有余地")
_BAD_HEADER = re.compile(r"✗|不推荐|禁用|不好|错误")
_WORDING_HEADING = re.compile(r"话术|说法|用语")
_CUE = re.compile(r"(?<!不)好：|参考说法|参考话术|可以回答|可以这样说|例如：|比如：")
_BAD_LINE = re.compile(r"✗|不好|不要说|别说|不能说|禁用")
_AGENT_LINE = re.compile(r"^客服[（(][^）)]*[）)]?：|^客服：")
_QUOTE = re.compile(r"“([^”]+)”")
_ADDRESS = re.compile(r"您|亲|咱们")
_MARKUP = re.compile(r"\*\*|__|`|!?\[([^\]]*)\]\([^)]*\)")
_SENTENCE_END = "。！？～"


@dataclass(frozen=True)
class Passage:
    key: str
    text: str


def _chars(text: str) -> int:
    return len("".join(text.split()))


def _clean(text: str) -> str:
    """Plain text: Markdown emphasis, code marks and links removed, ✓ and spacing trimmed."""
    text = _MARKUP.sub(lambda m: m.group(1) or "", text)
    # An ellipsis in a sample reply stands for time passing ("……确实是仓库漏放了"), not text.
    text = text.replace("✓", "").replace("…", "").strip(" \t|>-")
    return re.sub(r"\s+", " ", text).strip()


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _table_replies(rows: list[str]) -> list[str]:
    """The cells of the recommended-wording columns (and any cell marked ✓)."""
    header = _cells(rows[0])
    good = {
        i
        for i, cell in enumerate(header)
        if _GOOD_HEADER.search(cell) and not _BAD_HEADER.search(cell)
    }
    replies = []
    for row in rows[2:]:  # rows[1] is the |---| line
        for i, cell in enumerate(_cells(row)):
            if i in good or cell.startswith("✓"):
                replies.append(cell)
    return replies


def _line_replies(line: str, in_wording_section: bool) -> list[str]:
    bare = line.lstrip(">-*0123456789. ").strip()
    if bare.startswith("✓"):
        return [bare]
    if _AGENT_LINE.match(bare):
        return [bare.split("：", 1)[1]]
    if _BAD_LINE.search(bare) or not (in_wording_section or _CUE.search(bare)):
        return []
    return [quote for quote in _QUOTE.findall(bare) if _ADDRESS.search(quote)]


def lesson_replies(body: str) -> list[str]:
    """The model replies in one lesson's Markdown, cleaned to plain text, in order."""
    replies: list[str] = []
    lines = body.splitlines()
    in_wording_section = False
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        if line.startswith("#"):
            in_wording_section = bool(_WORDING_HEADING.search(line))
        if line.startswith("|"):
            end = index
            while end < len(lines) and lines[end].strip().startswith("|"):
                end += 1
            if end - index >= 3:
                replies.extend(_table_replies([row.strip() for row in lines[index:end]]))
            index = end
            continue
        replies.extend(_line_replies(line, in_wording_section))
        index += 1
    cleaned = (_clean(reply) for reply in replies)
    return [reply for reply in cleaned if _chars(reply) >= MIN_REPLY_CHARS]


def _sentences(reply: str) -> list[str]:
    """A reply longer than a passage, cut after its sentences' ends."""
    if _chars(reply) <= MAX_CHARS:
        return [reply]
    return [part for part in re.split(r"(?<=[。！？])", reply) if part.strip()]


def _finished(reply: str) -> str:
    """Replies from tables often end without a full stop; a passage reads as sentences."""
    if reply[-1] in _SENTENCE_END:
        return reply
    return reply + ("？" if reply[-1] in "吗呢" else "。")


def passages_from(replies: list[str]) -> list[str]:
    """Consecutive replies joined into passages of MIN_CHARS-MAX_CHARS characters."""
    units = [_finished(s.strip()) for reply in replies for s in _sentences(reply) if s.strip()]
    passages: list[str] = []
    current = ""
    for unit in units:
        if _chars(unit) > MAX_CHARS:
            continue  # one sentence longer than a passage: not typed
        if _chars(current) + _chars(unit) > MAX_CHARS:
            if _chars(current) >= MIN_CHARS:
                passages.append(current)
            current = ""
        current += unit
        if _chars(current) >= MIN_CHARS:
            passages.append(current)
            current = ""
    return passages


def _key(source: str, text: str) -> str:
    return f"{source}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:12]}"


def course_passages() -> list[Passage]:
    """Passages from the active lessons of every course, in course order."""
    bodies = Lesson.objects.filter(is_active=True, module__is_active=True).order_by(
        "module__course__slug", "module__position", "position", "pk"
    )
    replies: list[str] = []
    seen: set[str] = set()
    for body in bodies.values_list("body", flat=True):
        for reply in lesson_replies(body):
            if reply not in seen:  # the same model reply repeated in two lessons
                seen.add(reply)
                replies.append(reply)
    return [Passage(_key("course", text), text) for text in passages_from(replies)]


def builtin_passages() -> list[Passage]:
    return [Passage(_key("builtin", text), text) for text in BUILTIN_PASSAGES]


def passages() -> list[Passage]:
    """The passages a test may show: the courses', with the built-in ones when too few."""
    found = course_passages()
    if len(found) < MIN_PASSAGES:
        found += builtin_passages()
    return found


def passage_choose(seed: int, pool: list[Passage] | None = None) -> Passage:
    """The passage a seed draws: the same seed and pool always give the same passage."""
    pool = passages() if pool is None else pool
    return pool[seed % len(pool)]


def passage_key(seed: int, passage: Passage) -> str:
    """What a test stores: the seed and the key of the passage it drew."""
    return f"{seed}:{passage.key}"


def passage_of_key(key: str) -> Passage | None:
    """The passage a stored ``passage_key`` names, if the content still holds it."""
    seed, _sep, wanted = key.partition(":")
    if not seed.isdigit():
        return None
    passage = passage_choose(int(seed))
    return passage if passage.key == wanted else None

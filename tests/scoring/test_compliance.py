"""Every rule with positive and negative examples, the issue's traps, offsets and scenarios."""

from __future__ import annotations

import pytest

from scoring import Rulepack, ScoringInputError, check_reply
from scoring.compliance import Hit


def hits_of(text: str, position: str = "middle", context: dict | None = None) -> list[Hit]:
    return check_reply(text, position, context)


def evidence(text: str, rule: str, position: str = "middle") -> list[str]:
    return [text[h.start : h.end] for h in hits_of(text, position) if h.rule == rule]


# (rule, reply, position, the evidence each hit must show)
POSITIVE = [
    # terse_reply: the issue's examples, and emoji/punctuation/emoticon codes not counting
    ("terse_reply", "在", "middle", ["在"]),
    ("terse_reply", "好", "middle", ["好"]),
    ("terse_reply", "嗯", "middle", ["嗯"]),
    ("terse_reply", "没有", "middle", ["没有"]),
    ("terse_reply", "卖完了", "middle", ["卖完了"]),
    ("terse_reply", "有的", "middle", ["有的"]),
    ("terse_reply", "好的！！😊", "middle", ["好的！！😊"]),
    ("terse_reply", "好的[微笑]", "middle", ["好的[微笑]"]),
    ("terse_reply", "  ", "middle", ["  "]),
    # negative_language
    ("negative_language", "我不知道", "middle", ["我不知道"]),
    ("negative_language", "这个我也不清楚", "middle", ["我也不清楚"]),
    ("negative_language", "我不会弄这个", "middle", ["我不会弄"]),
    ("negative_language", "这个没办法的", "middle", ["没办法"]),
    ("negative_language", "我没有权限的", "middle", ["我没有权限"]),
    ("negative_language", "退款不归我管", "middle", ["不归我管"]),
    ("negative_language", "快递丢了跟我没关系", "middle", ["跟我没关系"]),
    ("negative_language", "这不是我们的问题", "middle", ["不是我们的问题"]),
    ("negative_language", "你自己看详情页", "middle", ["你自己看"]),
    ("negative_language", "爱买不买", "middle", ["爱买不买"]),
    ("negative_language", "不行。", "middle", ["不行"]),
    ("negative_language", "这个价格真的不行哦～", "middle", ["不行"]),
    ("negative_language", "我不知道，我帮您问问", "middle", ["我不知道"]),
    # impolite_address
    ("impolite_address", "你好，有什么事", "middle", ["你好"]),
    ("impolite_address", "这是你要的那款", "middle", ["你"]),
    ("impolite_address", "你们家在哪", "middle", ["你们"]),
    ("impolite_address", "妳好", "middle", ["妳"]),
    ("impolite_address", "迷你款适合你", "middle", ["你"]),
    # but_turn
    ("but_turn", "这件是贵一点，但是质量很好", "middle", ["但是"]),
    ("but_turn", "不但是正品，但是不包邮", "middle", ["但是"]),
    # exclamation_overuse
    ("exclamation_overuse", "好的!!马上发货", "middle", ["!!"]),
    ("exclamation_overuse", "好的！！马上发货", "middle", ["！！"]),
    ("exclamation_overuse", "好的！谢谢！再见！", "middle", ["！谢谢！再见！"]),
    ("exclamation_overuse", "马上发货‼", "middle", ["‼"]),
    ("exclamation_overuse", "好的!!谢谢!!!", "middle", ["!!", "!!!"]),
    # absolute_promise: the issue's examples and near variants
    ("absolute_promise", "保证明天一定到", "middle", ["保证明天一定到"]),
    ("absolute_promise", "绝对没有色差", "middle", ["绝对没有色差"]),
    ("absolute_promise", "放心，肯定不会丢", "middle", ["肯定不会丢"]),
    ("absolute_promise", "我们全网最便宜", "middle", ["全网最便宜"]),
    ("absolute_promise", "保证今天送到", "middle", ["保证今天送到"]),
    ("absolute_promise", "这款百分百有效", "middle", ["百分百有效"]),
    ("absolute_promise", "这件绝对不会起球", "middle", ["绝对不会起球"]),
    # medical_claim
    ("medical_claim", "这款可以治疗失眠", "middle", ["可以治疗失眠"]),
    ("medical_claim", "吃了能治好糖尿病", "middle", ["能治好糖尿病"]),
    ("medical_claim", "可以代替药物", "middle", ["代替药物"]),
    ("medical_claim", "长期吃可以降血压", "middle", ["降血压"]),
    ("medical_claim", "能预防骨质疏松", "middle", ["预防骨质疏松"]),
    ("medical_claim", "不是不能治疗", "middle", ["能治疗"]),
    ("medical_claim", "您不用吃药了", "middle", ["不用吃药"]),
    ("medical_claim", "不但能治疗失眠还能补钙", "middle", ["能治疗失眠"]),
    # credential_request
    ("credential_request", "请把验证码发给我", "middle", ["验证码发给我"]),
    ("credential_request", "您的银行卡号是多少", "middle", ["银行卡号是多少"]),
    ("credential_request", "告诉我支付密码", "middle", ["告诉我支付密码"]),
    ("credential_request", "验证码发我一下", "middle", ["验证码发我"]),
    # off_platform
    ("off_platform", "加我微信聊", "middle", ["加我微信聊"]),
    ("off_platform", "加QQ123456详谈", "middle", ["加QQ"]),
    ("off_platform", "私下转账给您优惠", "middle", ["私下转账"]),
    ("off_platform", "直接转支付宝就行", "middle", ["转支付宝"]),
    ("off_platform", "加ＶＸ吧", "middle", ["加ＶＸ"]),
    ("off_platform", "您要不要加微信", "middle", ["加微信"]),
    # missing_greeting / missing_closing: zero-width at the start / the end
    ("missing_greeting", "请问有什么可以帮您", "first", [""]),
    ("missing_greeting", "亲自试过的，很好用", "first", [""]),
    ("missing_greeting", "这款有现货，感谢您", "only", [""]),
    ("missing_closing", "好的，已经为您备注了", "last", [""]),
    ("missing_closing", "给您带来不愉快非常抱歉", "last", [""]),
    ("missing_closing", "亲，您好，这款有现货", "only", [""]),
]

NEGATIVE = [
    # the traps the issue lists
    ("negative_language", "这件不会起球", "middle"),
    ("negative_language", "有不清楚的地方随时问我", "middle"),
    ("impolite_address", "这是迷你款哦", "middle"),
    ("but_turn", "不但是正品而且包邮", "middle"),
    ("credential_request", "请不要把验证码告诉任何人", "middle"),
    ("absolute_promise", "我们一定会为您妥善处理", "middle"),
    ("medical_claim", "我们的产品不是药物，不能代替药物治疗", "middle"),
    ("credential_request", "为了清关，需要您上传身份证正反面照片", "middle"),
    ("off_platform", "为了您的资金安全，请不要加微信私下转账", "middle"),
    # terse_reply
    ("terse_reply", "在的，亲，请问有什么可以帮您？", "middle"),
    ("terse_reply", "好的呢亲", "middle"),
    # negative_language
    ("negative_language", "不行的话可以退哦", "middle"),
    ("negative_language", "这样行不行呢", "middle"),
    ("negative_language", "实在不行可以换货", "middle"),
    ("negative_language", "不知道您平时穿多大码呢", "middle"),
    ("negative_language", "我没有权限修改价格，我去帮您向主管申请一下", "middle"),
    ("negative_language", "我们一起想想办法", "middle"),
    # impolite_address
    ("impolite_address", "您好，咱们店是旗舰店", "middle"),
    ("impolite_address", "您说的“你们家”是指我们店吗", "middle"),
    ("impolite_address", "大家不分你我", "middle"),
    # but_turn
    ("but_turn", "是贵一点，只是用料更好", "middle"),
    # exclamation_overuse
    ("exclamation_overuse", "好的！谢谢您！", "middle"),
    ("exclamation_overuse", "好的，谢谢您", "middle"),
    # absolute_promise
    ("absolute_promise", "这件不会起球", "middle"),
    ("absolute_promise", "不能保证明天到，一般1-3天送达", "middle"),
    ("absolute_promise", "服务一定到位", "middle"),
    ("absolute_promise", "一定要当面验货哦", "middle"),
    ("absolute_promise", "我们保证正品", "middle"),
    ("absolute_promise", "我们一定帮您找回丢失的包裹", "middle"),
    ("absolute_promise", "可能会有轻微色差", "middle"),
    # medical_claim
    ("medical_claim", "我们的产品不是药物，没有治疗效果", "middle"),
    ("medical_claim", "身体不适请及时就医，遵医嘱治疗", "middle"),
    ("medical_claim", "您是想预防高血压吗？", "middle"),
    ("medical_claim", "说能治病的都是骗子", "middle"),
    ("medical_claim", "这款不能治疗任何疾病", "middle"),
    ("medical_claim", "这个不可以停药", "middle"),
    # credential_request
    ("credential_request", "验证码千万不要告诉别人", "middle"),
    ("credential_request", "请在支付页面输入支付密码", "middle"),
    ("credential_request", "我们不会以任何理由向您索要验证码", "middle"),
    ("credential_request", "这款密码锁可以设置6位密码", "middle"),
    # off_platform
    ("off_platform", "私下交易没有保障哦", "middle"),
    ("off_platform", "欢迎关注我们的微信公众号", "middle"),
    ("off_platform", "我们不支持私下交易", "middle"),
    ("off_platform", "谨防私下转账诈骗", "middle"),
    ("off_platform", "增加微量元素", "middle"),
    # presence rules only look at their positions
    ("missing_greeting", "请问有什么可以帮您", "middle"),
    ("missing_greeting", "亲，请问有什么可以帮您", "first"),
    ("missing_greeting", "您好，这款有现货", "first"),
    ("missing_greeting", "Hi，这款有现货", "first"),
    ("missing_closing", "好的，已经为您备注了", "first"),
    ("missing_closing", "感谢您的光临", "last"),
    ("missing_closing", "祝您购物愉快", "last"),
    ("missing_closing", "亲，您好，有需要随时找我", "only"),
]


@pytest.mark.parametrize(("rule", "text", "position", "expected"), POSITIVE)
def test_rule_hits(rule: str, text: str, position: str, expected: list[str]) -> None:
    assert evidence(text, rule, position) == expected


@pytest.mark.parametrize(("rule", "text", "position"), NEGATIVE)
def test_rule_is_clean(rule: str, text: str, position: str) -> None:
    assert evidence(text, rule, position) == []


@pytest.mark.parametrize(
    "text",
    [
        "这件不会起球的哦，您放心",
        "有不清楚的地方随时问我",
        "这是迷你款哦",
        "不但是正品而且包邮",
        "请不要把验证码告诉任何人",
        "我们一定会为您妥善处理",
        "我们的产品不是药物，不能代替药物治疗",
        "为了清关，需要您上传身份证正反面照片",
        "为了您的资金安全，请不要加微信私下转账",
    ],
)
def test_issue_traps_are_clean_for_every_rule(text: str) -> None:
    assert hits_of(text) == []


def test_every_default_rule_is_exercised_both_ways() -> None:
    from scoring import load_rulepack

    ids = {rule.id for rule in load_rulepack().rules}
    assert ids == {r for r, *_ in POSITIVE} == {r for r, *_ in NEGATIVE}
    assert ids == {
        "terse_reply",
        "negative_language",
        "impolite_address",
        "but_turn",
        "exclamation_overuse",
        "absolute_promise",
        "medical_claim",
        "credential_request",
        "off_platform",
        "missing_greeting",
        "missing_closing",
    }


def test_hit_carries_severity_and_chinese_suggestion() -> None:
    (hit,) = hits_of("请把验证码发给我")
    assert hit == Hit(hit.rule, "fatal", 2, 8, hit.suggestion)
    assert hit.rule == "credential_request"
    assert "验证码" in hit.suggestion
    assert hit.to_dict() == {
        "rule": "credential_request",
        "severity": "fatal",
        "start": 2,
        "end": 8,
        "suggestion": hit.suggestion,
    }


def test_phrase_specific_suggestions() -> None:
    (hit,) = [h for h in hits_of("你好") if h.rule == "impolite_address"]
    assert hit.suggestion == "您好"
    (terse,) = [h for h in hits_of("卖完了") if h.rule == "terse_reply"]
    assert "卖完了" in terse.suggestion and "新款" in terse.suggestion


def test_every_hit_has_a_suggestion_in_chinese() -> None:
    texts = [t for _, t, _, _ in POSITIVE]
    for text in texts:
        for hit in hits_of(text, "only"):
            assert any("\u4e00" <= ch <= "\u9fff" for ch in hit.suggestion), hit


def test_hits_are_sorted_and_separate_occurrences_stay_separate() -> None:
    text = "你好，你要的这款你看一下"
    hits = [h for h in hits_of(text) if h.rule == "impolite_address"]
    assert [text[h.start : h.end] for h in hits] == ["你好", "你", "你"]
    assert hits == sorted(hits, key=lambda h: (h.start, h.end))


# ---------------------------------------------------------------- offsets


def test_offsets_point_into_traditional_original() -> None:
    text = "您好，請問妳們這件衣服會不會起球？"
    (hit,) = hits_of(text)
    assert hit.rule == "impolite_address"
    assert text[hit.start : hit.end] == "妳"


def test_offsets_point_into_full_width_original() -> None:
    text = "亲，請加ＱＱ１２３４５６"
    (hit,) = [h for h in hits_of(text) if h.rule == "off_platform"]
    assert text[hit.start : hit.end] == "加ＱＱ"


def test_offsets_after_length_changing_normalisation() -> None:
    text = "好的……你放心，絕對沒有色差‼"
    found = {h.rule: text[h.start : h.end] for h in hits_of(text)}
    assert found == {
        "impolite_address": "你",
        "absolute_promise": "絕對沒有色差",
        "exclamation_overuse": "‼",
    }


def test_traditional_traps_are_as_clean_as_simplified() -> None:
    assert hits_of("請不要把驗證碼告訴任何人") == []
    assert hits_of("我們的產品不是藥物，不能代替藥物治療") == []


# --------------------------------------------------------------- scenario


def test_forbidden_statement_hits_unless_negated() -> None:
    context = {"forbidden": ["可以退款"]}
    (hit,) = hits_of("亲，这个可以退款的", context=context)
    assert (hit.rule, hit.severity) == ("forbidden_statement", "major")
    assert "可以退款" in hit.suggestion
    assert hits_of("亲，这个不可以退款哦", context=context) == []


def test_forbidden_statement_options() -> None:
    context = {
        "forbidden": [
            {
                "text": "包邮",
                "severity": "minor",
                "suggestion": "运费按实际计算",
                "negatable": False,
            }
        ]
    }
    (hit,) = hits_of("亲，这个不包邮哦", context=context)
    assert (hit.severity, hit.suggestion, hit.start, hit.end) == ("minor", "运费按实际计算", 5, 7)


def test_forbidden_statement_matches_either_spelling() -> None:
    context = {"forbidden": ["你自己看着办"]}
    for text in ("那您自己看着办吧", "那你自己看着办吧"):
        hits = hits_of(text, context=context)
        assert any("forbidden_statement" in (h.rule, *h.also) for h in hits), text
    (hit,) = hits_of("质量好的很", context={"forbidden": ["质量好得很"]})
    assert hit.rule == "forbidden_statement"


def test_forbidden_statement_quoted_or_asked_is_not_said() -> None:
    context = {"forbidden": ["可以退款"]}
    assert hits_of("您说的“可以退款”是指哪一单呢", context=context) == []
    assert hits_of("您是想问可以退款吗？", context=context) == []
    assert hits_of("可以退款没有风险吗？不，这个可以退款", context=context) != []


def test_one_penalty_per_fault() -> None:
    # A forbidden statement that says what a built-in rule caught is penalised once, at the
    # heavier severity, and the hit names both rules.
    context = {"forbidden": [{"text": "加微信", "severity": "major"}, "微信转账"]}
    hits = hits_of("您加微信，微信转账给我就行", context=context)
    assert [(h.rule, h.severity, h.also) for h in hits] == [
        ("off_platform", "fatal", ("forbidden_statement",)),
        ("off_platform", "fatal", ("forbidden_statement",)),
    ]
    assert hits[0].to_dict()["also"] == ["forbidden_statement"]
    # The forbidden statement is the heavier: it is the one penalised, naming the other.
    context = {"forbidden": [{"text": "跟我没关系", "severity": "fatal"}]}
    (hit,) = hits_of("快递丢了跟我没关系", context=context)
    assert (hit.rule, hit.severity, hit.also) == (
        "forbidden_statement",
        "fatal",
        ("negative_language",),
    )
    # Overlapping forbidden statements are one fault.
    context = {"forbidden": ["再便宜", {"text": "再便宜五十", "severity": "fatal"}]}
    (hit,) = hits_of("行，给您再便宜五十", context=context)
    assert (hit.rule, hit.severity) == ("forbidden_statement", "fatal")
    # Form is judged apart from meaning: 你 stays its own (minor) hit.
    context = {"forbidden": ["你自己看着办"]}
    hits = hits_of("那你自己看着办", context=context)
    assert [(h.rule, h.also) for h in hits] == [
        ("impolite_address", ()),
        ("negative_language", ("forbidden_statement",)),
    ]


def test_required_points_in_a_reply() -> None:
    context = {
        "required_points": [
            {"id": "return", "all": [["七天", "7天"], "无理由"], "suggestion": "说明七天无理由"},
            "运费险",
        ]
    }
    text = "亲，支持7天无理由退换哦"
    hits = hits_of(text, context=context)
    assert [(h.rule, h.start, h.end, h.suggestion) for h in hits] == [
        ("required_point_missing", len(text), len(text), "记得向买家说明：运费险")
    ]
    assert hits_of("亲，支持七天無理由，還送運費險", context=context) == []


def test_bad_context_names_the_field() -> None:
    with pytest.raises(ScoringInputError) as err:
        hits_of("亲", context={"required_points": [{"id": "x", "all": [3]}]})
    assert err.value.field == "context.required_points[0].all[0]"
    with pytest.raises(ScoringInputError) as err:
        hits_of("亲", context={"forbidden": "包邮"})
    assert err.value.field == "context.forbidden"


def test_check_reply_rejects_bad_arguments() -> None:
    with pytest.raises(ScoringInputError, match="position"):
        check_reply("亲", "start")
    with pytest.raises(ScoringInputError, match="text"):
        check_reply(5, "middle")  # type: ignore[arg-type]
    with pytest.raises(ScoringInputError, match="5000"):
        check_reply("好" * 5001, "middle")


# The fault families the phrase lists used to miss, each with the near-miss a trainer accepts.
FAMILIES = [
    ("off_platform", "亲，您直接转我支付宝就行，不用在店里拍"),
    ("off_platform", "您先拍下别付款，咱们私下把钱结了"),
    ("off_platform", "进我们的内购群买更便宜哦"),
    ("off_platform", "您扫一下这个码下单，比店里便宜"),
    ("absolute_promise", "这款毛衣一点都不会起球"),
    ("absolute_promise", "实物和图片完全一样的"),
    ("absolute_promise", "这条裤子怎么洗都不变形"),
    ("absolute_promise", "绝对没有色差，您放心"),
    ("absolute_promise", "保证不会过敏"),
    ("negative_language", "是您自己没看清楚造成的"),
    ("negative_language", "详情页都写了，这还不明白吗"),
    ("negative_language", "规定就是这样，我们没办法管"),
    ("negative_language", "问我也没用"),
    ("credential_request", "把短信里那串数字发我一下"),
    ("credential_request", "刚收到的六位数告诉我"),
    ("medical_claim", "坚持喝，血糖就降下来了"),
    ("medical_claim", "这个一般三个疗程见效"),
    ("medical_claim", "膝盖疼抹上这个，抹完就不疼了"),
    # Frames: a request in the sentence after the credential; an address with points in it;
    # a claim whose first half is itself a negation; blame put on someone else.
    ("credential_request", "验证码收到了吗？收到了回我一下"),
    ("off_platform", "支付宝搜 lin@163.com 转过来就行"),
    ("off_platform", "这边需要您加一下客服企业微信"),
    ("off_platform", "想便宜点的话，扫我刚发的那张码付款"),
    ("absolute_promise", "这帐篷杆正常用不可能断"),
    ("absolute_promise", "下再大的暴雨里面也是干的"),
    ("negative_language", "那是快递公司的事，您直接找他们"),
    ("negative_language", "是您地址填错了才退回来的"),
    ("negative_language", "嫌贵就别买呗"),
    ("medical_claim", "孩子天天看屏幕也不会近视"),
]
CLEAN = [
    "让您扫码付款的都是骗子，请在平台内下单",
    "客服不会向您索要验证码，请勿告诉任何人",
    "这个价格已经是最低了，没办法再便宜了，我帮您看看店里现在有什么活动好吗",
    "我们会一直跟进直到您收到",
    "保证正品，假一赔三",
    "一般2-3天送达，偏远地区会慢一点",
    "这是膳食补充剂，不是药品，不能代替药物治疗",
    "您说的“加微信”我们这边不支持哦",
    "验证码请您在支付页面自己输入就好",
    "退款会原路退回，不需要您提供任何银行卡号",
    "有客人问能不能加微信，我们的实拍视频都放在主图里了",
    "我们是京东上的旗舰店，下单、售后都在京东这边完成",
    "那是我们的问题，马上给您补发",
    "我们不会让您加QQ的，有问题都在这里说",
]


@pytest.mark.parametrize(("rule", "text"), FAMILIES)
def test_fault_families_are_caught(rule: str, text: str) -> None:
    assert rule in {h.rule for h in hits_of(text)}, text


@pytest.mark.parametrize(("rule", "text"), FAMILIES)
def test_the_rules_alone_catch_the_families(rule: str, text: str, rules_only: Rulepack) -> None:
    # The word classes and frames, not the learned layer, recognise these.
    assert rule in {h.rule for h in check_reply(text, "middle", None, rules_only)}, text


@pytest.mark.parametrize("text", CLEAN)
def test_their_near_misses_are_not(text: str) -> None:
    assert [h.rule for h in hits_of(text) if h.severity != "minor"] == [], text


def test_saying_one_cannot_negates_a_forbidden_statement() -> None:
    context = {"forbidden": ["再便宜"]}
    assert check_reply("没办法再便宜了，给您申请个小赠品吧", "middle", context) == []
    # A bare 做不到 is a curt refusal (negative language), but it cuts no price.
    assert [h.rule for h in check_reply("做不到再便宜了哦", "middle", context)] == [
        "negative_language"
    ]
    assert [h.rule for h in check_reply("可以再便宜一点", "middle", context)] == [
        "forbidden_statement"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "您说的'你们太慢了'我们记下了，马上帮您催",
        "您说的「你们怎么还不发货」我们收到了，马上处理",
        "您要的《你好旧时光》这本书有现货",
        "您说的“你们骗人”我们很重视，马上核实",
    ],
)
def test_you_inside_quotes_or_a_title_is_not_addressing_the_buyer(text: str) -> None:
    assert "impolite_address" not in {hit.rule for hit in check_reply(text, "middle")}


def test_you_outside_the_quotes_still_counts() -> None:
    hits = check_reply("'亲'这个称呼你们不喜欢吗", "middle")
    assert [hit.rule for hit in hits if hit.rule == "impolite_address"] == ["impolite_address"]


@pytest.mark.parametrize(
    "text", ["钉钉也不会加，有事在千牛里说", "微信和钉钉都不加", "我们不加站外联系方式"]
)
def test_refusing_to_add_a_contact_is_not_inviting_one(text: str) -> None:
    assert "off_platform" not in {hit.rule for hit in check_reply(text, "middle")}

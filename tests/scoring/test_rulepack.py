"""Rule packs: the default pack, trainer extensions, validation errors and the content hash."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring import RulepackError, check_reply, load_rulepack, rulepack_from_dict
from scoring.rulepack import DEFAULT_RULEPACK_PATH


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_default_pack_is_versioned_and_hashed() -> None:
    pack = load_rulepack()
    assert pack.version == "2.3.1"
    assert pack.versions == ("default 2.3.1",)
    assert pack.hash.startswith("sha256:") and len(pack.hash) == 71
    assert pack.identity() == {
        "name": "default",
        "version": "2.3.1",
        "versions": ["default 2.3.1"],
        "hash": pack.hash,
    }
    # Loading the same file again gives the same content hash.
    assert load_rulepack(DEFAULT_RULEPACK_PATH).hash == pack.hash


def test_trainer_pack_adds_phrases_and_rules_without_code(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "shop.yaml",
        """
version: "shop-2024.3"
name: shop-a
extends: default
settings:
  negators: [甭]
rules:
  negative_language:
    phrases: [这事难办]
  impolite_address:
    exceptions: [你的名字]
  no_discount_talk:
    kind: pattern
    severity: minor
    suggestion: 活动价已经很优惠了，您可以放心拍下～
    phrases: [再便宜点, {text: 打个折, suggestion: 本店不议价哦}]
    negatable: true
""",
    )
    pack = load_rulepack(path)
    assert pack.versions == ("default 2.3.1", "shop-a shop-2024.3")
    assert pack.hash != load_rulepack().hash
    assert [h.rule for h in check_reply("这事难办哦", "middle", None, pack)] == [
        "negative_language"
    ]
    assert check_reply("这事难办哦", "middle", None, load_rulepack()) == []
    assert check_reply("这本书叫你的名字", "middle", None, pack) == []
    (hit,) = check_reply("能打个折吗", "middle", None, pack)
    assert (hit.rule, hit.severity, hit.suggestion) == ("no_discount_talk", "minor", "本店不议价哦")
    # The new negator applies to the new negatable rule.
    assert check_reply("甭打个折了", "middle", None, pack) == []
    # The default's own phrases are still there.
    assert [h.rule for h in check_reply("我不知道", "middle", None, pack)] == ["negative_language"]


def test_an_extending_pack_may_repeat_its_parent(tmp_path: Path) -> None:
    # Repeating the default's phrase is how a layer changes it (here its suggestion).
    path = write(
        tmp_path,
        "shop.yaml",
        'version: "1"\nextends: default\nclasses:\n  contact_channel: [邮箱]\n'
        "rules:\n  negative_language:\n    phrases: [{text: 我不知道, suggestion: 我帮您查一下}]\n",
    )
    pack = load_rulepack(path)
    (hit,) = check_reply("我不知道", "middle", None, pack)
    assert hit.suggestion == "我帮您查一下"
    # The same phrase as matched, in Traditional characters, changes it too.
    (default_hit,) = check_reply("那您就别买了", "middle", None, pack)
    path = write(
        tmp_path,
        "shop-hant.yaml",
        'version: "1"\nextends: default\nrules:\n  negative_language:\n'
        "    phrases: [{text: 就別買了, suggestion: 您再考虑一下，有问题随时找我～}]\n",
    )
    (hit,) = check_reply("那您就别买了", "middle", None, load_rulepack(path))
    assert default_hit.suggestion != hit.suggestion == "您再考虑一下，有问题随时找我～"


def test_trainer_pack_changes_severity_and_switches_a_rule_off(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "strict.yaml",
        """
version: "2"
extends: default
rules:
  but_turn: {severity: major}
  impolite_address: {enabled: false}
""",
    )
    pack = load_rulepack(path)
    hits = check_reply("你好，但是这款没货", "middle", None, pack)
    assert [(h.rule, h.severity) for h in hits] == [("but_turn", "major")]


def test_pack_extends_another_pack_by_relative_path(tmp_path: Path) -> None:
    write(
        tmp_path,
        "base.yaml",
        'version: "b1"\nextends: default\nrules:\n  but_turn: {enabled: false}\n',
    )
    path = write(tmp_path, "top.yaml", 'version: "t1"\nextends: base.yaml\n')
    pack = load_rulepack(path)
    assert pack.versions == ("default 2.3.1", "base b1", "top t1")
    assert check_reply("但是质量很好", "middle", None, pack) == []


def test_same_content_same_hash_changed_content_new_hash(tmp_path: Path) -> None:
    body = 'version: "1"\nextends: default\nrules:\n  negative_language:\n    phrases: [{0}]\n'
    a = load_rulepack(write(tmp_path, "a.yaml", body.format("不清楚哦")))
    b = load_rulepack(write(tmp_path, "a2.yaml", body.format("不清楚哦")))
    c = load_rulepack(write(tmp_path, "a3.yaml", body.format("不晓得")))
    assert load_rulepack(tmp_path / "a.yaml").hash == a.hash
    assert a.to_dict()["rules"] == b.to_dict()["rules"]
    assert a.hash != c.hash
    # The name is part of the content: a2 and a differ only by name (from the file name).
    assert a.hash != b.hash and a.to_dict()["name"] == "a"


def test_rulepack_from_dict() -> None:
    pack = rulepack_from_dict(
        {
            "version": "db-7",
            "name": "from-db",
            "rules": {
                "shout": {
                    "kind": "exclamation",
                    "severity": "minor",
                    "suggestion": "少用感叹号",
                    "max_run": 2,
                    "max_total": 5,
                }
            },
        }
    )
    assert pack.versions == ("from-db db-7",)
    assert check_reply("好的!!", "middle", None, pack) == []
    assert [h.rule for h in check_reply("好的!!!", "middle", None, pack)] == ["shout"]


RULE_X = 'version: "1"\nrules:\n  x: '


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        ("version: 1.0\n", "version", "string"),
        ("rules: {}\n", "version", "required"),
        ('version: "1"\ncolour: red\n', "colour", "unknown key"),
        (
            RULE_X + "{kind: pattern, severity: huge, suggestion: s, phrases: [a]}\n",
            "rules.x.severity",
            "minor, major, fatal",
        ),
        (
            RULE_X + "{kind: magic, severity: minor, suggestion: s}\n",
            "rules.x.kind",
            "one of",
        ),
        (
            RULE_X + "{kind: pattern, severity: minor, phrases: [a]}\n",
            "rules.x.suggestion",
            "required",
        ),
        (
            RULE_X + "{kind: pattern, severity: minor, suggestion: s}\n",
            "rules.x",
            "phrases or pairs",
        ),
        (
            RULE_X + '{kind: pattern, severity: minor, suggestion: s, phrases: [" "]}\n',
            "rules.x.phrases[0]",
            "non-empty",
        ),
        (
            RULE_X + "{kind: pattern, severity: minor, suggestion: s, phrases: [a],"
            " max_chars: 3}\n",
            "rules.x.max_chars",
            "not a setting",
        ),
        (
            'version: "1"\nrules:\n  Bad-Id: {kind: pattern, severity: minor, suggestion: s}\n',
            "rules.Bad-Id",
            "lower_snake_case",
        ),
        (
            'version: "1"\nrules:\n  forbidden_statement: {kind: pattern}\n',
            "rules.forbidden_statement",
            "reserved",
        ),
        (
            'version: "1"\nextends: default\nrules:\n  but_turn: {kind: terse}\n',
            "rules.but_turn.kind",
            "cannot change",
        ),
        ('version: "1"\nsettings: {negation_window: -1}\n', "settings.negation_window", "between"),
        (
            RULE_X + "{kind: pattern, severity: minor, suggestion: s, pairs: [{first: [a]}]}\n",
            "rules.x.pairs[0].then",
            "required",
        ),
        # A word or phrase written twice in one list: a slip, and for a phrase with its own
        # settings the later silently wins. Compared as matched (full-width, case folded).
        (
            'version: "1"\nclasses:\n  app: [微信, qq, 邮箱, ＱＱ]\n',
            "classes.app[3]",
            "classes.app[1]",
        ),
        (
            RULE_X + "{kind: pattern, severity: minor, suggestion: s, phrases:"
            " [{text: 就别买了, softenable: true}, 您看着办, {text: 就别买了}]}\n",
            "rules.x.phrases[2].text",
            "repeats rules.x.phrases[0] ('就别买了')",
        ),
        (
            RULE_X + "{kind: pattern, severity: minor, suggestion: s,"
            " pairs: [{first: [转账, 付款, 转账], then: [私人账户]}]}\n",
            "rules.x.pairs[0].first[2]",
            "repeats",
        ),
        ('version: "1"\nsettings: {negators: [不, 没, 不]}\n', "settings.negators[2]", "repeats"),
        # Blanks are not repeats of each other: they are blank.
        (
            RULE_X + '{kind: pattern, severity: minor, suggestion: s, phrases: [" ", " "]}\n',
            "rules.x.phrases[0]",
            "non-empty",
        ),
    ],
)
def test_bad_packs_name_the_field(tmp_path: Path, text: str, field: str, message: str) -> None:
    path = write(tmp_path, "bad.yaml", text)
    with pytest.raises(RulepackError) as err:
        load_rulepack(path)
    assert err.value.field == field
    assert message in err.value.message
    assert str(path) in str(err.value)


def test_unreadable_and_unparsable_packs(tmp_path: Path) -> None:
    with pytest.raises(RulepackError, match="cannot read"):
        load_rulepack(tmp_path / "missing.yaml")
    with pytest.raises(RulepackError, match="invalid YAML"):
        load_rulepack(write(tmp_path, "broken.yaml", "version: [unclosed\n"))
    (tmp_path / "latin1.yaml").write_bytes(b"version: '\xe9'\n")
    with pytest.raises(RulepackError, match="UTF-8"):
        load_rulepack(tmp_path / "latin1.yaml")


def test_a_key_written_twice_is_refused_with_its_line(tmp_path: Path) -> None:
    # YAML itself keeps the second and drops the first without a word.
    rule = "{kind: pattern, severity: minor, suggestion: s, phrases: [%s]}"
    path = write(
        tmp_path,
        "twice.yaml",
        f'version: "1"\nrules:\n  x: {rule % "a"}\n  y: {rule % "b"}\n  x: {rule % "c"}\n',
    )
    with pytest.raises(RulepackError) as err:
        load_rulepack(path)
    assert "the key 'x' is written twice in this mapping (first on line 3)" in str(err.value)
    assert "line 5, column 3" in str(err.value)
    # A merge brings keys an entry may override: not a repeat.
    path = write(
        tmp_path,
        "merge.yaml",
        'version: "1"\nrules:\n  x:\n    kind: pattern\n    severity: minor\n'
        "    suggestion: s\n    phrases:\n      - &soft {text: a, softenable: true}\n"
        "      - {<<: *soft, text: b}\n",
    )
    assert [p.text for p in load_rulepack(path).rule("x").phrases] == ["a", "b"]


def test_circular_extends_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", 'version: "1"\nextends: b.yaml\n')
    write(tmp_path, "b.yaml", 'version: "1"\nextends: a.yaml\n')
    with pytest.raises(RulepackError, match="circular"):
        load_rulepack(tmp_path / "a.yaml")


def test_word_classes_serve_pairs_and_an_extending_pack_widens_them(tmp_path: Path) -> None:
    base = write(
        tmp_path,
        "base.yaml",
        """
version: "b1"
classes:
  pay: [转我, 打我卡]
  money: [定金, 尾款]
rules:
  private_pay:
    kind: pattern
    severity: fatal
    suggestion: 请在平台内付款
    pairs:
      - {first: ["@money"], then: ["@pay"], window: 6, order: any}
""",
    )
    pack = load_rulepack(base)
    assert [h.rule for h in check_reply("定金直接转我就行", "middle", None, pack)] == [
        "private_pay"
    ]
    assert check_reply("运费直接转我就行", "middle", None, pack) == []
    top = write(
        tmp_path, "top.yaml", 'version: "t1"\nextends: base.yaml\nclasses:\n  money: [运费]\n'
    )
    wider = load_rulepack(top)
    assert [h.rule for h in check_reply("运费直接转我就行", "middle", None, wider)] == [
        "private_pay"
    ]
    # The pack's canonical form names the class, so the hash follows the class's words.
    assert wider.to_dict()["rules"]["private_pay"]["pairs"][0]["first"] == ["@money"]
    assert wider.hash != pack.hash


def test_an_unknown_word_class_is_named_with_its_place(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "bad.yaml",
        """
version: "1"
classes:
  money: [定金]
rules:
  private_pay:
    kind: pattern
    severity: fatal
    suggestion: 请在平台内付款
    pairs:
      - {first: ["@mony"], then: [转我]}
""",
    )
    with pytest.raises(RulepackError) as info:
        load_rulepack(path)
    message = str(info.value)
    assert "rules.private_pay.pairs[0].first[0]" in message
    assert "unknown word class @mony (defined: money)" in message


def test_unless_and_a_rules_own_negators(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "shop.yaml",
        """
version: "1"
classes:
  ours: [发货, 正品]
rules:
  promise:
    kind: pattern
    severity: major
    suggestion: 不要打包票
    phrases: [{text: 保证, unless: ["@ours"], unless_window: 2}]
  contact:
    kind: pattern
    severity: fatal
    suggestion: 请在平台内沟通
    phrases: [加微信]
    negatable: true
    negators: [让您]
""",
    )
    pack = load_rulepack(path)
    rules = lambda text: [h.rule for h in check_reply(text, "middle", None, pack)]  # noqa: E731
    assert rules("保证不起球") == ["promise"]
    assert rules("保证正品") == []
    assert rules("保证今天发货") == []  # 发货 is within two characters
    assert rules("保证下周一之前发货") == ["promise"]
    assert rules("亲，加微信吧") == ["contact"]
    assert rules("有人让您加微信的话别理") == []
    # 让您 is the contact rule's own negator: it clears nothing else.
    assert rules("让您保证不起球") == ["promise"]

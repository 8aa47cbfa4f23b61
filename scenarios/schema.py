"""The JSON Schema of scenario files (format 1). docs/scenario.schema.json is generated from
this (``python manage.py scenario_schema``) and a test keeps the two identical."""

from __future__ import annotations

SLUG = {"type": "string", "pattern": "^[a-z0-9]+(?:-[a-z0-9]+)*$", "maxLength": 80}
NAME = {"type": "string", "pattern": "^[a-z][a-z0-9_]*$", "maxLength": 60}
TEXT = {"type": "string", "minLength": 1, "maxLength": 1000}
# A line, or a burst: several short lines sent one after another (["在吗", "这个有货没"]).
LINE = {"oneOf": [TEXT, {"type": "array", "items": TEXT, "minItems": 2, "maxItems": 6}]}
LINES = {"type": "array", "items": LINE, "minItems": 1, "maxItems": 10}
# The score's dimensions (scoring.inputs.DIMENSIONS; the schema imports nothing from scoring).
DIMENSIONS = ("response", "typing", "compliance", "outcome", "required_points")
OUTCOMES = ["成交", "流失", "转主管", "差评"]
MOODS = ["calm", "impatient", "annoyed", "angry"]
# A mood to set, or one step up or down the scale above.
MOOD_CHANGE = {"enum": [*MOODS, "up", "down"]}
BY_MOOD = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {mood: LINES for mood in MOODS},
}
MOTIVES = ["求美", "求廉", "仿效", "求名", "求速", "求惯", "求安", "求实"]
KEYWORDS = {
    "type": "array",
    "items": {"type": "string", "minLength": 1, "maxLength": 100},
    "maxItems": 100,
}
GROUP = {"oneOf": [{"type": "string", "minLength": 1, "maxLength": 100}, KEYWORDS]}
SECONDS = {"type": "number", "exclusiveMinimum": 0, "maximum": 3600}
BAND = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"target_s": SECONDS, "limit_s": SECONDS},
}

# What a buyer is unless the scenario says otherwise: a trainer writes only what matters to
# the situation, and no value has to be invented (format-1 files wrote them all).
PERSONA_DEFAULTS = {
    "gender": "unknown",
    "age_group": "",
    "motive": "求实",
    "knowledge": "a_little",
    "price_attitude": "testing",
    "patience_s": 120,
    "nudge_after_s": 40,
    "typing_cpm": 120,
}

SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://cs-simulator.example/scenario.schema.json",
    "title": "Role-play scenario (formats 1 and 2)",
    "type": "object",
    "additionalProperties": False,
    "required": ["format", "slug", "title", "shop", "persona", "start", "steps"],
    "properties": {
        # Format 2 adds constructs (opener, covered, caps...); every format-1 file still loads.
        "format": {"enum": [1, 2]},
        # Who opens the chat: the buyer (default), or the trainee (催付, a follow-up call).
        "opener": {"enum": ["buyer", "agent"]},
        "slug": SLUG,
        "title": {"type": "string", "minLength": 1, "maxLength": 200},
        "summary": {"type": "string", "maxLength": 2000},
        "tags": {"type": "array", "items": {"type": "string", "maxLength": 30}, "maxItems": 20},
        "difficulty": {"type": "integer", "minimum": 1, "maximum": 3},
        "shop": SLUG,
        "products": {"type": "array", "items": SLUG, "maxItems": 20},
        "persona": {"$ref": "#/$defs/persona"},
        "intents": {
            "type": "object",
            "propertyNames": NAME,
            "additionalProperties": {"$ref": "#/$defs/intent"},
        },
        "scoring": {"$ref": "#/$defs/scoring"},
        "required_points": {
            "type": "array",
            "maxItems": 20,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["intent"],
                "properties": {
                    "intent": NAME,
                    "suggestion": {"type": "string", "maxLength": 300},
                    "severity": {"enum": ["minor", "major", "fatal"]},
                },
            },
        },
        "forbidden": {
            "type": "array",
            "maxItems": 50,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["text"],
                "properties": {
                    "text": {"type": "string", "minLength": 1, "maxLength": 100},
                    "suggestion": {"type": "string", "maxLength": 300},
                    "severity": {"enum": ["minor", "major", "fatal"]},
                },
            },
        },
        # Offers the trainee may make (a gift, a discount, a delivery date): the chat
        # remembers each one, and whether it was taken back.
        "commitments": {
            "type": "object",
            "maxProperties": 20,
            "propertyNames": NAME,
            "additionalProperties": {"$ref": "#/$defs/commitment"},
        },
        # Faults a branch records (fault: name), with the words the report shows.
        "faults": {
            "type": "object",
            "maxProperties": 20,
            "propertyNames": NAME,
            "additionalProperties": {"type": "string", "minLength": 1, "maxLength": 200},
        },
        "start": NAME,
        "steps": {
            "type": "object",
            "minProperties": 1,
            "maxProperties": 60,
            "propertyNames": NAME,
            "additionalProperties": {"$ref": "#/$defs/step"},
        },
        "tests": {"type": "array", "maxItems": 30, "items": {"$ref": "#/$defs/test"}},
    },
    "$defs": {
        "persona": {
            "type": "object",
            "additionalProperties": False,
            # Only the name must be written; the rest has PERSONA_DEFAULTS.
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 30},
                "gender": {"enum": ["female", "male", "unknown"]},
                "age_group": {"type": "string", "maxLength": 30},
                # What the agent's tool shows of the buyer beside her name (optional; absent,
                # nothing is shown): her membership level, her orders in this shop so far, and
                # the shop's tags on her.
                "member_level": {"type": "string", "minLength": 1, "maxLength": 20},
                "orders_in_shop": {"type": "integer", "minimum": 0, "maximum": 9999},
                "tags": {
                    "type": "array",
                    "maxItems": 6,
                    "items": {"type": "string", "minLength": 1, "maxLength": 12},
                },
                "motive": {"enum": MOTIVES},
                "knowledge": {"enum": ["none", "a_little", "expert"]},
                "price_attitude": {"enum": ["generous", "testing", "must_bargain"]},
                "patience_s": {"type": "number", "minimum": 10, "maximum": 1800},
                "nudge_after_s": {"type": "number", "minimum": 5, "maximum": 1800},
                "nudges": LINES,
                # What she says when her patience runs out, before she leaves (optional).
                "leave_lines": LINES,
                # Her mood when the chat opens (default calm); each nudge raises it a level
                # unless mood_on_nudge says otherwise.
                "mood": {"enum": MOODS},
                "mood_on_nudge": {"enum": ["up", "none"]},
                "typing_cpm": {"type": "number", "minimum": 20, "maximum": 600},
                "order": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["number", "status"],
                    "properties": {
                        "number": {"type": "string", "pattern": "^[0-9A-Za-z-]{4,40}$"},
                        "status": {"enum": ["待付款", "已付款", "已发货", "已签收", "退款中"]},
                        "items": {
                            "type": "array",
                            "maxItems": 10,
                            "items": {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["product"],
                                "properties": {
                                    "product": SLUG,
                                    "sku": {"type": "string", "maxLength": 64},
                                    "quantity": {"type": "integer", "minimum": 1, "maximum": 99},
                                },
                            },
                        },
                        "address": {"type": "string", "maxLength": 200},
                        "courier": {"type": "string", "maxLength": 50},
                        "tracking": {"type": "string", "maxLength": 50},
                    },
                },
            },
        },
        "intent": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "description": {"type": "string", "maxLength": 200},
                "any": KEYWORDS,
                "all": {"type": "array", "items": GROUP, "maxItems": 20},
                "not": KEYWORDS,
            },
            "anyOf": [
                {"required": ["any"], "properties": {"any": {"minItems": 1}}},
                {"required": ["all"], "properties": {"all": {"minItems": 1}}},
            ],
        },
        "commitment": {
            "type": "object",
            "additionalProperties": False,
            "required": ["label", "made"],
            "properties": {
                "label": {"type": "string", "minLength": 1, "maxLength": 100},
                # A reply that makes the offer; a later reply that takes it back.
                "made": {"$ref": "#/$defs/condition"},
                "withdrawn": {"$ref": "#/$defs/condition"},
                # What she says when it is taken back and no branch answers instead.
                "reminder": LINES,
            },
        },
        "scoring": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "first_response": BAND,
                "response": BAND,
                "typing": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "required_cpm": {"type": "number", "exclusiveMinimum": 0, "maximum": 400}
                    },
                },
                "weights": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        name: {"type": "number", "minimum": 0, "maximum": 100}
                        for name in DIMENSIONS
                    },
                },
                "outcomes": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        name: {"type": "number", "minimum": 0, "maximum": 100} for name in OUTCOMES
                    },
                },
                # A rule hit anywhere in the session caps the total: {absolute_promise: 40};
                # so does a fault a branch recorded, or a commitment taken back (by name).
                "caps": {
                    "type": "object",
                    "maxProperties": 20,
                    "propertyNames": {"pattern": "^[a-z][a-z0-9_]*$", "maxLength": 60},
                    "additionalProperties": {"type": "number", "minimum": 0, "maximum": 100},
                },
            },
        },
        "condition": {
            "type": "object",
            "minProperties": 1,
            "maxProperties": 1,
            "additionalProperties": False,
            "properties": {
                "intent": NAME,
                "keywords": KEYWORDS | {"minItems": 1},
                "regex": {"type": "string", "minLength": 1, "maxLength": 300},
                "rule": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$", "maxLength": 60},
                "silence_s": SECONDS,
                "tries": {"type": "integer", "minimum": 1, "maximum": 20},
                # Every one of these intents said at this step, over one reply or several.
                # Her mood is one of these: {mood: [annoyed, angry]}.
                "mood": {
                    "oneOf": [
                        {"enum": MOODS},
                        {"type": "array", "items": {"enum": MOODS}, "minItems": 1},
                    ]
                },
                # An offer made and not taken back; an offer taken back.
                "committed": NAME,
                "withdrawn": NAME,
                "covered": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 10,
                    "uniqueItems": True,
                    "items": NAME,
                },
                "all": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 10,
                    "items": {"$ref": "#/$defs/condition"},
                },
                "any": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 10,
                    "items": {"$ref": "#/$defs/condition"},
                },
                "not": {"$ref": "#/$defs/condition"},
            },
        },
        "branch": {
            "type": "object",
            "additionalProperties": False,
            "required": ["when"],
            "properties": {
                "when": {"$ref": "#/$defs/condition"},
                "goto": NAME,
                "end": {"enum": OUTCOMES},
                "buyer": LINES,
                # How the reply changed her mood, before she answers.
                "mood": MOOD_CHANGE,
                # A fault of the conversation (one of `faults`), for caps and the report.
                "fault": NAME,
            },
            "oneOf": [{"required": ["goto"]}, {"required": ["end"]}],
        },
        "step": {
            "type": "object",
            "additionalProperties": False,
            # Every step has buyer lines except the start step of an agent-first scenario
            # (checked with the other meaning checks).
            "properties": {
                "buyer": LINES,
                # Lines for a mood, said instead of `buyer` / `fallback` when she is in it.
                "buyer_by_mood": BY_MOOD,
                "fallback_by_mood": BY_MOOD,
                "hint": {"type": "string", "maxLength": 300},
                "branches": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 20,
                    "items": {"$ref": "#/$defs/branch"},
                },
                "fallback": LINES,
                # In place of the fallback while a `covered` intent is still missing: her
                # question about the first one missing ({returns: ["那能退换吗？"]}).
                "fallback_missing": {
                    "type": "object",
                    "minProperties": 1,
                    "propertyNames": NAME,
                    "additionalProperties": LINES,
                },
                "end": {"enum": OUTCOMES},
            },
            "oneOf": [{"required": ["branches"]}, {"required": ["end"]}],
        },
        "test": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "replies", "expect"],
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 100},
                "seed": {"type": "integer", "minimum": 0},
                # The trainee types each reply at this speed (字/分), so the typing
                # dimension is scored as in a live session.
                "typing_cpm": {"type": "number", "minimum": 20, "maximum": 250},
                "replies": {
                    "type": "array",
                    "maxItems": 50,
                    "items": {
                        "oneOf": [
                            {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["after_s", "text"],
                                "properties": {
                                    "after_s": {"type": "number", "minimum": 0, "maximum": 3600},
                                    "text": {"type": "string", "minLength": 1, "maxLength": 1000},
                                    # Sent from the quick phrases, not typed.
                                    "quick_phrase": {"type": "boolean"},
                                },
                            },
                            {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["wait_s"],
                                "properties": {"wait_s": SECONDS},
                            },
                            # The trainee closes the chat from the workbench: 转接主管
                            # (transfer) or 结束会话 (end); the last reply of a test.
                            {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["after_s", "action"],
                                "properties": {
                                    "after_s": {"type": "number", "minimum": 0, "maximum": 3600},
                                    "action": {"enum": ["transfer", "end"]},
                                },
                            },
                        ]
                    },
                },
                "expect": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "path": {"type": "array", "items": NAME, "minItems": 1},
                        "outcome": {"enum": [*OUTCOMES, None]},
                        "score": {
                            "type": "array",
                            "items": {"type": "number", "minimum": 0, "maximum": 100},
                            "minItems": 2,
                            "maxItems": 2,
                        },
                        "hits": {"type": "array", "items": {"type": "string"}},
                        # Dimension scores as ranges: {compliance: [90, 100]}; null asks
                        # for the dimension to be excluded (no data).
                        "dimensions": {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {
                                name: {
                                    "oneOf": [
                                        {"type": "null"},
                                        {
                                            "type": "array",
                                            "items": {
                                                "type": "number",
                                                "minimum": 0,
                                                "maximum": 100,
                                            },
                                            "minItems": 2,
                                            "maxItems": 2,
                                        },
                                    ]
                                }
                                for name in DIMENSIONS
                            },
                        },
                        # The rules (or faults, or commitments) whose caps must have
                        # limited the total.
                        "capped_by": {"type": "array", "items": {"type": "string"}},
                        # Faults the conversation must have recorded.
                        "faults": {"type": "array", "items": NAME},
                        # How each named offer must stand at the end.
                        "commitments": {
                            "type": "object",
                            "propertyNames": NAME,
                            "additionalProperties": {"enum": ["made", "withdrawn", "none"]},
                        },
                    },
                },
            },
        },
    },
}

"""Hostile JSON at every door: nesting deep enough to exhaust Python's recursion, and the
NaN/Infinity that Python's json reads but JSON does not have. Each is a 400 (or an error
frame) saying where, never a 500 or a dropped socket, and nothing stored changes."""

from __future__ import annotations

import json

import pytest
from channels.testing import WebsocketCommunicator
from rest_framework.test import APIClient

from diagnostics.consumers import EchoConsumer
from roleplay.models import QuickPhrase
from roleplay.services.phrases import quick_phrases_save
from simulator.json_input import MAX_DEPTH, JSONInputError, json_parse
from tests.event_loops import run_coroutine

DEEP = "[" * 100_000
QUICK_PHRASES = "/api/practice/quick-phrases/"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (DEEP, f"nested deeper than {MAX_DEPTH} levels at line 1 column {MAX_DEPTH + 1}"),
        ('{"a":\n  ' + '{"b": [' * 40, "nested deeper than 64 levels at line 2 column 226"),
        ('{"t": NaN}', "NaN at line 1 column 7 is not a finite number"),
        ('[1.5, "NaN",\n -Infinity]', "-Infinity at line 2 column 2 is not a finite number"),
        ('{"t": 1e5, "u": 1e999}', "1e999 at line 1 column 17 is not a finite number"),
        ("[1, 2", "Expecting ',' delimiter at line 1 column 6"),
        ("9" * 5000, "an integer has more than 4300 digits"),
    ],
)
def test_what_json_parse_refuses_is_named_with_its_place(text, message):
    with pytest.raises(JSONInputError) as refused:
        json_parse(text)
    assert message in str(refused.value)


def test_json_parse_reads_what_json_allows_up_to_the_depth_limit():
    assert json_parse("[" * MAX_DEPTH + "]" * MAX_DEPTH) == json.loads(
        "[" * MAX_DEPTH + "]" * MAX_DEPTH
    )
    # Brackets and constants inside strings are text, not structure.
    text = json.dumps({"s": "[" * 1000 + "NaN Infinity 1e999", "n": [1.5, -2e3, 10**30]})
    assert json_parse(text) == json.loads(text)


@pytest.mark.django_db
def test_anonymous_deeply_nested_json_to_the_token_endpoint_is_a_400():
    api = APIClient()
    response = api.post("/api/auth/token/", DEEP, content_type="application/json")
    assert response.status_code == 400
    assert "nested deeper than 64 levels at line 1 column 65" in response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "where"),
    [
        ('{"phrases": ' + "[" * 100_000, "nested deeper than 64 levels"),
        ('{"phrases": ["亲，在的"], "x": NaN}', "NaN at line 1 column 28"),
        ('{"phrases": ["亲，在的", 1e999]}', "1e999 at line 1 column 22"),
    ],
)
def test_hostile_json_to_an_authenticated_endpoint_is_a_400_and_changes_nothing(
    trainee, body, where
):
    quick_phrases_save(trainee=trainee, phrases=["您好"])
    api = APIClient()
    api.force_authenticate(trainee)
    response = api.put(QUICK_PHRASES, body, content_type="application/json")
    assert response.status_code == 400
    assert where in response.json()["detail"]
    assert list(QuickPhrase.objects.filter(trainee=trainee).values_list("text", flat=True)) == [
        "您好"
    ]
    # The parser still reads good JSON (and forms, as DRF's defaults do).
    good = api.put(QUICK_PHRASES, {"phrases": ["亲，在的"]}, format="json")
    assert good.status_code == 200 and good.json()["phrases"] == ["亲，在的"]


@pytest.mark.django_db(transaction=True)
def test_the_echo_socket_answers_deep_json_with_an_error_and_stays_open(trainee):
    async def scenario():
        communicator = WebsocketCommunicator(EchoConsumer.as_asgi(), "/ws/echo/")
        communicator.scope["user"] = trainee
        connected, _ = await communicator.connect()
        assert connected
        await communicator.send_to(text_data="[" * 4000)
        refused = await communicator.receive_json_from(timeout=5)
        await communicator.send_to(text_data=json.dumps({"text": "还在吗"}))
        echoed = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return refused, echoed

    refused, echoed = run_coroutine(scenario())
    assert "nested deeper than 64 levels at line 1 column 65" in refused["error"]
    assert echoed["echo"] == {"text": "还在吗"}


@pytest.mark.parametrize(
    ("typed", "why"),
    [("[" * 100_000, "nested deeper than 64 levels"), ('{"a": NaN}', "NaN at line 1 column 7")],
)
def test_the_form_json_field_gives_a_form_error_not_a_500(typed, why):
    from django import forms

    from simulator.json_input import JSONFormField

    class Form(forms.Form):
        options = JSONFormField()

    form = Form(data={"options": typed})
    assert not form.is_valid()
    assert why in form.errors["options"][0]
    assert str(form["options"].value()) == typed  # shown again as typed
    assert Form(data={"options": '{"颜色": ["红"]}'}).is_valid()


@pytest.mark.parametrize(
    ("admin_path", "model_path", "field"),
    [
        ("catalog.admin.ProductAdmin", "catalog.models.Product", "size_chart"),
        ("courses.admin.QuestionAdmin", "courses.models.Question", "accepted"),
    ],
)
def test_admin_json_fields_refuse_hostile_json_with_a_form_error(rf, admin_path, model_path, field):
    """Staff typing JSON in the admin get a form error for deep nesting or NaN, not a 500."""
    from django.contrib import admin
    from django.core.exceptions import ValidationError
    from django.utils.module_loading import import_string

    model_admin = import_string(admin_path)(import_string(model_path), admin.site)
    request = rf.get("/")
    request.user = type("Staff", (), {"has_perm": lambda self, perm: True})()
    form_field = model_admin.get_form(request).base_fields[field]
    for hostile in ("[" * 100_000, '{"a": NaN}'):
        with pytest.raises(ValidationError):
            form_field.clean(hostile)
    assert form_field.clean('["M", "L"]') == ["M", "L"]

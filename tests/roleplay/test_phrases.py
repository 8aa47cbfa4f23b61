"""A trainee's quick phrases, listed under groups of their own naming; a bad list changes
nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from roleplay.selectors import quick_phrases_grouped
from roleplay.services.phrases import quick_phrases_save

pytestmark = pytest.mark.django_db

URL = "/api/practice/quick-phrases/"


def test_a_new_trainee_gets_the_default_phrases_under_groups(trainee):
    phrases, groups = quick_phrases_grouped(trainee)
    assert len(phrases) == len(groups) == 4
    assert groups[0] == "问候" and phrases[0].startswith("亲，您好")


def test_phrases_keep_their_groups_and_order(trainee):
    quick_phrases_save(
        trainee=trainee,
        phrases=["亲，在的", "退货地址已发给您", "祝您购物愉快"],
        groups=["问候", "售后", ""],
    )
    assert quick_phrases_grouped(trainee) == (
        ["亲，在的", "退货地址已发给您", "祝您购物愉快"],
        ["问候", "售后", ""],
    )


@pytest.mark.parametrize(
    ("groups", "words"),
    [
        (["问候"], "one group for each phrase"),
        (["问候", "很长很长很长很长很长很长很长很长很长很长很长"], "Phrase 2"),
        (["问候", "a\tb"], "Phrase 2"),
    ],
)
def test_a_bad_group_is_refused_and_the_old_phrases_stay(trainee, english, groups, words):
    quick_phrases_save(trainee=trainee, phrases=["旧的一条"], groups=["旧"])
    with pytest.raises(ValidationError) as raised:
        quick_phrases_save(trainee=trainee, phrases=["亲，在的", "好的"], groups=groups)
    assert words in str(raised.value)
    assert quick_phrases_grouped(trainee) == (["旧的一条"], ["旧"])


def test_the_api_reads_and_writes_groups_and_an_old_client_writes_without_them(trainee):
    api = APIClient()
    api.force_authenticate(trainee)
    body = api.get(URL).json()
    assert len(body["phrases"]) == len(body["groups"])
    response = api.put(
        URL, {"phrases": ["亲，在的", "稍等"], "groups": ["问候", "查询"]}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {"phrases": ["亲，在的", "稍等"], "groups": ["问候", "查询"]}
    response = api.put(URL, {"phrases": ["亲，在的"]}, format="json")
    assert response.json() == {"phrases": ["亲，在的"], "groups": [""]}

"""The interface speaks Simplified Chinese by default, English on request."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_login_page_is_chinese_by_default(client):
    response = client.get(reverse("accounts:login"))
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "登录" in html and "新员工请使用工号登录" in html


@pytest.mark.django_db
def test_english_is_available_through_the_language_switch(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    html = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="en">' in html
    assert "New hires sign in with their employee number." in html


def test_every_chinese_message_is_translated():
    import polib
    from django.conf import settings

    catalogue = polib.pofile(str(settings.LOCALE_PATHS[0] / "zh_Hans/LC_MESSAGES/django.po"))
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []

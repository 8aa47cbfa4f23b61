"""Every page names the product's icon, so a tab or a bookmark is recognisable."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders


@pytest.mark.django_db
def test_pages_name_an_icon_that_exists(client):
    html = client.get("/login/").content.decode()
    match = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)">', html)
    assert match, "no icon link on the sign-in page"
    path = finders.find("simulator/favicon.svg")
    assert path is not None and match.group(1).endswith("favicon.svg")
    with open(path, encoding="utf-8") as icon:
        assert icon.read().startswith("<svg")

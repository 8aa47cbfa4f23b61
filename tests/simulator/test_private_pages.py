"""What a signed-in user sees is not stored by the browser or a proxy."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_signed_in_pages_and_apis_are_not_stored(client, trainee):
    client.force_login(trainee)
    for path in ("/", "/courses/", "/practice/", "/api/me/"):
        response = client.get(path)
        assert response.status_code == 200, path
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, (path, response["Cache-Control"])

"""The API schema (drf-spectacular) describes the project's authentication classes as the
DRF ones they extend: same cookie, same token. Imported by AccountsConfig.ready()."""

from __future__ import annotations

from drf_spectacular.authentication import SessionScheme


class PasswordCheckingSessionScheme(SessionScheme):
    # DRF's session scheme matches that exact class only; the token one matches subclasses.
    target_class = "accounts.password_required.SessionAuthentication"

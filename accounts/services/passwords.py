"""Writes for passwords: a user's own change, resets by HR and administrators.

A password chosen by someone else (an HR reset, the admin, onboarding) sets
``User.must_change_password``; the user's own change clears it. Changing a password ends
the user's other sign-ins: every Django session carries a hash of the password it was
opened with and is refused once that no longer matches (pages and the WebSocket
handshake alike), the user's open sockets are told to check theirs and close
(``realtime.sign_ins``), and the user's API tokens are deleted here. The audit log records who
did what to whom; a password, old, new or temporary, is never written anywhere but as
Django's hash.
"""

from __future__ import annotations

from django.contrib.auth import HASH_SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from rest_framework.authtoken.models import Token

from accounts.models import User
from accounts.selectors import users_password_resettable_by
from accounts.services import initial_password
from audit.services import audit_record
from realtime.sign_ins import sockets_recheck_sign_in


def _tokens_revoke(user: User) -> int:
    """Delete the user's API tokens (obtained with a password that is no longer theirs)."""
    deleted, _per_model = Token.objects.filter(user=user).delete()
    return deleted


@sensitive_variables("new_password")
def password_change(*, user: User, new_password: str, keep: SessionBase | None = None) -> User:
    """The signed-in user replaces their own password (the caller checked the old one).

    Clears ``must_change_password``; audited as ``password.change_forced`` when the change
    was required, ``password.change`` otherwise. ``keep`` is the session of the browser
    that made the change: it gets a new key and the new password's hash, saved with the
    change, so it stays signed in (its open sockets follow it to the new key); every other
    sign-in ends.
    """
    validate_password(new_password, user)
    with transaction.atomic():
        forced = User.objects.select_for_update().get(pk=user.pk).must_change_password
        user.set_password(new_password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        revoked = _tokens_revoke(user)
        renewed: dict[str, str] = {}
        if keep is not None:
            # Django's update_session_auth_hash, with the session saved here rather than
            # at the response: the sockets check it as soon as this commits.
            previous = keep.session_key
            keep.cycle_key()
            keep[HASH_SESSION_KEY] = user.get_session_auth_hash()
            keep.save()
            if previous:
                renewed[previous] = keep.session_key
        sockets_recheck_sign_in(user.pk, renewed)
        audit_record(
            actor=user,
            action="password.change_forced" if forced else "password.change",
            target=user,
            before={"must_change_password": forced},
            after={"must_change_password": False, "api_tokens_revoked": revoked},
        )
    return user


@sensitive_variables("temporary")
def password_reset(*, actor: User, user: User) -> str:
    """Give ``user`` a random temporary password and return it, to be shown once.

    HR may reset the trainees of their own cohorts, administrators anyone else
    (``users_password_resettable_by``). The user must choose a new password at their next
    sign-in; their sessions and API tokens end now.
    """
    if not actor.has_perm("accounts.reset_password"):
        raise PermissionDenied(_("You may not reset passwords."))
    if not users_password_resettable_by(actor).filter(pk=user.pk).exists():
        raise PermissionDenied(_("You may not reset this person's password."))
    temporary = initial_password()
    with transaction.atomic():
        user.set_password(temporary)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        revoked = _tokens_revoke(user)
        sockets_recheck_sign_in(user.pk)
        audit_record(
            actor=actor,
            action="password.reset",
            target=user,
            after={"must_change_password": True, "api_tokens_revoked": revoked},
        )
    return temporary


def password_set_in_admin(*, actor: User, user: User, created: bool) -> None:
    """Record a password an administrator typed in the admin (a new user's first one, or
    the "change password" form), after the admin saved it: the user must replace it, since
    someone else knows it, and their API tokens end. Audited as ``user.create`` or
    ``password.reset``. An administrator setting their own password changes it (audited as
    ``password.change``); an unusable password (password sign-in disabled) forces nothing.
    Call it inside the transaction that saved the password."""
    own = actor.pk == user.pk
    must_change = user.has_usable_password() and not own
    User.objects.filter(pk=user.pk).update(must_change_password=must_change)
    user.must_change_password = must_change
    revoked = 0 if created else _tokens_revoke(user)
    if not created:
        sockets_recheck_sign_in(user.pk)
    action = "user.create" if created else "password.change" if own else "password.reset"
    audit_record(
        actor=actor,
        action=action,
        target=user,
        after={
            "must_change_password": must_change,
            "usable_password": user.has_usable_password(),
            "api_tokens_revoked": revoked,
            "via": "admin",
        },
    )

"""The initial passwords of an import: sealed at import, retrieved once, then gone.

The import's result page offers them as CSV, as XLSX or as printable slips, and whichever
is fetched first is the one retrieval: the sealed row is deleted as it is read. Until
then (at most ``PASSWORDS_TTL``) the database holds AES-GCM ciphertext whose key is
derived from ``SECRET_KEY`` and a random secret kept only in the importer's browser (a
cookie scoped to the batch's pages, lasting as long as the passwords do). Neither the
database, nor the database with the settings, decrypts them; after the retrieval or the
expiry the row is deleted and any copy of the ciphertext left in the database's free
pages is useless, because the browser's half of the key is gone too.

Only the person who ran the import may fetch them; nothing here logs or audits a password.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from dataclasses import dataclass, field
from datetime import timedelta

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import OnboardingBatch, OnboardingPasswords, User
from audit.services import audit_record

PASSWORDS_TTL = timedelta(minutes=30)
SECRET_BYTES = 32
_NONCE_BYTES = 12
_KDF_INFO = b"accounts.onboarding-passwords.v1"


@dataclass(frozen=True)
class InitialPassword:
    """One new hire's slip: what they need to sign in the first time."""

    name: str
    employee_number: str
    cohort: str
    password: str = field(repr=False)  # kept out of tracebacks and debug output


class PasswordsGone(Exception):
    """Already fetched, or expired: the passwords no longer exist anywhere."""


class PasswordsKeyMissing(Exception):
    """The passwords exist, but this browser lacks its half of the key (another browser, or
    its cookie was cleared): they stay sealed, still fetchable from the importing browser."""


def new_secret() -> bytes:
    """The browser's half of the key for one import."""
    return os.urandom(SECRET_BYTES)


def secret_to_cookie(secret: bytes) -> str:
    return base64.urlsafe_b64encode(secret).decode("ascii").rstrip("=")


def secret_from_cookie(value: str | None) -> bytes | None:
    if not value:
        return None
    try:
        secret = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return None
    return secret if len(secret) == SECRET_BYTES else None


def cookie_name(batch_id: int) -> str:
    return f"onboarding_passwords_{batch_id}"


def _key(secret: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=settings.SECRET_KEY.encode("utf-8"),
        info=_KDF_INFO,
    ).derive(secret)


def _bound_to(batch_id: int, owner_id: int) -> bytes:
    # The ciphertext is bound to its batch and owner: a sealed blob copied onto another
    # row does not open.
    return f"{batch_id}:{owner_id}".encode("ascii")


def passwords_seal(
    *, batch: OnboardingBatch, owner: User, secret: bytes, passwords: list[InitialPassword]
) -> OnboardingPasswords:
    """Store the batch's passwords sealed; called inside the import's transaction so that
    they exist exactly when the users do."""
    plain = json.dumps(
        [[p.name, p.employee_number, p.cohort, p.password] for p in passwords],
        ensure_ascii=False,
    ).encode("utf-8")
    nonce = os.urandom(_NONCE_BYTES)
    sealed = nonce + AESGCM(_key(secret)).encrypt(nonce, plain, _bound_to(batch.pk, owner.pk))
    return OnboardingPasswords.objects.create(
        batch=batch,
        owner=owner,
        sealed=sealed,
        count=len(passwords),
        expires_at=timezone.now() + PASSWORDS_TTL,
    )


def _unseal(record: OnboardingPasswords, secret: bytes) -> list[InitialPassword]:
    sealed = bytes(record.sealed)
    nonce, body = sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:]
    plain = AESGCM(_key(secret)).decrypt(nonce, body, _bound_to(record.batch_id, record.owner_id))
    return [InitialPassword(*item) for item in json.loads(plain)]


def passwords_purge_expired() -> int:
    """Delete every sealed set past its expiry; returns how many were deleted."""
    deleted, _by_model = OnboardingPasswords.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


def passwords_pending_for(user: User) -> QuerySet[OnboardingPasswords]:
    """The sealed sets ``user`` may still fetch (their own imports, not yet expired)."""
    return OnboardingPasswords.objects.filter(owner=user, expires_at__gt=timezone.now())


def passwords_take(
    *, actor: User, batch: OnboardingBatch, secret: bytes | None, how: str
) -> list[InitialPassword]:
    """The batch's passwords, once: the sealed row is deleted as they are read.

    Raises PermissionDenied for anyone but the importer (the view answers 404, so a
    batch's passwords are not even known to exist), PasswordsGone once fetched or
    expired, PasswordsKeyMissing from a browser without the key (nothing is deleted).
    ``how`` (csv, xlsx, slips) goes to the audit log; the passwords never do.
    """
    if not actor.has_perm("accounts.onboard_users") or batch.applied_by_id != actor.pk:
        raise PermissionDenied
    passwords_purge_expired()
    record = OnboardingPasswords.objects.filter(batch=batch, owner=actor).first()
    if record is None:
        raise PasswordsGone
    if secret is None:
        raise PasswordsKeyMissing
    try:
        passwords = _unseal(record, secret)
    except InvalidTag as exc:
        raise PasswordsKeyMissing from exc
    # Deleted before anything is answered; of two simultaneous requests only the one whose
    # delete removed the row gets the passwords.
    with transaction.atomic():
        deleted, _by_model = OnboardingPasswords.objects.filter(pk=record.pk).delete()
        if not deleted:
            raise PasswordsGone
        audit_record(
            actor=actor,
            action="onboarding.passwords_fetch",
            target=batch,
            after={"format": how, "count": len(passwords)},
        )
    return passwords

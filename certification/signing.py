"""The key that signs certificate credentials, and its public half as a JWK.

``settings.CERTIFICATE_SIGNING_KEY`` holds a PEM Ed25519 private key. When it is empty, a
key is derived from ``SECRET_KEY`` with HKDF, so a development checkout signs with a key
that stays the same across restarts; a warning says so, since rotating ``SECRET_KEY``
would then change the key and every credential issued before would stop verifying.

The key id (``kid``) is the address where the public key is published
(``/.well-known/jwks/<RFC 7638 thumbprint>.json``): a verifier that holds a credential finds
the key from its header alone; the whole set is at ``/.well-known/jwks.json``.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import warnings
from collections.abc import Iterator
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from joserfc import jwt
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import KeySet, OKPKey

logger = logging.getLogger(__name__)

ALGORITHM = "EdDSA"
# Changing this string changes every derived key: it names what the key is for.
_HKDF_INFO = b"cs-simulator certificate credential signing key v1"


@functools.lru_cache(maxsize=4)
def _private_key(pem: str, secret_key: str) -> OKPKey:
    # An environment variable often carries the PEM's line breaks as "\n".
    pem = pem.strip().replace("\\n", "\n")
    if pem:
        try:
            loaded = serialization.load_pem_private_key(pem.encode(), password=None)
        except (ValueError, TypeError) as exc:
            raise ImproperlyConfigured(
                f"CERTIFICATE_SIGNING_KEY is not a readable PEM private key: {exc}"
            ) from None
        if not isinstance(loaded, Ed25519PrivateKey):
            raise ImproperlyConfigured("CERTIFICATE_SIGNING_KEY must be an Ed25519 private key.")
        return OKPKey.import_key(loaded)
    logger.warning(
        "CERTIFICATE_SIGNING_KEY is empty: certificate credentials are signed with a key "
        "derived from SECRET_KEY. Set CERTIFICATE_SIGNING_KEY to a PEM Ed25519 private key "
        "in production, or changing SECRET_KEY will invalidate every issued credential."
    )
    seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(
        secret_key.encode()
    )
    return OKPKey.import_key(Ed25519PrivateKey.from_private_bytes(seed))


def signing_key() -> OKPKey:
    """The private signing key, as settings give it now (tests may override them)."""
    return _private_key(getattr(settings, "CERTIFICATE_SIGNING_KEY", "") or "", settings.SECRET_KEY)


def key_thumbprint() -> str:
    return signing_key().thumbprint()


def key_id() -> str:
    """The URL of the public key: the ``kid`` of every signed credential."""
    path = reverse("jwk", kwargs={"thumbprint": key_thumbprint()})
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def public_jwk() -> dict[str, Any]:
    public = signing_key().as_dict(private=False)
    return {**public, "kid": key_id(), "alg": ALGORITHM, "use": "sig"}


def public_jwks() -> dict[str, Any]:
    return {"keys": [public_jwk()]}


@contextlib.contextmanager
def _eddsa_named_eddsa() -> Iterator[None]:
    # RFC 9864 renames the algorithm "Ed25519" and joserfc warns at every use of "EdDSA";
    # VC-JWT verifiers (and Open Badges 3.0) still expect "EdDSA", so it is kept on purpose.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="EdDSA is deprecated", category=SecurityWarning)
        yield


def jwt_sign(claims: dict[str, Any]) -> str:
    """A compact JWS over ``claims``: header ``{"alg": "EdDSA", "kid", "typ": "JWT"}``."""
    header = {"alg": ALGORITHM, "kid": key_id(), "typ": "JWT"}
    with _eddsa_named_eddsa():
        return jwt.encode(header, claims, signing_key(), algorithms=[ALGORITHM])


class SignatureInvalid(Exception):
    """The token is malformed, signed with another key, or altered since it was signed."""


def jwt_verify(token: str, jwks: dict[str, Any] | None = None) -> dict[str, Any]:
    """The claims of ``token`` if its signature verifies with a key of ``jwks`` (by
    default the published set), else ``SignatureInvalid``. Time claims are not checked
    here: an expired certificate's credential still verifies as authentic."""
    key_set = KeySet.import_key_set(jwks or public_jwks())
    try:
        with _eddsa_named_eddsa():
            return dict(jwt.decode(token, key_set, algorithms=[ALGORITHM]).claims)
    except (JoseError, ValueError) as exc:
        raise SignatureInvalid(str(exc)) from None

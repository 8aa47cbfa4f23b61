"""The certificate as an Open Badges 3.0 credential: valid against 1EdTech's JSON Schema,
signed as a VC-JWT (EdDSA, Ed25519) that verifies with the key published at
/.well-known/jwks.json, and fails when altered or signed with another key."""

from __future__ import annotations

import base64
import json
import logging
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.test import Client
from django.utils import translation
from django.utils.translation import pgettext
from jsonschema import Draft201909Validator, FormatChecker

from certification.credentials import (
    certificate_credential,
    certificate_credential_jwt,
    verification_url,
)
from certification.signing import SignatureInvalid, jwt_verify, public_jwks
from tests.certification.test_certificates import TRACK_TITLE, issued

SCHEMA = json.loads(
    (Path(__file__).parent / "ob3" / "ob_v3p0_achievementcredential_schema.json").read_text(
        encoding="utf-8"
    )
)
VALIDATOR = Draft201909Validator(SCHEMA, format_checker=FormatChecker())


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _published_jwks() -> dict:
    response = Client().get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/jwk-set+json"
    return response.json()


def _pem() -> str:
    return (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )


@pytest.fixture
def certificate(trainee):
    return issued(trainee)


@pytest.mark.django_db
def test_the_credential_is_a_valid_open_badge(certificate, settings):
    credential = certificate_credential(certificate)
    errors = sorted(VALIDATOR.iter_errors(credential), key=str)
    assert errors == []
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"] == verification_url(certificate)
    assert credential["id"].startswith(settings.SITE_URL)
    assert credential["issuer"]["type"] == ["Profile"] and credential["issuer"]["name"]
    subject = credential["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["identifier"] == [
        {
            "type": "IdentityObject",
            "identityType": "name",
            "hashed": False,
            "identityHash": "王小丫",
        }
    ]
    assert subject["achievement"]["name"] == TRACK_TITLE
    assert subject["achievement"]["criteria"]["narrative"]
    # The figures the certificate page shows, accuracy in percent, each described by name
    # (in Chinese, as the certificate is).
    with translation.override("zh-hans"):
        points = pgettext("unit of a score", "points")
    described = {d["id"]: d for d in subject["achievement"]["resultDescription"]}
    shown = {
        described[result["resultDescription"]]["name"]: result["value"]
        for result in subject["result"]
    }
    assert shown == {
        "打字速度（字/分）": "72.4",
        "打字准确率（%）": "97.3",
        "首次响应时间中位数（秒）": "4.2",
        f"话术合规得分（{points}）": "88.5",
        f"考试总分（{points}）": "81",
    }
    accuracy = next(d for d in described.values() if d["name"].startswith("打字准确率"))
    assert accuracy["resultType"] == "Percent"
    assert credential["validUntil"] > credential["validFrom"]


def test_the_schema_check_is_not_empty():
    """The copied schema refuses what OB 3.0 requires: the test above proves something."""
    assert not VALIDATOR.is_valid({"type": ["VerifiableCredential", "OpenBadgeCredential"]})


@pytest.mark.django_db
def test_the_vc_jwt_verifies_with_the_published_key(certificate, client):
    token = certificate_credential_jwt(certificate)
    header_part, payload_part, signature_part = token.split(".")
    header = json.loads(_b64decode(header_part))
    assert header["alg"] == "EdDSA" and header["typ"] == "JWT"

    jwks = _published_jwks()
    [key] = jwks["keys"]
    assert key["kty"] == "OKP" and key["crv"] == "Ed25519" and "d" not in key
    assert key["kid"] == header["kid"]
    # The kid is where the single key is published.
    path = "/" + header["kid"].split("/", 3)[3]
    single = client.get(path)
    assert single.status_code == 200 and single.json() == key

    # Verified by the cryptography library alone, from the published JWK.
    public = Ed25519PublicKey.from_public_bytes(_b64decode(key["x"]))
    public.verify(_b64decode(signature_part), f"{header_part}.{payload_part}".encode())

    claims = jwt_verify(token, jwks=jwks)
    credential = certificate_credential(certificate)
    assert {k: v for k, v in claims.items() if k in credential} == credential
    assert claims["iss"] == credential["issuer"]["id"]
    assert claims["sub"] == credential["credentialSubject"]["id"]
    assert claims["jti"] == credential["id"]
    assert claims["nbf"] == int(certificate.issued_at.timestamp())
    assert claims["exp"] == int(certificate.expires_at.timestamp())
    assert VALIDATOR.is_valid({k: v for k, v in claims.items() if k in credential})


@pytest.mark.django_db
def test_a_tampered_credential_fails(certificate):
    token = certificate_credential_jwt(certificate)
    header_part, payload_part, signature_part = token.split(".")
    payload = json.loads(_b64decode(payload_part))
    payload["credentialSubject"]["identifier"][0]["identityHash"] = "张大壮"
    forged = ".".join((header_part, _b64encode(json.dumps(payload).encode()), signature_part))
    jwks = _published_jwks()
    with pytest.raises(SignatureInvalid):
        jwt_verify(forged, jwks=jwks)
    with pytest.raises(SignatureInvalid):
        jwt_verify(token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"), jwks=jwks)
    with pytest.raises(SignatureInvalid):
        jwt_verify(f"{header_part}.{payload_part}", jwks=jwks)


@pytest.mark.django_db
def test_a_credential_signed_with_another_key_fails(certificate, settings):
    jwks = _published_jwks()
    settings.CERTIFICATE_SIGNING_KEY = _pem()
    token = certificate_credential_jwt(certificate)
    with pytest.raises(SignatureInvalid):
        jwt_verify(token, jwks=jwks)
    assert jwt_verify(token, jwks=_published_jwks())  # the new key is the one published


@pytest.mark.django_db
def test_the_key_comes_from_settings(settings):
    pem = _pem()
    settings.CERTIFICATE_SIGNING_KEY = pem
    private = serialization.load_pem_private_key(pem.encode(), password=None)
    raw = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    assert _published_jwks()["keys"][0]["x"] == _b64encode(raw)


@pytest.mark.django_db
def test_without_a_key_one_is_derived_from_secret_key_with_a_warning(settings, caplog):
    settings.CERTIFICATE_SIGNING_KEY = ""
    settings.SECRET_KEY = "a-secret-only-this-test-uses-0123456789"
    with caplog.at_level(logging.WARNING, logger="certification.signing"):
        first = public_jwks()
    assert "CERTIFICATE_SIGNING_KEY is empty" in caplog.text
    assert public_jwks() == first  # stable
    settings.SECRET_KEY = "another-secret-only-this-test-uses-987654"
    assert public_jwks()["keys"][0]["x"] != first["keys"][0]["x"]


@pytest.mark.django_db
def test_an_unknown_key_id_is_404(client):
    assert client.get("/.well-known/jwks/not-our-key.json").status_code == 404


@pytest.mark.django_db
def test_the_holder_downloads_the_credential(certificate, trainee, other_trainee):
    client = Client()
    client.force_login(trainee)
    jwt_response = client.get(f"/certification/certificates/{certificate.pk}/credential.jwt")
    assert jwt_response.status_code == 200
    assert jwt_response["Content-Type"] == "application/jwt"
    assert "attachment" in jwt_response["Content-Disposition"]
    assert jwt_verify(jwt_response.content.decode(), jwks=_published_jwks())
    json_response = client.get(f"/certification/certificates/{certificate.pk}/credential.json")
    assert json_response.status_code == 200
    assert VALIDATOR.is_valid(json.loads(json_response.content))
    assert "王小丫" in json_response.content.decode()  # readable, not \u-escaped
    assert (
        client.get(f"/certification/certificates/{certificate.pk}/credential.xml").status_code
        == 404
    )

    client.force_login(other_trainee)
    assert (
        client.get(f"/certification/certificates/{certificate.pk}/credential.jwt").status_code
        == 404
    )


@pytest.mark.django_db
def test_a_key_with_escaped_line_breaks_is_read(settings):
    pem = _pem()
    settings.CERTIFICATE_SIGNING_KEY = pem
    expected = _published_jwks()
    settings.CERTIFICATE_SIGNING_KEY = pem.replace("\n", "\\n")  # as one environment line
    assert _published_jwks() == expected


@pytest.mark.parametrize("value", ["not a key", "rsa"])
def test_a_key_that_is_not_ed25519_stops_with_a_clear_message(settings, value):
    from cryptography.hazmat.primitives.asymmetric import rsa
    from django.core.exceptions import ImproperlyConfigured

    from certification.signing import signing_key

    if value == "rsa":
        value = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            .private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            .decode()
        )
    settings.CERTIFICATE_SIGNING_KEY = value
    with pytest.raises(ImproperlyConfigured, match="CERTIFICATE_SIGNING_KEY"):
        signing_key()

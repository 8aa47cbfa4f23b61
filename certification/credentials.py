"""A certificate as an Open Badges 3.0 credential (W3C Verifiable Credentials data model
2.0), and as a VC-JWT signed with the site's Ed25519 key (certification.signing).

The credential says what the certificate says, no more: the holder's name, the track, the
dates and the measured results. Its ``id`` is the public verification page, which also
tells whether it was revoked since.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from certification.dimensions import (
    CERTIFICATE_DIMENSIONS,
    DIMENSIONS,
    Dimension,
    certificate_figures,
)
from certification.models import Certificate
from certification.signing import jwt_sign
from certification.track_spec import TrackSpec

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
ISSUER_NAME_DEFAULT = "客服实训系统"

# OB 3.0 result types: accuracy is a percentage; the other figures are measured as they are.
_RESULT_TYPES = {"%": "Percent"}


def _site(path: str = "/") -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def verification_url(certificate: Certificate) -> str:
    return _site(reverse("certification:verify", kwargs={"code": certificate.code}))


def _urn(kind: str, value: str) -> str:
    # Stable identifiers that reveal nothing (a holder's user id stays on this site).
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, _site(f'/{kind}/{value}'))}"


def _criteria(spec: TrackSpec) -> str:
    marks = spec.marks
    return (
        f"打字测试：速度不低于 {spec.typing.min_cpm} 字/分钟，准确率不低于 "
        f"{spec.typing.min_accuracy:.0%}。模拟接待考试：合规得分不低于 {marks.compliance:g}，"
        f"首次响应中位数不超过 {marks.first_response_median_s:g} 秒，单场首响不超过 "
        f"{marks.first_response_max_s:g} 秒，总分不低于 {marks.total:g}，"
        f"严重违规不超过 {marks.fatal_hits} 次。"
    )


def _description_name(dimension: Dimension) -> str:
    unit = str(dimension.unit)
    return f"{dimension.label}（{unit}）" if unit else str(dimension.label)


def certificate_credential(certificate: Certificate) -> dict[str, Any]:
    """The OpenBadgeCredential of ``certificate`` (unsigned)."""
    version = certificate.track_version
    spec = TrackSpec.from_data(version.data)
    achievement_id = _urn("track", f"{version.track.slug}/v{version.number}")
    # Every dimension a certificate shows is described, measured or not; its name and figure
    # are written as the certificate writes them (certification.dimensions), in Chinese.
    with translation.override("zh-hans"):
        descriptions = [
            {
                "id": f"{achievement_id}#{name}",
                "type": ["ResultDescription"],
                "name": _description_name(DIMENSIONS[name]),
                "resultType": _RESULT_TYPES.get(str(DIMENSIONS[name].unit), "RawScore"),
            }
            for name in CERTIFICATE_DIMENSIONS
        ]
    results = [
        {
            "type": ["Result"],
            "resultDescription": f"{achievement_id}#{dimension.name}",
            "value": dimension.figure(value),
        }
        for dimension, value in certificate_figures(certificate.results)
    ]
    subject: dict[str, Any] = {
        "id": _urn("holder", str(certificate.holder_id)),
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": certificate.holder_name,
            }
        ],
        "achievement": {
            "id": achievement_id,
            "type": ["Achievement"],
            "name": certificate.track_title,
            "description": spec.description or certificate.track_title,
            "criteria": {"narrative": _criteria(spec)},
            "resultDescription": descriptions,
        },
    }
    if results:
        subject["result"] = results
    return {
        "@context": list(CONTEXT),
        "id": verification_url(certificate),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": _site("/"),
            "type": ["Profile"],
            "name": getattr(settings, "CERTIFICATE_ISSUER_NAME", "") or ISSUER_NAME_DEFAULT,
        },
        "validFrom": _utc(certificate.issued_at),
        "validUntil": _utc(certificate.expires_at),
        "name": certificate.track_title,
        "credentialSubject": subject,
    }


def certificate_credential_jwt(certificate: Certificate) -> str:
    """The credential as a VC-JWT: the credential itself is the payload, with the JWT
    claims that restate it (iss, sub, jti, nbf, exp)."""
    credential = certificate_credential(certificate)
    claims = {
        **credential,
        "iss": credential["issuer"]["id"],
        "sub": credential["credentialSubject"]["id"],
        "jti": credential["id"],
        "nbf": int(certificate.issued_at.timestamp()),
        "exp": int(certificate.expires_at.timestamp()),
    }
    return jwt_sign(claims)

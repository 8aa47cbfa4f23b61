"""Certificate pages: the holder's own page, PDF and credential; the public verification
page; HR's revocation and the list of certificates about to expire."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from certification.certificate_pdf import certificate_pdf as render_pdf
from certification.credentials import (
    certificate_credential as credential_document,
)
from certification.credentials import (
    certificate_credential_jwt,
    verification_url,
)
from certification.models import Certificate
from certification.selectors.certificates import (
    certificate_by_code,
    certificate_result_rows,
    certificate_status_now,
    certificates_expiring_visible_to,
    certificates_of_holder,
    certificates_revocable_by,
)
from certification.services.certificates import EXPIRY_WARNING_DAYS, certificate_revoke
from certification.signing import key_thumbprint, public_jwk, public_jwks
from simulator.service_errors import flash_error


def _facts(certificate: Certificate) -> dict:
    return {
        "certificate": certificate,
        "status": certificate_status_now(certificate),
        "result_rows": certificate_result_rows(certificate),
    }


def _download(content: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def certificate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The holder's own page; anyone else's certificate is a 404 here (HR and others
    check certificates on the public verification page)."""
    certificate = get_object_or_404(certificates_of_holder(request.user), pk=pk)
    context = {**_facts(certificate), "verification_url": verification_url(certificate)}
    return render(request, "certification/certificates/detail.html", context)


@login_required
@require_GET
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = get_object_or_404(certificates_of_holder(request.user), pk=pk)
    return _download(render_pdf(certificate), "application/pdf", f"{certificate.number}.pdf")


@login_required
@require_GET
def certificate_credential(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The Open Badges 3.0 credential: signed (``jwt``, a VC-JWT) or as JSON (``json``)."""
    certificate = get_object_or_404(certificates_of_holder(request.user), pk=pk)
    if fmt == "jwt":
        token = certificate_credential_jwt(certificate)
        return _download(token, "application/jwt", f"{certificate.number}.jwt")
    document = json.dumps(credential_document(certificate), ensure_ascii=False, indent=2)
    return _download(document, "application/json; charset=utf-8", f"{certificate.number}.json")


@never_cache
@require_GET
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: whoever holds the link or QR code sees whether the certificate is valid,
    expired or revoked, with what the certificate itself shows, and nothing more."""
    certificate = certificate_by_code(code)
    if certificate is None:
        return render(request, "certification/certificates/verify_not_found.html", status=404)
    can_revoke = certificates_revocable_by(request.user).filter(pk=certificate.pk).exists()
    context = {**_facts(certificate), "can_revoke": can_revoke}
    return render(request, "certification/certificates/verify.html", context)


@login_required
@permission_required("certification.revoke_certificate", raise_exception=True)
@require_http_methods(["GET", "POST"])
def certificate_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    """HR (their cohorts' trainees) or an administrator revokes a certificate, with a
    reason; out of their reach it is a 404."""
    certificate = get_object_or_404(certificates_revocable_by(request.user), pk=pk)
    reason = request.POST.get("reason", "")
    if request.method == "POST":
        try:
            certificate = certificate_revoke(
                actor=request.user, certificate=certificate, reason=reason
            )
        except ValidationError as exc:
            flash_error(request, exc)
        else:
            messages.success(
                request, _("Certificate %(number)s revoked.") % {"number": certificate.number}
            )
            return redirect("certification:verify", code=certificate.code)
    context = {**_facts(certificate), "reason": reason}
    status = 400 if request.method == "POST" else 200
    return render(request, "certification/certificates/revoke.html", context, status=status)


@login_required
@permission_required("certification.view_certificate", raise_exception=True)
@require_GET
def certificates_expiring(request: HttpRequest) -> HttpResponse:
    certificates = list(
        certificates_expiring_visible_to(request.user, within_days=EXPIRY_WARNING_DAYS)
    )
    revocable = set(
        certificates_revocable_by(request.user)
        .filter(pk__in=[c.pk for c in certificates])
        .values_list("pk", flat=True)
    )
    context = {
        "certificates": certificates,
        "revocable": revocable,
        "within_days": EXPIRY_WARNING_DAYS,
    }
    return render(request, "certification/certificates/expiring.html", context)


def _public_json(data: dict, content_type: str) -> HttpResponse:
    response = HttpResponse(json.dumps(data), content_type=content_type)
    # Public keys: any verifier, from any origin, may read and keep them for an hour.
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, public=True, max_age=3600)
    return response


@require_GET
def jwks(request: HttpRequest) -> HttpResponse:
    """Public: the JWK Set whose key verifies every certificate credential."""
    return _public_json(public_jwks(), "application/jwk-set+json")


@require_GET
def jwk(request: HttpRequest, thumbprint: str) -> HttpResponse:
    """Public: one key, at the address that is its ``kid``."""
    if thumbprint != key_thumbprint():
        raise Http404
    return _public_json(public_jwk(), "application/jwk+json")

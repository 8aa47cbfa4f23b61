"""Certificates, included at /certification/certificates/ (namespace "certification")."""

from django.urls import path, re_path

from certification.views import certificates

urlpatterns = [
    path("<int:pk>/", certificates.certificate_detail, name="certificate_detail"),
    path("<int:pk>/certificate.pdf", certificates.certificate_pdf, name="certificate_pdf"),
    re_path(
        r"^(?P<pk>[0-9]+)/credential\.(?P<fmt>jwt|json)$",
        certificates.certificate_credential,
        name="certificate_credential",
    ),
    path("<int:pk>/revoke/", certificates.certificate_revoke_view, name="certificate_revoke"),
    path("expiring/", certificates.certificates_expiring, name="certificates_expiring"),
    # Public: the address the PDF's QR code and the credential's id point to.
    path("verify/<str:code>/", certificates.verify, name="verify"),
]

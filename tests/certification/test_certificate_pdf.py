"""The certificate PDF: Chinese text that a PDF reader extracts (a CJK font is embedded,
not boxes), and a QR code that a phone camera reads as the public verification page.

Needs the dev tools pypdf (text), pypdfium2 (rendering) and zxing-cpp (QR decoding), and
Debian's fonts-noto-cjk on the machine."""

from __future__ import annotations

import io

import pypdfium2
import pytest
import zxingcpp
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from certification.certificate_pdf import certificate_pdf
from certification.credentials import verification_url
from tests.certification.test_certificates import TRACK_TITLE, issued


@pytest.fixture
def certificate(trainee):
    return issued(trainee)


def _qr_codes(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=3).to_pil()
    finally:
        document.close()
    return [code.text for code in zxingcpp.read_barcodes(image) if code.format.name == "QRCode"]


@pytest.mark.django_db
def test_the_pdf_prints_the_certificate_in_chinese(certificate):
    pdf = certificate_pdf(certificate)
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "王小丫" in text
    assert TRACK_TITLE in text
    assert certificate.number in text
    assert timezone.localtime(certificate.issued_at).strftime("%Y-%m-%d") in text
    assert timezone.localtime(certificate.expires_at).strftime("%Y-%m-%d") in text
    assert "72.4" in text and "88.5" in text  # results
    fonts = {
        str(font.get_object().get("/BaseFont", ""))
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("CJK" in name for name in fonts), fonts


@pytest.mark.django_db
def test_the_qr_code_reads_as_the_verification_address(certificate, settings):
    assert _qr_codes(certificate_pdf(certificate)) == [verification_url(certificate)]
    assert verification_url(certificate) == (
        f"{settings.SITE_URL}/certification/certificates/verify/{certificate.code}/"
    )


@pytest.mark.django_db
def test_the_holder_downloads_the_pdf_and_no_one_else(certificate, trainee, other_trainee, hr):
    url = f"/certification/certificates/{certificate.pk}/certificate.pdf"
    client = Client()
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response["Location"]
    client.force_login(trainee)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{certificate.number}.pdf"' in response["Content-Disposition"]
    assert "王小丫" in PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    for someone_else in (other_trainee, hr):
        client.force_login(someone_else)
        assert client.get(url).status_code == 404

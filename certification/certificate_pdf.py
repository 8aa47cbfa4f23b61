"""A certificate as a PDF (WeasyPrint): the holder's name, the track, the number, the dates
and the results in Chinese, with a QR code of the public verification page.

Chinese needs a CJK font on the machine (Debian's fonts-noto-cjk); without one every
character would print as a box. WeasyPrint fetches nothing: the QR code is an inline
data: URL and the style sheet is passed in, so no template or name can make it load a
file or reach the network.
"""

from __future__ import annotations

import base64

import qrcode
import qrcode.image.svg
from django.template.loader import render_to_string
from django.utils import translation

from certification.credentials import verification_url
from certification.models import Certificate
from certification.selectors.certificates import (
    certificate_result_rows,
    certificate_status_now,
)


def qr_svg(url: str) -> bytes:
    """A QR code of ``url`` as SVG (paths, no raster), with the standard quiet zone."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(url)
    code.make(fit=True)
    return code.make_image(image_factory=qrcode.image.svg.SvgPathImage).to_string()


def certificate_pdf(certificate: Certificate) -> bytes:
    url = verification_url(certificate)
    qr = base64.b64encode(qr_svg(url)).decode()
    # Printed in the site's language (Chinese), whoever downloads it.
    with translation.override("zh-hans"):
        context = {
            "certificate": certificate,
            "status": certificate_status_now(certificate),
            "result_rows": certificate_result_rows(certificate),
            "verification_url": url,
            "qr_data_url": f"data:image/svg+xml;base64,{qr}",
        }
        html = render_to_string("certification/certificates/pdf.html", context)
        css = render_to_string("certification/certificates/pdf.css")
    # Imported here: WeasyPrint takes a while to load, and only this download needs it.
    import weasyprint
    from weasyprint.urls import URLFetcher

    # data: URLs only (the QR code): nothing a template names is fetched from disk or network.
    fetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    document = weasyprint.HTML(string=html, url_fetcher=fetcher, base_url=None)
    return document.write_pdf(stylesheets=[weasyprint.CSS(string=css)])

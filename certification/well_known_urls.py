"""Included at /.well-known/: the public key that signs certificate credentials."""

from django.urls import path

from certification.views import certificates

urlpatterns = [
    path("jwks.json", certificates.jwks, name="jwks"),
    # The key id (kid) of every credential is this address.
    path("jwks/<str:thumbprint>.json", certificates.jwk, name="jwk"),
]

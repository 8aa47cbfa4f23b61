"""The hash of a password the system generated for a new hire.

A roster of thousands is hashed in one request, and the default PBKDF2 (a million rounds,
about 0.4 s a password here) would take longer than anyone waits. These passwords are
random (10 characters of 54: about 57 bits, ``services.initial_password``) and must be
replaced at the first sign-in, so their strength lies in their randomness rather than in
the hashing rounds: 20,000 rounds still cost an attacker ~10^11 s per password on today's
hardware. Django re-hashes a password with the default hasher at the first sign-in that
uses it (the hasher differs), and the forced change replaces it anyway.
"""

from __future__ import annotations

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class InitialPasswordHasher(PBKDF2PasswordHasher):
    algorithm = "pbkdf2_sha256_initial"
    iterations = 20_000

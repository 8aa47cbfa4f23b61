"""The project's settings with fast password hashing, for ``bench_embedded_load.py
--fast-password-hashing`` and the CI-sized load test: a roster of thousands is then
hashed in milliseconds, so its import reaches its write transaction while the trainees are
still busy (the point of the test). Generated first passwords keep their hasher's name
(``accounts.hashers``) with a single round. Nothing else differs."""

from accounts.hashers import InitialPasswordHasher
from simulator.settings import *  # noqa: F403


class OneRoundInitialPasswordHasher(InitialPasswordHasher):
    iterations = 1


PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "tests.bench.fast_hashing_settings.OneRoundInitialPasswordHasher",
]

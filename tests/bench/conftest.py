import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The demo accounts and the scale officers are hashed with the real hasher otherwise: seconds per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

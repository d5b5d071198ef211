"""Settings of the test suite (pytest's DJANGO_SETTINGS_MODULE): production's, then overridden.

Tests get a fixed key, undefined template variables that fail, a fast password hasher, an
in-memory cache, eager Celery, plain static files and emails kept in memory, without anyone
exporting variables by hand. ``DATABASE_URL`` and ``REDIS_URL`` still come from the
environment: the integration tests use Redis as Celery's broker (tests/plugins/celery_worker.py
starts its worker on ``maillage.settings``, as production would).
"""

import os

# maillage.settings refuses to load without a key when DEBUG is off; tests need none of their own.
os.environ.setdefault("SECRET_KEY", "django-insecure-maillage-tests-seulement")

from maillage.settings import *  # noqa: E402, F403
from maillage.settings import TEMPLATES  # noqa: E402

SECRET_KEY = "django-insecure-maillage-tests-seulement"
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]

# A misspelt variable must fail the test instead of rendering as an empty string.
TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = "!!MISSING %s!!"

# Argon2 is deliberately slow; tests create hundreds of users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Each test starts from an empty cache (tests/conftest.py), which Redis shared between runs
# would not give.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Tasks run inline; the integration tests switch to a real worker explicitly.
CELERY_TASK_ALWAYS_EAGER = True

# The outbox hands its emails to Django's in-memory backend (django.core.mail.outbox); the
# integration tests point it at a real SMTP server (tests/plugins/smtp.py).
COURRIER_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

SECURE_SSL_REDIRECT = False

# No collectstatic: WhiteNoise serves files from the app folders.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

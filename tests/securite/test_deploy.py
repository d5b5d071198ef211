"""Production settings, checked in a fresh interpreter.

The tests run on ``maillage.settings_test``; these checks run ``manage.py`` in a subprocess
without DJANGO_SETTINGS_MODULE, on ``maillage.settings``: it sees the settings exactly as
gunicorn would.
"""

import os
import secrets
import subprocess
import sys

from django.conf import settings

MANAGE_PY = settings.BASE_DIR / "manage.py"

# Variables of the developer's shell or of this test run that would change the settings.
VARIABLES_RETIREES = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SITE_URL",
    "DATABASE_URL",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "CSRF_TRUSTED_ORIGINS",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def _manage(*args, **variables):
    env = {key: value for key, value in os.environ.items() if key not in VARIABLES_RETIREES}
    env.update(variables)
    return subprocess.run(
        [sys.executable, str(MANAGE_PY), *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _database_url():
    return os.environ.get("DATABASE_URL", f"sqlite:///{settings.BASE_DIR / 'db.sqlite3'}")


def test_check_deploy_passes_with_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="maillage.example.org",
        SITE_URL="https://maillage.example.org",
        DATABASE_URL=_database_url(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def test_production_settings_really_are_production():
    # Guards the test above: the subprocess must not have fallen back to test or debug defaults.
    code = (
        "from django.conf import settings as s; "
        "print('RESULT', s.SETTINGS_MODULE, s.DEBUG, s.SECURE_SSL_REDIRECT, "
        "s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.ALLOWED_HOSTS)"
    )
    result = _manage(
        "shell",
        "-c",
        code,
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="maillage.example.org",
        SITE_URL="https://maillage.example.org",
        DATABASE_URL=_database_url(),
    )
    assert result.returncode == 0, result.stderr
    attendu = "RESULT maillage.settings False True True 31536000 ['maillage.example.org']"
    assert attendu in result.stdout, result.stdout + result.stderr


def test_settings_refuse_to_start_without_secret_key():
    result = _manage("check", DATABASE_URL=_database_url())
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "ImproperlyConfigured" in result.stderr

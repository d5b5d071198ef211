"""The deployment files stay valid: docker-compose.yml is checked by Compose itself."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _compose_command():
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if (
        shutil.which("docker")
        and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0
    ):
        return ["docker", "compose"]
    pytest.fail(
        "Neither 'docker compose' nor 'docker-compose' is installed (scripts/test installs it)."
    )


def _config(env):
    return subprocess.run(
        [
            *_compose_command(),
            "--project-directory",
            str(ROOT),
            "-f",
            str(ROOT / "docker-compose.yml"),
            "config",
        ],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin", **env},
        cwd=ROOT,
    )


def test_compose_file_validates_with_its_required_secrets():
    result = _config({"SECRET_KEY": "s" * 50, "POSTGRES_PASSWORD": "motdepasse"})
    assert result.returncode == 0, result.stderr
    for service in ("postgres:", "redis:", "web:", "worker:", "beat:", "mailcatcher:"):
        assert service in result.stdout
    assert "gunicorn" in result.stdout
    assert "celery" in result.stdout


def test_compose_refuses_to_run_without_a_secret_key():
    result = _config({"POSTGRES_PASSWORD": "motdepasse"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr

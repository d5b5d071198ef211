"""A real Celery worker for integration tests: ``celery_worker``.

The fixture starts ``celery -A maillage worker`` in a subprocess, consuming a queue of its own
on the Redis of REDIS_URL, connected to the test database and to ``smtp_server``. For the
duration of the test, the test process stops running tasks eagerly and sends them to that
queue, so ``.delay()`` and ``transaction.on_commit`` behave as in production.

- It needs committed data, hence ``transactional_db``; it is skipped without REDIS_URL or on
  SQLite (another process cannot see an in-memory test database).
- Retries wait ``WORKER_RETRY_BASE_SECONDS`` * 2 ** retries (COURRIER_RETRY_BASE_SECONDS in the
  worker), so that a test of retries lasts seconds.
- ``celery_worker.log()`` returns the worker's output; pytest shows it when a test fails.
- ``celery_worker.attendre_inactif()`` waits until the worker has nothing left to do: no task
  in its queue, running, reserved or waiting for a retry. After it, nothing more can arrive
  (a duplicate, say) unless the test queues something.

Mark the tests that use it ``@pytest.mark.integration``.
"""

import os
import signal
import socket
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.attente import attendre

WORKER_RETRY_BASE_SECONDS = 0.5
READY_TIMEOUT = 30
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _database_url(settings_dict):
    if "postgresql" not in settings_dict["ENGINE"]:
        return None
    user = quote(settings_dict["USER"] or "", safe="")
    password = quote(settings_dict["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    # Empty means PostgreSQL's Unix socket; a socket path is percent-encoded like the rest.
    host = quote(settings_dict["HOST"] or "", safe="")
    port = f":{settings_dict['PORT']}" if settings_dict["PORT"] else ""
    return f"postgres://{credentials}{host}{port}/{quote(settings_dict['NAME'], safe='')}"


class CeleryWorker:
    def __init__(self, app, queue, log_path):
        self.app = app
        self.queue = queue
        # The node name that remote control (inspect) addresses.
        self.name = f"{queue}@{socket.gethostname()}"
        self.log_path = log_path
        self.process = None

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self, env):
        with self.log_path.open("wb") as log:
            self._spawn(env, log)
        try:
            attendre(self._pret, timeout=READY_TIMEOUT, message="the worker's ready line")
        except (AssertionError, ChildProcessError):
            self.stop()
            pytest.fail(f"The Celery worker did not start:\n{self.log()}")

    def _pret(self):
        if self.process.poll() is not None:
            raise ChildProcessError(f"the worker exited with code {self.process.returncode}")
        return " ready." in self.log()

    def _inactif(self):
        with self.app.connection_for_read() as conn:
            if conn.default_channel.client.llen(self.queue):
                return False
        inspect = self.app.control.inspect(destination=[self.name], timeout=2)
        # None: no answer (yet); else {node name: [tasks]}.
        etats = [inspect.active(), inspect.reserved(), inspect.scheduled()]
        return all(etat is not None and not etat.get(self.name) for etat in etats)

    def attendre_inactif(self, *, timeout=30):
        """Waits until the worker is idle twice in a row (a task that queues another one is
        seen running, then the new one queued or reserved, never neither)."""
        vus = []

        def deux_fois_inactif():
            vus.append(self._inactif())
            return vus[-2:] == [True, True]

        attendre(
            deux_fois_inactif,
            timeout=timeout,
            intervalle=0.2,
            message=lambda: f"an idle worker; its log:\n{self.log()[-2000:]}",
        )

    def _spawn(self, env, log):
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "maillage",
                "worker",
                "--pool=prefork",
                "--concurrency=2",
                "-Q",
                self.queue,
                "-n",
                self.name,
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Its own process group, so that teardown can stop the pool's children with it.
            start_new_session=True,
        )

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        # TERM to the main process is Celery's warm shutdown: running tasks finish, then the
        # pool's children exit. The group is killed only if that does not happen in time.
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture
def celery_worker(transactional_db, smtp_server, settings, tmp_path):
    """A running Celery worker on a queue of its own; tasks of the test process go to it."""
    from django.db import connection

    from maillage.celery import app

    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: a real Celery worker needs Redis as its broker.")
    database_url = _database_url(connection.settings_dict)
    if database_url is None:
        pytest.skip(
            "The database is not PostgreSQL: a worker process cannot see SQLite's in-memory "
            "test database."
        )

    queue = f"pytest-worker-{uuid.uuid4().hex[:12]}"
    worker = CeleryWorker(app, queue, tmp_path / "celery-worker.log")
    env = {
        **os.environ,
        # Production's settings, as a deployed worker has, configured by the variables below;
        # not maillage.settings_test (pytest's), whose eager Celery would run inside the worker
        # the tasks it queues, and whose in-memory email would swallow what it sends.
        "DJANGO_SETTINGS_MODULE": "maillage.settings",
        "SECRET_KEY": "celery-worker-de-test",
        "DATABASE_URL": database_url,
        # Connections closed after each task, so that none is left when the test database
        # is flushed or dropped.
        "CONN_MAX_AGE": "0",
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "COURRIER_RETRY_BASE_SECONDS": str(WORKER_RETRY_BASE_SECONDS),
        "COURRIER_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": smtp_server.host,
        "EMAIL_PORT": str(smtp_server.port),
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        "EMAIL_USE_TLS": "0",
        "EMAIL_USE_SSL": "0",
        "EMAIL_TIMEOUT": "5",
        "DEFAULT_FROM_EMAIL": settings.DEFAULT_FROM_EMAIL,
        "SITE_URL": settings.SITE_URL,
        "LOG_LEVEL": "INFO",
    }
    worker.start(env)

    saved = {key: app.conf[key] for key in ("task_always_eager", "task_default_queue")}
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    try:
        yield worker
    finally:
        app.conf.update(saved)
        worker.stop()
        # Retries still waiting in the worker went back to the queue at shutdown; the queue
        # and its bindings (the exchange has the queue's name) would otherwise stay in Redis.
        with app.connection_for_write() as conn:
            conn.default_channel.client.delete(
                queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"
            )
        # Shown by pytest only when the test fails.
        print(f"--- Celery worker log ({queue}) ---\n{worker.log()}")

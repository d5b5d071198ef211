"""Invitations of a Café partenaires through the real chain, against plain smtplib.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/maillage \\
      REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python -m bench.envoi_cafe --invitations 1000

Builds a throwaway database with one café and ``--invitations`` contacts to invite, starts a
local SMTP server (aiosmtpd) and a real Celery worker on Redis, then times "Envoyer les
invitations" until the SMTP server has received every message. It then sends the very same
messages with plain ``smtplib`` in one loop over one connection, and prints both throughputs
and their ratio (issue 4 aims at no less than half of smtplib's). Loopback only, bounded.
"""

import argparse
import logging
import os
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from aiosmtpd.controller import Controller  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_scopes import scope, scopes_disabled  # noqa: E402

from bench.runner import _database  # noqa: E402
from bench.scenarios.reseau import centre_with_admin  # noqa: E402
from cafes.models import Cafe, CafeSerie  # noqa: E402
from cafes.services.invitations import invitations_envoyer  # noqa: E402
from courrier.models import Courriel  # noqa: E402
from courrier.services import _message  # noqa: E402
from maillage.celery import app  # noqa: E402
from partenariats.models import Contact, Partenaire  # noqa: E402

PROJECT = Path(__file__).resolve().parent.parent
TIME_LIMIT = 600


class Compteur:
    """SMTP handler that only counts: the benchmark measures the sender, not the sink."""

    def __init__(self):
        self.lock = threading.Lock()
        self.recus = 0

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.recus += 1
        return "250 OK"


def _attendre(compteur, total, depart, prepares=None):
    """``(seconds until the SMTP server holds total messages, seconds until prepares() - a
    callable counting the invitations committed - reached total, or None without it)``."""
    fin_preparation = None
    while compteur.recus < total:
        if time.monotonic() - depart > TIME_LIMIT:
            raise RuntimeError(f"{compteur.recus}/{total} messages after {TIME_LIMIT} s")
        if prepares is not None and fin_preparation is None and prepares() >= total:
            fin_preparation = time.monotonic() - depart
        time.sleep(0.05)
    duree = time.monotonic() - depart
    return duree, (fin_preparation or duree) if prepares is not None else None


def _construire(nombre):
    centre, admin = centre_with_admin()
    serie = CafeSerie.objects.create(
        centre=centre, nom="Café du banc d'essai", categories=["association"]
    )
    partenaires = Partenaire.objects.bulk_create(
        Partenaire(centre=centre, nom=f"Association {n:04d}", categorie="association")
        for n in range((nombre + 9) // 10)
    )
    Contact.objects.bulk_create(
        Contact(partenaire=partenaires[n // 10], nom=f"Contact {n}", email=f"c{n}@banc.test")
        for n in range(nombre)
    )
    cafe = Cafe.objects.create(
        centre=centre,
        serie=serie,
        date=timezone.localdate() + timedelta(days=20),
        heure_debut=serie.heure_debut,
        heure_fin=serie.heure_fin,
        adresse="12 rue Lamartine, 47000 Agen",
    )
    return cafe, admin


def _worker(env, log_path):
    log = open(log_path, "wb")  # noqa: SIM115 - closed when the worker is stopped
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "maillage", "worker", "--pool=prefork",
         "--concurrency=2", "-Q", env["CELERY_TASK_DEFAULT_QUEUE"], "--without-mingle",
         "--without-gossip", "--without-heartbeat", "--loglevel=WARNING"],
        cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    return process, log


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invitations", type=int, default=1000)
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL") or connection.vendor != "postgresql":
        sys.exit("This benchmark needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL).")

    # aiosmtpd narrates every SMTP command at INFO, in this process: its cost is the sink's.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    compteur = Compteur()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(compteur, hostname="127.0.0.1", port=port)
    controller.start()
    # The bench builds and checks its throwaway centre across centres, by name; the sending
    # itself runs in that centre's scope, as a staff member's request does.
    with _database(create=True), scopes_disabled():
        cafe, admin = _construire(args.invitations)
        # A live database has statistics on its tables; this one was filled a second ago, and
        # without them PostgreSQL joins contacts by a scan per invitation (90 ms a batch).
        with connection.cursor() as curseur:
            curseur.execute("ANALYZE")
        queue = f"bench-{uuid.uuid4().hex[:8]}"
        db = connection.settings_dict
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            "COURRIER_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": controller.hostname,
            "EMAIL_PORT": str(controller.port),
            "SECRET_KEY": "banc-d-essai",
            # As in production: DEBUG keeps every query in memory and checks templates more.
            "DEBUG": "0",
        }
        with tempfile.TemporaryDirectory() as dossier:
            worker, log = _worker(env, Path(dossier) / "worker.log")
            try:
                time.sleep(3)  # the worker's start is not what is measured
                app.conf.task_always_eager = False
                app.conf.task_default_queue = queue
                depart = time.monotonic()
                with scope(centre=cafe.centre_id), transaction.atomic():
                    invitations_envoyer(cafe=cafe, par=admin)
                duree_chaine, duree_preparation = _attendre(
                    compteur,
                    args.invitations,
                    depart,
                    prepares=cafe.invitations.filter(envoyee_le__isnull=False).count,
                )
            finally:
                worker.terminate()
                worker.wait(timeout=30)
                log.close()
                with app.connection_for_write() as conn:
                    conn.default_channel.client.delete(queue)

        messages = [_message(c).message() for c in Courriel.objects.filter(centre=cafe.centre)]
        recus_avant = compteur.recus
        depart = time.monotonic()
        with smtplib.SMTP(controller.hostname, controller.port) as smtp:
            for message in messages:
                smtp.sendmail(
                    settings.DEFAULT_FROM_EMAIL, message["To"], message.as_bytes(linesep="\r\n")
                )
        duree_smtplib, _ = _attendre(compteur, recus_avant + len(messages), depart)
    controller.stop()

    chaine = args.invitations / duree_chaine
    brut = len(messages) / duree_smtplib
    lignes = [
        ("outbox + Celery + Redis + SMTP", args.invitations, duree_chaine, chaine),
        ("plain smtplib, one connection", len(messages), duree_smtplib, brut),
    ]
    print(f"{'':32} {'messages':>9} {'seconds':>8} {'msg/s':>8}")
    for nom, nombre, duree, debit in lignes:
        print(f"{nom:32} {nombre:9d} {duree:8.1f} {debit:8.1f}")
    print(f"ratio: {chaine / brut:.2f} of smtplib's throughput (aim: at least 0.5)")
    print(f"the last invitation was prepared (rendered, committed) after {duree_preparation:.1f} s")


if __name__ == "__main__":
    main()

"""RSVP POSTs under load, loopback only and bounded: requests per second and p50/p95 latency,
against two reference views served by the same server: a minimal one (no database) and the
database floor (one UPDATE by primary key in a transaction). A report, not a test.

``python -m bench.charge_rsvp [--requests 2000] [--concurrency 8] [--invitations 200]``

It creates a throwaway PostgreSQL database (``test_<name>_charge_<pid>``), builds one centre,
one series, one café in the future and ``--invitations`` invitations, starts gunicorn on
127.0.0.1 (a free port, ``--workers 2 --threads 4``, ``DEBUG`` off, ``bench.settings``) on that
database, opens each RSVP page once to get its CSRF cookie and form token (untimed), then times
``--requests`` POSTs to ``/bench/minimal/``, as many to ``/bench/plancher/<id>/`` and as many
RSVP answers (oui, non, peut_etre in turn), each phase capped at ``--max-seconds``. Gunicorn
is stopped and the database dropped at the end, also on an error, Ctrl-C or SIGTERM. See
bench/README.md.
"""

import argparse
import http.client
import itertools
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import django

HOST = "127.0.0.1"
WORKERS = 2
THREADS = 4
REPONSES = ("oui", "non", "peut_etre")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
BASE_DIR = Path(__file__).resolve().parent.parent


@dataclass
class Phase:
    name: str
    expected: int
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0
    capped: bool = False

    @property
    def done(self):
        return len(self.latencies)

    def percentile(self, p):
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        # Nearest rank: the smallest latency with at least p % of the requests at or below it.
        return ordered[max(0, -(-len(ordered) * p // 100) - 1)] * 1000

    @property
    def rate(self):
        return self.done / self.elapsed if self.elapsed else 0.0


# --- Database ---------------------------------------------------------------------------------


def build(nb_invitations):
    """One centre, one series, one café 30 days ahead, ``nb_invitations`` invitations (ten
    contacts per partner). Returns ``(RSVP path, invitation id)`` pairs, in invitation order."""
    from django.urls import reverse

    from bench.scenarios.reseau import centre_with_admin
    from cafes.jetons import invitation_jeton
    from cafes.models import Cafe, CafeSerie, Invitation
    from partenariats.enums import CategoriePartenaire
    from partenariats.models import Contact, Partenaire

    centre, _ = centre_with_admin()
    serie = CafeSerie.objects.create(centre=centre, nom="Café partenaires de la charge")
    cafe = Cafe.objects.create(
        centre=centre,
        serie=serie,
        date=date.today() + timedelta(days=30),
        heure_debut=serie.heure_debut,
        heure_fin=serie.heure_fin,
        adresse="12 rue Lamartine, 47000 Agen",
    )
    partenaires = Partenaire.objects.bulk_create(
        Partenaire(
            centre=centre, nom=f"Association n°{n}", categorie=CategoriePartenaire.ASSOCIATION
        )
        for n in range(-(-nb_invitations // 10))
    )
    contacts = Contact.objects.bulk_create(
        Contact(
            partenaire=partenaires[n // 10],
            prenom="Camille",
            nom=f"Contact {n}",
            email=f"contact{n}@charge.test",
            recoit_invitations_cafe=True,
        )
        for n in range(nb_invitations)
    )
    invitations = Invitation.objects.bulk_create(
        Invitation(cafe=cafe, contact=contact) for contact in contacts
    )
    paths = []
    for invitation in invitations:
        invitation.cafe = cafe
        paths.append((reverse("cafes:rsvp", args=[invitation_jeton(invitation)]), invitation.pk))
    return paths


def database_url(name):
    """``DATABASE_URL`` with the throwaway database's name in place of the configured one."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}"))


# --- Gunicorn ---------------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_gunicorn(port, db_url, secret_key, log):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": db_url,
        # The RSVP tokens were signed here, with this process's key.
        "SECRET_KEY": secret_key,
        "DEBUG": "0",
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        # Nothing leaves the machine, whatever the shell exports.
        "COURRIER_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "maillage.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(WORKERS),
        "--threads",
        str(THREADS),
        "--chdir",
        str(BASE_DIR),
    ]
    # Its own session: Ctrl-C reaches this process only, which then stops gunicorn in order.
    return subprocess.Popen(
        command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def wait_ready(process, port, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {process.returncode}")
        try:
            status, _ = request(Client(port), "POST", "/bench/minimal/", b"")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {timeout} s")


def stop_gunicorn(process):
    if process.poll() is None:
        process.terminate()  # SIGTERM: the master stops its workers gracefully.
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- HTTP client ------------------------------------------------------------------------------


class Client:
    """One keep-alive connection. Cookies are handled by hand: with ``DEBUG`` off they are
    ``Secure``, which a browser would not send over plain HTTP; loopback HTTP is the point."""

    def __init__(self, port):
        self.port = port
        self.origin = f"http://{HOST}:{port}"
        self.connection = http.client.HTTPConnection(HOST, port, timeout=30)

    def reset(self):
        self.connection.close()
        self.connection = http.client.HTTPConnection(HOST, self.port, timeout=30)


def request(client, method, path, body, headers=None):
    headers = {"Origin": client.origin, "Referer": client.origin + path, **(headers or {})}
    if method == "POST":
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        client.connection.request(method, path, body=body, headers=headers)
        response = client.connection.getresponse()
        return response.status, response
    except (OSError, http.client.HTTPException):
        client.reset()
        raise


def csrf_cookie(response):
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        if name.strip() == "csrftoken":
            return rest.split(";", 1)[0]
    return None


def prepare(port, paths, concurrency):
    """GETs every RSVP page once (untimed): its CSRF cookie and the form's token."""
    local = threading.local()

    def one(path_and_id):
        path, invitation_id = path_and_id
        client = local.__dict__.setdefault("client", Client(port))
        status, response = request(client, "GET", path, None)
        html = response.read().decode()
        token = CSRF_INPUT.search(html)
        cookie = csrf_cookie(response)
        if status != 200 or token is None or cookie is None:
            raise RuntimeError(f"GET {path[:40]}...: HTTP {status}, no form or no CSRF cookie")
        return path, invitation_id, cookie, token.group(1)

    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(one, paths))


def run_phase(phase, port, total, concurrency, max_seconds, make_request):
    """``total`` requests over ``concurrency`` threads, each on its own keep-alive
    connection, stopped early at ``max_seconds``. ``make_request(i)`` gives (path, body,
    headers) of request ``i``."""
    counter = itertools.count()
    lock = threading.Lock()
    started = time.perf_counter()
    deadline = started + max_seconds

    def worker():
        client = Client(port)
        latencies, errors = [], {}
        while True:
            i = next(counter)  # itertools.count is atomic under the GIL.
            if i >= total:
                break
            if time.perf_counter() >= deadline:
                phase.capped = True
                break
            path, body, headers = make_request(i)
            before = time.perf_counter()
            try:
                status, response = request(client, "POST", path, body, headers)
                response.read()
            except (OSError, http.client.HTTPException) as error:
                key = type(error).__name__
            else:
                if status == phase.expected:
                    latencies.append(time.perf_counter() - before)
                    continue
                key = f"HTTP {status}"
            errors[key] = errors.get(key, 0) + 1
        client.connection.close()
        with lock:
            phase.latencies += latencies
            for key, count in errors.items():
                phase.errors[key] = phase.errors.get(key, 0) + count

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.elapsed = time.perf_counter() - started
    return phase


def minimal_request(i):
    return "/bench/minimal/", urlencode({"n": i}).encode(), None


def answer(i):
    """The fields of answer ``i``, the same for the floor and the RSVP."""
    return {
        "reponse": REPONSES[i % len(REPONSES)],
        "nb_personnes": 1 + i % 3,
        "commentaire": "" if i % 2 else f"Réponse n°{i}",
    }


def floor_requests(prepared):
    def make(i):
        _, invitation_id, _, _ = prepared[i % len(prepared)]
        return f"/bench/plancher/{invitation_id}/", urlencode(answer(i)).encode(), None

    return make


def rsvp_requests(prepared):
    def make(i):
        path, _, cookie, token = prepared[i % len(prepared)]
        body = urlencode({"csrfmiddlewaretoken": token, "action": "repondre", **answer(i)})
        return path, body.encode(), {"Cookie": f"csrftoken={cookie}"}

    return make


# --- Report -----------------------------------------------------------------------------------


def format_table(phases):
    header = ["endpoint", "requests", "errors", "seconds", "req/s", "p50 ms", "p95 ms"]
    rows = [
        [
            phase.name,
            str(phase.done),
            str(sum(phase.errors.values())),
            f"{phase.elapsed:.1f}",
            f"{phase.rate:.0f}",
            f"{phase.percentile(50) or 0:.1f}",
            f"{phase.percentile(95) or 0:.1f}",
        ]
        for phase in phases
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def render(cells):
        return "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        )

    return [render(header), render(["-" * width for width in widths]), *map(render, rows)]


def ratio(rsvp, reference, label):
    if not (rsvp.rate and reference.rate):
        return f"RSVP / {label}: no figure (a phase answered nothing)."
    return (
        f"RSVP / {label}: {rsvp.rate / reference.rate:.2f} x the throughput, "
        f"p50 x{rsvp.percentile(50) / reference.percentile(50):.1f}, "
        f"p95 x{rsvp.percentile(95) / reference.percentile(95):.1f}."
    )


def report(minimal, floor, rsvp):
    lines = [
        "",
        *format_table([minimal, floor, rsvp]),
        "",
        ratio(rsvp, minimal, "minimal"),
        ratio(rsvp, floor, "floor (one UPDATE by primary key in a transaction)"),
    ]
    for phase in (minimal, floor, rsvp):
        if phase.errors:
            detail = ", ".join(f"{key}: {count}" for key, count in sorted(phase.errors.items()))
            lines.append(f"ERRORS {phase.name}: {detail} (expected HTTP {phase.expected}).")
        if phase.capped:
            lines.append(f"CAPPED {phase.name}: stopped at the time cap before all requests.")
    return "\n".join(lines)


# --- Main -------------------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.charge_rsvp", description=__doc__)
    parser.add_argument("--requests", type=int, default=2000, help="POSTs per endpoint")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--invitations", type=int, default=200, help="invitations answered")
    parser.add_argument("--max-seconds", type=float, default=60.0, help="time cap per endpoint")
    args = parser.parse_args(argv)
    for name in ("requests", "concurrency", "invitations", "max_seconds"):
        if getattr(args, name) <= 0:
            parser.error(f"--{name.replace('_', '-')} must be positive")
    args.requests = min(args.requests, 100_000)
    args.concurrency = min(args.concurrency, 64)
    args.max_seconds = min(args.max_seconds, 60.0)
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    from django.conf import settings
    from django.db import connection
    from django_scopes import scopes_disabled

    from cafes.models import Invitation

    if connection.vendor != "postgresql" or "DATABASE_URL" not in os.environ:
        sys.exit(
            "bench.charge_rsvp needs PostgreSQL through DATABASE_URL: gunicorn must reach "
            "the throwaway database from another process."
        )

    # SIGTERM takes the same way out as Ctrl-C: through the finally blocks.
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)

    old_name = connection.settings_dict["NAME"]
    test_settings = connection.settings_dict["TEST"]
    old_test_name = test_settings.get("NAME")
    test_settings["NAME"] = f"test_{old_name}_charge_{os.getpid()}"
    process = None
    log = tempfile.TemporaryFile()
    try:
        started = time.perf_counter()
        name = connection.creation.create_test_db(
            verbosity=0, autoclobber=True, keepdb=False, serialize=False
        )
        # The bench writes and checks its own throwaway centre: across centres, by name.
        with scopes_disabled():
            paths = build(args.invitations)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        connection.close()  # Gunicorn's connections only, during the measure.
        port = free_port()
        process = start_gunicorn(port, database_url(name), settings.SECRET_KEY, log)
        wait_ready(process, port)
        prepared = prepare(port, paths, args.concurrency)
        print(
            f"RSVP load on {HOST}:{port} (gunicorn {WORKERS} workers x {THREADS} threads, "
            f"DEBUG off), database {name}: {args.requests} POSTs per endpoint, "
            f"{args.concurrency} client threads, {len(prepared)} invitations, "
            f"cap {args.max_seconds:g} s per endpoint, {os.cpu_count()} CPUs",
            flush=True,
        )
        phases = [
            (Phase("POST /bench/minimal/", 200), minimal_request),
            (Phase("POST /bench/plancher/<id>/", 200), floor_requests(prepared)),
            (Phase("POST /cafes/reponse/<jeton>/", 302), rsvp_requests(prepared)),
        ]
        warm = 4 * args.concurrency  # Untimed: connections, worker imports, template cache.
        for phase, make in phases:
            run_phase(Phase(phase.name, phase.expected), port, warm, args.concurrency, 30, make)
        for phase, make in phases:
            run_phase(phase, port, args.requests, args.concurrency, args.max_seconds, make)
        print(report(*(phase for phase, _ in phases)))
        # The 302s must have recorded something: every invitation answered at least once.
        with scopes_disabled():
            answered = Invitation.objects.exclude(reponse="").count()
        print(f"Invitations with an answer recorded: {answered} of {len(paths)}.")
        print(f"\n{time.perf_counter() - started:.0f} s in all.")
    except KeyboardInterrupt:
        print("Interrupted: stopping gunicorn and dropping the database.", file=sys.stderr)
        return 130
    except Exception:
        if process is not None:
            log.seek(0)
            sys.stderr.write(log.read().decode(errors="replace")[-4000:])
        raise
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # No second interruption mid-cleanup.
        if process is not None:
            stop_gunicorn(process)
        if connection.settings_dict["NAME"] != old_name:
            connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
        test_settings["NAME"] = old_test_name
        log.close()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    return 0


if __name__ == "__main__":
    sys.exit(main())

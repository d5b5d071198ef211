"""Measures every registered page and job at several scales and prints one table.

A report, not a test: it never fails on a bad figure, it flags it. See bench/README.md.
"""

import functools
import os
import statistics
import time
import tracemalloc
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from bench import registry

DEFAULT_SCALES = (200, 2000)
DEFAULT_REPEAT = 7
# A page that pages or aggregates in SQL stays well under this when the data grows tenfold; one
# that renders or loops over every row lands near the scale ratio. Above it, the row is flagged.
TIME_RATIO_FLAG = 2.0


@dataclass
class Measure:
    queries: int | None = None
    median_ms: float | None = None
    peak_kib: float | None = None
    statuses: list[int] = field(default_factory=list)
    error: str = ""


@dataclass
class Row:
    name: str
    kind: str
    measures: dict[int, Measure] = field(default_factory=dict)

    def figure(self, scale, attribute):
        return getattr(self.measures[scale], attribute)

    @property
    def ok(self):
        return not any(measure.error for measure in self.measures.values())


@dataclass
class Report:
    scales: tuple[int, ...]
    repeat: int
    rows: list[Row]
    database: str = ""


def run(
    *,
    scales=DEFAULT_SCALES,
    repeat=DEFAULT_REPEAT,
    only=None,
    create_database=True,
    out=None,
    log=None,
):
    """Builds each entry's data at each scale, measures it and returns a ``Report``.

    ``create_database=False`` measures on the current connection as it is: only for tests, whose
    database is already a test database. Either way every dataset is rolled back.
    ``out`` receives the table, ``log`` (a callable) one progress line per measurement.
    """
    registry.autodiscover()
    selected = [
        entry
        for entry in registry.entries()
        if (only in entry.name if only else not getattr(entry, "on_demand", False))
    ]
    scales = tuple(scales)
    log = log or (lambda line: None)
    rows = [Row(name=entry.name, kind=entry.kind) for entry in selected]
    report = Report(scales=scales, repeat=repeat, rows=rows)
    if not rows:
        return report
    with _database(create_database), _measuring_settings(), warnings.catch_warnings():
        # WhiteNoise warns that STATIC_ROOT is missing when DEBUG is off; only collectstatic
        # creates it, and the benchmark serves no static file.
        warnings.filterwarnings("ignore", "No directory at", UserWarning)
        report.database = f"{connection.vendor} ({connection.settings_dict['NAME']})"
        for scale in scales:
            for entry, row in zip(selected, rows, strict=True):
                started = time.perf_counter()
                row.measures[scale] = _measure(entry, scale, repeat)
                log(f"{entry.name} @{scale}: {time.perf_counter() - started:.1f} s")
    if out is not None:
        out.write(format_report(report))
    return report


@contextmanager
def _database(create):
    """A throwaway copy of the configured database (migrated, empty), dropped at the end.

    The name carries the process id so that two runs, or a run and the test suite, never
    clobber each other's database on a shared server.
    """
    if not create:
        yield
        return
    old_name = connection.settings_dict["NAME"]
    test_settings = connection.settings_dict["TEST"]
    old_test_name = test_settings.get("NAME")
    if connection.vendor != "sqlite":
        # SQLite's default test database lives in memory: nothing to name, nothing to clash with.
        test_settings["NAME"] = f"test_{old_name}_bench_{os.getpid()}"
    try:
        connection.creation.create_test_db(
            verbosity=0, autoclobber=True, keepdb=False, serialize=False
        )
        yield
    finally:
        # Also runs on Ctrl-C, and on SIGTERM through the command's handler.
        if connection.settings_dict["NAME"] != old_name:
            connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
        test_settings["NAME"] = old_test_name


def _measuring_settings():
    return override_settings(
        # DEBUG makes every cursor record its queries, which would be timed too; production
        # runs without it. CaptureQueriesContext still counts on the one request it wraps.
        DEBUG=False,
        ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
        # Nothing leaves the machine, even if a measured job sends mail.
        COURRIER_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )


def _measure(entry, scale, repeat):
    """Warm-up, ``repeat`` timed runs, then one untimed run that counts queries and memory.

    The dataset lives in a transaction rolled back at the end: the next entry starts empty,
    and tasks queued with ``on_commit`` are dropped instead of sent.
    """
    measure = Measure()
    try:
        with transaction.atomic():
            try:
                context = entry.builder(scale)
                _analyze()
                if entry.kind == "page":
                    action = _page_action(entry, context, measure)
                else:
                    action = functools.partial(entry.run, context)
                action()
                timings = []
                for _ in range(repeat):
                    started = time.perf_counter()
                    action()
                    timings.append(time.perf_counter() - started)
                with CaptureQueriesContext(connection) as captured:
                    tracemalloc.start()
                    try:
                        action()
                        peak = tracemalloc.get_traced_memory()[1]
                    finally:
                        tracemalloc.stop()
                measure.queries = len(captured)
                measure.median_ms = statistics.median(timings) * 1000 if timings else None
                measure.peak_kib = peak / 1024
            finally:
                transaction.set_rollback(True)
    except Exception as error:  # One broken entry must not hide the figures of the others.
        measure.error = f"{type(error).__name__}: {error}"
    else:
        wrong = sorted({status for status in measure.statuses if status != 200})
        if wrong:
            measure.error = f"HTTP {', '.join(map(str, wrong))} (expected 200 on every request)"
    return measure


def _page_action(entry, context, measure):
    client = Client(raise_request_exception=True)
    client.force_login(context["user"])
    path = entry.path(context)

    def get():
        # secure=True: production settings redirect plain HTTP to HTTPS.
        measure.statuses.append(client.get(path, secure=True).status_code)

    return get


def _analyze():
    """Gives PostgreSQL's planner statistics for the rows just inserted, as autovacuum would
    have in production; without them it plans for the empty tables of a fresh database.

    ANALYZE inside the transaction sees the transaction's own uncommitted rows.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _cell(value, digits=0):
    if value is None:
        return "ERR"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def format_report(report):
    scales = report.scales
    small, large = scales[0], scales[-1]
    with_jobs = any(row.kind == "job" for row in report.rows)
    header = ["page / job"]
    header += [f"queries@{scale}" for scale in scales]
    header += [f"ms@{scale}" for scale in scales]
    header += ["time ratio"] if len(scales) > 1 else []
    if with_jobs:
        header += [f"peak KiB@{scale}" for scale in scales]
    header += ["queries constant?"] if len(scales) > 1 else []

    lines = []
    flagged = []
    for row in report.rows:
        cells = [f"[job] {row.name}" if row.kind == "job" else row.name]
        cells += [_cell(row.figure(scale, "queries")) for scale in scales]
        cells += [_cell(row.figure(scale, "median_ms"), 1) for scale in scales]
        if len(scales) > 1:
            cells.append(_ratio_cell(row, small, large, flagged))
        if with_jobs:
            cells += [_cell(row.figure(scale, "peak_kib")) for scale in scales]
        if len(scales) > 1:
            cells.append(_constant_cell(row, small, large, flagged))
        lines.append(cells)

    widths = [max(len(cells[i]) for cells in [header, *lines]) for i in range(len(header))]

    # Names and the yes/NO verdict read from the left, figures line up on the right.
    left = {0, len(header) - 1} if len(scales) > 1 else {0}

    def render(cells):
        aligned = [
            cell.ljust(width) if i in left else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(aligned).rstrip()

    out = [
        f"Benchmark on {report.database}, scales {', '.join(map(str, scales))}, "
        f"median of {report.repeat} requests",
        "",
        render(header),
        render(["-" * width for width in widths]),
        *(render(cells) for cells in lines),
        "",
    ]
    for row in report.rows:
        for scale, measure in row.measures.items():
            if measure.error:
                out.append(f"ERROR {row.name} @{scale}: {measure.error}")
    out += flagged
    if not flagged and all(row.ok for row in report.rows) and len(scales) > 1:
        out.append(
            "No flag: query counts constant, time ratios under "
            f"{TIME_RATIO_FLAG:g} for a {large / small:g}x scale."
        )
    return "\n".join(out) + "\n"


def _ratio_cell(row, small, large, flagged):
    before, after = row.figure(small, "median_ms"), row.figure(large, "median_ms")
    if before is None or after is None:
        return "ERR"
    ratio = after / before
    if ratio > TIME_RATIO_FLAG:
        flagged.append(
            f"FLAG {row.name}: time x{ratio:.1f} from {small} to {large} rows "
            f"(flagged above x{TIME_RATIO_FLAG:g})."
        )
        return f"{ratio:.2f} (!)"
    return f"{ratio:.2f}"


def _constant_cell(row, small, large, flagged):
    counts = [row.figure(scale, "queries") for scale in row.measures]
    if None in counts:
        return "ERR"
    if len(set(counts)) == 1:
        return "yes"
    flagged.append(
        f"FLAG {row.name}: {row.figure(small, 'queries')} queries at {small} rows, "
        f"{row.figure(large, 'queries')} at {large} (N+1?)."
    )
    return "NO  <-- grows with the data"

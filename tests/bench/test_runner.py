"""The benchmark runner at tiny scales on the test database: that it runs, not what it measures."""

import io

import pytest
from django.db import connection

from bench import registry, runner
from bench.scenarios.reseau import centre_with_members
from reseau.models import User

pytestmark = pytest.mark.django_db

SCALES = (3, 6)


def _run(**kwargs):
    out = io.StringIO()
    report = runner.run(scales=SCALES, repeat=1, create_database=False, out=out, **kwargs)
    return report, out.getvalue()


def test_every_registered_page_is_measured_at_each_scale():
    report, table = _run()

    registry.autodiscover()
    names = [entry.name for entry in registry.entries() if not getattr(entry, "on_demand", False)]
    assert {"accueil", "reseau:membres", "courrier:liste"} <= set(names)
    assert [row.name for row in report.rows] == names
    assert "livret PDF" not in names
    for row in report.rows:
        assert row.name in table
        for scale in SCALES:
            measure = row.measures[scale]
            assert measure.error == "", (row.name, scale)
            assert isinstance(measure.queries, int) and measure.queries > 0
            assert measure.median_ms > 0
            if row.kind == "page":
                # Warm-up, one timed request, one counted request.
                assert measure.statuses == [200, 200, 200]
    assert "ERROR" not in table


def test_on_demand_jobs_run_when_named():
    report, table = _run(only="livret PDF")
    assert [row.name for row in report.rows] == ["livret PDF"]
    assert all(row.measures[scale].error == "" for row in report.rows for scale in SCALES)


def test_each_dataset_is_rolled_back():
    before = User.objects.count()
    _run(only="reseau:membres")
    assert User.objects.count() == before


@pytest.fixture
def entries(monkeypatch):
    """A copy of the registry that the test may extend, restored at teardown."""
    registry.autodiscover()
    monkeypatch.setattr(registry, "_entries", dict(registry._entries))


def test_a_failing_page_is_reported_without_stopping_the_others(entries):
    registry.page("essai introuvable", builder=centre_with_members, url="/pas-de-page-ici/")
    registry.page("essai accueil", builder=centre_with_members, url="accueil")

    report, table = _run(only="essai")

    failing, working = report.rows
    assert "HTTP 404" in failing.measures[3].error
    assert "ERROR essai introuvable @3: HTTP 404" in table
    assert working.ok


def test_a_job_whose_query_count_grows_is_flagged(entries):
    @registry.job("essai n plus un", builder=centre_with_members)
    def one_query_per_member(context):
        with connection.cursor() as cursor:
            for membre in context["centre"].membres.all():
                cursor.execute("SELECT %s", [membre.pk])

    report, table = _run(only="essai")

    (row,) = report.rows
    assert row.kind == "job"
    assert (row.measures[3].queries, row.measures[6].queries) == (4, 7)
    assert row.measures[6].peak_kib > 0
    assert "[job] essai n plus un" in table
    assert "NO  <-- grows with the data" in table
    assert "FLAG essai n plus un: 4 queries at 3 rows, 7 at 6" in table

from django.conf import settings

from maillage.celery import app


def test_every_scheduled_job_names_a_registered_task():
    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, f"beat entry {name!r} names an unknown task"


def test_tasks_are_acknowledged_late_so_a_dead_worker_loses_nothing():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_the_sweepers_run_every_minute():
    # Work the broker refused (down at commit) must leave within two minutes of its return:
    # each sweeper takes what waited over a minute, and runs every minute.
    for nom in [
        "courrier-relancer-bloques",
        "cafes-reprendre-invitations",
        "partenariats-reprendre-lots-demandes",
        "reseau-reprendre-reinitialisations",
    ]:
        assert settings.CELERY_BEAT_SCHEDULE[nom]["schedule"] <= 60, nom

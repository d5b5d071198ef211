"""WSGI entry point of ``bench.charge_rsvp`` only: the project as production serves it, plus
the minimal view of ``bench.urls_charge`` to compare with. Never used by the project itself."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maillage.settings")

from django.conf import settings  # noqa: E402  (after DJANGO_SETTINGS_MODULE)

# settings.py has no variable for the URLconf; setting it before get_wsgi_application() is
# enough, nothing has read it yet.
settings.ROOT_URLCONF = "bench.urls_charge"
# The manifest storage of production needs collectstatic; the benchmark serves no static file,
# it only renders their URLs (as bench/runner.py does).
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

application = get_wsgi_application()

"""Settings of the benchmarks (``python -m bench``, ``bench.charge_rsvp``, ``bench.envoi_cafe``):
production's, driven by the same variables, plus what only the benchmarks need. Production's
INSTALLED_APPS and URLs know nothing of ``bench``.
"""

from maillage.settings import *  # noqa: F403
from maillage.settings import INSTALLED_APPS, STORAGES

# For its management command: DJANGO_SETTINGS_MODULE=bench.settings python manage.py bench.
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]

# The project's URLs plus the reference views of bench.charge_rsvp.
ROOT_URLCONF = "bench.urls"

# The manifest storage of production needs collectstatic; the benchmarks serve no static file,
# they only render their URLs.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

"""URLconf of ``bench.charge_rsvp`` only (through ``bench.wsgi_charge``): the project's URLs plus
one minimal view, the floor that the RSVP POST is compared with. Never in ``maillage.urls``."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from maillage.urls import urlpatterns as project_urlpatterns


@csrf_exempt
@login_not_required
@require_POST
def minimal(request):
    """The full middleware stack, no database, no template: what any POST costs at least."""
    return HttpResponse("ok")


urlpatterns = [path("bench/minimal/", minimal, name="bench_minimal"), *project_urlpatterns]

"""URLconf of the benchmarks (``bench.settings``): the project's URLs plus the two reference
views that ``bench.charge_rsvp`` compares the RSVP POST with. Never in ``maillage.urls``."""

from django.contrib.auth.decorators import login_not_required
from django.db import connection, transaction
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from cafes.models import Invitation
from maillage.urls import urlpatterns as project_urlpatterns


@csrf_exempt
@login_not_required
@require_POST
def minimal(request):
    """The full middleware stack, no database, no template: what any POST costs at least."""
    return HttpResponse("ok")


@csrf_exempt
@login_not_required
@require_POST
def plancher(request, pk):
    """The full middleware stack and one UPDATE of an invitation by primary key in a
    transaction: the database's share of an answer, which no RSVP (token check, reads, row
    lock, then the same update) can beat. SQL, so that nothing but that statement runs; it
    leaves ``reponse`` alone, which the RSVP phase must be the one to fill."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Invitation._meta.db_table} "
            "SET nb_personnes = %s, commentaire = %s, repondu_le = %s WHERE id = %s",
            [
                request.POST.get("nb_personnes", 1),
                request.POST.get("commentaire", ""),
                timezone.now(),
                pk,
            ],
        )
    return HttpResponse("ok")


urlpatterns = [
    path("bench/minimal/", minimal, name="bench_minimal"),
    path("bench/plancher/<int:pk>/", plancher, name="bench_plancher"),
    *project_urlpatterns,
]

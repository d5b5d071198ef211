"""What htmx polls from a progress bar (templates/includes/barre_progression.html)."""

from django.shortcuts import render
from django_htmx.http import HttpResponseClientRefresh


def progression_reponse(request, *, termine, traites, total, texte, libelle):
    """Once ``termine``, an empty answer with HX-Refresh: htmx reloads the whole page, which
    shows the job's outcome. Until then, the bar again, polling the same URL."""
    if termine:
        return HttpResponseClientRefresh()
    return render(
        request,
        "includes/barre_progression.html",
        {
            "url": request.path,
            "traites": traites,
            "total": total,
            "texte": texte,
            "libelle": libelle,
        },
    )

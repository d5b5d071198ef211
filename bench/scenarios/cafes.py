"""Benchmark entries of cafes: the café page and the series page (bench/README.md)."""

from datetime import time, timedelta

from django.urls import reverse
from django.utils import timezone

from bench import registry
from bench.builders import BATCH
from bench.scenarios.reseau import centre_with_admin
from cafes.enums import Reponse
from cafes.models import Cafe, CafeSerie, Invitation
from partenariats.models import Contact, Partenaire

# Most invitations unanswered, the rest spread over the three answers.
REPONSES = ["", "", Reponse.OUI, Reponse.NON, Reponse.PEUT_ETRE]
CAFES_PASSES = 6


def cafe_invite(scale):
    """Scale: partners of the series, one contact each, all invited to the next café (answers
    of every kind); the series also has a few past cafés with the same invitations."""
    centre, admin = centre_with_admin()
    partenaires = Partenaire.objects.bulk_create(
        (Partenaire(centre=centre, nom=f"Partenaire {n:05d}") for n in range(scale)),
        batch_size=BATCH,
    )
    contacts = Contact.objects.bulk_create(
        (
            Contact(partenaire=p, prenom="Awa", nom=f"Contact {n}", email=f"c{n}@p.test")
            for n, p in enumerate(partenaires)
        ),
        batch_size=BATCH,
    )
    serie = CafeSerie.objects.create(
        centre=centre,
        nom="Café partenaires du banc d'essai",
        heure_debut=time(9),
        heure_fin=time(11),
    )
    serie.partenaires.set(partenaires)
    aujourdhui = timezone.localdate()
    dates = [aujourdhui - timedelta(days=30 * (n + 1)) for n in range(CAFES_PASSES)]
    cafes = [
        Cafe.objects.create(
            centre=centre,
            serie=serie,
            date=jour,
            heure_debut=time(9),
            heure_fin=time(11),
            adresse="12 rue Lamartine, 47000 Agen",
        )
        for jour in [aujourdhui + timedelta(days=14), *dates]
    ]
    envoyee_le = timezone.now()
    Invitation.objects.bulk_create(
        (
            Invitation(
                cafe=cafe,
                contact=contact,
                envoyee_le=envoyee_le,
                reponse=REPONSES[n % len(REPONSES)],
                present=cafe.date < aujourdhui and n % 3 == 0,
            )
            for cafe in cafes
            for n, contact in enumerate(contacts)
        ),
        batch_size=BATCH,
    )
    return {"user": admin, "centre": centre, "serie": serie, "cafe": cafes[0]}


registry.page(
    "cafes:cafe_detail",
    builder=cafe_invite,
    url=lambda context: reverse("cafes:cafe_detail", args=[context["cafe"].pk]),
)
registry.page(
    "cafes:serie_detail",
    builder=cafe_invite,
    url=lambda context: reverse("cafes:serie_detail", args=[context["serie"].pk]),
)

"""Writes of the Café partenaires."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from cafes.calendrier import dates_serie
from cafes.enums import StatutCafe
from cafes.models import Cafe, CafeSerie


def _adresse_centre(centre):
    lignes = [centre.adresse, f"{centre.code_postal} {centre.commune}".strip()]
    return ", ".join([centre.nom, *(ligne for ligne in lignes if ligne)])


def hote_suivant(serie, *, avant=None):
    """The ``HoteSerie`` whose turn comes next: the one after the host of the latest café
    (before ``avant``) in rotation order, back to the first after the last. None when the
    series has no rotation: the centre hosts."""
    hotes = list(serie.hotes.select_related("partenaire"))
    if not hotes:
        return None
    precedents = serie.cafes.exclude(hote=None)
    if avant is not None:
        precedents = precedents.filter(date__lt=avant)
    dernier = precedents.order_by("-date").values_list("hote_id", flat=True).first()
    ids = [hote.partenaire_id for hote in hotes]
    if dernier not in ids:
        return hotes[0]
    return hotes[(ids.index(dernier) + 1) % len(hotes)]


@transaction.atomic
def cafes_generer(*, serie, a_partir_de, nb_mois, exclues=()):
    """Creates the series' cafés of the next ``nb_mois`` months by its rule, skipping the
    ``exclues`` dates and the dates that already have a café. Each new café gets the next host
    of the rotation (or the centre) and its address. The skipped ``exclues`` join the series'
    ``dates_exclues`` and the dates programmed leave it. Returns the cafés created, by date.

    Running it again over the same months creates nothing more.
    """
    serie = CafeSerie.objects.select_for_update().get(pk=serie.pk)
    deja = set(serie.cafes.values_list("date", flat=True))
    exclues = set(exclues)
    ecartees = {date.fromisoformat(jour) for jour in serie.dates_exclues}
    crees = []
    for jour in dates_serie(
        rang=serie.rang, jour=serie.jour, a_partir_de=a_partir_de, nb_mois=nb_mois
    ):
        if jour in exclues:
            ecartees.add(jour)
            continue
        ecartees.discard(jour)
        if jour in deja:
            continue
        hote = hote_suivant(serie, avant=jour)
        cafe = Cafe(
            centre=serie.centre,
            serie=serie,
            date=jour,
            heure_debut=serie.heure_debut,
            heure_fin=serie.heure_fin,
            hote=hote.partenaire if hote else None,
            adresse=(
                (hote.adresse or _adresse_partenaire(hote.partenaire))
                if hote
                else _adresse_centre(serie.centre)
            ),
        )
        cafe.full_clean()
        cafe.save()
        crees.append(cafe)
    # Past exclusions no longer matter.
    serie.dates_exclues = sorted(jour.isoformat() for jour in ecartees if jour >= a_partir_de)
    serie.save(update_fields=["dates_exclues"])
    return crees


def _adresse_partenaire(partenaire):
    return ", ".join(
        part
        for part in (partenaire.adresse, f"{partenaire.code_postal} {partenaire.commune}".strip())
        if part
    )


def cafe_noter_tenu(cafe):
    """Someone was checked in: from its day on, a café planned or invited to has been held
    ("tenu"), which takes it out of the sendings and shows it as such. A cancelled café stays
    cancelled; checking in on an earlier day (a test run of the screen) changes nothing.
    Returns True if the status changed."""
    return bool(
        Cafe.objects.filter(
            pk=cafe.pk,
            statut__in=[StatutCafe.PREVU, StatutCafe.INVITATIONS_ENVOYEES],
            date__lte=timezone.localdate(),
        ).update(statut=StatutCafe.TENU)
    )

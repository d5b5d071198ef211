"""Programming: a series, its rotation of hosts, and the cafés its rule gives."""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cafes.calendrier import dates_serie, jours_feries
from cafes.models import Cafe, CafeSerie, HoteSerie
from cafes.selectors import adresse_par_defaut, hote_suivant

# The series' circle picked by hand: many-to-many, set after the row is saved.
_LIENS_SERIE = ("themes", "partenaires")


def _refuser_partenaires_ailleurs(centre, partenaires):
    if any(partenaire.centre_id != centre.pk for partenaire in partenaires):
        raise ValidationError(_("Choisissez des organisations du centre."))


def _serie_enregistrer(serie, champs):
    liens = {nom: champs.pop(nom) for nom in _LIENS_SERIE if nom in champs}
    _refuser_partenaires_ailleurs(serie.centre, liens.get("partenaires", ()))
    for nom, valeur in champs.items():
        setattr(serie, nom, valeur)
    serie.full_clean()
    serie.save()
    for nom, valeurs in liens.items():
        getattr(serie, nom).set(valeurs)
    return serie


@transaction.atomic
def serie_creer(*, centre, **champs):
    """Creates a series of ``centre`` with ``champs`` (fields of ``CafeSerie``; ``themes`` and
    ``partenaires`` as iterables). Raises ``ValidationError`` for invalid values or a partner
    of another centre; nothing is written then."""
    return _serie_enregistrer(CafeSerie(centre=centre), champs)


@transaction.atomic
def serie_modifier(*, serie, **champs):
    """Saves ``champs`` on ``serie`` (as ``serie_creer``); ``themes`` and ``partenaires``, when
    given, replace the series' own. Cafés already programmed keep their details."""
    serie = CafeSerie.objects.select_for_update().get(pk=serie.pk)
    return _serie_enregistrer(serie, champs)


@transaction.atomic
def hote_ajouter(*, serie, partenaire, adresse=""):
    """Adds ``partenaire`` at the end of the series' rotation, with the address to give its
    cafés (empty: its own). Raises ``ValidationError`` when it is already a host or belongs
    to another centre. The series row is locked: two additions at once get distinct places."""
    serie = CafeSerie.objects.select_for_update().get(pk=serie.pk)
    _refuser_partenaires_ailleurs(serie.centre, [partenaire])
    if serie.hotes.filter(partenaire=partenaire).exists():
        raise ValidationError(_("Ce partenaire accueille déjà les cafés de la série."))
    dernier = serie.hotes.order_by("-ordre").values_list("ordre", flat=True).first()
    return HoteSerie.objects.create(
        serie=serie,
        partenaire=partenaire,
        adresse=adresse.strip(),
        ordre=0 if dernier is None else dernier + 1,
    )


@transaction.atomic
def hote_deplacer(*, hote, sens):
    """Moves ``hote`` one place earlier (``sens`` -1) or later (+1) in the rotation; the first
    stays first, the last stays last. The rotation is renumbered 0, 1, 2… under a lock on its
    rows, so that two moves at once apply one after the other."""
    hotes = list(
        HoteSerie.objects.filter(serie_id=hote.serie_id).select_for_update().order_by("ordre", "pk")
    )
    i = next((i for i, h in enumerate(hotes) if h.pk == hote.pk), None)
    if i is None:
        return
    j = i + sens
    if 0 <= j < len(hotes):
        hotes[i], hotes[j] = hotes[j], hotes[i]
    for ordre, h in enumerate(hotes):
        if h.ordre != ordre:
            HoteSerie.objects.filter(pk=h.pk).update(ordre=ordre)


def hote_retirer(*, hote):
    """Takes ``hote`` out of the rotation; the cafés it already hosts keep it."""
    HoteSerie.objects.filter(pk=hote.pk).delete()


# Why a date of the rule got no café, as staff read it after programming.
DEJA_PROGRAMME = gettext_lazy("un café existe déjà à cette date")
FERIE = gettext_lazy("jour férié, laissé décoché")
DECOCHEE = gettext_lazy("date décochée")


@dataclass
class Programme:
    """What ``cafes_generer`` did: ``crees``, the cafés created, by date; ``ecartees``, the
    dates of the rule left without a new café, each with its reason (``DEJA_PROGRAMME``,
    ``FERIE``, ``DECOCHEE``), by date."""

    crees: list = field(default_factory=list)
    ecartees: list = field(default_factory=list)


@transaction.atomic
def cafes_generer(*, serie, a_partir_de, nb_mois, exclues=()):
    """Creates the series' cafés of the next ``nb_mois`` months by its rule, skipping the
    ``exclues`` dates and the dates that already have a café. Each new café gets the next host
    of the rotation (or the centre) and its address (``adresse_par_defaut``). The skipped
    ``exclues`` join the series' ``dates_exclues`` and the dates programmed leave it. Returns
    a ``Programme``: the cafés created and, for every other date of the rule in those months,
    why it has no new café.

    Running it again over the same months creates nothing more.
    """
    serie = CafeSerie.objects.select_for_update().get(pk=serie.pk)
    deja = set(serie.cafes.values_list("date", flat=True))
    exclues = set(exclues)
    ecartees = {date.fromisoformat(jour) for jour in serie.dates_exclues}
    programme = Programme()
    for jour in dates_serie(
        rang=serie.rang, jour=serie.jour, a_partir_de=a_partir_de, nb_mois=nb_mois
    ):
        if jour in deja:
            programme.ecartees.append((jour, DEJA_PROGRAMME))
            if jour in exclues:
                ecartees.add(jour)
            else:
                ecartees.discard(jour)
            continue
        if jour in exclues:
            ecartees.add(jour)
            raison = FERIE if jour in jours_feries(jour.year) else DECOCHEE
            programme.ecartees.append((jour, raison))
            continue
        ecartees.discard(jour)
        suivant = hote_suivant(serie, avant=jour)
        hote = suivant.partenaire if suivant else None
        cafe = Cafe(
            centre=serie.centre,
            serie=serie,
            date=jour,
            heure_debut=serie.heure_debut,
            heure_fin=serie.heure_fin,
            hote=hote,
            adresse=adresse_par_defaut(serie=serie, hote=hote),
        )
        cafe.full_clean()
        cafe.save()
        programme.crees.append(cafe)
    # Past exclusions no longer matter.
    serie.dates_exclues = sorted(jour.isoformat() for jour in ecartees if jour >= a_partir_de)
    serie.save(update_fields=["dates_exclues"])
    return programme

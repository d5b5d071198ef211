"""What needs a centre's attention (issue 10, "Alerts"): the list the home page shows to staff
and the daily digest emails to the centre's admins (``partenariats.services.alertes``).

- funding agreements granted or signed that end within ``DELAI_FIN`` days;
- orientation protocols valid until a date within ``DELAI_FIN`` days (partnership not ended);
- partnerships whose end date has passed while their status still says "actif";
- requests received still open whose deadline is within ``DELAI_ECHEANCE`` days, or passed.

Each item's key names the object and the date it is about: the digest tells an item once per
key (``AlerteEnvoyee``), so it comes back only when that date changes.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import TextChoices
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partenariats.enums import StatutConvention, StatutPartenariat
from partenariats.models import Convention, Partenariat, ProtocoleOrientation, Sollicitation

DELAI_FIN = timedelta(days=60)
DELAI_ECHEANCE = timedelta(days=14)
# Items of one kind, the oldest dates first. A centre that imported years of partnerships
# without closing them would otherwise get hundreds of lines at once: the next ones come once
# these are dealt with. It also keeps the home page's cost the same for any centre.
LIMITE_PAR_GENRE = 25


class GenreAlerte(TextChoices):
    """The kinds of items, in the order the digest groups them; the labels are its headings."""

    CONVENTION = "convention", gettext_lazy("Conventions qui se terminent bientôt")
    PROTOCOLE = "protocole", gettext_lazy("Protocoles d'orientation à renouveler")
    PARTENARIAT = "partenariat", gettext_lazy("Partenariats arrivés à leur date de fin")
    SOLLICITATION = "sollicitation", gettext_lazy("Demandes reçues qui attendent une réponse")


@dataclass(frozen=True)
class Alerte:
    genre: str  # a GenreAlerte
    libelle: str  # the sentence, in French, date included
    date: date  # the date the item is about (an end, a deadline)
    url: str  # the page to act from, a path ("/demandes-recues/3/")
    cle: str  # "<genre>:<pk>:<what>:<date>", see the module's docstring
    lien: str  # the words of the link to ``url``


def _url(nom, pk, repli):
    """The page ``partenariats:<nom>`` of object ``pk``, or ``repli`` (a path) while that page
    does not exist: the partnerships' and conventions' pages come with other parts of issue 10,
    and their partner's page says enough meanwhile."""
    try:
        return reverse(f"partenariats:{nom}", args=[pk]), True
    except NoReverseMatch:
        return repli, False


def _le(jour):
    return date_format(jour, "j F Y")


def _conventions(centre, aujourd_hui):
    conventions = (
        Convention.objects.for_centre(centre)
        .filter(
            statut__in=[StatutConvention.ACCORDEE, StatutConvention.SIGNEE],
            fin__gte=aujourd_hui,
            fin__lte=aujourd_hui + DELAI_FIN,
        )
        .select_related("financeur")
        .order_by("fin", "pk")[:LIMITE_PAR_GENRE]
    )
    for convention in conventions:
        url, propre = _url(
            "convention_detail", convention.pk, convention.financeur.get_absolute_url()
        )
        yield Alerte(
            genre=GenreAlerte.CONVENTION,
            libelle=_("Convention qui se termine le %(date)s : %(financeur)s — %(objet)s")
            % {
                "date": _le(convention.fin),
                "financeur": convention.financeur.nom,
                "objet": convention.objet,
            },
            date=convention.fin,
            url=url,
            cle=f"convention:{convention.pk}:fin:{convention.fin.isoformat()}",
            lien=_("Voir la convention") if propre else _("Voir le financeur"),
        )


def _protocoles(centre, aujourd_hui):
    protocoles = (
        ProtocoleOrientation.objects.filter(
            partenariat__centre=centre,
            valide_jusqu_au__gte=aujourd_hui,
            valide_jusqu_au__lte=aujourd_hui + DELAI_FIN,
        )
        .exclude(partenariat__statut=StatutPartenariat.TERMINE)
        .select_related("partenariat__partenaire")
        .order_by("valide_jusqu_au", "pk")[:LIMITE_PAR_GENRE]
    )
    for protocole in protocoles:
        partenaire = protocole.partenariat.partenaire
        url, propre = _url(
            "partenariat_detail", protocole.partenariat_id, partenaire.get_absolute_url()
        )
        yield Alerte(
            genre=GenreAlerte.PROTOCOLE,
            libelle=_("Protocole d'orientation valable jusqu'au %(date)s : %(partenaire)s")
            % {"date": _le(protocole.valide_jusqu_au), "partenaire": partenaire.nom},
            date=protocole.valide_jusqu_au,
            url=url,
            cle=f"protocole:{protocole.pk}:fin:{protocole.valide_jusqu_au.isoformat()}",
            lien=_("Voir le partenariat") if propre else _("Voir le partenaire"),
        )


def _partenariats(centre, aujourd_hui):
    partenariats = (
        Partenariat.objects.for_centre(centre)
        .filter(statut=StatutPartenariat.ACTIF, fin__lt=aujourd_hui)
        .select_related("partenaire")
        .order_by("fin", "pk")[:LIMITE_PAR_GENRE]
    )
    for partenariat in partenariats:
        url, propre = _url(
            "partenariat_detail", partenariat.pk, partenariat.partenaire.get_absolute_url()
        )
        yield Alerte(
            genre=GenreAlerte.PARTENARIAT,
            libelle=_(
                "Partenariat terminé le %(date)s mais toujours indiqué actif : "
                "%(partenaire)s — %(objet)s"
            )
            % {
                "date": _le(partenariat.fin),
                "partenaire": partenariat.partenaire.nom,
                "objet": partenariat.objet,
            },
            date=partenariat.fin,
            url=url,
            cle=f"partenariat:{partenariat.pk}:fin:{partenariat.fin.isoformat()}",
            lien=_("Voir le partenariat") if propre else _("Voir le partenaire"),
        )


def _sollicitations(centre, aujourd_hui):
    sollicitations = (
        Sollicitation.objects.for_centre(centre)
        .ouvertes()
        .filter(echeance__lte=aujourd_hui + DELAI_ECHEANCE)
        .select_related("demandeur")
        .order_by("echeance", "pk")[:LIMITE_PAR_GENRE]
    )
    for sollicitation in sollicitations:
        if sollicitation.echeance < aujourd_hui:
            phrase = _("Réponse attendue depuis le %(date)s : %(demandeur)s — %(objet)s")
        else:
            phrase = _("Réponse attendue avant le %(date)s : %(demandeur)s — %(objet)s")
        yield Alerte(
            genre=GenreAlerte.SOLLICITATION,
            libelle=phrase
            % {
                "date": _le(sollicitation.echeance),
                "demandeur": sollicitation.demandeur.nom,
                "objet": sollicitation.objet,
            },
            date=sollicitation.echeance,
            url=sollicitation.get_absolute_url(),
            cle=f"sollicitation:{sollicitation.pk}:echeance:{sollicitation.echeance.isoformat()}",
            lien=_("Voir la demande"),
        )


def alertes(centre, aujourd_hui):
    """The items that need ``centre``'s attention on ``aujourd_hui`` (a date), the earliest
    date first (what is overdue comes before what is near). Four queries, whatever the size of
    the centre; at most ``LIMITE_PAR_GENRE`` items of each kind. Call it inside the centre's
    scope (a request's, or one a task opens)."""
    items = [
        *_conventions(centre, aujourd_hui),
        *_protocoles(centre, aujourd_hui),
        *_partenariats(centre, aujourd_hui),
        *_sollicitations(centre, aujourd_hui),
    ]
    return sorted(items, key=lambda alerte: (alerte.date, alerte.cle))

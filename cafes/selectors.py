"""Reads of the Café partenaires shared by views, services, tasks and template tags: who a café
invites, the next host and the address a café gets, the figures after the cafés, and the cafés
each partner came to (for the carte du maillage).

Reads about the invitations of one café are ``InvitationQuerySet`` methods
(``cafe.invitations.totaux()``…); what is here spans several models.
"""

from itertools import groupby

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cafes.enums import Reponse, StatutCafe
from cafes.models import Invitation
from partenariats.models import Contact, Partenaire
from partenariats.selectors_cartes import compteur_carte
from reseau.pagination import page_de

# Organisations per page in the answers table of the café page.
ORGANISATIONS_PAR_PAGE = 50


# --- The circle -----------------------------------------------------------------------------


def _invites_par_la_serie(serie):
    condition = Q(pk__in=serie.partenaires.values("pk")) | Q(themes__in=serie.themes.all())
    if serie.categories:
        condition |= Q(categorie__in=serie.categories)
    return condition


def serie_cercle(serie):
    """Active partners of the series' centre of its categories or themes, or picked by hand:
    the circle of its cafés before their own additions and removals."""
    return (
        Partenaire.objects.for_centre(serie.centre)
        .actifs()
        .filter(_invites_par_la_serie(serie))
        .distinct()
        .order_by("nom")
    )


def cafe_cercle(cafe):
    """Active partners of the café's centre invited to it: the series' circle, plus the café's
    additions, minus its removals."""
    return (
        Partenaire.objects.for_centre(cafe.centre)
        .actifs()
        .filter(_invites_par_la_serie(cafe.serie) | Q(pk__in=cafe.partenaires_ajoutes.values("pk")))
        .exclude(pk__in=cafe.partenaires_retires.values("pk"))
        .distinct()
        .order_by("nom")
    )


def destinataires(cercle):
    """One contact per invitation: contacts of the partners of ``cercle`` who receive café
    invitations and have an address, never those who opted out of emails.

    A contact a partner proposed (a colleague sent in its place) has the invitation it was
    sent; later cafés wait until staff keep it: a public link must not enrol addresses in the
    centre's mailings."""
    return (
        Contact.objects.joignables()
        .filter(recoit_invitations_cafe=True, partenaire__in=cercle, propose_le__isnull=True)
        .select_related("partenaire")
        .order_by("partenaire__nom", "nom", "prenom")
    )


def cafe_destinataires(cafe):
    return destinataires(cafe_cercle(cafe))


# --- Hosts and addresses --------------------------------------------------------------------


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


def _ligne_postale(lieu):
    """ "3 rue des Lilas, 47000 Agen", or what there is of it."""
    lignes = [lieu.adresse, f"{lieu.code_postal} {lieu.commune}".strip()]
    return ", ".join(ligne for ligne in lignes if ligne)


def adresse_par_defaut(*, serie, hote):
    """The address of a café of ``serie`` hosted by the partner ``hote`` when staff give none:
    the one set for that host in the series' rotation, else the partner's postal address,
    else its name (a café always has a place to show). Without a host, the centre's name and
    address ("Centre social de Montanou, 12 rue Lamartine, 47000 Agen")."""
    if hote is None:
        return ", ".join(part for part in (serie.centre.nom, _ligne_postale(serie.centre)) if part)
    rotation = serie.hotes.filter(partenaire=hote).exclude(adresse="").first()
    if rotation is not None:
        return rotation.adresse
    return _ligne_postale(hote) or hote.nom


# --- Invitations and places -----------------------------------------------------------------


def places_restantes(cafe, *, sauf=None):
    """Places left for ``sauf``'s answer (an invitation whose own "yes" does not count), or
    anyone's; None when the café has no capacity."""
    if cafe.capacite is None:
        return None
    oui = cafe.invitations.all()
    if sauf is not None:
        oui = oui.exclude(pk=sauf.pk)
    return max(cafe.capacite - oui.places_reservees(), 0)


def invitations_a_partir(cafe):
    """``(nombre, exemple)``: how many invitations "Envoyer les invitations" would email now
    (contacts not invited yet, and invitations not sent yet: ``a_envoyer``), and the first of
    them, an ``Invitation`` (unsaved for a contact not invited yet) for a preview, or None."""
    nouveaux = cafe_destinataires(cafe).exclude(pk__in=cafe.invitations.values("contact_id"))
    en_attente = cafe.invitations.a_envoyer().select_related("contact__partenaire").order_by("pk")
    exemple = en_attente.first()
    if exemple is None:
        contact = nouveaux.first()
        exemple = Invitation(cafe=cafe, contact=contact) if contact else None
    return nouveaux.count() + en_attente.count(), exemple


def invitations_contexte(request, cafe):
    """What ``cafes/_invitations.html`` needs besides ``cafe``: ``invitations`` (the totals of
    ``InvitationQuerySet.totaux``) and ``reponses``, a page (URL parameter ``reponses``) of
    the counts per organisation, each row carrying ``details``: the answers of its people
    (name, answer, head count of a "yes", comment), so that staff read what partners wrote."""
    reponses = page_de(
        request,
        cafe.invitations.totaux_par_organisation(),
        par_page=ORGANISATIONS_PAR_PAGE,
        param="reponses",
        ancre="invitations",
    )
    lignes = list(reponses.object_list)
    details = {}
    for invitation in (
        cafe.invitations.exclude(reponse="")
        .filter(contact__partenaire_id__in=[ligne["contact__partenaire_id"] for ligne in lignes])
        .select_related("contact")
        .order_by("contact__nom", "contact__prenom", "pk")
    ):
        details.setdefault(invitation.contact.partenaire_id, []).append(invitation)
    for ligne in lignes:
        ligne["details"] = details.get(ligne["contact__partenaire_id"], [])
    reponses.object_list = lignes
    return {"invitations": cafe.invitations.totaux(), "reponses": reponses}


def grouper_par_organisation(invitations):
    """[(partner, [invitations])] of ``invitations`` in the order given (from
    ``InvitationQuerySet.par_organisation``)."""
    return [
        (groupe[0].contact.partenaire, groupe)
        for groupe in (
            list(g) for _, g in groupby(invitations, key=lambda i: i.contact.partenaire_id)
        )
    ]


def organisations_tour_de_table(cafe):
    """The organisations of the tour de table: those with someone present, and those already
    noted (a note stays visible even if the attendance was corrected), by name."""
    return Partenaire.objects.filter(
        Q(pk__in=cafe.invitations.filter(present=True).values("contact__partenaire_id"))
        | Q(pk__in=cafe.notes.values("partenaire_id"))
    ).order_by("nom", "pk")


# --- Figures --------------------------------------------------------------------------------


VIDE = {"invites": 0, "oui": 0, "presents": 0, "organisations": 0, "nouvelles": 0}


def cafes_chiffres(cafes):
    """``{cafe_id: figures}`` for the given ``Cafe`` instances (one query): ``invites``
    (invitations, walk-ins apart), ``oui``, ``presents``, ``organisations`` present, and
    ``nouvelles``: organisations present for the first time in the café's series (present at
    no earlier café of it)."""
    anterieure = Invitation.objects.filter(
        present=True,
        contact__partenaire_id=OuterRef("contact__partenaire_id"),
        cafe__serie_id=OuterRef("cafe__serie_id"),
        cafe__date__lt=OuterRef("cafe__date"),
    )
    lignes = (
        Invitation.objects.filter(cafe__in=cafes)
        .order_by()
        .values("cafe_id")
        .annotate(
            invites=Count("pk", filter=Q(sur_place=False)),
            oui=Count("pk", filter=Q(reponse=Reponse.OUI)),
            presents=Count("pk", filter=Q(present=True)),
            organisations=Count("contact__partenaire_id", distinct=True, filter=Q(present=True)),
            nouvelles=Count(
                "contact__partenaire_id",
                distinct=True,
                filter=Q(present=True) & ~Exists(anterieure),
            ),
        )
    )
    resultat = {ligne.pop("cafe_id"): ligne for ligne in lignes}
    return {cafe.pk: resultat.get(cafe.pk, dict(VIDE)) for cafe in cafes}


def cafe_chiffres(cafe):
    """The figures of one café (see ``cafes_chiffres``)."""
    return cafes_chiffres([cafe])[cafe.pk]


def serie_chiffres_partenaires(serie, annee, jusqu_au=None):
    """Per partner, over the series' cafés of ``annee`` held until ``jusqu_au`` (today by
    default; cancelled cafés apart), in one query: ``invites`` (cafés to which at least one
    of its contacts was invited), ``venus`` (cafés where at least one was present) and
    ``taux`` (percent, None when never invited), by name."""
    jusqu_au = jusqu_au or timezone.localdate()
    lignes = (
        Invitation.objects.filter(
            cafe__serie=serie, cafe__date__year=annee, cafe__date__lte=jusqu_au
        )
        .exclude(cafe__statut=StatutCafe.ANNULE)
        .order_by()
        .values("contact__partenaire_id", nom=F("contact__partenaire__nom"))
        .annotate(
            invites=Count("cafe_id", distinct=True, filter=Q(sur_place=False)),
            venus=Count("cafe_id", distinct=True, filter=Q(present=True)),
        )
        .order_by("nom", "contact__partenaire_id")
    )
    resultat = []
    for ligne in lignes:
        ligne["taux"] = round(100 * ligne["venus"] / ligne["invites"]) if ligne["invites"] else None
        resultat.append(ligne)
    return resultat


def serie_chiffres(serie, aujourdhui=None):
    """What ``cafes/_chiffres_serie.html`` shows: the past cafés (newest first, cancelled ones
    apart) with their figures, and the partners' figures of the current year. Three queries."""
    aujourdhui = aujourdhui or timezone.localdate()
    passes = list(
        serie.cafes.filter(date__lt=aujourdhui)
        .exclude(statut=StatutCafe.ANNULE)
        .select_related("hote")
        .order_by("-date")
    )
    chiffres = cafes_chiffres(passes)
    return {
        "cafes": [(cafe, chiffres[cafe.pk]) for cafe in passes],
        "annee": aujourdhui.year,
        "partenaires": serie_chiffres_partenaires(serie, aujourdhui.year, aujourdhui),
    }


@compteur_carte(_("Cafés"))
def cafes_par_partenaire(centre):
    """{partner id: cafés of ``centre`` where someone of the partner was checked in}: the
    cafés on the carte du maillage (``partenariats.selectors_cartes``). One grouped query, as
    long as the list of partners who ever came."""
    return dict(
        Invitation.objects.filter(cafe__centre=centre, present=True)
        .order_by()
        .values("contact__partenaire_id")
        .annotate(n=Count("cafe_id", distinct=True))
        .values_list("contact__partenaire_id", "n")
    )

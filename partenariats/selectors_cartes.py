"""The rows the frise and the carte are drawn from (laid out by ``partenariats.cartes``).

Each read is a few aggregated queries, however many partnerships the centre has: the
database groups, counts and ranks, and only what a drawing can show (a cell's
``PUCES_PAR_CASE`` newest partners, a ring's most connected ``SOMMETS_PAR_ANNEAU``) comes
back, with the totals that say how many more there are.

Other apps add to the size of a partner on the carte without this app importing them
(imports go downward only): ``@compteur_carte(libelle)`` on a function centre ->
{partner id: count} (the cafés app registers the cafés each partner came to).
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Min, Q, Value, When
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from partenariats import cartes
from partenariats.enums import (
    Horizon,
    NiveauImplication,
    RoleRaci,
    StatutPartenariat,
    TypePartenariat,
)
from partenariats.models import Partenariat, ParticipationProjet

# Partners fetched per ring of the carte: more than its outer ring can hold, so that the layout
# decides what fits; the rest are counted, never read.
SOMMETS_PAR_ANNEAU = 60

# --- The registry of what else a partner shares with the centre ----------------------------

COMPTEURS_CARTE = []


def compteur_carte(libelle):
    """Registers ``fonction(centre) -> {partenaire_id: nombre}`` as something partners share
    with the centre (``libelle``: the table's column, e.g. "Cafés"). The carte adds it to a
    partner's size. One query per function, whatever the number of partners."""

    def enregistrer(fonction):
        COMPTEURS_CARTE.append((libelle, fonction))
        return fonction

    return enregistrer


# --- Links -----------------------------------------------------------------------------------


def url_partenaire(pk):
    return reverse("partenariats:detail", args=[pk])


def url_partenariats(**criteres):
    """The list of partnerships under way, filtered by ``criteres`` (niveau, horizon)."""
    return f"{reverse('partenariats:partenariat_liste')}?{urlencode(criteres)}"


def url_partenaires_du_projet(projet):
    """The partners' section of the project's page, where all of them are listed."""
    return f"{projet.get_absolute_url()}#partenaires"


# --- The frise -------------------------------------------------------------------------------

CASES = [(niveau.value, horizon.value) for niveau in NiveauImplication for horizon in Horizon]
# Partnerships read per cell of the centre's frise, newest first: enough for its
# ``PUCES_PAR_CASE`` partners unless several of them have many partnerships in that cell; the
# cell then shows fewer chips, and its "+ N autres" still counts right.
LUES_PAR_CASE = 2 * cartes.PUCES_PAR_CASE
CHAMPS_PARTENAIRE = ("partenaire_id", "partenaire__nom", "partenaire__sigle", "partenaire__nom_tri")


def _entree(ligne, details):
    return cartes.Entree(
        pk=ligne["partenaire_id"],
        nom=ligne["partenaire__nom"],
        sigle=ligne["partenaire__sigle"],
        url=url_partenaire(ligne["partenaire_id"]),
        details=details,
    )


def _une_requete(parties):
    """The rows of ``parties`` (sliced querysets), in one query (UNION ALL) where the database
    allows a LIMIT in each part, else one query each (SQLite)."""
    if connection.features.supports_slicing_ordering_in_compound:
        return list(parties[0].union(*parties[1:], all=True))
    return [ligne for partie in parties for ligne in partie]


def frise_du_centre(centre):
    """{(niveau, horizon): cartes.Case} of the centre's partnerships under way (not
    terminated): a partner appears once in each cell where it has one.

    A cell shows the partners of its ``PUCES_PAR_CASE`` most recent partnerships (in
    alphabetical order), and counts the others. Three queries, and none reads more than
    ``LUES_PAR_CASE`` rows of a cell but the count: each cell's newest partnerships come
    from the index (centre, niveau, horizon, id), whatever the number of partnerships.
    """
    en_cours = Partenariat.objects.for_centre(centre).en_cours()
    parties = [
        en_cours.filter(niveau=niveau, horizon=horizon)
        .order_by("-pk")
        .values("niveau", "horizon", "type", "objet", *CHAMPS_PARTENAIRE)[:LUES_PAR_CASE]
        for niveau, horizon in CASES
    ]
    retenues = {}
    for ligne in _une_requete(parties):
        cle = (ligne["niveau"], ligne["horizon"])
        # The newest partnership of each partner in the cell says what the chip is about.
        partenaires = retenues.setdefault(cle, {})
        if len(partenaires) < cartes.PUCES_PAR_CASE:
            partenaires.setdefault(ligne["partenaire_id"], ligne)
    if not retenues:
        return {}
    totaux = {
        (niveau, horizon): n
        for niveau, horizon, n in en_cours.values("niveau", "horizon")
        .annotate(n=Count("partenaire_id", distinct=True))
        .order_by()
        .values_list("niveau", "horizon", "n")
    }
    nombres = {
        (niveau, horizon, pk): n
        for niveau, horizon, pk, n in en_cours.filter(
            partenaire_id__in={pk for partenaires in retenues.values() for pk in partenaires}
        )
        .values("niveau", "horizon", "partenaire_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("niveau", "horizon", "partenaire_id", "n")
    }
    cases = {}
    for cle, partenaires in retenues.items():
        entrees = [
            _entree(ligne, _details_partenariats(ligne, nombres[(*cle, ligne["partenaire_id"])]))
            for ligne in sorted(partenaires.values(), key=_ordre_alphabetique)
        ]
        cases[cle] = cartes.Case(
            *cle, entrees, totaux[cle], url_partenariats(niveau=cle[0], horizon=cle[1])
        )
    return cases


def _ordre_alphabetique(ligne):
    return (ligne["partenaire__nom_tri"], ligne["partenaire_id"])


def _details_partenariats(ligne, nombre):
    if nombre > 1:
        return ngettext("%(nb)s partenariat", "%(nb)s partenariats", nombre) % {"nb": nombre}
    return f"{TypePartenariat(ligne['type']).label}\u00a0: {ligne['objet']}"


def frise_du_projet(projet):
    """{(niveau, horizon): cartes.Case} of the project's partners (``ParticipationProjet``,
    one per partner), alphabetically, with their RACI role: one query. A project has tens of
    partners: the database ranks them all, each cell keeps its first ``PUCES_PAR_CASE``."""
    lignes = (
        ParticipationProjet.objects.filter(projet=projet)
        .values("niveau", "horizon", "role", *CHAMPS_PARTENAIRE)
        .annotate(
            rang=Window(
                RowNumber(),
                partition_by=[F("niveau"), F("horizon")],
                order_by=[F("partenaire__nom_tri").asc(), F("partenaire_id").asc()],
            ),
            total=Window(Count("*"), partition_by=[F("niveau"), F("horizon")]),
        )
        .filter(rang__lte=cartes.PUCES_PAR_CASE)
        .order_by()
    )
    url = url_partenaires_du_projet(projet)
    cases = {}
    for ligne in sorted(lignes, key=lambda ligne: ligne["rang"]):
        cle = (ligne["niveau"], ligne["horizon"])
        case = cases.setdefault(cle, cartes.Case(*cle, total=ligne["total"], url_autres=url))
        role = RoleRaci(ligne["role"]).label
        case.entrees.append(_entree(ligne, _("Rôle\u00a0: %(role)s") % {"role": role}))
    return cases


# --- The carte -------------------------------------------------------------------------------

NIVEAUX = list(NiveauImplication)
TYPES = list(TypePartenariat)
EN_COURS = ~Q(statut=StatutPartenariat.TERMINE)


def _rang(champ, valeurs):
    return Case(
        *(When(**{champ: valeur}, then=Value(index)) for index, valeur in enumerate(valeurs)),
        output_field=IntegerField(),
    )


@dataclass
class Lien:
    """A partner of the carte and its table row: what it shares with the centre."""

    partenaire_id: int
    nom: str
    sigle: str
    nom_tri: str
    anneau: int
    type: str
    nb_partenariats: int
    nb_projets: int
    types: list  # [(TypePartenariat, nombre)]
    comptes: list  # [(libelle, nombre)] of COMPTEURS_CARTE
    total_anneau: int = 0

    @property
    def score(self):
        return self.nb_partenariats + self.nb_projets + sum(n for _l, n in self.comptes)

    @property
    def types_dessin(self):
        """[(type, number, letter, colour)]: each type as the carte draws it."""
        return [
            (type_, nombre, cartes.lettre_type(type_), cartes.COULEURS_TYPES[type_])
            for type_, nombre in self.types
        ]

    @property
    def details(self):
        morceaux = [", ".join(str(type_.label) for type_, _n in self.types)]
        morceaux.append(
            ngettext("%(nb)s partenariat", "%(nb)s partenariats", self.nb_partenariats)
            % {"nb": self.nb_partenariats}
        )
        morceaux.append(
            ngettext("%(nb)s projet", "%(nb)s projets", self.nb_projets) % {"nb": self.nb_projets}
        )
        morceaux += [f"{libelle} : {nombre}" for libelle, nombre in self.comptes]
        return " · ".join(morceaux)

    def sommet(self):
        entree = cartes.Entree(
            pk=self.partenaire_id,
            nom=self.nom,
            sigle=self.sigle,
            url=url_partenaire(self.partenaire_id),
            details=self.details,
        )
        return cartes.Sommet(
            entree=entree, anneau=self.anneau, type=self.type, score=self.score, donnees=self
        )


def _liens(centre):
    """The centre's partnerships under way grouped by partner: closest level (the ring), the
    type of a partnership at that level (the colour) and counts per type."""
    return (
        Partenariat.objects.for_centre(centre)
        .filter(EN_COURS)
        .values("partenaire_id", "partenaire__nom", "partenaire__sigle", "partenaire__nom_tri")
        .annotate(
            nb=Count("pk"),
            anneau=Min(_rang("niveau", NIVEAUX)),
            # The closest level first, then the type in the order of TypePartenariat.
            code=Min(_rang("niveau", NIVEAUX) * 10 + _rang("type", TYPES)),
            **{f"nb_{type_.value}": Count("pk", filter=Q(type=type_)) for type_ in TYPES},
        )
        .order_by()
    )


def projets_par_partenaire(centre):
    """{partner id: projects of the centre it takes part in}: one grouped query, as long as
    the list of partners who take part in a project."""
    return dict(
        ParticipationProjet.objects.filter(projet__centre=centre)
        .order_by()
        .values("partenaire_id")
        .annotate(n=Count("pk"))
        .values_list("partenaire_id", "n")
    )


def _lien(ligne, projets, comptes):
    pk = ligne["partenaire_id"]
    return Lien(
        partenaire_id=pk,
        nom=ligne["partenaire__nom"],
        sigle=ligne["partenaire__sigle"],
        nom_tri=ligne["partenaire__nom_tri"],
        anneau=ligne["anneau"],
        type=TYPES[ligne["code"] % 10].value,
        nb_partenariats=ligne["nb"],
        nb_projets=projets.get(pk, 0),
        types=[(t, ligne[f"nb_{t.value}"]) for t in TYPES if ligne[f"nb_{t.value}"]],
        comptes=[(libelle, compte.get(pk, 0)) for libelle, compte in comptes],
        total_anneau=ligne.get("total", 0),
    )


def carte_du_centre(centre):
    """For each ring (closest level first): (the partners to draw, most connected first, at
    most ``SOMMETS_PAR_ANNEAU``; how many partners the ring has; the link to the others).

    The database ranks partners by their partnerships and counts each ring; the projects and
    the registered counts (cafés) come on top. A partner outside the database's first
    ``SOMMETS_PAR_ANNEAU`` can only climb into the final ones through a project or such a
    count, so those partners are read too. A handful of queries whatever the number of
    partnerships: the ranked one, the projects, one per registered count, and the climbers.
    """
    projets = projets_par_partenaire(centre)
    comptes = [(str(libelle), fonction(centre)) for libelle, fonction in COMPTEURS_CARTE]
    classes = _liens(centre).annotate(
        rang=Window(
            RowNumber(),
            partition_by=[F("anneau")],
            order_by=[F("nb").desc(), F("partenaire__nom_tri").asc()],
        ),
        total=Window(Count("*"), partition_by=[F("anneau")]),
    )
    liens = {
        ligne["partenaire_id"]: _lien(ligne, projets, comptes)
        for ligne in classes.filter(rang__lte=SOMMETS_PAR_ANNEAU)
    }
    totaux = {lien.anneau: lien.total_anneau for lien in liens.values()}
    autres = (set(projets) | {pk for _libelle, compte in comptes for pk in compte}) - liens.keys()
    if autres:
        for ligne in _liens(centre).filter(partenaire_id__in=autres):
            liens[ligne["partenaire_id"]] = _lien(ligne, projets, comptes)
    par_anneau = [[] for _niveau in NIVEAUX]
    for lien in liens.values():
        par_anneau[lien.anneau].append(lien)
    return [
        (
            [
                lien.sommet()
                for lien in sorted(
                    liste, key=lambda lien: (-lien.score, lien.nom_tri, lien.partenaire_id)
                )[:SOMMETS_PAR_ANNEAU]
            ],
            totaux.get(index, 0),
            url_partenariats(niveau=niveau.value),
        )
        for index, (niveau, liste) in enumerate(zip(NIVEAUX, par_anneau, strict=True))
    ]


def carte_libelles_comptes():
    """The columns the registered counts add to the carte's table."""
    return [str(libelle) for libelle, _fonction in COMPTEURS_CARTE]

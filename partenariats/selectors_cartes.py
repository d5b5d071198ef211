"""The rows the frise and the carte are drawn from (laid out by ``partenariats.cartes``).

Each read is one aggregated query, however many partnerships the centre has: the database
groups, counts and ranks, and only what a drawing can show (a cell's first
``PUCES_PAR_CASE`` partners, a ring's most connected ``SOMMETS_PAR_ANNEAU``) comes back, with
the totals that say how many more there are.

Other apps add to the size of a partner on the carte without this app importing them
(imports go downward only): ``@compteur_carte(libelle)`` on a function centre ->
{partner id: count} (the cafés app registers the cafés each partner came to).
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Case, Count, F, IntegerField, Min, Q, Value, When
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from partenariats import cartes
from partenariats.enums import NiveauImplication, RoleRaci, StatutPartenariat, TypePartenariat
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
    """The list of partnerships filtered by ``criteres`` (niveau, horizon). The list is its
    own part of the app: until its URL is named, its path is the prefix it is mounted at."""
    try:
        base = reverse("partenariats:partenariat_liste")
    except NoReverseMatch:
        base = "/partenariats/"
    return f"{base}?{urlencode(criteres)}"


def url_projet(projet):
    try:
        return reverse("partenariats:projet_detail", args=[projet.pk])
    except NoReverseMatch:
        return ""


# --- The frise -------------------------------------------------------------------------------


def _rang_dans_la_case(ordre):
    return {
        "rang": Window(RowNumber(), partition_by=[F("niveau"), F("horizon")], order_by=ordre),
        "total": Window(Count("*"), partition_by=[F("niveau"), F("horizon")]),
    }


def _cases(lignes, details, url_autres):
    cases = {}
    for ligne in sorted(lignes, key=lambda ligne: ligne["rang"]):
        cle = (ligne["niveau"], ligne["horizon"])
        if cle not in cases:
            cases[cle] = cartes.Case(
                *cle, total=ligne["total"], url_autres=url_autres(*cle) if url_autres else ""
            )
        cases[cle].entrees.append(
            cartes.Entree(
                pk=ligne["partenaire_id"],
                nom=ligne["partenaire__nom"],
                sigle=ligne["partenaire__sigle"],
                url=url_partenaire(ligne["partenaire_id"]),
                details=details(ligne),
            )
        )
    return cases


def _details_partenariats(ligne):
    if ligne["nb"] > 1:
        return ngettext("%(nb)s partenariat", "%(nb)s partenariats", ligne["nb"]) % {
            "nb": ligne["nb"]
        }
    return f"{TypePartenariat(ligne['type']).label} : {ligne['objet']}"


def frise_du_centre(centre):
    """{(niveau, horizon): cartes.Case} of the centre's partnerships under way (not
    terminated): a partner appears once in each cell where it has one, alphabetically, the
    first ``PUCES_PAR_CASE`` of each cell. One query."""
    lignes = (
        Partenariat.objects.for_centre(centre)
        .en_cours()
        .values(
            "niveau",
            "horizon",
            "partenaire_id",
            "partenaire__nom",
            "partenaire__sigle",
            "partenaire__nom_tri",
        )  # fmt: skip
        .annotate(nb=Count("pk"), type=Min("type"), objet=Min("objet"))
        .annotate(**_rang_dans_la_case([F("partenaire__nom_tri").asc(), F("partenaire_id").asc()]))
        .filter(rang__lte=cartes.PUCES_PAR_CASE)
        .order_by()
    )
    return _cases(
        lignes,
        _details_partenariats,
        lambda niveau, horizon: url_partenariats(niveau=niveau, horizon=horizon),
    )


def frise_du_projet(projet):
    """{(niveau, horizon): cartes.Case} of the project's partners (``ParticipationProjet``),
    with their RACI role. One query."""
    lignes = (
        ParticipationProjet.objects.filter(projet=projet)
        .values(
            "niveau", "horizon", "role", "partenaire_id", "partenaire__nom", "partenaire__sigle"
        )
        .annotate(**_rang_dans_la_case([F("partenaire__nom_tri").asc(), F("partenaire_id").asc()]))
        .filter(rang__lte=cartes.PUCES_PAR_CASE)
        .order_by()
    )
    url = url_projet(projet)
    return _cases(
        lignes,
        lambda ligne: _("Rôle : %(role)s") % {"role": RoleRaci(ligne["role"]).label},
        (lambda niveau, horizon: url) if url else None,
    )


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

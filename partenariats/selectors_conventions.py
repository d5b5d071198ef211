"""Reads of the funding agreements shared by their list, a funder's page and a project's page:
the totals per year and per funder, and the agreements' events on a funder's timeline."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Sum
from django.utils.translation import gettext as _

from partenariats.enums import StatutConvention
from partenariats.models import Convention, MontantConvention
from partenariats.selectors import _evenements_historique, source_chronologie


@dataclass
class LigneFinanceur:
    financeur_id: int
    nom: str
    sigle: str
    # One amount per year of ``Totaux.annees`` (None where it gave nothing that year).
    montants: list
    total: Decimal = Decimal(0)


@dataclass
class Totaux:
    """Amounts per funder and per year, as a table: a row per funder (by name), a column per
    year, and the totals of each. Refused requests are left out by the callers."""

    annees: list = field(default_factory=list)
    lignes: list = field(default_factory=list)
    par_annee: list = field(default_factory=list)
    total: Decimal = Decimal(0)

    @classmethod
    def depuis(cls, montants):
        """From ``montants``: (funder id, funder name, funder acronym, year, amount) in any
        order, a funder and a year possibly more than once (several agreements)."""
        cellules, noms = {}, {}
        for financeur_id, nom, sigle, annee, montant in montants:
            noms[financeur_id] = (nom, sigle)
            cle = (financeur_id, annee)
            cellules[cle] = cellules.get(cle, Decimal(0)) + montant
        annees = sorted({annee for _financeur, annee in cellules})
        lignes = [
            LigneFinanceur(
                financeur_id=financeur_id,
                nom=nom,
                sigle=sigle,
                montants=[cellules.get((financeur_id, annee)) for annee in annees],
                total=sum((cellules.get((financeur_id, annee), 0) for annee in annees), Decimal(0)),
            )
            # Sorted as people read names, "Ville d'Agen" after "Caisse...".
            for financeur_id, (nom, sigle) in sorted(
                noms.items(), key=lambda item: item[1][0].casefold()
            )
        ]
        par_annee = [
            sum((cellules.get((ligne.financeur_id, annee), 0) for ligne in lignes), Decimal(0))
            for annee in annees
        ]
        return cls(annees=annees, lignes=lignes, par_annee=par_annee, total=sum(par_annee))

    @property
    def colonnes(self):
        """[(year, total of that year)], for the template."""
        return list(zip(self.annees, self.par_annee, strict=True))


def totaux_conventions(conventions, *, annee=None):
    """The totals of ``conventions`` (a queryset), refused requests left out; only ``annee``'s
    amounts if given. One query, whatever the number of agreements."""
    montants = MontantConvention.objects.filter(convention__in=conventions.comptees())
    if annee is not None:
        montants = montants.filter(annee=annee)
    financeur = ("convention__financeur_id", "convention__financeur__nom")
    lignes = (
        montants.values(*financeur, "convention__financeur__sigle", "annee")
        .annotate(somme=Sum("montant"))
        .order_by()
        .values_list(*financeur, "convention__financeur__sigle", "annee", "somme")
    )
    return Totaux.depuis(lignes)


def avec_montants(conventions):
    """``conventions`` with what their lines show: funder, project, amounts by year."""
    return conventions.select_related("financeur", "projet").prefetch_related(
        Prefetch("montants", queryset=MontantConvention.objects.order_by("annee"))
    )


def total_convention(convention):
    """The sum of an agreement's amounts (prefetched by ``avec_montants``)."""
    return sum((montant.montant for montant in convention.montants.all()), Decimal(0))


@dataclass
class Financement:
    """How a project is funded: its agreements (refused ones included, marked) and the
    totals of those that count."""

    conventions: list
    totaux: Totaux

    @property
    def nb_refusees(self):
        return sum(1 for c in self.conventions if c.statut == StatutConvention.REFUSEE)


def conventions_du_projet(projet):
    """The agreements that fund ``projet``, newest first, each with its funder, its amounts
    and their total (``convention.total``), and the totals per funder and per year, refused
    requests left out. Two queries."""
    conventions = list(avec_montants(projet.conventions.all()).order_by("-debut", "pk"))
    for convention in conventions:
        convention.total = total_convention(convention)
    totaux = Totaux.depuis(
        (c.financeur_id, c.financeur.nom, c.financeur.sigle, montant.annee, montant.montant)
        for c in conventions
        if c.est_comptee
        for montant in c.montants.all()
    )
    return Financement(conventions=conventions, totaux=totaux)


def conventions_du_financeur(partenaire, limite=10):
    """The latest ``limite`` agreements ``partenaire`` is the funder of, each with its total,
    and how many it has in all. Three queries."""
    conventions = partenaire.conventions.all()
    dernieres = list(avec_montants(conventions).order_by("-debut", "pk")[:limite])
    for convention in dernieres:
        convention.total = total_convention(convention)
    return dernieres, conventions.count()


def _libelle_statut(record):
    return StatutConvention(record.statut).label.lower()


LIBELLES_CONVENTION = {
    "+": lambda r: (
        _("Convention enregistrée (%(statut)s) : %(objet)s")
        % {"statut": _libelle_statut(r), "objet": r.objet}
    ),
    # The status after the change: "(signée)" says at a glance what became of a request.
    "~": lambda r: (
        _("Convention modifiée (%(statut)s) : %(objet)s")
        % {"statut": _libelle_statut(r), "objet": r.objet}
    ),
    "-": lambda r: _("Convention supprimée : %(objet)s") % {"objet": r.objet},
}


@source_chronologie
def chronologie_conventions(partenaire):
    """The funder's agreements on its timeline: recorded, changed (with the status after the
    change and the fields changed), deleted. One query."""
    records = (
        Convention.history.filter(financeur_id=partenaire.pk)
        .select_related("history_user")
        .order_by("id", "-history_date")[:200]
    )
    par_convention = {}
    for record in records:
        par_convention.setdefault(record.id, []).append(record)
    evenements = []
    for liste in par_convention.values():
        evenements += _evenements_historique(liste, Convention, LIBELLES_CONVENTION)
    return evenements

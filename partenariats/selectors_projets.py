"""Reads of projects and actions shared by their pages, their PDFs and the partner's page."""

from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from partenariats.enums import RoleRaci, StatutProjet
from partenariats.models import Bilan, ParticipationProjet, Projet

# R, A, C, I: the order of the table, which the letters' alphabetical order is not.
ORDRE_RACI = Case(
    *(When(role=role, then=Value(rang)) for rang, role in enumerate(RoleRaci)),
    output_field=IntegerField(),
)


# Projects under way or in preparation first, then the latest started, then by title.
ORDRE_PROJETS = (
    Case(
        When(statut__in=[StatutProjet.TERMINE, StatutProjet.ABANDONNE], then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    ),
    F("debut").desc(nulls_last=True),
    "titre",
    "pk",
)


# What each letter of the RACI table means, in the words staff would use.
DEFINITIONS_RACI = {
    RoleRaci.RESPONSABLE: _("réalise le projet et le fait avancer"),
    RoleRaci.APPROBATEUR: _("valide les choix et rend des comptes"),
    RoleRaci.CONSULTE: _("donne son avis avant les décisions"),
    RoleRaci.INFORME: _("est tenu au courant de l'avancée"),
}


@dataclass
class GroupeRaci:
    role: RoleRaci
    participations: list = field(default_factory=list)

    @property
    def definition(self):
        return DEFINITIONS_RACI[self.role]


def legende_raci():
    """[(letter, label, definition)] of the four roles, for a table's legend."""
    return [(role.value, role.label, DEFINITIONS_RACI[role]) for role in RoleRaci]


def participations_du_projet(projet):
    """The partners of ``projet`` in the order of the RACI table (R, A, C, I), then by name,
    with their partner: one query."""
    return list(
        ParticipationProjet.objects.filter(projet=projet)
        .select_related("partenaire")
        .annotate(ordre_raci=ORDRE_RACI)
        .order_by("ordre_raci", "partenaire__nom_tri", "pk")
    )


def par_role(participations):
    """The four RACI roles in order, each with its participations (possibly none)."""
    groupes = {role: GroupeRaci(role=role) for role in RoleRaci}
    for participation in participations:
        groupes[RoleRaci(participation.role)].participations.append(participation)
    return list(groupes.values())


def bilans_du_projet(projet):
    """The bilans of ``projet``, latest first, with how many figures and pieces each has:
    one query."""
    return list(
        Bilan.objects.filter(projet=projet)
        .annotate(
            nb_chiffres=Count("chiffres", distinct=True),
            nb_pieces=Count("pieces", distinct=True),
        )
        .order_by("-date", "-pk")
    )


def projets_liste(queryset):
    """``queryset`` of projects with what their list shows: the carrier, how many partners,
    the date of the latest bilan. Subqueries, so that a page costs one query however many
    partners and bilans there are."""
    nb_partenaires = (
        ParticipationProjet.objects.filter(projet=OuterRef("pk"))
        .order_by()
        .values("projet")
        .annotate(n=Count("pk"))
        .values("n")
    )
    dernier_bilan = (
        Bilan.objects.filter(projet=OuterRef("pk")).order_by("-date", "-pk").values("date")[:1]
    )
    return (
        queryset.select_related("porteur")
        .annotate(
            nb_partenaires=Coalesce(Subquery(nb_partenaires), 0),
            dernier_bilan=Subquery(dernier_bilan),
        )
        .order_by(*ORDRE_PROJETS)
    )


def projets_du_partenaire(partenaire):
    """The projects and actions of the partner's centre that ``partenaire`` takes part in or
    carries, the current ones first, each with ``participation`` (the partner's place in it,
    or None when it only carries it): two queries."""
    projets = list(
        Projet.objects.for_centre(partenaire.centre_id)
        .filter(
            Q(pk__in=ParticipationProjet.objects.filter(partenaire=partenaire).values("projet"))
            | Q(porteur=partenaire)
        )
        .prefetch_related(
            Prefetch(
                "participations",
                queryset=ParticipationProjet.objects.filter(partenaire=partenaire),
                to_attr="participations_du_partenaire",
            )
        )
        .order_by(*ORDRE_PROJETS)
    )
    for projet in projets:
        projet.participation = next(iter(projet.participations_du_partenaire), None)
    return projets

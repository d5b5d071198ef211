"""Reads of the requests received that other pages share: the figures (the list's header,
and the dashboards of the issue to come), the request a partnership came from, the events on
a partner's timeline."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partenariats.enums import Construction, DecisionSollicitation
from partenariats.models import Partenariat, Sollicitation
from partenariats.selectors import Evenement, source_chronologie


@dataclass(frozen=True)
class ChiffresSollicitations:
    annee: int
    recues: int  # requests received during the year
    declinees: int  # of those, declined
    acceptees: int  # of those, accepted
    sans_concertation: int  # of those, written without the centre taking part
    partenariats: int  # partnerships in force during the year (see chiffres_sollicitations)
    partenariats_declares: int  # of those, declared without the centre being consulted

    @property
    def part_declares(self):
        """The share of partnerships declared without consultation, a whole percentage, or
        None when the centre had no partnership that year."""
        if not self.partenariats:
            return None
        return round(100 * self.partenariats_declares / self.partenariats)


def chiffres_sollicitations(centre, annee):
    """The figures of ``centre`` for the year ``annee`` (source 05: how often is the centre
    declared partner on paper?). Requests count by the day they were received. Partnerships
    count if in force at some point of the year: started before its end (or no start date)
    and not ended before its beginning (or no end date), whatever their status. Two queries."""
    debut, fin = date(annee, 1, 1), date(annee, 12, 31)
    demandes = (
        Sollicitation.objects.for_centre(centre)
        .filter(recue_le__range=(debut, fin))
        .aggregate(
            recues=Count("pk"),
            declinees=Count("pk", filter=Q(decision=DecisionSollicitation.DECLINER)),
            acceptees=Count("pk", filter=Q(decision=DecisionSollicitation.ACCEPTER)),
            sans_concertation=Count("pk", filter=Q(associe_conception=False)),
        )
    )
    partenariats = (
        Partenariat.objects.for_centre(centre)
        .filter(Q(debut__isnull=True) | Q(debut__lte=fin))
        .filter(Q(fin__isnull=True) | Q(fin__gte=debut))
        .aggregate(
            partenariats=Count("pk"),
            partenariats_declares=Count("pk", filter=Q(construction=Construction.DECLARE)),
        )
    )
    return ChiffresSollicitations(annee=annee, **demandes, **partenariats)


def sollicitation_origine(partenariat):
    """The request ``partenariat`` was made from when the centre accepted it, or None. For the
    partnership's page: ``{% include "partenariats/_sollicitation_origine.html" with
    sollicitation=… %}``. One query."""
    return (
        Sollicitation.objects.filter(partenariat=partenariat)
        .select_related("demandeur", "decidee_par")
        .order_by("pk")
        .first()
    )


LIBELLES_DECISION = {
    DecisionSollicitation.ACCEPTER: gettext_lazy("Demande reçue acceptée : %(objet)s"),
    DecisionSollicitation.NEGOCIER: gettext_lazy("Demande reçue en négociation : %(objet)s"),
    DecisionSollicitation.DECLINER: gettext_lazy("Demande reçue déclinée : %(objet)s"),
}


@source_chronologie
def chronologie_sollicitations(partenaire):
    """The requests ``partenaire`` made of the centre on its timeline: when each was recorded
    and each decision, from the requests' history, in one query."""
    records = (
        Sollicitation.history.filter(demandeur_id=partenaire.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")[:400]
    )
    evenements = []
    precedent = None
    for record in records:
        auteur = str(record.history_user) if record.history_user else _("Maillage")
        nouvelle = precedent is None or precedent.id != record.id
        if nouvelle and record.history_type == "+":
            evenements.append(
                Evenement(
                    record.history_date,
                    _("Demande reçue enregistrée : %(objet)s") % {"objet": record.objet},
                    auteur,
                )
            )
        changee = nouvelle or precedent.decision != record.decision
        if changee and record.decision in LIBELLES_DECISION and record.history_type != "-":
            evenements.append(
                Evenement(
                    record.history_date,
                    LIBELLES_DECISION[record.decision] % {"objet": record.objet},
                    auteur,
                    record.raison,
                )
            )
        precedent = record
    return evenements

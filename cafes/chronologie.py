"""Cafés in a partner's timeline (see partenariats.selectors.SOURCES_CHRONOLOGIE)."""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from cafes.models import Cafe, Invitation
from partenariats.selectors import Evenement, source_chronologie


@source_chronologie
def cafes_du_partenaire(partenaire):
    """The cafés the partner hosted or came to, newest first (one query)."""
    present = Invitation.objects.filter(
        cafe=OuterRef("pk"), present=True, contact__partenaire=partenaire
    )
    cafes = (
        Cafe.objects.for_centre(partenaire.centre)
        .filter(Q(hote=partenaire) | Exists(present))
        .select_related("serie")
        .order_by("-date")[:50]
    )
    evenements = []
    for cafe in cafes:
        modele = (
            _("A accueilli le %(cafe)s")
            if cafe.hote_id == partenaire.pk
            else _("Présent au %(cafe)s")
        )
        evenements.append(Evenement(cafe.debut, modele % {"cafe": cafe}))
    return evenements

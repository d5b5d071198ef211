"""The daily digest of what needs a centre's attention (``partenariats.alertes``), emailed to
its admins through the outbox, each item once per period."""

from django.db import transaction
from django.utils import timezone

from courrier.services import courriels_groupes
from partenariats import emails
from partenariats.alertes import alertes
from partenariats.models import AlerteEnvoyee
from reseau.models import Centre, Membre


@transaction.atomic
def alertes_envoyer(*, centre, aujourd_hui=None):
    """Emails each admin of ``centre`` (an active account with an address) one digest of the
    items of ``alertes(centre, aujourd_hui)`` not told before, and records them
    (``AlerteEnvoyee``) in the same transaction as the emails. Returns the number of emails
    prepared: 0 when nothing is new, or when the centre has no admin to tell (the items wait
    for one).

    An item is told once per key, and its key holds its date (see ``partenariats.alertes``):
    running again the same day, the next day or twice at once sends nothing more (the centre's
    row is locked while the digest is made). Call it inside the centre's scope."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    # A second run waits here, then finds what this one recorded.
    Centre.objects.select_for_update().filter(pk=centre.pk).first()
    items = alertes(centre, aujourd_hui)
    if not items:
        return 0
    deja = set(
        AlerteEnvoyee.objects.for_centre(centre)
        .filter(cle__in=[item.cle for item in items])
        .values_list("cle", flat=True)
    )
    nouvelles = [item for item in items if item.cle not in deja]
    if not nouvelles:
        return 0
    admins = [
        membre.user
        for membre in Membre.objects.for_centre(centre)
        .admins()
        .filter(user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("pk")
    ]
    if not admins:
        return 0
    with courriels_groupes():
        for admin in admins:
            emails.alertes_recapitulatif(
                centre=centre,
                destinataire=admin,
                alertes=nouvelles,
                deja_signalees=len(items) - len(nouvelles),
            )
    AlerteEnvoyee.objects.bulk_create(
        AlerteEnvoyee(centre=centre, cle=item.cle, envoyee_le=timezone.now()) for item in nouvelles
    )
    return len(admins)

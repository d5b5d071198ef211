"""The personal links of café emails: answering one invitation, unsubscribing one contact.

Partners have no account: the RSVP link carries a ``reseau.jetons`` token with the usage
``USAGE_RSVP``, bound to one invitation and expiring at the café's end; the unsubscribe link a
token with ``USAGE_DESINSCRIPTION`` bound to the contact. Opening a link never changes
anything (mail scanners open links): only a POST does (``cafes.views_publiques``).
"""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from cafes.enums import Reponse
from cafes.models import Invitation
from commun.liens import lien_absolu
from partenariats.models import Contact
from reseau.jetons import jeton_creer, jeton_lire

USAGE_RSVP = "cafes.rsvp"
USAGE_DESINSCRIPTION = "cafes.desinscription"
DUREE_DESINSCRIPTION = timedelta(days=365)


def invitation_jeton(invitation):
    """The RSVP token of ``invitation``, valid until the café's end; always the same."""
    return jeton_creer(usage=USAGE_RSVP, pk=invitation.pk, expire_le=invitation.cafe.fin)


def lien_rsvp(invitation, reponse=""):
    """Absolute RSVP link; ``reponse`` (a ``Reponse`` value) pre-selects an answer."""
    lien = lien_absolu(reverse("cafes:rsvp", args=[invitation_jeton(invitation)]))
    return f"{lien}?reponse={reponse}" if reponse else lien


def liens_reponses(invitation):
    """``{"oui": …, "non": …, "peut_etre": …}``: the invitation's three answer buttons (one
    token signed for all three)."""
    lien = lien_rsvp(invitation)
    return {
        "oui": f"{lien}?reponse={Reponse.OUI}",
        "non": f"{lien}?reponse={Reponse.NON}",
        "peut_etre": f"{lien}?reponse={Reponse.PEUT_ETRE}",
    }


def invitation_lire_jeton(jeton):
    """``(invitation, valide)``: ``(invitation, True)`` genuine and alive, ``(invitation,
    False)`` genuine but expired, ``(None, False)`` forged, altered, for another usage, or its
    invitation is gone. The caller shows the same page for both dead cases."""
    return jeton_lire(
        jeton,
        usage=USAGE_RSVP,
        modele=Invitation,
        relations=["cafe__centre", "cafe__hote", "cafe__theme", "contact__partenaire"],
    )


def jeton_desinscription(contact):
    # A year from now, rounded to the day: the link in emails of the same day stays the same.
    expire_le = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    return jeton_creer(
        usage=USAGE_DESINSCRIPTION, pk=contact.pk, expire_le=expire_le + DUREE_DESINSCRIPTION
    )


def lien_desinscription(contact):
    """Absolute unsubscribe link of ``contact`` (for the body and ``List-Unsubscribe``)."""
    return lien_absolu(reverse("cafes:desinscription", args=[jeton_desinscription(contact)]))


def contact_lire_jeton_desinscription(jeton):
    """The contact an unsubscribe token names, or None for any dead or forged token."""
    contact, valide = jeton_lire(
        jeton, usage=USAGE_DESINSCRIPTION, modele=Contact, relations=["partenaire__centre"]
    )
    return contact if valide else None

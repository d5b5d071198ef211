"""Answers to café invitations through personal links, and unsubscribing from café emails.

Partners have no account: the RSVP link carries a ``reseau.jetons`` token with the usage
``USAGE_RSVP``, bound to one invitation and expiring at the café's end; the unsubscribe link a
token with ``USAGE_DESINSCRIPTION`` bound to the contact. Opening a link never changes
anything (mail scanners open links): only a POST does.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cafes.enums import Reponse, StatutCafe
from cafes.models import Cafe, Invitation
from commun.liens import lien_absolu
from courrier.services import courriel_preparer
from partenariats.models import Contact
from reseau.enums import Role
from reseau.jetons import JetonExpire, JetonInvalide, jeton_creer, jeton_verifier
from reseau.models import Membership

USAGE_RSVP = "cafes.rsvp"
USAGE_DESINSCRIPTION = "cafes.desinscription"
DUREE_DESINSCRIPTION = timedelta(days=365)
DELAI_NOUVEAU_LIEN = timedelta(hours=24)
# Cafés happen in France: their date and times are Paris wall-clock times.
FUSEAU = ZoneInfo("Europe/Paris")


def cafe_debut(cafe):
    return datetime.combine(cafe.date, cafe.heure_debut, tzinfo=FUSEAU)


def cafe_fin(cafe):
    return datetime.combine(cafe.date, cafe.heure_fin, tzinfo=FUSEAU)


def reponses_ouvertes(cafe):
    """Answers can change until the café starts, unless it is cancelled."""
    return cafe.statut != StatutCafe.ANNULE and timezone.now() < cafe_debut(cafe)


# --- Tokens and links -----------------------------------------------------------------------


def invitation_jeton(invitation):
    """The RSVP token of ``invitation``, valid until the café's end; always the same."""
    return jeton_creer(usage=USAGE_RSVP, pk=invitation.pk, expire_le=cafe_fin(invitation.cafe))


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
    try:
        pk = jeton_verifier(jeton, usage=USAGE_RSVP)
        valide = True
    except JetonExpire as exc:
        pk, valide = exc.pk, False
    except JetonInvalide:
        return None, False
    invitation = (
        Invitation.objects.select_related(
            "cafe__centre", "cafe__hote", "cafe__theme", "contact__partenaire"
        )
        .filter(pk=pk)
        .first()
    )
    if invitation is None:
        return None, False
    return invitation, valide


def jeton_desinscription(contact):
    # A year from now, rounded to the day: the link in emails of the same day stays the same.
    expire_le = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    return jeton_creer(
        usage=USAGE_DESINSCRIPTION, pk=contact.pk, expire_le=expire_le + DUREE_DESINSCRIPTION
    )


def lien_desinscription(contact):
    """Absolute unsubscribe link of ``contact`` (for the body and ``List-Unsubscribe``)."""
    return lien_absolu(reverse("cafes:desinscription", args=[jeton_desinscription(contact)]))


def en_tetes_desinscription(lien):
    """RFC 2369 and RFC 8058 (one-click) headers for a café email whose unsubscribe link (from
    ``lien_desinscription``, also shown in the body) is ``lien``."""
    return {
        "List-Unsubscribe": f"<{lien}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def contact_lire_jeton_desinscription(jeton):
    """The contact an unsubscribe token names, or None for any dead or forged token."""
    try:
        pk = jeton_verifier(jeton, usage=USAGE_DESINSCRIPTION)
    except JetonInvalide:
        return None
    return Contact.objects.select_related("partenaire__centre").filter(pk=pk).first()


# --- Answers --------------------------------------------------------------------------------


def places_reservees(cafe, *, sauf=None):
    """People announced by the "yes" answers of ``cafe`` (``sauf``: an invitation left out)."""
    oui = cafe.invitations.filter(reponse=Reponse.OUI)
    if sauf is not None:
        oui = oui.exclude(pk=sauf.pk)
    return oui.aggregate(total=Sum("nb_personnes"))["total"] or 0


def places_restantes(cafe, *, sauf=None):
    """Places left for ``sauf``'s answer (or anyone's), or None when the café has no capacity."""
    if cafe.capacite is None:
        return None
    return max(cafe.capacite - places_reservees(cafe, sauf=sauf), 0)


@transaction.atomic
def invitation_repondre(*, invitation, reponse, nb_personnes=1, commentaire=""):
    """Records the answer. The invitation row is locked, so two POSTs at once (double click,
    two tabs) are applied one after the other: one row, the last answer. Sending the same
    answer again changes nothing. Raises ``ValidationError`` once answers are closed, and for
    a "yes" that the places left of a café with a capacity cannot hold (the café row is
    locked first then, so two people cannot take the last place together)."""
    if reponse == Reponse.OUI:
        # Locked before the invitation, in the order the sending batches take them.
        list(
            Cafe.objects.select_for_update(no_key=True)
            .filter(pk=invitation.cafe_id, capacite__isnull=False)
            .values_list("pk", flat=True)
        )
    # of=("self",): lock the invitation row only; PostgreSQL refuses FOR UPDATE on the
    # nullable side of the outer joins that select_related makes.
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("cafe")
        .get(pk=invitation.pk)
    )
    if not reponses_ouvertes(invitation.cafe):
        raise ValidationError(_("Les réponses à ce café sont closes."))
    if reponse not in Reponse.values:
        raise ValidationError(_("Réponse inconnue."))
    nb_personnes = nb_personnes if reponse != Reponse.NON else 1
    valeurs = (reponse, nb_personnes, commentaire.strip())
    if (invitation.reponse, invitation.nb_personnes, invitation.commentaire) == valeurs:
        return invitation
    if reponse == Reponse.OUI:
        restantes = places_restantes(invitation.cafe, sauf=invitation)
        if restantes is not None and nb_personnes > restantes:
            if restantes == 0:
                message = _("Le café est complet : il ne reste plus de place.")
            else:
                message = ngettext(
                    "Il ne reste qu'%(nb)d place : indiquez au plus %(nb)d personne.",
                    "Il ne reste que %(nb)d places : indiquez au plus %(nb)d personnes.",
                    restantes,
                ) % {"nb": restantes}
            raise ValidationError(message, code="complet")
    invitation.reponse, invitation.nb_personnes, invitation.commentaire = valeurs
    invitation.repondu_le = timezone.now()
    invitation.save(update_fields=["reponse", "nb_personnes", "commentaire", "repondu_le"])
    return invitation


@transaction.atomic
def collegue_inviter(*, invitation, prenom, nom, email):
    """Sends a colleague in the place of ``invitation``'s contact: finds or creates the contact
    at the same partner, invites them to the same café (``invitee_par``), queues their email,
    and records "no" for the original invitation. Submitting the same colleague again does
    nothing more. Raises ``ValidationError`` when answers are closed, the address opted out,
    is the person's own, or already has an invitation of its own."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("cafe__centre", "cafe__hote", "cafe__theme", "contact__partenaire")
        .get(pk=invitation.pk)
    )
    cafe = invitation.cafe
    if not reponses_ouvertes(cafe):
        raise ValidationError(_("Les réponses à ce café sont closes."))
    email = email.strip()
    if Contact.objects.filter(email__iexact=email, desinscrit_le__isnull=False).exists():
        raise ValidationError(
            _(
                "Cette personne a demandé à ne plus recevoir nos courriels : nous ne pouvons pas "
                "l'inviter. Vous pouvez lui transmettre l'information vous-même."
            )
        )
    if invitation.contact.email.lower() == email.lower():
        raise ValidationError(_("C'est votre propre adresse : indiquez celle de votre collègue."))
    partenaire = invitation.contact.partenaire
    contact = partenaire.contacts.filter(email__iexact=email).order_by("pk").first()
    if contact is None:
        contact = Contact.objects.create(
            partenaire=partenaire,
            prenom=prenom.strip(),
            nom=nom.strip(),
            email=email,
            recoit_invitations_cafe=True,
        )
    nouvelle, creee = Invitation.objects.get_or_create(
        cafe=cafe, contact=contact, defaults={"invitee_par": invitation}
    )
    if not creee:
        if nouvelle.invitee_par_id == invitation.pk:
            return nouvelle
        raise ValidationError(
            _("%(nom)s est déjà invité·e à ce café.") % {"nom": str(contact) or contact.email}
        )
    desinscription = lien_desinscription(contact)
    nouvelle.courriel = courriel_preparer(
        destinataire=contact.email,
        gabarit="cafes/emails/invitation_collegue",
        contexte={
            "cafe": cafe,
            "invitation": nouvelle,
            "contact": contact,
            "par": invitation.contact,
            "partenaire": partenaire,
            "lien": lien_rsvp(nouvelle),
            "lien_desinscription": desinscription,
        },
        centre=cafe.centre,
        objet=nouvelle,
        en_tetes=en_tetes_desinscription(desinscription),
    )
    nouvelle.envoyee_le = timezone.now()
    nouvelle.save(update_fields=["courriel", "envoyee_le"])
    invitation.reponse, invitation.nb_personnes = Reponse.NON, 1
    invitation.repondu_le = timezone.now()
    invitation.save(update_fields=["reponse", "nb_personnes", "repondu_le"])
    return nouvelle


def desinscrire(*, contact):
    """Stops café emails to ``contact`` (``desinscrit_le``); the first date is kept."""
    maintenant = timezone.now()
    if Contact.objects.filter(pk=contact.pk, desinscrit_le__isnull=True).update(
        desinscrit_le=maintenant
    ):
        contact.desinscrit_le = maintenant
    return contact


def nouveau_lien_demander(*, invitation):
    """Tells the centre's admins that the holder of a dead RSVP link wants a new one. At most
    one email per invitation every ``DELAI_NOUVEAU_LIEN``; nothing for an unknown invitation
    or a café already over or cancelled. Returns the emails prepared (often none)."""
    if invitation is None:
        return []
    cafe = invitation.cafe
    if cafe.statut == StatutCafe.ANNULE or cafe_fin(cafe) <= timezone.now():
        return []
    # add() is atomic in Redis: two clicks at once make one email.
    if not cache.add(f"cafes:nouveau-lien:{invitation.pk}", 1, DELAI_NOUVEAU_LIEN.total_seconds()):
        return []
    adresses = sorted(
        {
            m.user.email.lower()
            for m in Membership.objects.for_centre(cafe.centre_id).select_related("user")
            if m.role == Role.ADMIN and m.user.email
        }
    )
    with transaction.atomic():
        return [
            courriel_preparer(
                destinataire=adresse,
                gabarit="cafes/emails/rsvp_nouveau_lien",
                contexte={"cafe": cafe, "invitation": invitation, "contact": invitation.contact},
                centre=cafe.centre,
                objet=invitation,
            )
            for adresse in adresses
        ]

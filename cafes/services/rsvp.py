"""What partners do through the links of café emails, without an account: answer an
invitation, send a colleague instead, unsubscribe, ask for a new link. The links and their
tokens are ``cafes.jetons``'; the pages ``cafes.views_publiques``'.
"""

import logging
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cafes import emails
from cafes.enums import Reponse, StatutCafe
from cafes.models import Cafe, Invitation
from cafes.selectors import places_restantes
from partenariats.models import Contact
from partenariats.services.annuaire import suite_proposition
from reseau.enums import Role
from reseau.models import Membre

DELAI_NOUVEAU_LIEN = timedelta(hours=24)
# Colleagues one invitation may send in its place: a team, not a mailing list.
MAX_COLLEGUES = 3
# Colleague forms accepted per hour, per link and per address (IP): enough for typos, too few
# to make the form a way to email strangers.
ESSAIS_COLLEGUE_PAR_LIEN = 10
ESSAIS_COLLEGUE_PAR_IP = 30
_HEURE = 3600

logger = logging.getLogger(__name__)


def _compter(cle, limite):
    """Counts one try under ``cle`` for the hour; True while within ``limite``. A cache that
    fails lets the try through (logged): the site keeps working without it."""
    try:
        if cache.add(cle, 1, _HEURE):
            return True
        return cache.incr(cle) <= limite
    except Exception:  # noqa: BLE001 - any cache failure (Redis down, key evicted) allows
        logger.warning("Colleague rate limit skipped: cache unavailable", exc_info=True)
        return True


def collegue_essai_autorise(*, invitation, ip):
    """Counts a colleague form sent from ``invitation``'s link by ``ip`` and says whether it
    may be handled (``ESSAIS_COLLEGUE_PAR_LIEN``, ``ESSAIS_COLLEGUE_PAR_IP`` per hour)."""
    par_lien = _compter(f"cafes:collegue:lien:{invitation.pk}", ESSAIS_COLLEGUE_PAR_LIEN)
    par_ip = _compter(f"cafes:collegue:ip:{ip}", ESSAIS_COLLEGUE_PAR_IP) if ip else True
    return par_lien and par_ip


@transaction.atomic
def invitation_repondre(*, invitation, reponse, nb_personnes=1, commentaire=""):
    """Records the answer. The invitation row is locked, so two POSTs at once (double click,
    two tabs) are applied one after the other: one row, the last answer. Sending the same
    answer again changes nothing. When the answer changes, the previous comment sent back
    unchanged (the form is pre-filled with it) is dropped: only a comment written or edited
    for the new answer stays. Raises ``ValidationError`` once answers are closed, and for
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
    if not invitation.cafe.reponses_ouvertes:
        raise ValidationError(_("Les réponses à ce café sont closes."))
    if reponse not in Reponse.values:
        raise ValidationError(_("Réponse inconnue."))
    nb_personnes = nb_personnes if reponse != Reponse.NON else 1
    commentaire = commentaire.strip()
    if (
        invitation.reponse
        and reponse != invitation.reponse
        and commentaire == invitation.commentaire
    ):
        # The form comes pre-filled with the comment of the previous answer: carried along
        # untouched to another answer ("I'll bring two colleagues" under a "no"), it would
        # mislead staff. A comment belongs to its answer; a new or edited one is kept.
        commentaire = ""
    valeurs = (reponse, nb_personnes, commentaire)
    if (invitation.reponse, invitation.nb_personnes, invitation.commentaire) == valeurs:
        return invitation
    if reponse == Reponse.OUI:
        restantes = places_restantes(invitation.cafe, sauf=invitation)
        if restantes is not None and nb_personnes > restantes:
            if restantes == 0:
                message = _("Le café est complet : il ne reste plus de place.")
            else:
                message = ngettext(
                    "Il ne reste qu'%(nb)d place : indiquez au plus %(nb)d personne.",
                    "Il ne reste que %(nb)d places : indiquez au plus %(nb)d personnes.",
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
    at the same partner (a new one marked as proposed by the partner, ``Contact.propose_le``,
    for staff to review), invites them to the same café (``invitee_par``), queues their email,
    and records "no" for the original invitation. Submitting the same colleague again does
    nothing more. Raises ``ValidationError`` when answers are closed, the address opted out,
    is the person's own, already has an invitation of its own, or when ``MAX_COLLEGUES`` are
    already invited in this invitation's place."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("cafe__centre", "cafe__hote", "cafe__theme", "contact__partenaire")
        .get(pk=invitation.pk)
    )
    cafe = invitation.cafe
    if not cafe.reponses_ouvertes:
        raise ValidationError(_("Les réponses à ce café sont closes."))
    email = email.strip()
    if Contact.objects.filter(email__iexact=email, desinscrit_le__isnull=False).exists():
        raise ValidationError(
            _(
                "Cette personne a demandé à ne plus recevoir nos courriels : nous ne pouvons pas "
                "l'inviter. Vous pouvez lui transmettre l'information vous-même."
            )
        )
    if invitation.contact.email.lower() == email.lower():
        raise ValidationError(_("C'est votre propre adresse : indiquez celle de votre collègue."))
    partenaire = invitation.contact.partenaire
    contact = partenaire.contacts.filter(email__iexact=email).order_by("pk").first()
    deja = invitation.remplacants.all()
    if len(deja) >= MAX_COLLEGUES and not any(
        r.contact_id == getattr(contact, "pk", None) for r in deja
    ):
        raise ValidationError(
            ngettext(
                "Vous avez déjà invité %(nb)d collègue à votre place : pour en inviter d'autres, "
                "écrivez au centre.",
                "Vous avez déjà invité %(nb)d collègues à votre place : pour en inviter d'autres, "
                "écrivez au centre.",
                MAX_COLLEGUES,
            )
            % {"nb": MAX_COLLEGUES}
        )
    if contact is None:
        # A partner, not staff, adds this person to the directory: staff review it.
        contact = Contact.objects.create(
            partenaire=partenaire,
            prenom=prenom.strip(),
            nom=nom.strip(),
            email=email,
            recoit_invitations_cafe=True,
            propose_le=timezone.now(),
            propose_par=invitation.contact,
        )
    nouvelle, creee = Invitation.objects.get_or_create(
        cafe=cafe, contact=contact, defaults={"invitee_par": invitation}
    )
    if not creee:
        if nouvelle.invitee_par_id == invitation.pk:
            return nouvelle
        raise ValidationError(
            _("Invitation déjà faite à ce café : %(nom)s.") % {"nom": str(contact) or contact.email}
        )
    nouvelle.cafe = cafe
    nouvelle.courriel = emails.invitation_collegue(invitation=nouvelle, par=invitation.contact)
    nouvelle.envoyee_le = timezone.now()
    nouvelle.save(update_fields=["courriel", "envoyee_le"])
    invitation.reponse, invitation.nb_personnes = Reponse.NON, 1
    invitation.repondu_le = timezone.now()
    invitation.save(update_fields=["reponse", "nb_personnes", "repondu_le"])
    return nouvelle


@suite_proposition
def collegue_retirer(contact):
    """Staff delete a colleague a partner proposed (``contact_supprimer``): the invitations
    the person received in someone's place go first, when they hold nothing but the email
    sent (no answer, no attendance). One that holds more stays, and keeps the contact."""
    Invitation.objects.filter(
        contact=contact, invitee_par__isnull=False, reponse="", present=False
    ).delete()


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
    if cafe.statut == StatutCafe.ANNULE or cafe.fin <= timezone.now():
        return []
    # add() is atomic in Redis: two clicks at once make one email.
    if not cache.add(f"cafes:nouveau-lien:{invitation.pk}", 1, DELAI_NOUVEAU_LIEN.total_seconds()):
        return []
    adresses = sorted(
        {
            m.user.email.lower()
            for m in Membre.objects.for_centre(cafe.centre_id).select_related("user")
            if m.role == Role.ADMIN and m.user.email
        }
    )
    with transaction.atomic():
        return emails.nouveau_lien(invitation=invitation, adresses=adresses)

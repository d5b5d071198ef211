"""Writes of the reseau app. Views call these; each one is a whole, atomic change."""

import logging
from datetime import timedelta

from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from commun.liens import lien_absolu
from reseau import emails
from reseau.enums import AuditAction, Role
from reseau.models import Centre, DemandeReinitialisation, EntreeJournal, Membre, User

logger = logging.getLogger(__name__)

# A reset request still pending this long after it was made has lost its task (broker down
# when it was made, worker killed): the sweeper, every minute, queues it again, so that it
# leaves within two minutes of the broker's return. Queuing it twice is harmless.
DELAI_REPRISE_REINITIALISATION = timedelta(minutes=1)
# ...but not forever: past this, the link would come as a surprise, and the row would keep an
# address that nobody will handle.
FENETRE_REPRISE_REINITIALISATION = timedelta(days=1)


def audit_enregistrer(*, par, centre, action, objet=None):
    """Appends one line to the audit log. Holds ids only, never the object's content."""
    return EntreeJournal.objects.create(
        par=par if par is not None and par.is_authenticated else None,
        centre=centre,
        action=action,
        content_type=ContentType.objects.get_for_model(objet) if objet is not None else None,
        object_id=str(objet.pk) if objet is not None else "",
    )


def reinitialisation_enregistrer(*, email):
    """Records a password reset request for ``email`` and queues its task after commit.

    The same single insert whether the address has an account or not: the answer's timing
    says nothing about it. The row survives a broker that refuses the task: the sweeper
    (``reinitialisations_reprendre``) queues it again.
    """
    # Imported here: the tasks module imports this one.
    from reseau.tasks import envoyer_reinitialisation

    demande = DemandeReinitialisation.objects.create(email=email)
    # robust: a broker down at commit must not turn the request into an error page; the row
    # waits for the sweeper.
    transaction.on_commit(lambda: envoyer_reinitialisation.delay(demande.pk), robust=True)
    return demande


@transaction.atomic
def reinitialisation_traiter(*, demande_id):
    """Handles the pending request ``demande_id``: deletes it and prepares the emails of
    ``reinitialisation_demander`` in the same transaction. Returns False if another run
    (the task and the sweeper, a redelivered task) has it or had it: one email per request."""
    demande = (
        DemandeReinitialisation.objects.select_for_update(skip_locked=True)
        .filter(pk=demande_id)
        .first()
    )
    if demande is None:
        return False
    demande.delete()
    reinitialisation_demander(email=demande.email)
    return True


def reinitialisations_reprendre():
    """Queues again the reset requests pending for over ``DELAI_REPRISE_REINITIALISATION``
    and drops those older than ``FENETRE_REPRISE_REINITIALISATION``. Returns the ids queued."""
    from reseau.tasks import envoyer_reinitialisation

    maintenant = timezone.now()
    DemandeReinitialisation.objects.filter(
        cree_le__lt=maintenant - FENETRE_REPRISE_REINITIALISATION
    ).delete()
    ids = list(
        DemandeReinitialisation.objects.filter(
            cree_le__lt=maintenant - DELAI_REPRISE_REINITIALISATION
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        envoyer_reinitialisation.delay(pk)
    if ids:
        logger.warning("Queued again %d password reset request(s): %s", len(ids), ids)
    return ids


def reinitialisation_demander(*, email):
    """Emails each active account of ``email`` a link to choose a new password; nothing for an
    unknown address.

    Accounts without a usable password are included, unlike Django's own form: they are people
    invited to a centre who have not chosen one yet, and whose invitation link has expired.
    Called from a task (``reinitialisation_traiter``), so that the request does the same work
    whether the address is known.
    """
    for user in User.objects.filter(email__iexact=email, is_active=True):
        emails.reinitialisation_envoyer(user=user, lien=lien_definir_mot_de_passe(user))


def lien_definir_mot_de_passe(user):
    """An absolute, one-time link to set a password (Django's reset token: it dies once used)."""
    return lien_absolu(
        reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
    )


@transaction.atomic
def membre_inviter(*, centre, email, role, first_name="", last_name="", par):
    """Gives the person at ``email`` the ``role`` in ``centre`` and emails them.

    A person without an account gets one without a password and a link to choose it; a person
    who already has one is told they can now switch to this centre. Raises ValidationError if
    they are already a member.
    """
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    nouveau = user is None
    if nouveau:
        user = User(email=email, first_name=first_name, last_name=last_name)
        user.set_unusable_password()
        user.save()
    elif Membre.objects.filter(user=user, centre=centre).exists():
        raise ValidationError(
            _("%(email)s est déjà membre de ce centre : %(centre)s.")
            % {"email": email, "centre": centre}
        )
    membre = Membre.objects.create(user=user, centre=centre, role=role)
    emails.invitation_envoyer(
        membre=membre,
        invite_par=par,
        nouveau=nouveau,
        lien=lien_definir_mot_de_passe(user) if nouveau else lien_absolu(reverse("login")),
    )
    audit_enregistrer(par=par, centre=centre, action=AuditAction.MEMBRE_INVITE, objet=membre)
    return membre


def _refuser_si_dernier_admin(membre):
    # Locking the centre serialises concurrent role changes: two admins demoting each other
    # at the same moment must not leave the centre with none.
    Centre.objects.select_for_update().get(pk=membre.centre_id)
    if membre.role == Role.ADMIN and not (
        Membre.objects.for_centre(membre.centre).admins().exclude(pk=membre.pk).exists()
    ):
        raise ValidationError(
            _("Le centre doit garder au moins un administrateur : nommez-en un autre d'abord.")
        )


@transaction.atomic
def membre_changer_role(*, membre, role, par):
    """Changes a member's role; the centre always keeps at least one admin."""
    membre = Membre.objects.select_for_update().get(pk=membre.pk)
    if role == membre.role:
        return membre
    if role != Role.ADMIN:
        _refuser_si_dernier_admin(membre)
    membre.role = role
    membre.save(update_fields=["role"])
    audit_enregistrer(
        par=par, centre=membre.centre, action=AuditAction.MEMBRE_ROLE_CHANGE, objet=membre
    )
    return membre


@transaction.atomic
def membre_retirer(*, membre, par):
    """Removes a member from a centre (their account and other centres stay)."""
    membre = Membre.objects.select_for_update().get(pk=membre.pk)
    _refuser_si_dernier_admin(membre)
    audit_enregistrer(par=par, centre=membre.centre, action=AuditAction.MEMBRE_RETIRE, objet=membre)
    membre.delete()

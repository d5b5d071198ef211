"""Writes of the reseau app. Views call these; each one is a whole, atomic change."""

from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from commun.liens import lien_absolu
from reseau import emails
from reseau.enums import AuditAction, Role
from reseau.models import AuditEntry, Centre, Membership, User


def audit_enregistrer(*, user, centre, action, target=None):
    """Appends one line to the audit log. Holds ids only, never the object's content."""
    return AuditEntry.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        centre=centre,
        action=action,
        object_type=ContentType.objects.get_for_model(target) if target is not None else None,
        object_id=str(target.pk) if target is not None else "",
    )


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
def membre_inviter(*, centre, email, role, first_name="", last_name="", invited_by):
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
    elif Membership.objects.filter(user=user, centre=centre).exists():
        raise ValidationError(
            _("%(email)s est déjà membre de %(centre)s.") % {"email": email, "centre": centre}
        )
    membership = Membership.objects.create(user=user, centre=centre, role=role)
    emails.invitation_envoyer(
        membership=membership,
        invite_par=invited_by,
        nouveau=nouveau,
        lien=lien_definir_mot_de_passe(user) if nouveau else lien_absolu(reverse("login")),
    )
    audit_enregistrer(
        user=invited_by, centre=centre, action=AuditAction.MEMBRE_INVITE, target=membership
    )
    return membership


def _refuser_si_dernier_admin(membership):
    # Locking the centre serialises concurrent role changes: two admins demoting each other
    # at the same moment must not leave the centre with none.
    Centre.objects.select_for_update().get(pk=membership.centre_id)
    if membership.role == Role.ADMIN and not (
        Membership.objects.for_centre(membership.centre).admins().exclude(pk=membership.pk).exists()
    ):
        raise ValidationError(
            _("Le centre doit garder au moins un administrateur : nommez-en un autre d'abord.")
        )


@transaction.atomic
def membre_changer_role(*, membership, role, by):
    """Changes a member's role; the centre always keeps at least one admin."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if role == membership.role:
        return membership
    if role != Role.ADMIN:
        _refuser_si_dernier_admin(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    audit_enregistrer(
        user=by, centre=membership.centre, action=AuditAction.MEMBRE_ROLE_CHANGE, target=membership
    )
    return membership


@transaction.atomic
def membre_retirer(*, membership, by):
    """Removes a member from a centre (their account and other centres stay)."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    _refuser_si_dernier_admin(membership)
    audit_enregistrer(
        user=by, centre=membership.centre, action=AuditAction.MEMBRE_RETIRE, target=membership
    )
    membership.delete()

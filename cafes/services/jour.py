"""The day of the café: checking people in (``pointage``), and people who came without an
invitation. Checking someone in on the café's day marks it held ("tenu"), in the same
transaction."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cafes.enums import StatutCafe
from cafes.models import Cafe, Invitation
from partenariats.enums import CategoriePartenaire
from partenariats.models import Contact, Partenaire


def _noter_tenu(cafe):
    """From its day on, a café planned or invited to where someone is checked in has been held
    ("tenu"), which takes it out of the sendings and shows it as such. A cancelled café stays
    cancelled; checking in on an earlier day (a test run of the screen) changes nothing."""
    Cafe.objects.filter(
        pk=cafe.pk,
        statut__in=[StatutCafe.PREVU, StatutCafe.INVITATIONS_ENVOYEES],
        date__lte=timezone.localdate(),
    ).update(statut=StatutCafe.TENU)


@transaction.atomic
def presence_noter(*, invitation, present):
    """Marks ``invitation`` present or not. Setting rather than toggling makes a double tap
    harmless. Marking someone present on the café's day marks the café held (see
    ``_noter_tenu``); taking the mark back leaves the café as it is."""
    Invitation.objects.filter(pk=invitation.pk).update(present=present)
    invitation.present = present
    if present:
        _noter_tenu(invitation.cafe)
    return invitation


def _organisation(cafe, nom):
    # The same name typed again (another walk-in of the same new organisation) is the same
    # organisation, not a duplicate.
    existante = Partenaire.objects.for_centre(cafe.centre).filter(nom__iexact=nom).first()
    if existante is not None:
        return existante
    return Partenaire.objects.create(
        centre=cafe.centre, nom=nom, categorie=CategoriePartenaire.AUTRE
    )


def _contact(partenaire, *, prenom, nom, email, fonction):
    contacts = Contact.objects.filter(partenaire=partenaire)
    if email:
        contacts = contacts.filter(email__iexact=email)
    else:
        contacts = contacts.filter(prenom__iexact=prenom, nom__iexact=nom)
    contact = contacts.order_by("pk").first()
    if contact is None:
        return Contact.objects.create(
            partenaire=partenaire,
            prenom=prenom,
            nom=nom,
            email=email,
            fonction=fonction,
            recoit_invitations_cafe=True,
        )
    if fonction and not contact.fonction:
        contact.fonction = fonction
        contact.save(update_fields=["fonction"])
    return contact


@transaction.atomic
def sur_place_ajouter(
    *, cafe, prenom, nom, partenaire=None, nouvelle_organisation="", email="", fonction=""
):
    """Someone came without an invitation: finds or creates their organisation (``partenaire``
    of the café's centre, or one named ``nouvelle_organisation``, found by name before being
    created), their contact there (by address, or by name without one), and their
    invitation, marked present; the café is marked held as by ``presence_noter``.

    Returns ``(invitation, cree)``, ``cree`` telling whether the invitation is new (a contact
    already invited is only marked present). The café row is locked: the same person added
    twice at once (two tablets at the door) gives one organisation, one contact, one
    invitation. Raises ``ValidationError`` for a partner of another centre, or none given.
    """
    Cafe.objects.select_for_update(of=("self",)).filter(pk=cafe.pk).first()
    nouvelle_organisation = nouvelle_organisation.strip()
    if partenaire is not None and partenaire.centre_id != cafe.centre_id:
        raise ValidationError(_("Choisissez une organisation de la liste."))
    if partenaire is None and not nouvelle_organisation:
        raise ValidationError(
            _("Choisissez l'organisation dans la liste, ou tapez le nom d'une nouvelle.")
        )
    partenaire = partenaire or _organisation(cafe, nouvelle_organisation)
    contact = _contact(partenaire, prenom=prenom, nom=nom, email=email, fonction=fonction)
    invitation, cree = Invitation.objects.get_or_create(
        cafe=cafe, contact=contact, defaults={"sur_place": True, "present": True}
    )
    invitation.cafe = cafe
    if not cree and not invitation.present:
        invitation.present = True
        invitation.save(update_fields=["present"])
    _noter_tenu(cafe)
    return invitation, cree

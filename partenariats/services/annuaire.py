"""Writes of the partner directory: partners' fiches and their contacts. History (who changed
what) is recorded by django-simple-history on every save, with the request's user."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from partenariats.models import Contact, Partenaire


def _affecter(objet, champs):
    for champ, valeur in champs.items():
        type(objet)._meta.get_field(champ)  # FieldDoesNotExist: a misspelt name is not ignored
        setattr(objet, champ, valeur)


def partenaire_deja_cree(*, centre, cle_creation):
    """The partner of ``centre`` made by the creation form whose one-time key is
    ``cle_creation``, or None (always None without a key)."""
    if not cle_creation:
        return None
    return Partenaire.objects.for_centre(centre).filter(cle_creation=cle_creation).first()


@transaction.atomic
def partenaire_creer(*, centre, nom, categorie, themes=(), cle_creation=None, **fiche):
    """Creates a partner of ``centre`` named ``nom``, of ``categorie``, with ``themes`` (Theme
    objects) and the other fields of its fiche given by name (``sigle``, ``commune``,
    ``dans_livret``...: see ``PartenaireForm``).

    The values are checked by the model's rules (SIRET checksum, postal code...) before
    anything is written: ``ValidationError`` otherwise. The partner and its themes are saved
    together or not at all. Nothing is done about likely duplicates: the caller asks first
    (``selectors.doublons_probables``).

    ``cle_creation`` (the creation form's one-time key, a UUID) makes the call idempotent: if
    a partner was already made with this key (a double click, a resubmitted form, two
    requests at once), that partner is returned unchanged and nothing is written.
    """
    existant = partenaire_deja_cree(centre=centre, cle_creation=cle_creation)
    if existant is not None:
        return existant
    partenaire = Partenaire(
        centre=centre, nom=nom, categorie=categorie, cle_creation=cle_creation, **fiche
    )
    partenaire.full_clean(validate_constraints=False)
    try:
        # A savepoint: the twin request that lost the race reads the winner's partner.
        with transaction.atomic():
            partenaire.save()
    except IntegrityError:
        existant = partenaire_deja_cree(centre=centre, cle_creation=cle_creation)
        if existant is None:
            raise
        return existant
    partenaire.themes.set(themes)
    return partenaire


@transaction.atomic
def partenaire_modifier(*, partenaire, themes=None, **fiche):
    """Changes the fields of ``partenaire``'s fiche given by name (and its ``themes``, Theme
    objects, unless None), checked as in ``partenaire_creer``. Returns the partner as saved.

    The row is locked and read again first: what was not given (its archived state, the date
    its fiche was confirmed) keeps its current value, even if it changed since ``partenaire``
    was read.
    """
    partenaire = Partenaire.objects.select_for_update().get(pk=partenaire.pk)
    _affecter(partenaire, fiche)
    partenaire.full_clean()
    partenaire.save()
    if themes is not None:
        partenaire.themes.set(themes)
    return partenaire


@transaction.atomic
def partenaire_archiver(*, partenaire, archive=True):
    """Archives (or restores) a partner. Partners are never deleted: their history stays, and
    an archived partner leaves the directory, the booklet and the invitation lists."""
    partenaire = Partenaire.objects.select_for_update().get(pk=partenaire.pk)
    if partenaire.archive != archive:
        partenaire.archive = archive
        partenaire.save(update_fields=["archive", "modifie_le"])
    return partenaire


@transaction.atomic
def contact_creer(*, partenaire, nom, desinscrit=False, **champs):
    """Adds a contact named ``nom`` to ``partenaire``, with its other fields given by name
    (``prenom``, ``email``, ``recoit_invitations_cafe``...: see ``ContactForm``), checked by
    the model's rules (``ValidationError`` otherwise). ``desinscrit``: the person already
    asked to receive no email from Maillage; the opt-out is dated now."""
    contact = Contact(partenaire=partenaire, nom=nom, **champs)
    contact.desinscrit_le = timezone.now() if desinscrit else None
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def contact_modifier(*, contact, desinscrit=None, **champs):
    """Changes the fields of ``contact`` given by name, checked as in ``contact_creer``.
    Staff edit through it: a contact a partner proposed is then kept, as by
    ``contact_garder``.

    ``desinscrit`` True records an opt-out dated now, or keeps the date of the first one
    (the date the person asked is what we can show them); False removes it; None leaves it.
    """
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    _affecter(contact, champs)
    contact.propose_le = contact.propose_par = None
    if not desinscrit and desinscrit is not None:
        contact.desinscrit_le = None
    elif desinscrit and contact.desinscrit_le is None:
        contact.desinscrit_le = timezone.now()
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def contact_garder(*, contact, par):
    """Keeps a contact a partner proposed: it becomes a contact like the others
    (``propose_le`` and ``propose_par`` cleared), and its history records ``par`` (a user)
    as the person who kept it. A contact no longer proposed (kept or edited meanwhile) is
    left as it is. Returns the contact as saved."""
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.propose_le is not None:
        contact.propose_le = contact.propose_par = None
        # Outside a request too (django-simple-history reads the request's user otherwise).
        contact._history_user = par
        contact.save(update_fields=["propose_le", "propose_par"])
    return contact


# What a contact proposed by a partner brought along in the apps above (the café invitation
# sent to a colleague): functions ``contact -> None``, registered with
# ``@suite_proposition`` (imports go downward only), that ``contact_supprimer`` runs first
# when staff turn the proposal down, so that the contact can go.
SUITES_PROPOSITION = []


def suite_proposition(fonction):
    SUITES_PROPOSITION.append(fonction)
    return fonction


@transaction.atomic
def contact_supprimer(*, contact):
    """Deletes ``contact``; its fiche update requests stay, without it. For a contact a
    partner proposed, what came with the proposal goes first (``SUITES_PROPOSITION``).

    A contact that other records keep (who was invited to a café, who came) is not deleted:
    ``ValidationError`` says so, and what to do instead, and nothing changes.
    """
    try:
        # A savepoint: the refusal must leave the caller's transaction usable.
        with transaction.atomic():
            if contact.propose_le is not None:
                for suite in SUITES_PROPOSITION:
                    suite(contact)
            contact.delete()
    except ProtectedError as erreur:
        raise ValidationError(
            _(
                "%(nom)s figure dans l'historique du centre (invitations aux cafés "
                "partenaires…) : ce contact ne peut pas être supprimé. Pour ne plus lui "
                "écrire, modifiez-le et cochez « Ne souhaite plus recevoir de courriels de "
                "Maillage »."
            )
            % {"nom": contact}
        ) from erreur

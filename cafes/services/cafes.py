"""One café: its details, its circle, cancelling it and holding it after all.

The people already invited (``InvitationQuerySet.a_prevenir``: emailed, still reachable) hear
of what changes their calendars: a new date, time or place (``cafe_modifier``), the
cancellation (``cafe_annuler``), and its reversal (``cafe_maintenir``). Each of these raises
``Cafe.sequence``, so that the attached .ics replaces the event they have (``cafes.ics``).
"""

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from cafes import emails
from cafes.calendrier import heure
from cafes.enums import StatutCafe
from cafes.models import Cafe
from cafes.services.invitations import CAFE_POUR_COURRIELS, envoi_mettre_en_file
from commun.dates import date_fr
from reseau.enums import AuditAction
from reseau.services import audit_enregistrer

logger = logging.getLogger(__name__)

# What staff set on a café (the rest is the series', the circle's or the system's), in the
# order of the form.
CHAMPS = (
    "date",
    "heure_debut",
    "heure_fin",
    "hote",
    "adresse",
    "type",
    "theme",
    "capacite",
    "statut",
)
# A change of these is news for the people already invited (a new .ics replaces the old one).
CHAMPS_PRATIQUES = {"date", "heure_debut", "heure_fin", "hote", "adresse"}


def _verrouiller(cafe):
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the outer joins
    # (host, theme) that select_related makes.
    return (
        Cafe.objects.select_for_update(of=("self",))
        .select_related(*CAFE_POUR_COURRIELS)
        .get(pk=cafe.pk)
    )


def _verifier(cafe, champs):
    inconnus = set(champs).difference(CHAMPS)
    if inconnus:
        raise TypeError(f"Not fields staff set on a café: {sorted(inconnus)}.")
    if champs.get("hote") is not None and champs["hote"].centre_id != cafe.centre_id:
        raise ValidationError({"hote": _("Choisissez une organisation du centre.")})


def _sauver(cafe):
    """``full_clean`` then save; a date the series already has (a concurrent save too) is a
    ``ValidationError`` on ``date``."""
    deja_prise = ValidationError({"date": _("La série a déjà un café à cette date.")})
    autres = Cafe.objects.filter(serie_id=cafe.serie_id, date=cafe.date).exclude(pk=cafe.pk)
    if autres.exists():
        raise deja_prise
    cafe.full_clean()
    try:
        with transaction.atomic():
            cafe.save()
    except IntegrityError as exc:
        if autres.exists():
            raise deja_prise from exc
        raise


def changements_pratiques(cafe, champs):
    """What ``champs`` (among ``CHAMPS``) change of ``cafe`` as saved that is news for the
    people already invited (``CHAMPS_PRATIQUES``), in the form's order: ``[(nom, avant,
    apres)]``. Empty for a cancelled café: its invitees hear nothing of its changes."""
    if cafe.statut == StatutCafe.ANNULE:
        return []
    return [
        (nom, getattr(cafe, nom), champs[nom])
        for nom in CHAMPS
        if nom in CHAMPS_PRATIQUES and nom in champs and getattr(cafe, nom) != champs[nom]
    ]


def _valeur_pratique(nom, valeur):
    """A value of ``CHAMPS_PRATIQUES`` as the café page writes it."""
    if nom == "date":
        return date_fr(valeur, "l j F Y")
    if nom in ("heure_debut", "heure_fin"):
        return heure(valeur)
    if nom == "hote" and valeur is None:
        return _("le centre")
    return str(valeur)


def changements_lisibles(changements):
    """``changements_pratiques`` as people read them, for the confirmation page and the
    update email: ``[{"libelle", "avant", "apres"}]``."""
    return [
        {
            "libelle": capfirst(Cafe._meta.get_field(nom).verbose_name),
            "avant": _valeur_pratique(nom, ancien),
            "apres": _valeur_pratique(nom, nouveau),
        }
        for nom, ancien, nouveau in changements
    ]


def _prevenir(cafe, courriels, par=None, **contexte):
    """Prepares ``courriels`` (an email function of ``cafes.emails``) to the invitations
    already sent and still reachable; returns the emails. Answers go to the centre's address,
    else to ``par``'s (``courrier.services.expediteur``)."""
    invitations = cafe.invitations.a_prevenir().select_related("contact__partenaire").order_by("pk")
    prets = courriels(cafe=cafe, invitations=invitations, membre=par, **contexte)
    return [courriel for _invitation, courriel in prets]


@transaction.atomic
def cafe_creer(*, serie, **champs):
    """Creates a café of ``serie`` with ``champs`` (among ``CHAMPS``; the series' times when
    not given). Cancelling is not a way to create one. Raises ``ValidationError`` for invalid
    values or a date the series already has; nothing is written then."""
    cafe = Cafe(
        centre=serie.centre,
        serie=serie,
        heure_debut=serie.heure_debut,
        heure_fin=serie.heure_fin,
    )
    _verifier(cafe, champs)
    if champs.get("statut") == StatutCafe.ANNULE:
        raise ValidationError({"statut": _("Un nouveau café ne peut pas être annulé.")})
    for nom, valeur in champs.items():
        setattr(cafe, nom, valeur)
    _sauver(cafe)
    return cafe


@transaction.atomic
def cafe_modifier(*, cafe, par, prevenir=True, **champs):
    """Saves ``champs`` (among ``CHAMPS``) on the café, locked. When the date, times, host or
    address change (``changements_pratiques``) and the café is not cancelled, raises its
    ``sequence`` and, unless ``prevenir`` is False (staff chose to tell people themselves),
    emails every invitation already sent (``a_prevenir``) an update whose .ics replaces the
    event; invitations not sent yet will carry the new details anyway.

    Returns the emails prepared; ``cafe`` gets the values saved. Raises ``ValidationError``
    for invalid values, a date the series already has, and a status that would cancel the
    café or end its cancellation: ``cafe_annuler`` and ``cafe_maintenir`` do that and tell
    the people invited.
    """
    actuel = _verrouiller(cafe)
    _verifier(actuel, champs)
    statut = champs.get("statut", actuel.statut)
    if statut != actuel.statut and StatutCafe.ANNULE in (statut, actuel.statut):
        raise ValidationError(
            {
                "statut": _(
                    "Pour annuler le café ou le maintenir, utilisez le bouton de sa page : "
                    "il prévient les personnes invitées."
                )
            }
        )
    changements = changements_pratiques(actuel, champs)
    for nom, valeur in champs.items():
        setattr(actuel, nom, valeur)
    _sauver(actuel)
    courriels = []
    if changements:
        # Raised even when no one is told now: a later .ics must still replace the event
        # that people hold.
        actuel.sequence += 1
        actuel.save(update_fields=["sequence"])
        logger.info(
            "Café %s changed by %s: sequence %d, invitees told: %s",
            actuel.pk,
            par,
            actuel.sequence,
            prevenir,
        )
        if prevenir:
            courriels = _prevenir(
                actuel,
                emails.modifications,
                par,
                changements=changements_lisibles(changements),
            )
    for nom in (*champs, "sequence"):
        setattr(cafe, nom, getattr(actuel, nom))
    return courriels


@transaction.atomic
def cafe_organisation_inviter(*, cafe, partenaire, invitee=True):
    """Invites ``partenaire`` (of the café's centre) to this café only, whatever the series'
    circle says (``invitee``), or leaves it out of this café only (``not invitee``); each
    undoes the other. Its contacts join the next sending; invitations already made stay."""
    if partenaire.centre_id != cafe.centre_id:
        raise ValidationError(_("Choisissez une organisation du centre."))
    ajouts, retraits = cafe.partenaires_ajoutes, cafe.partenaires_retires
    if not invitee:
        ajouts, retraits = retraits, ajouts
    retraits.remove(partenaire)
    ajouts.add(partenaire)


@transaction.atomic
def cafe_annuler(*, cafe, par):
    """Cancels the café: status "annulé", ``sequence`` raised, and a cancellation email with a
    METHOD:CANCEL .ics (removing the event from calendars) to every invitation already sent
    and still reachable (``a_prevenir``, the count the confirmation page shows). Invitations
    not sent yet are not sent while it stays cancelled, and answers are kept. Audited.

    Cancelling a cancelled café sends nothing more and returns ``[]``. Raises
    ``ValidationError`` for a café held ("tenu": someone was checked in). Returns the emails
    prepared; ``cafe`` is updated. A sending batch in progress finishes first (it holds the
    café in share mode), and the next one stops.
    """
    actuel = _verrouiller(cafe)
    if actuel.statut == StatutCafe.ANNULE:
        return []
    if actuel.statut == StatutCafe.TENU:
        raise ValidationError(_("Ce café a eu lieu : il ne peut plus être annulé."))
    actuel.statut = StatutCafe.ANNULE
    actuel.sequence += 1
    actuel.save(update_fields=["statut", "sequence"])
    cafe.statut, cafe.sequence = actuel.statut, actuel.sequence
    audit_enregistrer(par=par, centre=actuel.centre, action=AuditAction.CAFE_ANNULE, objet=actuel)
    logger.info("Café %s cancelled by %s", actuel.pk, par)
    return _prevenir(actuel, emails.annulations, par)


@transaction.atomic
def cafe_maintenir(*, cafe, par):
    """Ends the cancellation: the café is "invitations envoyées" again if invitations were
    sent, "prévu" otherwise; ``sequence`` raised, and every invitation already sent and still
    reachable (``a_prevenir``) gets an update with a METHOD:REQUEST .ics, which puts the event
    back in calendars, and the answer buttons (answers were kept). Invitations that were
    waiting to be sent are queued again after commit. Audited.

    A café that is not cancelled sends nothing and returns ``[]``. Raises ``ValidationError``
    for a café whose day is past. Returns the emails prepared; ``cafe`` is updated.
    """
    actuel = _verrouiller(cafe)
    if actuel.statut != StatutCafe.ANNULE:
        return []
    if actuel.date < timezone.localdate():
        raise ValidationError(_("Ce café est passé : il ne peut plus être maintenu."))
    invite = actuel.invitations.filter(sur_place=False).exists()
    actuel.statut = StatutCafe.INVITATIONS_ENVOYEES if invite else StatutCafe.PREVU
    actuel.sequence += 1
    actuel.save(update_fields=["statut", "sequence"])
    cafe.statut, cafe.sequence = actuel.statut, actuel.sequence
    if invite and actuel.invitations.a_envoyer().exists():
        envoi_mettre_en_file(actuel.pk)
    audit_enregistrer(par=par, centre=actuel.centre, action=AuditAction.CAFE_MAINTENU, objet=actuel)
    logger.info("Café %s held after all, by %s", actuel.pk, par)
    return _prevenir(actuel, emails.maintiens, par)

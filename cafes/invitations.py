"""Café invitations by email: the first sending, reminders, changes and cancellation.

Everything goes through the outbox (``courrier.services.courriel_preparer``): one email per
contact, queued after the commit that records it, with the RSVP buttons, the unsubscribe
headers and, but for reminders, the .ics of ``cafes.ics``.

Sending::

    invitations_envoyer ─▶ (on commit) cafes.tasks.envoyer_invitations ─▶ invitations_expedier

``invitations_expedier`` sends in small batches, each in its own transaction: the invitations
of the batch are locked, their emails prepared and ``envoyee_le`` set, then it commits. An
invitation with ``envoyee_le`` is never emailed again, so a retried or duplicated task resumes
after the last commit and nobody gets the invitation twice. Staff see the progress through
``invitations_totaux`` ("42 sur 300 envoyées").

Reminders have no column of their own on ``Invitation``: a reminder is the outbox row about
the invitation (``objet``) whose ``en_tetes`` carry ``X-Maillage-Modele: cafes/emails/rappel``.
``rappels_envoyer`` looks for that row before sending, so a reminder goes once per invitation.
"""

import logging
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cafes.enums import Reponse, StatutCafe
from cafes.ics import cafe_ics
from cafes.models import Cafe, Invitation
from cafes.rsvp import en_tetes_desinscription, lien_desinscription, liens_reponses
from cafes.selectors import cafe_destinataires
from courrier.models import Courriel
from courrier.services import courriel_preparer, courriels_groupes

logger = logging.getLogger(__name__)

# Invitations per transaction: small enough for the progress to move and a crash to cost
# little, large enough not to spend the time in commits.
TAILLE_LOT = 20
# Sending tasks queued side by side for one café: each takes the next batch not locked by
# another, so the workers share the preparation of the emails; one too many finds nothing.
TACHES_PARALLELES = 4
# Invitations still unsent this long after their creation have lost their task.
DELAI_REPRISE = timedelta(minutes=10)
# The hourly reminder task waits for this local hour: no reminder in the middle of the night.
HEURE_RAPPELS = 8
# Names the kind of a café email in its outbox row (and, harmlessly, in its headers).
EN_TETE_MODELE = "X-Maillage-Modele"
GABARIT_INVITATION = "cafes/emails/invitation"
GABARIT_RAPPEL = "cafes/emails/rappel"
GABARIT_MODIFICATION = "cafes/emails/modification"
GABARIT_ANNULATION = "cafes/emails/annulation"

_CAFE_LIE = ("serie", "centre", "hote", "theme")


def _joignables():
    """Invitations whose contact may still receive email (an address, no opt-out)."""
    return Q(contact__desinscrit_le__isnull=True) & ~Q(contact__email="")


def _piece_ics(cafe, methode):
    return ("invitation.ics", cafe_ics(cafe, method=methode), f"text/calendar; method={methode}")


def _courriel(*, invitation, cafe, gabarit, pieces_jointes=()):
    """Prepares one café email to the invitation's contact (in the caller's transaction)."""
    contact = invitation.contact
    # The invitation's café is the locked, up-to-date one the caller holds.
    invitation.cafe = cafe
    desinscription = lien_desinscription(contact)
    return courriel_preparer(
        destinataire=contact.email,
        gabarit=gabarit,
        contexte={
            "cafe": cafe,
            "invitation": invitation,
            "contact": contact,
            "liens": liens_reponses(invitation),
            "lien_desinscription": desinscription,
        },
        centre=cafe.centre,
        objet=invitation,
        en_tetes={**en_tetes_desinscription(desinscription), EN_TETE_MODELE: gabarit},
        pieces_jointes=pieces_jointes,
    )


# --- First sending --------------------------------------------------------------------------


def invitations_preparer(*, cafe):
    """Creates one invitation per contact of ``cafe_destinataires`` not yet invited; returns
    how many were created. Running it again creates nothing more (and the unique constraint
    (café, contact) stands behind a concurrent run)."""
    deja = set(cafe.invitations.values_list("contact_id", flat=True))
    nouvelles = [
        Invitation(cafe=cafe, contact=contact)
        for contact in cafe_destinataires(cafe)
        if contact.pk not in deja
    ]
    Invitation.objects.bulk_create(nouvelles, ignore_conflicts=True)
    return len(nouvelles)


@transaction.atomic
def invitations_envoyer(*, cafe, par):
    """Staff's "Envoyer les invitations": invites the contacts not yet invited, marks the café
    "invitations envoyées" and queues, after commit, the task that emails every invitation not
    yet sent (``invitations_expedier``). Sending again only reaches new invitees. Returns the
    number of invitations waiting to be sent. Raises ``ValidationError`` for a cancelled,
    held or past café."""
    cafe = Cafe.objects.select_for_update().get(pk=cafe.pk)
    if cafe.statut == StatutCafe.ANNULE:
        raise ValidationError(_("Ce café est annulé : les invitations ne partent plus."))
    if cafe.statut == StatutCafe.TENU or cafe.date < timezone.localdate():
        raise ValidationError(_("Ce café est passé : les invitations ne partent plus."))
    invitations_preparer(cafe=cafe)
    if cafe.statut == StatutCafe.PREVU:
        cafe.statut = StatutCafe.INVITATIONS_ENVOYEES
        cafe.save(update_fields=["statut"])
    a_envoyer = cafe.invitations.filter(_joignables(), envoyee_le__isnull=True).count()
    logger.info("Café %s: %s sends %d invitation(s)", cafe.pk, par, a_envoyer)
    _mettre_en_file(cafe.pk, taches=min(TACHES_PARALLELES, -(-a_envoyer // TAILLE_LOT)) or 1)
    return a_envoyer


def _mettre_en_file(cafe_id, taches=1):
    # Imported here: the tasks module imports this one.
    from cafes.tasks import envoyer_invitations

    for _tache in range(taches):
        # A lambda, not functools.partial: Django logs a robust hook's failure with
        # __qualname__.
        transaction.on_commit(lambda: envoyer_invitations.delay(cafe_id), robust=True)


def _cafe_en_partage(cafe_id):
    """The café, locked FOR SHARE until the end of the transaction (PostgreSQL).

    Batches of several workers hold it together, while a change or a cancellation (FOR
    UPDATE) waits for the batches in progress and the next batches see it. Django's
    select_for_update only knows FOR UPDATE, which would make the workers wait in line.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as curseur:
            curseur.execute(
                f"SELECT 1 FROM {Cafe._meta.db_table} WHERE id = %s FOR SHARE",
                [cafe_id],
            )
    return Cafe.objects.select_related(*_CAFE_LIE).filter(pk=cafe_id).first()


def invitations_expedier(*, cafe_id, taille=None):
    """Emails every invitation of café ``cafe_id`` not yet sent, ``taille`` per transaction;
    returns how many were emailed. Each batch locks the café in share mode (so a change or a
    cancellation waits for it, and the next batch sees it) and its invitations (skipping those
    another run has locked), prepares their emails and sets ``envoyee_le`` and ``courriel``
    before committing: runs side by side share the work, and a second run emails only what
    the first did not commit. Nothing is sent for a cancelled café. An address the outbox refuses
    is skipped (logged) and tried again by the next run. Must not run inside an outer
    transaction."""
    taille = taille or TAILLE_LOT
    envoyees, ecartees = 0, set()
    while True:
        with transaction.atomic():
            cafe = _cafe_en_partage(cafe_id)
            if cafe is None or cafe.statut == StatutCafe.ANNULE:
                return envoyees
            lot = list(
                cafe.invitations.filter(_joignables(), envoyee_le__isnull=True)
                .exclude(pk__in=ecartees)
                .select_related("contact__partenaire")
                .select_for_update(of=("self",), skip_locked=True)
                .order_by("pk")[:taille]
            )
            if not lot:
                return envoyees
            maintenant = timezone.now()
            pieces = [_piece_ics(cafe, "PUBLISH")]
            prets = []
            with courriels_groupes():
                for invitation in lot:
                    try:
                        # Refused before anything is written: the batch goes on.
                        invitation.courriel = _courriel(
                            invitation=invitation,
                            cafe=cafe,
                            gabarit=GABARIT_INVITATION,
                            pieces_jointes=pieces,
                        )
                    except ValidationError as exc:
                        logger.warning("Invitation %s skipped: %s", invitation.pk, exc)
                        ecartees.add(invitation.pk)
                        continue
                    prets.append(invitation)
            # After the block, which writes the emails: they have their pk now. One date for
            # all: a plain UPDATE, cheaper than bulk_update's CASE per row.
            Invitation.objects.bulk_update(prets, ["courriel"])
            Invitation.objects.filter(pk__in=[i.pk for i in prets]).update(envoyee_le=maintenant)
            envoyees += len(prets)


def invitations_bloquees_reprendre():
    """Queues again the sending of the upcoming cafés that still have invitations not sent
    ``DELAI_REPRISE`` after their creation (task lost: broker down at commit, worker killed).
    Returns the café ids. Queuing a sending in progress is harmless (batches skip locked
    rows and never send an invitation twice)."""
    ids = list(
        Invitation.objects.filter(
            _joignables(),
            envoyee_le__isnull=True,
            cree_le__lt=timezone.now() - DELAI_REPRISE,
            cafe__statut=StatutCafe.INVITATIONS_ENVOYEES,
            cafe__date__gte=timezone.localdate(),
        )
        .order_by("cafe_id")
        .values_list("cafe_id", flat=True)
        .distinct()
    )
    for pk in ids:
        _mettre_en_file(pk)
    if ids:
        logger.warning("Queued again the invitations of %d café(s): %s", len(ids), ids)
    return ids


_COMPTES = {
    "total": Count("pk"),
    "envoyees": Count("pk", filter=Q(envoyee_le__isnull=False)),
    "en_attente": Count("pk", filter=_joignables() & Q(envoyee_le__isnull=True)),
    "oui": Count("pk", filter=Q(reponse=Reponse.OUI)),
    "non": Count("pk", filter=Q(reponse=Reponse.NON)),
    "peut_etre": Count("pk", filter=Q(reponse=Reponse.PEUT_ETRE)),
    "sans_reponse": Count("pk", filter=Q(reponse="")),
}


def invitations_totaux(cafe):
    """The café's invitations counted in one query: ``total`` invited, ``envoyees``,
    ``en_attente`` (not sent yet and still reachable: the sending is under way), ``oui``,
    ``non``, ``peut_etre``, ``sans_reponse``."""
    return Invitation.objects.filter(cafe=cafe).aggregate(**_COMPTES)


def invitations_par_organisation(cafe):
    """The counts of ``invitations_totaux`` per partner (``contact__partenaire_id``, ``nom``),
    by name: a lazy queryset, for the café page to paginate."""
    return (
        Invitation.objects.filter(cafe=cafe)
        .order_by()
        .values("contact__partenaire_id", nom=F("contact__partenaire__nom"))
        .annotate(**_COMPTES)
        .order_by("nom", "contact__partenaire_id")
    )


# --- Reminders ------------------------------------------------------------------------------


def invitations_deja_servies(invitations, gabarit):
    """Ids (as strings) of ``invitations`` that already have an email of ``gabarit``.

    A key lookup rather than ``__contains`` on the JSON headers: SQLite, the zero-service
    first run, has no JSON containment.
    """
    return set(
        Courriel.objects.filter(
            content_type=ContentType.objects.get_for_model(Invitation),
            object_id__in=[invitation.pk for invitation in invitations],
            **{f"en_tetes__{EN_TETE_MODELE}": gabarit},
        ).values_list("object_id", flat=True)
    )


def _rappels_deja_faits(invitations):
    return invitations_deja_servies(invitations, GABARIT_RAPPEL)


def rappels_envoyer(aujourdhui=None):
    """The reminder of the cafés due ``serie.rappel_jours`` days from ``aujourdhui`` (by
    default today, local time, and nothing before ``HEURE_RAPPELS``; series with 0 have
    none), cancelled cafés apart. It goes to the sent invitations
    answered yes or maybe or not answered, never to "no", never to a contact who opted out,
    and once per invitation (see the module's docstring), so the periodic task can run as often
    as wanted. One café per transaction. Returns the number of reminders prepared."""
    if aujourdhui is None:
        maintenant = timezone.localtime()
        if maintenant.hour < HEURE_RAPPELS:
            return 0
        aujourdhui = maintenant.date()
    # A few upcoming cafés per centre: the day of each one's reminder is computed here.
    candidats = list(
        Cafe.objects.filter(
            statut=StatutCafe.INVITATIONS_ENVOYEES,
            serie__rappel_jours__gt=0,
            date__gt=aujourdhui,
        )
        .select_related("serie")
        .only("pk", "date", "serie__rappel_jours")
    )
    total = 0
    for candidat in candidats:
        if candidat.date - timedelta(days=candidat.serie.rappel_jours) != aujourdhui:
            continue
        with transaction.atomic():
            cafe = (
                Cafe.objects.select_for_update(of=("self",))
                .select_related(*_CAFE_LIE)
                .get(pk=candidat.pk)
            )
            if cafe.statut != StatutCafe.INVITATIONS_ENVOYEES:
                continue
            invitations = list(
                cafe.invitations.filter(_joignables(), envoyee_le__isnull=False)
                .exclude(reponse=Reponse.NON)
                .select_related("contact__partenaire")
                .order_by("pk")
            )
            faits = _rappels_deja_faits(invitations)
            with courriels_groupes():
                for invitation in invitations:
                    if invitation.pk in faits:
                        continue
                    try:
                        _courriel(invitation=invitation, cafe=cafe, gabarit=GABARIT_RAPPEL)
                    except ValidationError as exc:
                        logger.warning("Reminder of invitation %s skipped: %s", invitation.pk, exc)
                        continue
                    total += 1
    return total


# --- Changes and cancellation ---------------------------------------------------------------


def _prevenir(cafe, *, gabarit, ics_methode):
    invitations = (
        cafe.invitations.filter(_joignables(), envoyee_le__isnull=False)
        .select_related("contact__partenaire")
        .order_by("pk")
    )
    courriels = []
    pieces = [_piece_ics(cafe, ics_methode)]
    with courriels_groupes():
        for invitation in invitations:
            try:
                courriels.append(
                    _courriel(
                        invitation=invitation,
                        cafe=cafe,
                        gabarit=gabarit,
                        pieces_jointes=pieces,
                    )
                )
            except ValidationError as exc:
                logger.warning("Invitation %s: %s skipped: %s", invitation.pk, gabarit, exc)
    return courriels


@transaction.atomic
def cafe_modifier_notifier(*, cafe, par):
    """After a change of date, time or place (already saved): raises ``cafe.sequence`` and
    emails every invitation already sent (opted-out contacts apart) an update whose .ics
    replaces the earlier event (same UID, higher SEQUENCE). Invitations not yet sent will
    carry the new details anyway. Returns the emails prepared; ``cafe`` is updated."""
    verrou = Cafe.objects.select_for_update(of=("self",)).select_related(*_CAFE_LIE)
    actuel = verrou.get(pk=cafe.pk)
    if actuel.statut == StatutCafe.ANNULE:
        raise ValidationError(_("Ce café est annulé."))
    actuel.sequence += 1
    actuel.save(update_fields=["sequence"])
    cafe.sequence = actuel.sequence
    logger.info("Café %s changed by %s: sequence %d", actuel.pk, par, actuel.sequence)
    return _prevenir(actuel, gabarit=GABARIT_MODIFICATION, ics_methode="PUBLISH")


@transaction.atomic
def cafe_annuler(*, cafe, par):
    """Cancels the café: status "annulé", ``sequence`` raised, and a cancellation email with
    a METHOD:CANCEL .ics (removing the event from calendars) to every invitation already sent
    (opted-out contacts apart). Invitations not sent yet are never sent. Cancelling twice
    sends nothing more. Returns the emails prepared; ``cafe`` is updated."""
    actuel = Cafe.objects.select_for_update(of=("self",)).select_related(*_CAFE_LIE).get(pk=cafe.pk)
    if actuel.statut == StatutCafe.ANNULE:
        return []
    actuel.statut = StatutCafe.ANNULE
    actuel.sequence += 1
    actuel.save(update_fields=["statut", "sequence"])
    cafe.statut, cafe.sequence = actuel.statut, actuel.sequence
    logger.info("Café %s cancelled by %s", actuel.pk, par)
    return _prevenir(actuel, gabarit=GABARIT_ANNULATION, ics_methode="CANCEL")

"""Café invitations by email: the first sending, in batches, and the reminders.

Everything goes through the outbox, by the functions of ``cafes.emails``: one email per
contact, queued after the commit that records it.

Sending::

    invitations_envoyer ─▶ (on commit) cafes.tasks.envoyer_invitations ─▶ invitations_expedier

``invitations_expedier`` sends in small batches, each in its own transaction: the invitations
of the batch are locked, their emails prepared and ``envoyee_le`` set, then it commits. An
invitation with ``envoyee_le`` is never emailed again, so a retried or duplicated task resumes
after the last commit and nobody gets the invitation twice. Staff see the progress through
``InvitationQuerySet.totaux`` ("42 sur 300 envoyées").

A reminder is recorded on the invitation too (``rappel_envoye_le``), in the transaction that
prepares it, under a lock on the café: ``rappels_envoyer`` sends it once per invitation,
however often and however many times at once it runs.
"""

import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cafes import emails
from cafes.enums import StatutCafe
from cafes.models import Cafe, Invitation
from cafes.selectors import cafe_destinataires
from courrier.services import apres_commit_mettre_en_file

logger = logging.getLogger(__name__)

# Invitations per transaction: small enough for the progress to move and a crash to cost
# little, large enough not to spend the time in commits.
TAILLE_LOT = 20
# Sending tasks queued side by side for one café: each takes the next batch not locked by
# another, so the workers share the preparation of the emails; one too many finds nothing.
TACHES_PARALLELES = 4
# Invitations still unsent this long after their creation have lost their task (or the
# broker refused it). Queuing a sending in progress again is harmless, so the sweeper, every
# minute, can be quick: invitations leave within two minutes of the broker's return.
DELAI_REPRISE = timedelta(minutes=1)
# The hourly reminder task waits for this local hour: no reminder in the middle of the night.
HEURE_RAPPELS = 8
# What the café emails show of the café: loaded with it, once per batch.
CAFE_POUR_COURRIELS = ("serie", "centre", "hote", "theme")


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
def invitations_envoyer(*, cafe, par, message=None):
    """Staff's "Envoyer les invitations": invites the contacts not yet invited, marks the café
    "invitations envoyées" and queues, after commit, the task that emails every invitation not
    yet sent (``invitations_expedier``). Sending again only reaches new invitees. ``message``,
    when given, replaces the café's personal message (``message_invitation``) that the
    invitations leaving from now on carry. Returns the number of invitations waiting to be
    sent. Raises ``ValidationError`` for a cancelled, held or past café."""
    cafe = Cafe.objects.select_for_update().get(pk=cafe.pk)
    if cafe.statut == StatutCafe.ANNULE:
        raise ValidationError(_("Ce café est annulé : les invitations ne partent plus."))
    if cafe.statut == StatutCafe.TENU or cafe.date < timezone.localdate():
        raise ValidationError(_("Ce café est passé : les invitations ne partent plus."))
    invitations_preparer(cafe=cafe)
    if message is not None and message.strip() != cafe.message_invitation:
        cafe.message_invitation = message.strip()
        cafe.save(update_fields=["message_invitation"])
    if cafe.statut == StatutCafe.PREVU:
        cafe.statut = StatutCafe.INVITATIONS_ENVOYEES
        cafe.save(update_fields=["statut"])
    a_envoyer = cafe.invitations.a_envoyer().count()
    logger.info("Café %s: %s sends %d invitation(s)", cafe.pk, par, a_envoyer)
    envoi_mettre_en_file(cafe.pk, taches=min(TACHES_PARALLELES, -(-a_envoyer // TAILLE_LOT)) or 1)
    return a_envoyer


def envoi_mettre_en_file(cafe_id, *, taches=1):
    """Queues, after commit, ``taches`` tasks emailing the café's invitations not yet sent."""
    # Imported here: the tasks module imports this one.
    from cafes.tasks import envoyer_invitations

    for _tache in range(taches):
        apres_commit_mettre_en_file(envoyer_invitations, cafe_id)


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
    return Cafe.objects.select_related(*CAFE_POUR_COURRIELS).filter(pk=cafe_id).first()


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
                cafe.invitations.a_envoyer()
                .exclude(pk__in=ecartees)
                .select_related("contact__partenaire")
                .select_for_update(of=("self",), skip_locked=True)
                .order_by("pk")[:taille]
            )
            if not lot:
                return envoyees
            prets = []
            for invitation, courriel in emails.invitations(cafe=cafe, invitations=lot):
                invitation.courriel = courriel
                prets.append(invitation)
            # Refused by the outbox: left for the next run, not taken again by this one.
            ecartees |= {i.pk for i in lot} - {i.pk for i in prets}
            # One date for all: a plain UPDATE, cheaper than bulk_update's CASE per row.
            Invitation.objects.bulk_update(prets, ["courriel"])
            Invitation.objects.filter(pk__in=[i.pk for i in prets]).update(
                envoyee_le=timezone.now()
            )
            envoyees += len(prets)


def invitations_bloquees_reprendre():
    """Queues again the sending of the upcoming cafés that still have invitations not sent
    ``DELAI_REPRISE`` after their creation (task lost: broker down at commit, worker killed).
    Returns the café ids. Queuing a sending in progress is harmless (batches skip locked
    rows and never send an invitation twice)."""
    ids = list(
        Invitation.objects.a_envoyer()
        .filter(
            cree_le__lt=timezone.now() - DELAI_REPRISE,
            cafe__statut=StatutCafe.INVITATIONS_ENVOYEES,
            cafe__date__gte=timezone.localdate(),
        )
        .order_by("cafe_id")
        .values_list("cafe_id", flat=True)
        .distinct()
    )
    for pk in ids:
        envoi_mettre_en_file(pk)
    if ids:
        logger.warning("Queued again the invitations of %d café(s): %s", len(ids), ids)
    return ids


# --- Reminders ------------------------------------------------------------------------------


def rappels_envoyer(aujourdhui=None):
    """The reminder of the cafés due ``serie.rappel_jours`` days from ``aujourdhui`` (by
    default today, local time, and nothing before ``HEURE_RAPPELS``; series with 0 have
    none), cancelled cafés apart. It goes to the sent invitations answered yes or maybe or not
    answered, never to "no", never to a contact who opted out (``a_rappeler``), and once per
    invitation: ``rappel_envoye_le`` is set in the transaction that prepares the email, under
    a lock on the café, so the periodic task can run as often as wanted, even twice at once.
    One café per transaction. Returns the number of reminders prepared."""
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
            # A second run waits here, then reads the invitations this one has marked.
            cafe = (
                Cafe.objects.select_for_update(of=("self",))
                .select_related(*CAFE_POUR_COURRIELS)
                .get(pk=candidat.pk)
            )
            if cafe.statut != StatutCafe.INVITATIONS_ENVOYEES:
                continue
            invitations = (
                cafe.invitations.a_rappeler().select_related("contact__partenaire").order_by("pk")
            )
            prets = emails.rappels(cafe=cafe, invitations=invitations)
            Invitation.objects.filter(
                pk__in=[invitation.pk for invitation, _courriel in prets],
                rappel_envoye_le__isnull=True,
            ).update(rappel_envoye_le=timezone.now())
            total += len(prets)
    return total

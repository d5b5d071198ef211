"""After the café: the tour de table, and the compte rendu (minutes) assembled from it and
emailed. The minutes as a document (text assembled, PDF) are ``cafes.compte_rendu``'s."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cafes import emails
from cafes.compte_rendu import compte_rendu_pdf, compte_rendu_texte, nom_du_pdf
from cafes.models import Cafe, CompteRendu, Invitation, NoteTourDeTable

logger = logging.getLogger(__name__)


@transaction.atomic
def notes_enregistrer(*, cafe, textes):
    """Saves the tour de table in one go. ``textes`` maps partner ids (of
    ``organisations_tour_de_table``) to their text: a text creates or updates the note, an
    empty one deletes it. Returns ``(creees, modifiees, supprimees)``."""
    # The café row is locked: two saves at once (two tabs) run one after the other.
    Cafe.objects.select_for_update(of=("self",)).filter(pk=cafe.pk).first()
    existantes = {note.partenaire_id: note for note in cafe.notes.all()}
    creees = modifiees = supprimees = 0
    for partenaire_id, texte in textes.items():
        texte = (texte or "").strip()
        note = existantes.get(partenaire_id)
        if not texte:
            if note is not None:
                note.delete()
                supprimees += 1
        elif note is None:
            NoteTourDeTable.objects.create(cafe=cafe, partenaire_id=partenaire_id, texte=texte)
            creees += 1
        elif note.texte != texte:
            note.texte = texte
            note.save(update_fields=["texte", "modifie_le"])
            modifiees += 1
    return creees, modifiees, supprimees


def compte_rendu_assembler(*, cafe):
    """Creates the café's minutes from the tour de table; returns ``(compte_rendu, cree)``.
    Existing minutes (perhaps edited) are never overwritten."""
    return CompteRendu.objects.get_or_create(
        cafe=cafe, defaults={"texte": compte_rendu_texte(cafe)}
    )


@transaction.atomic
def compte_rendu_envoyer(*, cafe, par):
    """Emails the minutes (text, HTML, PDF attached) to every invitation of the café whose
    contact may receive email and has not received them yet (``sans_compte_rendu``), marks
    those invitations ``compte_rendu_envoye_le`` and the minutes ``envoye_le``, in the
    transaction that prepares the emails. The minutes row is locked, so two clicks at once
    send once: the second waits, then finds every invitation marked. Returns the number of
    emails prepared. Raises ``ValidationError`` when there are no minutes."""
    compte_rendu = (
        CompteRendu.objects.select_for_update(of=("self",))
        .select_related("cafe__serie", "cafe__centre", "cafe__hote")
        .filter(cafe=cafe)
        .first()
    )
    if compte_rendu is None or not compte_rendu.texte.strip():
        raise ValidationError(_("Il n'y a pas encore de compte rendu à envoyer."))
    cafe = compte_rendu.cafe
    invitations = list(
        cafe.invitations.sans_compte_rendu().select_related("contact").order_by("pk")
    )
    if not invitations:
        return 0
    prets = emails.comptes_rendus(
        compte_rendu=compte_rendu,
        invitations=invitations,
        pdf=(nom_du_pdf(cafe), compte_rendu_pdf(compte_rendu)),
        membre=par,
    )
    maintenant = timezone.now()
    Invitation.objects.filter(
        pk__in=[invitation.pk for invitation, _courriel in prets],
        compte_rendu_envoye_le__isnull=True,
    ).update(compte_rendu_envoye_le=maintenant)
    compte_rendu.envoye_le = maintenant
    compte_rendu.save(update_fields=["envoye_le"])
    logger.info("Café %s: %s sent the minutes to %d invitation(s)", cafe.pk, par, len(prets))
    return len(prets)

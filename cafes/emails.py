"""Every email of the Café partenaires: one function per email, owning its templates (a
subject, a text and an HTML body under ``cafes/emails/``) and its context. Services call them
inside their transaction; each email goes through the outbox (``courriel_preparer``) and leaves
after the commit.

An email to an invitee carries the personal unsubscribe link in its body and in the
``List-Unsubscribe`` headers (RFC 2369, RFC 8058 one-click), both built here by ``_message``.
The emails about a café's calendar carry the same ``invitation.ics`` for everyone
(``cafes.ics``), rendered once per call.

The functions for many invitations (``invitations``, ``rappels``…) prepare them in one
``courriels_groupes()`` block and return ``[(invitation, courriel)]`` for those prepared, the
emails saved; an address the outbox refuses (``ValidationError``) is logged and left out, so
the caller records nothing for it and a later run tries it again.
"""

import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from cafes.ics import cafe_ics
from cafes.jetons import lien_desinscription, lien_rsvp, liens_reponses
from commun.courriels import courriel_rendre
from courrier.services import courriel_preparer, courriels_groupes, expediteur

logger = logging.getLogger(__name__)


def en_tetes_desinscription(lien):
    """RFC 2369 and RFC 8058 (one-click) headers for an email whose unsubscribe link (from
    ``lien_desinscription``, also shown in the body) is ``lien``."""
    return {
        "List-Unsubscribe": f"<{lien}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


@dataclass(frozen=True)
class _Modele:
    """An email to invitees: its templates, whether it carries the answer buttons, and the
    METHOD of its .ics (none for ``None``)."""

    gabarit: str
    boutons: bool = True
    ics: str | None = None

    def message(self, invitation, *, membre=None, **contexte):
        """The arguments of ``courriel_preparer`` for ``invitation`` (whose ``cafe`` is the
        one to describe); ``membre``, the staff user acting, answers when the centre has no
        address (``expediteur``)."""
        contact = invitation.contact
        desinscription = lien_desinscription(contact)
        if self.boutons:
            contexte["liens"] = liens_reponses(invitation)
        return {
            "destinataire": contact.email,
            "gabarit": self.gabarit,
            "contexte": {
                "cafe": invitation.cafe,
                "invitation": invitation,
                "contact": contact,
                "lien_desinscription": desinscription,
                **contexte,
            },
            "centre": invitation.cafe.centre,
            "objet": invitation,
            "en_tetes": en_tetes_desinscription(desinscription),
            **expediteur(invitation.cafe.centre, membre),
        }

    def preparer(self, cafe, invitations, *, pieces_jointes=(), membre=None, **contexte):
        if self.ics:
            pieces_jointes = [*pieces_jointes, piece_ics(cafe, self.ics)]
        prets = []
        with courriels_groupes():
            for invitation in invitations:
                # The café the caller holds (locked, up to date), not a copy of its own.
                invitation.cafe = cafe
                try:
                    courriel = courriel_preparer(
                        **self.message(invitation, membre=membre, **contexte),
                        pieces_jointes=pieces_jointes,
                    )
                except ValidationError as exc:
                    logger.warning(
                        "Invitation %s: %s skipped: %s", invitation.pk, self.gabarit, exc
                    )
                    continue
                prets.append((invitation, courriel))
        return prets

    def apercu(self, cafe, invitation, **contexte):
        invitation.cafe = cafe
        message = self.message(invitation, **contexte)
        return courriel_rendre(
            message["gabarit"], {"centre": message["centre"], **message["contexte"]}
        )


def piece_ics(cafe, methode):
    """The ``invitation.ics`` attachment of ``cafe`` with ``methode`` (see ``cafes.ics``)."""
    return ("invitation.ics", cafe_ics(cafe, method=methode), f"text/calendar; method={methode}")


INVITATION = _Modele("cafes/emails/invitation", ics="PUBLISH")
RAPPEL = _Modele("cafes/emails/rappel")
MODIFICATION = _Modele("cafes/emails/modification", ics="PUBLISH")
ANNULATION = _Modele("cafes/emails/annulation", boutons=False, ics="CANCEL")
MAINTIEN = _Modele("cafes/emails/maintien", ics="REQUEST")
COMPTE_RENDU = _Modele("cafes/emails/compte_rendu", boutons=False)
INVITATION_COLLEGUE = _Modele("cafes/emails/invitation_collegue", boutons=False, ics="PUBLISH")


def invitations(*, cafe, invitations):
    """The invitation: the café, the answer buttons, an .ics adding it to calendars."""
    return INVITATION.preparer(cafe, invitations)


def invitation_apercu(*, cafe, invitation):
    """The invitation email to ``invitation`` rendered, with ``cafe``'s personal message, for
    staff to read before they confirm; nothing is written."""
    return INVITATION.apercu(cafe, invitation)


def rappels(*, cafe, invitations):
    """The reminder a few days before: the answer given (or none yet), the buttons to change
    it. No .ics: the calendars have the café already."""
    return RAPPEL.preparer(cafe, invitations)


def modifications(*, cafe, invitations, membre=None, changements=()):
    """A change of date, time or place: what changes (``changements``, as
    ``services.cafes.changements_lisibles`` writes them), the new details, an .ics replacing
    the event (the caller has raised ``cafe.sequence``)."""
    return MODIFICATION.preparer(cafe, invitations, membre=membre, changements=changements)


def modification_apercu(*, cafe, invitation, changements=()):
    """The update email to ``invitation`` rendered with ``cafe``'s new values (not saved
    yet), for staff to read before they confirm; nothing is written."""
    return MODIFICATION.apercu(cafe, invitation, changements=changements)


def annulations(*, cafe, invitations, membre=None):
    """The cancellation: an .ics METHOD:CANCEL removing the event from calendars."""
    return ANNULATION.preparer(cafe, invitations, membre=membre)


def annulation_apercu(*, cafe, invitation):
    """The cancellation email to ``invitation`` rendered (``courrier.services.Rendu``), for
    staff to read before they confirm; nothing is written."""
    return ANNULATION.apercu(cafe, invitation)


def maintiens(*, cafe, invitations, membre=None):
    """A cancelled café held after all: its details, the buttons (answers were kept), and an
    .ics METHOD:REQUEST with a higher SEQUENCE putting the event back in calendars."""
    return MAINTIEN.preparer(cafe, invitations, membre=membre)


def maintien_apercu(*, cafe, invitation):
    """As ``annulation_apercu``, for ``maintiens``."""
    return MAINTIEN.apercu(cafe, invitation)


def comptes_rendus(*, compte_rendu, invitations, pdf, membre=None):
    """The minutes in the body, and as the PDF ``pdf`` (``(name, bytes)``) attached."""
    nom, contenu = pdf
    return COMPTE_RENDU.preparer(
        compte_rendu.cafe,
        invitations,
        pieces_jointes=[(nom, contenu, "application/pdf")],
        membre=membre,
        compte_rendu=compte_rendu,
    )


def compte_rendu_apercu(*, compte_rendu, invitation):
    """The minutes email to ``invitation`` rendered (the PDF apart), for staff to read before
    they confirm; nothing is written."""
    return COMPTE_RENDU.apercu(compte_rendu.cafe, invitation, compte_rendu=compte_rendu)


def invitation_collegue(*, invitation, par):
    """The invitation of a colleague sent by ``par`` (the contact whose place they take):
    who sends them, one button to answer, and the same .ics as everyone's invitation (the
    colleague's calendar holds the café like the others', and hears of its changes)."""
    return courriel_preparer(
        **INVITATION_COLLEGUE.message(
            invitation,
            par=par,
            partenaire=invitation.contact.partenaire,
            lien=lien_rsvp(invitation),
        ),
        pieces_jointes=[piece_ics(invitation.cafe, INVITATION_COLLEGUE.ics)],
    )


def nouveau_lien(*, invitation, adresses):
    """To the centre's admins (``adresses``): the holder of a dead RSVP link asks for a new
    one. Returns the emails."""
    cafe = invitation.cafe
    with courriels_groupes():
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

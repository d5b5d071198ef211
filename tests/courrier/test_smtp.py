"""courriel_expedier against a real SMTP conversation (aiosmtpd), in the test process."""

import pytest

from courrier.enums import StatutCourriel
from courrier.models import AdresseEnEchec
from courrier.services import EnvoiReporte, courriel_expedier
from tests.courrier.factories import CourrielFactory, PieceJointeFactory

pytestmark = pytest.mark.django_db


def test_message_on_the_wire_has_one_recipient_both_bodies_headers_and_attachment(smtp_server):
    courriel = CourrielFactory(
        destinataire="lucie@exemple.fr",
        en_tetes={
            "List-Unsubscribe": "<https://maillage.example.org/desinscription/abc/>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    PieceJointeFactory(
        courriel=courriel, nom="convention.pdf", type_mime="application/pdf", contenu=b"%PDF"
    )

    courriel_expedier(courriel_id=courriel.pk, nouvel_essai_dans=30)

    (recu,) = smtp_server.messages
    message = recu.message
    assert recu.rcpt_tos == ["lucie@exemple.fr"]
    assert message["To"] == "lucie@exemple.fr"
    assert message["Cc"] is None
    assert message["Subject"] == courriel.sujet
    assert message["List-Unsubscribe"] == "<https://maillage.example.org/desinscription/abc/>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    courriel.refresh_from_db()
    assert message["Message-ID"] == courriel.message_id
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n") == courriel.corps_texte
    assert message.get_body(("html",)).get_content().strip() == courriel.corps_html
    (piece,) = message.iter_attachments()
    assert (piece.get_filename(), piece.get_content_type()) == ("convention.pdf", "application/pdf")
    assert piece.get_content() == b"%PDF"


def test_421_on_the_recipient_is_temporary(smtp_server):
    smtp_server.respond_with("421 4.3.0 Try again later", times=1)
    courriel = CourrielFactory()

    with pytest.raises(EnvoiReporte):
        courriel_expedier(courriel_id=courriel.pk, nouvel_essai_dans=30)
    courriel_expedier(courriel_id=courriel.pk, nouvel_essai_dans=30)

    courriel.refresh_from_db()
    assert courriel.statut == StatutCourriel.ENVOYE
    assert courriel.tentatives == 2
    assert len(smtp_server.messages) == 1


def test_550_on_the_recipient_is_permanent(smtp_server):
    smtp_server.respond_with("550 5.1.1 No such user")
    courriel = CourrielFactory(destinataire="disparue@exemple.fr")

    courriel_expedier(courriel_id=courriel.pk, nouvel_essai_dans=30)

    courriel.refresh_from_db()
    assert courriel.statut == StatutCourriel.ECHEC
    assert courriel.derniere_erreur == "550 5.1.1 No such user"
    assert AdresseEnEchec.objects.get().email == "disparue@exemple.fr"
    assert smtp_server.messages == []


def test_server_down_is_temporary(smtp_server, settings):
    settings.EMAIL_PORT = 1  # nothing listens there
    courriel = CourrielFactory()

    with pytest.raises(EnvoiReporte):
        courriel_expedier(courriel_id=courriel.pk, nouvel_essai_dans=30)

    courriel.refresh_from_db()
    assert courriel.statut == StatutCourriel.EN_ATTENTE
    assert courriel.derniere_erreur.startswith("ConnectionRefusedError")

"""Django's mail API writes to the outbox (EMAIL_BACKEND), which sends through its transport."""

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, EmailMultiAlternatives

from courrier.enums import StatutCourriel
from courrier.models import AdresseEnEchec, Courriel
from courrier.services import courriel_preparer, courriels_groupes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def message(**kwargs):
    message = EmailMultiAlternatives(
        **{"subject": "Votre compte", "body": "Bonjour,\n", "to": ["lea@exemple.fr"], **kwargs}
    )
    message.attach_alternative("<p>Bonjour,</p>", "text/html")
    return message


def test_the_outbox_is_the_email_backend_of_tests_as_of_production():
    assert settings.EMAIL_BACKEND == "courrier.backends.OutboxBackend"


def test_a_message_becomes_a_row_sent_after_commit_through_the_transport(
    centre, django_capture_on_commit_callbacks, mailoutbox
):
    user = UserFactory()
    envoi = message(headers={"List-Id": "essai"})
    envoi.attach("note.txt", "Café & co", "text/plain")
    envoi.centre, envoi.objet = centre, user

    with django_capture_on_commit_callbacks() as callbacks:
        assert envoi.send() == 1
    courriel = Courriel.objects.get()
    assert mailoutbox == []
    assert (courriel.destinataire, courriel.sujet, courriel.statut) == (
        "lea@exemple.fr",
        "Votre compte",
        StatutCourriel.EN_ATTENTE,
    )
    assert (courriel.corps_texte, courriel.corps_html) == ("Bonjour,\n", "<p>Bonjour,</p>")
    assert (courriel.centre, courriel.objet, courriel.en_tetes) == (
        centre,
        user,
        {"List-Id": "essai"},
    )

    for callback in callbacks:
        callback()
    courriel.refresh_from_db()
    assert courriel.statut == StatutCourriel.ENVOYE
    (envoye,) = mailoutbox
    assert envoye.from_email == settings.DEFAULT_FROM_EMAIL
    assert envoye.extra_headers["Message-ID"] == courriel.message_id
    assert envoye.alternatives[0][0] == "<p>Bonjour,</p>"
    assert envoye.attachments[0] == ("note.txt", "Café & co", "text/plain")


def test_each_recipient_gets_a_row_of_its_own_and_a_suppressed_one_is_cancelled(
    django_capture_on_commit_callbacks, mailoutbox
):
    AdresseEnEchec.objects.create(email="perdue@exemple.fr", raison="550")
    with django_capture_on_commit_callbacks(execute=True):
        mail.send_mail(
            "Avis", "Bonjour", None, ["a@exemple.fr", "perdue@exemple.fr"], fail_silently=False
        )

    statuts = dict(Courriel.objects.values_list("destinataire", "statut"))
    assert statuts == {"a@exemple.fr": StatutCourriel.ENVOYE, "perdue@exemple.fr": "annule"}
    assert [m.to for m in mailoutbox] == [["a@exemple.fr"]]


def test_messages_sent_inside_a_group_are_written_with_it():
    with courriels_groupes():
        message().send()
        EmailMessage("Sans HTML", "Bonjour", to=["paul@exemple.fr"]).send()
        assert not Courriel.objects.exists()
    assert dict(Courriel.objects.values_list("destinataire", "corps_html")) == {
        "lea@exemple.fr": "<p>Bonjour,</p>",
        "paul@exemple.fr": "",
    }


@pytest.mark.parametrize(
    ("kwargs", "erreur"),
    [
        ({"to": ["pas une adresse"]}, ValidationError),
        ({"reply_to": ["pas une adresse"]}, ValidationError),
        ({"headers": {"To": "autre@exemple.fr"}}, ValueError),
    ],
)
def test_what_the_outbox_cannot_keep_is_refused_before_anything_is_written(kwargs, erreur):
    with pytest.raises(erreur):
        message(**kwargs).send()
    assert message(**kwargs).send(fail_silently=True) == 0
    assert not Courriel.objects.exists()


def test_reply_to_and_the_senders_name_reach_the_sent_message(
    centre, gabarits_essai, django_capture_on_commit_callbacks, mailoutbox, settings
):
    settings.DEFAULT_FROM_EMAIL = "Maillage <ne-pas-repondre@maillage.test>"
    with django_capture_on_commit_callbacks(execute=True):
        message(reply_to=["secretariat@exemple.fr"]).send()
    with django_capture_on_commit_callbacks(execute=True):
        courriel_preparer(
            destinataire="paul@exemple.fr",
            gabarit=gabarits_essai,
            contexte={"nom": "Paul", "lien": "https://maillage.example.org/"},
            centre=centre,
            expediteur_nom="Centre social de Montanou, Agen",
            repondre_a=["accueil@montanou.test"],
        )
    django, prepare = mailoutbox
    assert django.reply_to == ["secretariat@exemple.fr"]
    assert django.from_email == settings.DEFAULT_FROM_EMAIL
    assert prepare.reply_to == ["accueil@montanou.test"]
    # The name is quoted (it holds a comma); the address stays the one the domain signs for.
    assert prepare.from_email == '"Centre social de Montanou, Agen" <ne-pas-repondre@maillage.test>'
    envoye = prepare.message()
    assert envoye["Reply-To"] == "accueil@montanou.test"
    assert "ne-pas-repondre@maillage.test" in envoye["From"]

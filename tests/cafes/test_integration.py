"""Café invitations end to end: a real Celery worker, Redis, PostgreSQL and an SMTP server.

``invitations_envoyer`` queues ``cafes.tasks.envoyer_invitations`` on commit; the worker
prepares the emails in batches, and each email goes through the outbox's own task
(``courrier.tasks.envoyer_courriel``) to the ``smtp_server``.
"""

from collections import Counter
from email.utils import parseaddr

import pytest
from django.conf import settings
from django.urls import reverse
from pytest_django.asserts import assertContains

from cafes.models import Invitation
from cafes.services.invitations import invitations_envoyer
from courrier.enums import StatutCourriel
from courrier.models import Courriel
from tests.attente import attendre
from tests.cafes.factories import CafeFactory, CafeSerieFactory
from tests.partenariats.factories import ContactFactory, PartenaireFactory

pytestmark = pytest.mark.integration

REFUS_DEFINITIF = "550 5.1.1 No such user"


def cafe_avec_contacts(centre, nombre):
    """An upcoming café whose series invites partners with ``nombre`` contacts in all."""
    partenaires = [PartenaireFactory(centre=centre, nom=f"Partenaire {n:02d}") for n in range(5)]
    serie = CafeSerieFactory(centre=centre, nom="Café partenaires de Montanou")
    serie.partenaires.set(partenaires)
    contacts = [
        ContactFactory(partenaire=partenaires[n % 5], email=f"contact{n:02d}@partenaire.test")
        for n in range(nombre)
    ]
    return CafeFactory(centre=centre, serie=serie), contacts


def courriels(cafe):
    return Courriel.objects.filter(pk__in=Invitation.objects.filter(cafe=cafe).values("courriel"))


def statuts(cafe):
    return Counter(courriels(cafe).values_list("statut", flat=True))


def ics(message):
    return [
        partie
        for partie in message.iter_attachments()
        if partie.get_content_type() == "text/calendar"
    ]


def test_fifty_invitations_are_delivered_exactly_once(
    celery_worker, smtp_server, centre, salarie_user
):
    cafe, contacts = cafe_avec_contacts(centre, 50)
    adresses = [c.email for c in contacts]
    type(centre).objects.filter(pk=centre.pk).update(email="accueil@montanou.test")
    cafe.centre.refresh_from_db()

    assert invitations_envoyer(cafe=cafe, par=salarie_user) == 50

    attendre(
        lambda: statuts(cafe) == {StatutCourriel.ENVOYE: 50},
        message=f"50 sent invitations (worker log:\n{celery_worker.log()[-2000:]})",
    )
    # Nothing left to run: a duplicate would be there by now.
    celery_worker.attendre_inactif()
    recus = smtp_server.messages
    expediteur = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    assert all(len(m.rcpt_tos) == 1 for m in recus)
    assert sorted(r for m in recus for r in m.rcpt_tos) == sorted(adresses)
    assert Counter(m.message["To"] for m in recus) == Counter(adresses)
    for recu in recus:
        (piece,) = ics(recu.message)
        assert piece.get_filename() == "invitation.ics"
        assert "BEGIN:VEVENT" in piece.get_content()
        assert "/cafes/desinscription/" in recu.message["List-Unsubscribe"]
        assert recu.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        # Partners see who writes and can answer the centre.
        assert str(recu.message["From"]) == f"Centre social de Montanou <{expediteur}>"
        assert str(recu.message["Reply-To"]) == "accueil@montanou.test"
    invitations = Invitation.objects.filter(cafe=cafe)
    assert invitations.count() == 50
    assert not invitations.filter(envoyee_le__isnull=True).exists()
    assert not invitations.filter(courriel__isnull=True).exists()

    # Sending again reaches only a newcomer: the task ran, and nobody got a second copy.
    nouveau = ContactFactory(partenaire=contacts[0].partenaire, email="nouvelle@partenaire.test")
    assert invitations_envoyer(cafe=cafe, par=salarie_user) == 1
    smtp_server.wait_for(51)
    celery_worker.attendre_inactif()
    recus = smtp_server.messages
    assert Counter(m.message["To"] for m in recus) == Counter([*adresses, nouveau.email])
    assert statuts(cafe) == {StatutCourriel.ENVOYE: 51}


def test_temporary_refusals_are_retried_then_delivered(
    celery_worker, smtp_server, centre, salarie_user
):
    cafe, contacts = cafe_avec_contacts(centre, 5)
    smtp_server.respond_with("421 4.3.0 Try again later", times=3)

    invitations_envoyer(cafe=cafe, par=salarie_user)

    attendre(
        lambda: statuts(cafe) == {StatutCourriel.ENVOYE: 5},
        message=f"5 invitations delivered after the refusals (worker log:\n"
        f"{celery_worker.log()[-2000:]})",
    )
    assert len(smtp_server.refusals) == 3
    assert sorted(m.message["To"] for m in smtp_server.messages) == sorted(
        c.email for c in contacts
    )
    assert sum(courriels(cafe).values_list("tentatives", flat=True)) == 5 + 3


def test_a_permanent_refusal_fails_and_shows_under_the_failed_filter(
    celery_worker, smtp_server, centre, salarie_user, client_salarie, monkeypatch
):
    cafe, contacts = cafe_avec_contacts(centre, 4)
    perdue = contacts[2].email

    def refuser(address):
        return REFUS_DEFINITIF if address.strip("<>").lower() == perdue else None

    monkeypatch.setattr(smtp_server.handler, "_forced_reply", refuser)

    invitations_envoyer(cafe=cafe, par=salarie_user)

    attendre(
        lambda: statuts(cafe) == {StatutCourriel.ENVOYE: 3, StatutCourriel.ECHEC: 1},
        message=f"3 sent, 1 failed (worker log:\n{celery_worker.log()[-2000:]})",
    )
    assert perdue not in [m.message["To"] for m in smtp_server.messages]
    echec = Invitation.objects.select_related("courriel").get(cafe=cafe, contact=contacts[2])
    assert echec.courriel.statut == StatutCourriel.ECHEC
    assert REFUS_DEFINITIF in echec.courriel.derniere_erreur

    response = client_salarie.get(reverse("courrier:liste"), {"statut": "echec"})
    assert [c.pk for c in response.context["courriels"]] == [echec.courriel_id]
    assertContains(response, perdue)
    assertContains(response, REFUS_DEFINITIF, count=1)

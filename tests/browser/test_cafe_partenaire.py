"""A partner's journey through a café invitation in a real browser: the email is read from the
SMTP server, its "Je viens" link opened; the partner answers, changes the answer, then sends a
colleague, whose own invitation reaches the SMTP server.

Celery runs eagerly in the test process here: the invitations' task and the outbox's task
send through Django's SMTP backend to ``smtp_server``."""

import re

import pytest
from playwright.sync_api import expect

from cafes.enums import Reponse
from cafes.models import Invitation
from cafes.services.invitations import invitations_envoyer
from tests.cafes.factories import CafeFactory, CafeSerieFactory
from tests.partenariats.factories import ContactFactory, PartenaireFactory

pytestmark = pytest.mark.browser

ADRESSE = "14 avenue de Montanou, 47000 Agen"


def texte(message):
    return message.get_body(("plain",)).get_content()


def test_partner_answers_changes_and_sends_a_colleague(
    page, live_server, settings, smtp_server, centre, salarie_user, journal
):
    # Links in emails are built from SITE_URL: point it at the test server.
    settings.SITE_URL = live_server.url
    mds = PartenaireFactory(centre=centre, nom="Maison des solidarités")
    serie = CafeSerieFactory(centre=centre, nom="Café partenaires de Montanou")
    serie.partenaires.set([mds])
    cafe = CafeFactory(centre=centre, serie=serie, hote=mds, adresse=ADRESSE)
    awa = ContactFactory(partenaire=mds, prenom="Awa", nom="Diallo", email="awa@mds.test")
    ContactFactory(partenaire=mds, email="accueil@mds.test")

    invitations_envoyer(cafe=cafe, par=salarie_user)

    recus = smtp_server.wait_for(2, timeout=10)
    (recu,) = [m for m in recus if m.rcpt_tos == [awa.email]]
    (lien,) = re.findall(r"Je viens : (https?://\S+)", texte(recu.message))
    assert lien.startswith(live_server.url) and lien.endswith("?reponse=oui")
    invitation = Invitation.objects.get(cafe=cafe, contact=awa)

    # Opening the link shows the café with "Je viens" chosen, and records nothing.
    page.goto(lien)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Café partenaires du")
    expect(page.locator("main")).to_contain_text(ADRESSE)
    expect(page.locator("main")).to_contain_text("Awa Diallo (Maison des solidarités)")
    expect(page.get_by_role("radio", name="Je viens", exact=True)).to_be_checked()
    invitation.refresh_from_db()
    assert (invitation.reponse, invitation.repondu_le) == ("", None)

    page.get_by_role("button", name="Confirmer ma réponse").click()
    confirmation = page.get_by_role("status").filter(has_text="Votre réponse est enregistrée")
    expect(confirmation).to_contain_text("Je viens")
    expect(confirmation).to_contain_text("1 personne")
    invitation.refresh_from_db()
    assert (invitation.reponse, invitation.nb_personnes) == (Reponse.OUI, 1)

    # Changing the answer: maybe, with a colleague.
    page.get_by_role("link", name="Changer ma réponse").click()
    expect(page.get_by_role("radio", name="Je viens", exact=True)).to_be_checked()
    page.get_by_role("radio", name="Peut-être").check()
    page.get_by_label("Nombre de personnes de votre structure").fill("2")
    page.get_by_role("button", name="Confirmer ma réponse").click()
    confirmation = page.get_by_role("status").filter(has_text="Votre réponse est enregistrée")
    expect(confirmation).to_contain_text("Peut-être")
    expect(confirmation).to_contain_text("2 personnes")
    invitation.refresh_from_db()
    assert (invitation.reponse, invitation.nb_personnes) == (Reponse.PEUT_ETRE, 2)
    assert Invitation.objects.filter(cafe=cafe).count() == 2

    # Sending a colleague instead.
    page.get_by_text("Envoyer une personne de mon équipe à ma place").click()
    page.get_by_label("Prénom").fill("Karim")
    page.get_by_role("textbox", name=re.compile(r"^Nom\b")).fill("Benali")
    page.get_by_label("Adresse électronique").fill("karim@mds.test")
    page.get_by_role("button", name="Inviter cette personne à ma place").click()
    expect(page.locator("main")).to_contain_text("Karim Benali (karim@mds.test)")

    collegue = Invitation.objects.select_related("contact").get(
        cafe=cafe, contact__email="karim@mds.test"
    )
    assert collegue.invitee_par_id == invitation.pk
    assert collegue.contact.partenaire_id == mds.pk
    assert collegue.envoyee_le is not None
    invitation.refresh_from_db()
    assert invitation.reponse == Reponse.NON

    recus = smtp_server.wait_for(3, timeout=10)
    (pour_karim,) = [m for m in recus if m.rcpt_tos == ["karim@mds.test"]]
    assert "Awa Diallo ne peut pas venir" in texte(pour_karim.message)
    assert re.search(r"https?://\S+/cafes/reponse/\S+/", texte(pour_karim.message))
    assert journal == []

"""A fiche update in a real browser: the partner opens the link of its email, changes the
opening hours and sends; staff accept; the partner page shows the new hours. Also the grouped
send's progress bar, which htmx polls under the CSP."""

import re

import pytest
from playwright.sync_api import expect

from courrier.models import Courriel
from partenariats.selectors import destinataires_possibles
from partenariats.services import demandes
from tests.browser.test_accessibilite import assert_no_serious_violation
from tests.partenariats.factories import ContactFactory, LotDemandesFactory, PartenaireFactory

pytestmark = pytest.mark.browser

NOUVEAUX_HORAIRES = "Du mardi au samedi, 10 h – 18 h"


def test_partner_updates_hours_and_staff_accept(
    page, live_server, settings, connecte, centre, salarie, journal
):
    # Links in emails are built from SITE_URL: point it at the test server.
    settings.SITE_URL = live_server.url
    partenaire = PartenaireFactory(
        centre=centre, nom="Maison des solidarités", horaires="Le lundi, 9 h – 12 h"
    )
    contact = ContactFactory(partenaire=partenaire, email="awa@mds.test")
    demandes.demande_envoyer(
        partenaire=partenaire,
        destinataire=destinataires_possibles(partenaire)[0],
        par=salarie,
    )
    courriel = Courriel.objects.get(destinataire=contact.email)
    (lien,) = re.findall(r"https?://\S+/partenaires/fiche/\S+/", courriel.corps_texte)

    # The partner, without an account.
    page.goto(lien)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Votre fiche\u00a0: Maison des solidarités"
    )
    expect(page.locator("header")).to_contain_text(centre.nom)
    expect(page.get_by_role("navigation")).to_have_count(0)
    horaires = page.get_by_label("Horaires d'ouverture")
    expect(horaires).to_have_value("Le lundi, 9 h – 12 h")
    assert_no_serious_violation(page)
    horaires.fill(NOUVEAUX_HORAIRES)
    page.get_by_role("button", name="Envoyer ma fiche au centre").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Merci, votre fiche est transmise")
    partenaire.refresh_from_db()
    assert partenaire.horaires == "Le lundi, 9 h – 12 h"

    # Staff, logged in, from the partner page to the review.
    connecte(salarie)
    page.goto(partenaire.get_absolute_url())
    section = page.get_by_role("region", name="Demandes de mise à jour")
    expect(section).to_contain_text("Soumise, à examiner")
    section.get_by_role("link", name=re.compile("^Envoyée le")).click()
    case = page.get_by_role("checkbox", name="Horaires d'ouverture")
    expect(case).to_be_checked()
    expect(page.get_by_role("table")).to_contain_text(NOUVEAUX_HORAIRES)
    assert_no_serious_violation(page)
    page.get_by_role("button", name="Accepter les modifications cochées").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Fiche mise à jour (horaires d'ouverture) et confirmée ce jour\u00a0: "
        "Maison des solidarités"
    )

    page.get_by_role("link", name="Maison des solidarités").first.click()
    fiche = page.get_by_role("region", name="Fiche signalétique")
    expect(fiche).to_contain_text(NOUVEAUX_HORAIRES)
    expect(fiche).to_contain_text("Confirmée par le partenaire le")
    expect(page.get_by_role("region", name="Ce qui s'est passé")).to_contain_text(
        "Modifications acceptées"
    )
    assert journal == []


def test_progress_bar_follows_the_send_then_lists_the_requests(
    page, connecte, centre, salarie, journal
):
    partenaires = [
        PartenaireFactory(centre=centre, nom=f"Partenaire {n}", email=f"p{n}@partenaire.test")
        for n in range(3)
    ]
    lot = LotDemandesFactory(
        centre=centre,
        cree_par=salarie,
        partenaires=[p.pk for p in partenaires],
        total=len(partenaires),
    )
    connecte(salarie)
    page.goto(f"/partenaires/demandes/envois/{lot.pk}/")
    barre = page.get_by_role("progressbar", name="Partenaires traités")
    expect(barre).to_have_attribute("aria-valuenow", "0")
    expect(page.locator("#texte-progression")).to_have_text("0 sur 3")
    assert_no_serious_violation(page)

    # The worker does its job while the page is open; htmx notices, then the page reloads.
    demandes.lot_traiter(lot_id=lot.pk)
    expect(page.get_by_role("status")).to_contain_text("3 demandes envoyées")
    expect(page.get_by_role("table")).to_contain_text("Partenaire 2")
    expect(page.get_by_role("progressbar")).to_have_count(0)
    assert journal == []

"""The staff journey through partnerships, in Chromium: from a partner's page, record an
orientation partnership; find it in the list with a filter; record its protocol with the
signed PDF; open the PDF again from the partnership's page. On a phone the list shows its
results first and its filters behind a button."""

import re
import subprocess

import pytest
from playwright.sync_api import expect

from commun.pdf import pdf_rendre
from partenariats.models import ProtocoleOrientation
from tests.partenariats.factories import ContactFactory, PartenaireFactory, PartenariatFactory

pytestmark = pytest.mark.browser


def _protocole_pdf(tmp_path, partenaire, prescriptrice):
    contenu = pdf_rendre(
        "partenariats/pdf/protocole_demo.html",
        {
            "centre": partenaire.centre,
            "partenaire": partenaire,
            "signataire": prescriptrice,
            "prescripteurs": [prescriptrice],
            "signe_le": None,
            "valide_jusqu_au": None,
        },
    )
    chemin = tmp_path / "Protocole signé.pdf"
    chemin.write_bytes(contenu)
    return chemin


def test_partnership_from_the_partner_page_to_its_signed_protocol(
    page, connecte, salarie_user, centre, tmp_path
):
    partenaire = PartenaireFactory(centre=centre, nom="Centre médico-social de Montanou")
    prescriptrice = ContactFactory(
        partenaire=partenaire, prenom="Aurélie", nom="Marty", fonction="Assistante sociale"
    )
    ContactFactory(centre=centre, prenom="Gaspard", nom="Ailleurs")
    PartenariatFactory(centre=centre, objet="Stages sportifs des vacances")
    connecte(salarie_user)

    page.get_by_role("link", name="Partenaires", exact=True).click()
    page.get_by_role("link", name="Centre médico-social de Montanou").click()
    page.get_by_role("link", name="Ajouter un partenariat").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouveau partenariat")
    expect(page.get_by_role("combobox", name=re.compile(r"^Partenaire"))).to_have_value(
        str(partenaire.pk)
    )
    page.get_by_role("combobox", name=re.compile(r"^Type")).select_option(label="Orientation")
    page.get_by_role("textbox", name=re.compile(r"^Objet")).fill(
        "Orientation des familles vers les ateliers parents-enfants"
    )
    page.get_by_role("combobox", name=re.compile(r"^Niveau")).select_option(label="Allié")
    page.get_by_role("combobox", name=re.compile(r"^Horizon")).select_option(label="Long terme")
    page.get_by_label("Début").fill("2026-01-05")
    page.get_by_label("Fin", exact=True).fill("2025-12-31")
    page.get_by_label("Construit ensemble en amont").check()
    page.get_by_role("button", name="Enregistrer").click()
    # Bad dates: said in French, the values kept.
    expect(page.get_by_text("La date de fin doit être le jour du début ou après.")).to_be_visible()
    expect(page.get_by_role("textbox", name=re.compile(r"^Objet"))).to_have_value(
        "Orientation des familles vers les ateliers parents-enfants"
    )
    page.get_by_label("Fin", exact=True).fill("2028-12-31")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Orientation des familles vers les ateliers parents-enfants"
    )
    creation = "Partenariat créé\u00a0: Centre médico-social de Montanou."
    expect(page.get_by_text(creation)).to_be_visible()

    # The list, filtered by type.
    page.get_by_role("navigation", name="Partenariats").get_by_role(
        "link", name="Partenariats"
    ).click()
    expect(page.get_by_role("heading", name="2 partenariats")).to_be_visible()
    page.get_by_role("combobox", name="Type").select_option(label="Orientation")
    page.get_by_role("button", name="Appliquer").click()
    expect(page.get_by_role("heading", name="1 partenariat")).to_be_visible()
    assert "type=orientation" in page.url
    expect(page.get_by_text("Stages sportifs des vacances")).to_have_count(0)
    page.get_by_role("link", name=re.compile("^Centre médico-social de Montanou")).click()

    # Its protocol, with the signed PDF and the partner's own contacts.
    page.get_by_role("link", name="Enregistrer le protocole").click()
    expect(page.get_by_label("Gaspard Ailleurs")).to_have_count(0)
    page.get_by_label("Signé le").fill("2026-01-15")
    page.get_by_label("Valable jusqu'au").fill("2029-01-14")
    page.get_by_label("Protocole signé (PDF)").set_input_files(
        _protocole_pdf(tmp_path, partenaire, prescriptrice)
    )
    page.get_by_label("Aurélie Marty").check()
    page.get_by_role("button", name="Enregistrer le protocole").click()
    expect(page.get_by_text("Protocole d'orientation enregistré.")).to_be_visible()
    protocole = page.get_by_role("region", name="Protocole d'orientation")
    expect(protocole).to_contain_text("15 janvier 2026")
    expect(protocole).to_contain_text("Aurélie Marty (Assistante sociale)")

    lien = protocole.get_by_role("link", name=re.compile("^Ouvrir le protocole signé"))
    reponse = page.request.get(lien.get_attribute("href"))
    assert reponse.status == 200
    assert reponse.headers["content-type"] == "application/pdf"
    texte = subprocess.run(
        ["pdftotext", "-", "-"], input=reponse.body(), capture_output=True, check=True
    ).stdout.decode()
    assert "Protocole d'orientation" in texte
    assert "Aurélie Marty" in texte
    assert ProtocoleOrientation.objects.get().document_nom == "Protocole signé.pdf"

    # The partner's timeline tells the story.
    page.get_by_role("link", name="Centre médico-social de Montanou").click()
    chronologie = page.get_by_role("region", name="Ce qui s'est passé")
    expect(chronologie).to_contain_text("Partenariat d'orientation créé")
    expect(chronologie).to_contain_text("Protocole d'orientation enregistré")


def test_on_a_phone_the_list_shows_results_first_and_filters_behind_a_button(
    page, connecte, salarie_user, centre
):
    PartenariatFactory(centre=centre, objet="Stages sportifs des vacances")
    page.set_viewport_size({"width": 390, "height": 844})
    connecte(salarie_user)
    page.goto("/partenariats/")
    expect(page.get_by_role("heading", name="1 partenariat")).to_be_in_viewport()
    type_ = page.get_by_role("combobox", name="Type")
    expect(type_).to_be_hidden()
    page.get_by_role("button", name="Filtrer").click()
    expect(type_).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_partnership_pages_have_no_serious_accessibility_violation(
    page, connecte, salarie_user, centre
):
    from tests.browser.test_accessibilite import assert_no_serious_violation
    from tests.partenariats.factories import ProtocoleOrientationFactory

    protocole = ProtocoleOrientationFactory(centre=centre)
    ContactFactory(partenaire=protocole.partenariat.partenaire, prescripteur=True)
    partenariat = protocole.partenariat
    connecte(salarie_user)
    for adresse in [
        "/partenariats/?type=orientation&fin_proche=on",
        partenariat.get_absolute_url(),
        f"/partenariats/{partenariat.pk}/protocole/",
        f"/partenariats/{partenariat.pk}/supprimer/",
        "/partenariats/nouveau/",
    ]:
        page.goto(adresse)
        assert_no_serious_violation(page)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Ce champ est obligatoire.").first).to_be_visible()
    assert_no_serious_violation(page)

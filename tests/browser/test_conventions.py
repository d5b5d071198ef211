"""A funding agreement over three years, in Chromium: the amounts' rows added and removed in
place (htmx), Enter saving the form, the totals per year and per funder on the list; the same
rows without JavaScript; both pages on a phone."""

import re

import pytest
from playwright.sync_api import expect

from tests.partenariats.factories import PartenaireFactory

pytestmark = pytest.mark.browser

NBSP = "\u00a0"


def euros(texte):
    return texte.replace(" ", NBSP)


def _ligne(page, champ, numero):
    return page.get_by_label(f"{champ}, ligne {numero}", exact=True)


def test_a_three_year_agreement_and_its_totals(page, connecte, salarie_user, centre, tmp_path):
    PartenaireFactory(centre=centre, caf=True)
    connecte(salarie_user)
    page.goto("/conventions/")
    page.get_by_role("link", name="Nouvelle convention").click()

    page.get_by_role("combobox", name=re.compile(r"^Financeur")).select_option(
        label="Caisse d'allocations familiales de Lot-et-Garonne (CAF)"
    )
    page.get_by_role("textbox", name=re.compile(r"^Objet")).fill(
        "Prestation de service animation globale"
    )
    page.get_by_role("combobox", name=re.compile(r"^Statut")).select_option(label="Signée")
    page.get_by_label(re.compile(r"Début\*")).fill("2026-01-01")
    page.get_by_label(re.compile(r"\bFin\*")).fill("2028-12-31")
    _ligne(page, "Année", 1).fill("2026")
    _ligne(page, "Montant (€)", 1).fill("12 500,50")

    # Each new row proposes the next year and takes the focus; the rest of the form is
    # left as it is (only the amounts are swapped).
    page.get_by_role("button", name="Ajouter une année").click()
    expect(_ligne(page, "Année", 2)).to_have_value("2027")
    expect(_ligne(page, "Année", 2)).to_be_focused()
    _ligne(page, "Montant (€)", 2).fill("13 000")
    page.get_by_role("button", name="Ajouter une année").click()
    # The row is swapped in by htmx: typing before it has landed and taken the focus would
    # type into the row that takes it.
    expect(_ligne(page, "Année", 3)).to_have_value("2028")
    expect(_ligne(page, "Année", 3)).to_be_focused()
    _ligne(page, "Montant (€)", 3).fill("13 500 €")
    page.get_by_role("button", name="Ajouter une année").click()
    expect(_ligne(page, "Année", 4)).to_have_value("2029")
    page.get_by_role("button", name="Retirer la ligne 4").click()
    expect(_ligne(page, "Année", 4)).to_have_count(0)
    expect(_ligne(page, "Montant (€)", 1)).to_have_value("12 500,50")
    expect(page.get_by_role("textbox", name=re.compile(r"^Objet"))).to_have_value(
        "Prestation de service animation globale"
    )

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=tmp_path / "formulaire-390.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.screenshot(path=tmp_path / "formulaire-1280.png", full_page=True)

    # Enter in a field saves, as in any form: the rows' buttons are not the default one.
    page.get_by_label("Référence du financeur").fill("AGC-2026-0147")
    page.get_by_label("Référence du financeur").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Prestation de service animation globale"
    )
    expect(page.get_by_role("status")).to_contain_text("Convention enregistrée")
    expect(page.get_by_role("table")).to_contain_text(euros("39 000,50 €"))

    page.get_by_role("link", name="Toutes les conventions").click()
    totaux = page.get_by_role("table", name="Montants par financeur et par année")
    for attendu in ["2026", "2027", "2028", euros("12 500,50 €"), euros("39 000,50 €")]:
        expect(totaux).to_contain_text(attendu)
    expect(totaux.get_by_role("row", name=re.compile("Total par année"))).to_contain_text(
        euros("13 500,00 €")
    )
    page.screenshot(path=tmp_path / "liste-1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=tmp_path / "liste-390.png", full_page=True)


def test_rows_without_javascript(browser, live_server, page, connecte, salarie_user, centre):
    PartenaireFactory(centre=centre, caf=True)
    connecte(salarie_user)
    sans_js = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    sans_js.add_cookies(page.context.cookies())
    page = sans_js.new_page()
    page.goto("/conventions/nouvelle/")
    page.get_by_role("textbox", name=re.compile(r"^Objet")).fill("Fonds publics et territoires")
    page.get_by_label(re.compile(r"Début\*")).fill("2026-01-01")
    _ligne(page, "Année", 1).fill("2026")
    _ligne(page, "Montant (€)", 1).fill("8 000")
    page.get_by_role("button", name="Ajouter une année").click()
    expect(_ligne(page, "Année", 2)).to_have_value("2027")
    expect(_ligne(page, "Montant (€)", 1)).to_have_value("8 000")
    expect(page.get_by_role("textbox", name=re.compile(r"^Objet"))).to_have_value(
        "Fonds publics et territoires"
    )
    page.get_by_role("button", name="Retirer la ligne 1").click()
    expect(_ligne(page, "Année", 1)).to_have_value("2027")
    sans_js.close()

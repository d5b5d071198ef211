"""The staff journey through the directory, in Chromium: create a partner, find it again by a
word of its missions typed without its accent, export the list, print the booklet."""

import csv
import io
import re
import subprocess

import pytest
from django.db import connection
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="accent-insensitive search is PostgreSQL's"
    ),
]


def test_create_find_export_and_print(page, connecte, salarie_user, tmp_path):
    connecte(salarie_user)
    page.get_by_role("link", name="Partenaires", exact=True).click()
    page.get_by_role("link", name="Nouveau partenaire").click()
    # Required fields' labels end with crispy's asterisk.
    page.get_by_role("textbox", name=re.compile(r"^Nom\b")).fill("Ludothèque des Quatre Vents")
    page.get_by_role("combobox", name=re.compile(r"^Catégorie")).select_option(label="Association")
    page.get_by_label("Missions").fill(
        "Prêt de jeux, soirées jeux en famille et éveil des tout-petits."
    )
    page.get_by_label("Commune").fill("Agen")
    page.get_by_label("Famille").check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ludothèque des Quatre Vents")
    expect(page.get_by_text("Fiche créée\u00a0: Ludothèque des Quatre Vents.")).to_be_visible()

    page.get_by_role("link", name="Annuaire des partenaires").click()
    page.get_by_role("searchbox", name="Rechercher").fill("eveil")
    page.get_by_role("button", name="Appliquer").click()
    expect(page.get_by_role("heading", name="1 partenaire")).to_be_visible()
    expect(page.get_by_role("link", name="Ludothèque des Quatre Vents")).to_be_visible()
    assert "q=eveil" in page.url

    page.get_by_role("button", name="Exporter").click()
    with page.expect_download() as telechargement:
        page.get_by_role("link", name="CSV, avec les contacts").click()
    chemin = tmp_path / telechargement.value.suggested_filename
    telechargement.value.save_as(chemin)
    lignes = list(
        csv.DictReader(io.StringIO(chemin.read_text(encoding="utf-8-sig")), delimiter=";")
    )
    assert [ligne["Nom"] for ligne in lignes] == ["Ludothèque des Quatre Vents"]

    page.get_by_role("link", name="Livret").click()
    page.get_by_role("button", name="Préparer le livret").click()
    with page.expect_download() as telechargement:
        page.get_by_role("link", name="Télécharger").first.click()
    pdf = tmp_path / "livret.pdf"
    telechargement.value.save_as(pdf)
    texte = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Ludothèque des Quatre Vents" in texte
    assert "Livret des partenaires" in texte

"""A project's journey in Chromium: create it, add three partners with their RACI roles, write
a bilan with a figure and a photo, read the RACI table, see the project's frise and the
centre's carte du maillage, and get the bilan as a PDF to share. The pages do not scroll
sideways on a phone."""

import io
import re
import subprocess

import pytest
from PIL import Image
from playwright.sync_api import expect

from partenariats.enums import NiveauImplication, TypePartenariat
from tests.partenariats.factories import PartenaireFactory, PartenariatFactory

pytestmark = pytest.mark.browser

PARTENAIRES = [
    ("Comité départemental d'éducation pour la santé", "Responsable (R)", "Co-porteur"),
    ("Centre médico-social de Montanou", "Consulté (C)", "Allié"),
    ("Les Restaurants du Cœur", "Informé (I)", "Information"),
]


def test_project_partners_bilan_raci_and_pdf(page, connecte, salarie_user, centre, tmp_path):
    for nom, _role, _niveau in PARTENAIRES:
        partenaire = PartenaireFactory(centre=centre, nom=nom)
    # The centre already works with the last one: the carte places it on its ring.
    PartenariatFactory(
        centre=centre,
        partenaire=partenaire,
        type=TypePartenariat.ACTION,
        niveau=NiveauImplication.INFORMATION,
        objet="Colis des Restos bébés",
    )
    photo = tmp_path / "atelier-cuisine.png"
    sortie = io.BytesIO()
    Image.new("RGB", (320, 200), "#7cb342").save(sortie, format="PNG")
    photo.write_bytes(sortie.getvalue())

    connecte(salarie_user)
    page.goto("/projets/")
    page.get_by_role("link", name="Nouveau projet ou action").click()
    page.get_by_role("textbox", name=re.compile(r"^Titre")).fill(
        "Bien dans son assiette, bien dans ses baskets"
    )
    page.get_by_role("radio", name="Projet").check()
    page.get_by_role("combobox", name=re.compile(r"^Statut")).select_option(label="En cours")
    page.get_by_label("Diagnostic partagé").fill("Des enfants qui mangent peu de légumes.")
    page.get_by_label("Début").fill("2025-09-01")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Bien dans son assiette, bien dans ses baskets"
    )
    expect(page.get_by_text("Projet créé\u00a0: Bien dans son assiette")).to_be_visible()

    for nom, role, niveau in PARTENAIRES:
        page.get_by_role("link", name="Ajouter un partenaire").first.click()
        page.get_by_role("combobox", name=re.compile(r"^Partenaire")).select_option(label=nom)
        page.get_by_role("radio", name=re.compile(rf"^{re.escape(role)}")).check()
        page.get_by_role("combobox", name=re.compile(r"^Niveau")).select_option(label=niveau)
        page.get_by_label("Freins").fill(f"Ce qui peut retenir : {nom}")
        page.get_by_role("button", name="Ajouter au projet").click()
        expect(page.get_by_text(f"Partenaire ajouté au projet\u00a0: {nom}")).to_be_visible()
    partenaires = page.locator("#partenaires")
    expect(partenaires.get_by_role("heading", name="3 partenaires")).to_be_visible()
    expect(partenaires.get_by_role("link", name=PARTENAIRES[0][0], exact=True)).to_be_visible()
    freins = page.locator("#freins-leviers")
    expect(freins.get_by_text("Ce qui peut retenir : Les Restaurants du Cœur")).to_be_visible()

    page.get_by_role("link", name="Nouveau bilan").click()
    page.get_by_label("Date").fill("2026-03-01")
    page.get_by_role("textbox", name=re.compile(r"^Titre")).fill("Bilan des six premiers mois")
    page.get_by_label("Texte").fill("Les ateliers cuisine ont trouvé leur public.")
    page.get_by_label("Libellé (chiffre 1)").fill("familles participantes")
    page.get_by_label("Valeur (chiffre 1)").fill("42")
    page.get_by_role("button", name="Enregistrer le bilan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bilan des six premiers mois")
    expect(page.get_by_role("row", name="Familles participantes 42")).to_be_visible()

    page.get_by_label("Photo ou document").set_input_files(photo)
    page.get_by_label("Légende").fill("Atelier cuisine du mercredi")
    page.get_by_role("button", name="Ajouter au bilan").click()
    vignette = page.get_by_role("img", name="Atelier cuisine du mercredi")
    expect(vignette).to_be_visible()
    # The thumbnail is the photo itself, served to members of the centre.
    assert page.evaluate("(img) => img.naturalWidth", vignette.element_handle()) == 320
    url_bilan = page.url

    pdf = page.request.get(page.get_by_role("link", name="PDF à partager").get_attribute("href"))
    assert pdf.headers["content-type"] == "application/pdf"
    texte = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf.body(), capture_output=True, check=True
    ).stdout.decode()
    texte = " ".join(texte.split())
    for attendu in [
        "Bien dans son assiette, bien dans ses baskets",
        "Bilan des six premiers mois",
        "Bilan du 1er mars 2026",
        "Les ateliers cuisine ont trouvé leur public.",
        "42 familles participantes",
        "Atelier cuisine du mercredi",
        "Informé (I) Les Restaurants du Cœur",
    ]:
        assert attendu in texte, attendu
    images = subprocess.run(
        ["pdfimages", "-list", "-"], input=pdf.body(), capture_output=True, check=True
    ).stdout.decode()
    # One image, the photo, at its own size (width and height are the 4th and 5th columns).
    assert [ligne.split()[3:5] for ligne in images.splitlines()[2:]] == [["320", "200"]]

    fil = page.get_by_role("navigation", name="Fil d'Ariane")
    fil.get_by_role("link", name="Bien dans son assiette, bien dans ses baskets").click()
    page.get_by_role("link", name="Tableau RACI").click()
    tableau = page.get_by_role("table", name=re.compile("Qui fait quoi dans le projet"))
    expect(tableau.get_by_role("row")).to_have_count(4)
    ligne = tableau.get_by_role("row", name=re.compile(r"^Centre médico-social de Montanou"))
    expect(ligne.get_by_role("cell", name="Consulté")).to_be_visible()
    expect(ligne.get_by_role("cell", name="Allié")).to_be_visible()
    url_raci = page.url

    # The project's frise: each partner on the line of its level of involvement.
    page.goto(url_raci.removesuffix("raci/"))
    page.get_by_role("link", name="Frise du projet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Frise\u00a0: Bien dans son assiette, bien dans ses baskets"
    )
    expect(page.get_by_role("img", name=re.compile("^Frise"))).to_be_visible()
    frise = page.get_by_role("table")
    for nom, _role, _niveau in PARTENAIRES:
        expect(frise).to_contain_text(nom)
    url_frise = page.url

    # The centre's carte du maillage: the partner it works with, on the "information" ring,
    # sized by the project they now share.
    page.get_by_role("link", name="Carte du maillage").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Carte du maillage")
    expect(page.get_by_role("img", name=re.compile("^Carte du maillage"))).to_be_visible()
    carte = page.get_by_role("table").first
    expect(carte).to_contain_text("Les Restaurants du Cœur")

    # On a phone, none of the three pages scrolls sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    for url in [url_raci, url_bilan, url_raci.removesuffix("raci/"), url_frise]:
        page.goto(url)
        largeur = page.evaluate("document.documentElement.scrollWidth")
        assert largeur <= 390, url

"""The frise and the carte in a real browser: a click on a partner in the drawing opens its
page; on a laptop and on a phone (screenshots to look at: set MAILLAGE_CAPTURES to a folder
to keep them), nothing scrolls sideways but the frise inside its frame."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from partenariats.enums import Horizon, NiveauImplication, TypePartenariat
from tests.browser.test_accessibilite import assert_no_serious_violation
from tests.partenariats.factories import (
    PartenaireFactory,
    PartenariatFactory,
    ParticipationProjetFactory,
    ProjetFactory,
)

pytestmark = pytest.mark.browser

NOMS = [
    "Ludothèque des Quatre Vents",
    "Mairie d'Agen",
    "Caisse d'allocations familiales de Lot-et-Garonne",
    "Agen Habitat",
    "Mission locale de l'Agenais",
    "Judo club agenais",
    "Pharmacie du Pin",
    "Secours populaire français",
    "Médiathèque Lacépède",
    "École élémentaire Jean-Jaurès",
    "Restos du Cœur",
    "Régie de quartier",
]


@pytest.fixture
def partenariats(centre):
    niveaux, horizons, types = list(NiveauImplication), list(Horizon), list(TypePartenariat)
    partenaires = []
    for n in range(36):
        nom = NOMS[n] if n < len(NOMS) else f"Association de quartier n°{n}"
        sigle = "CAF" if "allocations" in nom else ""
        partenaire = PartenaireFactory(centre=centre, nom=nom, sigle=sigle)
        PartenariatFactory(
            centre=centre,
            partenaire=partenaire,
            niveau=niveaux[min(n % 5, 2)],
            horizon=horizons[(n // 2) % 3],
            type=types[n % 4],
        )
        partenaires.append(partenaire)
    projet = ProjetFactory(centre=centre, titre="Bien dans son assiette, bien dans ses baskets")
    for n, partenaire in enumerate(partenaires[:6]):
        ParticipationProjetFactory(
            projet=projet, partenaire=partenaire, niveau=niveaux[n % 3], horizon=horizons[n % 3]
        )
    return partenaires, projet


def _lien_du_dessin(page, partenariats, nom):
    """The link laid over the drawing for the partner ``nom`` (mouse and touch only: it is
    hidden from assistive technologies, who have the table)."""
    (partenaire,) = [p for p in partenariats[0] if p.nom == nom]
    return page.locator(f'svg.dessin-liens a[href="/partenaires/{partenaire.pk}/"]')


def _captures(page, tmp_path, nom):
    dossier = Path(os.environ.get("MAILLAGE_CAPTURES") or tmp_path)
    dossier.mkdir(parents=True, exist_ok=True)
    for largeur in (1280, 390):
        page.set_viewport_size({"width": largeur, "height": 900})
        page.screenshot(path=dossier / f"{nom}-{largeur}.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= largeur
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_click_on_a_partner_of_the_frise_opens_its_page(
    page, connecte, lecture_user, partenariats, tmp_path
):
    connecte(lecture_user)
    page.goto("/partenariats/frise/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Frise des partenariats")
    dessin = page.get_by_role("img", name="Frise des partenariats\u00a0: Centre social de Montanou")
    expect(dessin).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Ludothèque des Quatre Vents")
    assert_no_serious_violation(page)
    _captures(page, tmp_path, "frise")

    _lien_du_dessin(page, partenariats, "Ludothèque des Quatre Vents").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ludothèque des Quatre Vents")


def test_a_click_on_a_partner_of_the_carte_opens_its_page(
    page, connecte, lecture_user, partenariats, tmp_path
):
    connecte(lecture_user)
    page.goto("/partenariats/carte/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Carte du maillage")
    expect(
        page.get_by_role("img", name="Carte du maillage\u00a0: Centre social de Montanou")
    ).to_be_visible()
    assert_no_serious_violation(page)
    _captures(page, tmp_path, "carte")

    _lien_du_dessin(page, partenariats, "Mairie d'Agen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mairie d'Agen")


def test_the_frise_of_a_project(page, connecte, lecture_user, partenariats, tmp_path):
    _partenaires, projet = partenariats
    connecte(lecture_user)
    page.goto(f"/partenariats/projets/{projet.pk}/frise/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Frise\u00a0: Bien dans son assiette, bien dans ses baskets"
    )
    assert_no_serious_violation(page)
    _captures(page, tmp_path, "frise-projet")
    _lien_du_dessin(page, partenariats, "Agen Habitat").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Agen Habitat")

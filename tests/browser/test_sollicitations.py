"""Requests received in a real browser: staff record one and decline it with a reason, record
another and accept it; the partnership exists and points back to the request. Screenshots at
1280 and 390 px are written to ``SCREENSHOTS`` when that variable names a folder."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.utils import timezone
from playwright.sync_api import expect

from partenariats.enums import Construction, DecisionSollicitation, TypePartenariat
from partenariats.models import Partenariat, Sollicitation
from partenariats.selectors_sollicitations import sollicitation_origine
from tests.browser.test_accessibilite import assert_no_serious_violation
from tests.partenariats.factories import PartenaireFactory
from tests.partenariats.test_alertes import page_de

pytestmark = pytest.mark.browser

RAISON = (
    "Nous n'avons pas été associés à l'écriture du projet\u00a0; nous ne pouvons pas engager "
    "l'équipe sans en discuter."
)


def dans(jours):
    return (timezone.localdate() + timedelta(days=jours)).isoformat()


def _photo(page, nom):
    dossier = os.environ.get("SCREENSHOTS")
    if not dossier:
        return
    for largeur in (1280, 390):
        page.set_viewport_size({"width": largeur, "height": 900})
        page.screenshot(path=str(Path(dossier) / f"{nom}-{largeur}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _enregistrer(page, demandeur, nature, objet, echeance, associe=False):
    page.goto("/demandes-recues/")
    page.get_by_role("link", name="Enregistrer une demande").click()
    page.get_by_label("Demandeur").select_option(label=demandeur)
    page.get_by_label(nature).check()
    page.get_by_label("Ce qui est demandé").fill(objet)
    page.get_by_label("Réponse attendue avant le").fill(echeance)
    if associe:
        page.get_by_label("Le centre a été associé à sa conception").check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(objet)


def test_record_decline_then_record_and_accept(page, connecte, centre, salarie, journal):
    PartenaireFactory(centre=centre, nom="Ville d'Agen — politique de la ville")
    bailleur = PartenaireFactory(centre=centre, nom="Agen Habitat")
    page.set_viewport_size({"width": 1280, "height": 900})
    connecte(salarie)

    # A request written without the centre, declined with the reason.
    _enregistrer(
        page,
        "Ville d'Agen — politique de la ville",
        "Figurer comme partenaire d'une demande de subvention ou d'une fiche action",
        "Figurer dans la fiche action « Parentalité et numérique »",
        dans(45),
    )
    expect(page.get_by_role("status")).to_contain_text("Demande enregistrée")
    assert_no_serious_violation(page)
    page.get_by_role("link", name="Négocier ou décliner").click()
    page.get_by_label("Décliner").check()
    page.get_by_role("button", name="Enregistrer la décision").click()
    # The reason is required: the form says so, nothing is recorded.
    expect(page.get_by_text("Indiquez la raison")).to_be_visible()
    page.get_by_label("Raison").fill(RAISON)
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_role("region", name="Décision")).to_contain_text("Déclinée")
    expect(page.get_by_role("region", name="Décision")).to_contain_text(RAISON)
    _photo(page, "sollicitation-declinee")
    declinee = Sollicitation.objects.get(demandeur__nom__startswith="Ville")
    assert declinee.decision == DecisionSollicitation.DECLINER
    assert declinee.decidee_par == salarie

    # A request designed with the centre, accepted: the partnership is made in the same step.
    _enregistrer(
        page,
        "Agen Habitat",
        "Cosigner un projet",
        "Cosigner le projet « Immeuble en fête »",
        dans(60),
        associe=True,
    )
    page.get_by_role("link", name="Accepter", exact=True).click()
    expect(page.get_by_label("Type")).to_have_value(TypePartenariat.PROJET)
    expect(page.get_by_label("Construit ensemble en amont")).to_be_checked()
    assert_no_serious_violation(page)
    _photo(page, "sollicitation-accepter")
    page.get_by_label("Horizon").select_option(label="Court terme")
    page.get_by_role("button", name="Accepter et créer le partenariat").click()
    decision = page.get_by_role("region", name="Décision")
    expect(decision).to_contain_text("Acceptée")
    expect(decision).to_contain_text("Partenariat issu de la demande")
    _photo(page, "sollicitation-acceptee")

    partenariat = Partenariat.objects.get()
    acceptee = Sollicitation.objects.get(partenariat=partenariat)
    assert partenariat.partenaire == bailleur
    assert partenariat.construction == Construction.CO_CONSTRUIT
    assert partenariat.horizon == "court"
    # The request links to the partnership (its partner's page until the partnerships' own
    # page exists), and the partnership's include links back to the request.
    lien = page_de("partenariat_detail", partenariat.pk, bailleur.get_absolute_url())
    expect(decision.get_by_role("link")).to_have_attribute("href", lien)
    origine = render_to_string(
        "partenariats/_sollicitation_origine.html",
        {"sollicitation": sollicitation_origine(partenariat)},
    )
    assert f'href="{acceptee.get_absolute_url()}"' in origine
    # The partner's timeline tells it too.
    page.goto(bailleur.get_absolute_url())
    expect(page.get_by_role("region", name="Ce qui s'est passé")).to_contain_text(
        "Demande reçue acceptée"
    )

    # The list: both decided, nothing left to do.
    page.goto("/demandes-recues/")
    expect(page.get_by_role("table")).to_contain_text("Aucune demande à traiter.")
    page.get_by_role("link", name="Décidées").click()
    expect(page.get_by_role("table")).to_contain_text("Déclinée")
    expect(page.get_by_role("table")).to_contain_text("Acceptée")
    assert_no_serious_violation(page)
    _photo(page, "sollicitations-decidees")
    assert journal == []

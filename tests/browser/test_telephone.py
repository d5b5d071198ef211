"""On a phone (390 px wide, an iPhone 12 to 15): no page of the demo scrolls sideways."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from tests.pages.demo import comptes_demo, demo_charger, pages
from tests.partenariats.factories import PartenaireFactory

pytestmark = pytest.mark.browser

LARGEUR = 390
# What sticks out, so that a failure names what to fix: the outermost elements past the
# screen's right edge, and absolutely positioned ones (they escape a scrolling box that has
# no position, as a visually hidden label in a .table-responsive did).
DEPASSE = """largeur => [...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > largeur + 1
                 && (e.parentElement.getBoundingClientRect().right <= largeur + 1
                     || ["absolute", "fixed"].includes(getComputedStyle(e).position)))
    .slice(0, 3)
    .map(e => e.outerHTML.slice(0, 120).replace(/\\s+/g, " "))"""


def _se_connecter(page, live_server, user):
    page.context.clear_cookies()
    if user is None:
        return
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )


def test_no_demo_page_scrolls_sideways_on_a_phone(page, live_server):
    demo_charger()
    page.set_viewport_size({"width": LARGEUR, "height": 844})
    trop_larges = []
    for user, depart in comptes_demo():
        urls = [url for url, _html in pages(user, depart)]
        _se_connecter(page, live_server, user)
        for url in urls:
            page.goto(url)
            largeur = page.evaluate("document.documentElement.scrollWidth")
            if largeur > LARGEUR:
                qui = user.email if user else "anonyme"
                depasse = page.evaluate(DEPASSE, LARGEUR)
                trop_larges.append(f"{qui} {url}: {largeur} px; {depasse}")
    assert trop_larges == [], "Pages wider than the phone:\n" + "\n".join(trop_larges)


def test_directory_on_a_phone_shows_results_first_and_filters_behind_a_button(
    page, browser, live_server, salarie_user, centre
):
    PartenaireFactory(centre=centre, nom="Ludothèque des Quatre Vents")
    page.set_viewport_size({"width": LARGEUR, "height": 844})
    _se_connecter(page, live_server, salarie_user)
    page.goto("/partenaires/")
    recherche = page.get_by_role("searchbox", name="Rechercher")
    expect(recherche).to_be_hidden()
    expect(page.get_by_role("heading", name="1 partenaire")).to_be_in_viewport()
    expect(page.get_by_role("link", name="Ludothèque des Quatre Vents")).to_be_visible()
    bouton = page.get_by_role("button", name="Rechercher et filtrer")
    expect(bouton).to_have_attribute("aria-expanded", "false")
    bouton.click()
    expect(bouton).to_have_attribute("aria-expanded", "true")
    expect(recherche).to_be_visible()

    # On a wide screen the filters are there from the start, with no button.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.reload()
    expect(recherche).to_be_visible()
    expect(bouton).to_be_hidden()

    # Without JavaScript the results are still there.
    sans_js = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    sans_js.add_cookies(page.context.cookies())
    page_sans_js = sans_js.new_page()
    page_sans_js.set_viewport_size({"width": LARGEUR, "height": 844})
    page_sans_js.goto("/partenaires/")
    expect(page_sans_js.get_by_role("link", name="Ludothèque des Quatre Vents")).to_be_visible()
    sans_js.close()

"""The journey of a member of two centres, in a real browser: log in, switch centre, log out.

Also what only a browser can tell: keyboard use, the collapsed navigation on a phone, and that
no page asks anything of another host (no CDN, no font service).
"""

import re

import pytest
from playwright.sync_api import expect

from reseau.enums import Role
from tests.factories import MembreFactory, UserFactory

pytestmark = pytest.mark.browser

# Until they choose, people land in the centre where they hold the widest role
# (CurrentCentreMiddleware); Fumel also comes first in the switcher, which sorts by name.
PREMIER = "Centre social de Fumel"
SECOND = "Centre social de Montanou"


@pytest.fixture
def membre_deux_centres(centre, autre_centre):
    assert (autre_centre.nom, centre.nom) == (PREMIER, SECOND)
    user = UserFactory(first_name="Camille", last_name="Martin")
    MembreFactory(user=user, centre=autre_centre, role=Role.SALARIE)
    MembreFactory(user=user, centre=centre, role=Role.LECTURE)
    return user


@pytest.fixture
def journal(page):
    """Every request the page makes, every console error, every failed response."""
    requests, erreurs = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda msg: msg.type == "error" and erreurs.append(msg.text))
    page.on("pageerror", lambda error: erreurs.append(str(error)))
    page.on(
        "response",
        lambda response: (
            response.status >= 400 and erreurs.append(f"{response.status} {response.url}")
        ),
    )
    return {"requests": requests, "erreurs": erreurs}


def _h1(page):
    return page.get_by_role("heading", level=1)


def _focused(page, expression):
    return page.evaluate(f"document.activeElement.{expression}")


def test_member_of_two_centres_switches_centre_and_logs_out(
    page, live_server, se_connecter, membre_deux_centres, journal
):
    se_connecter(membre_deux_centres)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(_h1(page)).to_have_text(PREMIER)
    expect(page.locator(".centre-bandeau")).to_contain_text(PREMIER)

    switcher = page.get_by_label("Centre", exact=True)
    expect(switcher).to_have_value(
        str(membre_deux_centres.membres.get(centre__nom=PREMIER).centre_id)
    )
    switcher.select_option(label=SECOND)
    page.get_by_role("button", name="Changer", exact=True).click()

    expect(_h1(page)).to_have_text(SECOND)
    expect(page.get_by_role("status")).to_contain_text(
        f"Vous travaillez maintenant dans ce centre\u00a0: {SECOND}."
    )
    expect(page.locator(".centre-bandeau")).to_contain_text("Lecture seule")
    # The choice sticks for the session, and the message is shown only once.
    page.reload()
    expect(_h1(page)).to_have_text(SECOND)
    expect(page.get_by_role("status")).to_have_count(0)

    page.get_by_role("button", name="Camille Martin").click()
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(f"{live_server.url}/compte/connexion/")
    expect(_h1(page)).to_have_text("Connexion à Maillage")
    # Logged out for real: the home page sends back to the login form.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/compte/connexion/\?next=/$"))

    assert journal["requests"], "no request recorded"
    ailleurs = [url for url in journal["requests"] if not url.startswith(f"{live_server.url}/")]
    assert ailleurs == [], f"requests to another host: {ailleurs}"
    # The stylesheet and Bootstrap's script came from our own static files.
    assert (
        f"{live_server.url}/static/vendor/bootstrap/bootstrap.bundle.min.js" in journal["requests"]
    )
    assert f"{live_server.url}/static/vendor/bootstrap/bootstrap.min.css" in journal["requests"]
    # A CSP violation or a missing static file shows up as a console error or a 4xx.
    assert journal["erreurs"] == []


def test_skip_link_is_first_tab_stop_and_focuses_main(page, connecte, membre_deux_centres):
    connecte(membre_deux_centres)
    page.keyboard.press("Tab")
    assert _focused(page, "textContent.trim()") == "Aller au contenu"
    # Hidden until focused, then visible for sighted keyboard users.
    expect(page.get_by_role("link", name="Aller au contenu")).to_be_visible()

    page.keyboard.press("Enter")
    assert _focused(page, "id") == "contenu"
    # The next Tab continues from the main content onwards, not from the top of the page.
    page.keyboard.press("Tab")
    assert page.evaluate(
        """() => {
            const main = document.getElementById("contenu");
            const active = document.activeElement;
            return active !== document.body
                && !document.querySelector("header").contains(active)
                // Set for an element inside main as well as for one after it.
                && Boolean(main.compareDocumentPosition(active) & Node.DOCUMENT_POSITION_FOLLOWING);
        }"""
    ), _focused(page, "outerHTML")


def test_centre_switcher_works_with_keyboard_only(page, connecte, membre_deux_centres):
    connecte(membre_deux_centres)
    expect(_h1(page)).to_have_text(PREMIER)

    for _ in range(20):
        page.keyboard.press("Tab")
        if _focused(page, "id") == "choix-centre":
            break
    else:
        pytest.fail("the centre switcher cannot be reached with Tab")

    # On Linux, arrow keys change a closed <select> without opening it.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    assert _focused(page, "textContent.trim()") == "Changer"
    page.keyboard.press("Enter")

    expect(_h1(page)).to_have_text(SECOND)
    expect(page.get_by_role("status")).to_contain_text(
        f"Vous travaillez maintenant dans ce centre\u00a0: {SECOND}."
    )


def test_phone_navigation_collapses_behind_toggler(
    page, live_server, connecte, membre_deux_centres
):
    page.set_viewport_size({"width": 375, "height": 700})
    connecte(membre_deux_centres)
    expect(_h1(page)).to_have_text(PREMIER)

    toggler = page.get_by_role("button", name="Afficher ou masquer la navigation")
    navigation = page.locator("#navigation")
    expect(toggler).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "false")
    expect(navigation).to_be_hidden()
    expect(page.get_by_label("Centre", exact=True)).to_be_hidden()

    # The toggler runs on Bootstrap's script; the page's scripts are files the app serves itself
    # (htmx, for the progress bars, is the other one).
    assert page.evaluate("[...document.scripts].map(s => s.src)") == [
        f"{live_server.url}/static/django_htmx/htmx-2.min.js",
        f"{live_server.url}/static/vendor/bootstrap/bootstrap.bundle.min.js",
    ]
    toggler.click()
    # "collapsing" while the animation runs; Bootstrap ignores a click until it ends.
    expect(navigation).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    expect(navigation).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("link", name="Accueil")).to_be_visible()
    expect(page.get_by_label("Centre", exact=True)).to_be_visible()
    # Nothing overflows sideways on a narrow screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    toggler.click()
    expect(navigation).to_be_hidden()

"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live_server.

Playwright cannot download its own browser here, and the app must work without any request
to another host, so the browser runs with background networking off.
"""

import os
import shutil
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: scripts/test installs it (apt chromium).")
    # Playwright's sync API runs an event loop in this thread; the ORM calls that tests make
    # alongside it are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, transactional_db):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def se_connecter(page):
    """Logs a user in through the real login form; returns the page on the home page."""
    from tests.factories import MOT_DE_PASSE

    def se_connecter(user, password=MOT_DE_PASSE):
        page.goto("/compte/connexion/")
        page.get_by_label("Adresse électronique").fill(user.email)
        page.get_by_label("Mot de passe").fill(password)
        page.get_by_role("button", name="Se connecter").click()
        # "**/" would also match the login page itself: wait for the home page's path.
        page.wait_for_url(lambda url: urlsplit(url).path == "/")
        return page

    return se_connecter

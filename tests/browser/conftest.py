import pytest
from django.conf import settings
from django.test import Client

from reseau.enums import Role
from tests.factories import MembreFactory


@pytest.fixture
def connecte(page, live_server):
    """Opens the home page as ``user``, with a session made on the server side.

    Faster than the login form, which test_parcours drives for real; the pages under test
    here are the ones behind it.
    """

    def connecte(user):
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
        page.goto("/")
        return page

    return connecte


@pytest.fixture
def journal(page):
    """The console errors of the page, which a test expects to stay empty. test_parcours and
    test_cafe_equipe keep their own, which also records requests or failed responses."""
    erreurs = []
    page.on("console", lambda msg: msg.type == "error" and erreurs.append(msg.text))
    page.on("pageerror", lambda error: erreurs.append(str(error)))
    return erreurs


@pytest.fixture
def salarie(centre):
    return MembreFactory(
        centre=centre, role=Role.SALARIE, user__first_name="Lina", user__last_name="Moreau"
    ).user

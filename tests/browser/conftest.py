import pytest
from django.conf import settings
from django.test import Client


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

"""Security headers and cookies, checked on real responses with the test client.

The pages listed here are the ones that exist today; a page that lands later inherits
base.html, so the checks on these pages cover the shared layout it is built on.
"""

from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import MOT_DE_PASSE

PAGES_PUBLIQUES = ["login", "donnees_personnelles", "password_reset"]
PAGES_CONNECTEES = ["accueil", "reseau:membres", "profil", "donnees_personnelles"]


class _InlineFinder(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, style attributes, style tags,
    and inline event handlers (onclick=...)."""

    def __init__(self):
        super().__init__()
        self.problemes = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src"):
            self.problemes.append(f"<script> without src: {self.get_starttag_text()}")
        if tag == "style":
            self.problemes.append("<style> element")
        if "style" in attrs:
            self.problemes.append(f"style= attribute: {self.get_starttag_text()}")
        handlers = [name for name in attrs if name.startswith("on")]
        if handlers:
            self.problemes.append(f"inline handler {handlers}: {self.get_starttag_text()}")


def _inline_problems(html):
    finder = _InlineFinder()
    finder.feed(html)
    finder.close()
    return finder.problemes


def _csp_directives(response):
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def _get_ok(client, url_name, **kwargs):
    response = client.get(reverse(url_name), **kwargs)
    assert response.status_code == 200, (url_name, response.status_code)
    return response


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", PAGES_PUBLIQUES)
def test_public_pages_have_strict_csp_and_no_inline_code(client, url_name):
    response = _get_ok(client, url_name)
    directives = _csp_directives(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]
    assert _inline_problems(response.content.decode()) == []


@pytest.mark.parametrize("url_name", PAGES_CONNECTEES)
def test_authenticated_pages_have_strict_csp_and_no_inline_code(client_admin, url_name):
    response = _get_ok(client_admin, url_name)
    html = response.content.decode()
    # The page really is the logged-in layout, with the user menu and its logout form.
    assert reverse("logout") in html
    directives = _csp_directives(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert _inline_problems(html) == []


def test_inline_finder_catches_what_csp_would_block():
    # Guards the guard: the parser must flag each kind of inline code it is meant to find.
    html = (
        '<script>alert(1)</script><script src="/static/a.js"></script>'
        '<p style="color:red">x</p><button onclick="f()">b</button><style>p{}</style>'
    )
    problemes = _inline_problems(html)
    assert len(problemes) == 4
    assert not any("a.js" in probleme for probleme in problemes)


@pytest.mark.parametrize("url_name", ["login", "donnees_personnelles"])
@pytest.mark.django_db
def test_framing_sniffing_and_referrer_headers(client, url_name):
    response = _get_ok(client, url_name)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize("url_name", PAGES_CONNECTEES)
def test_authenticated_pages_are_never_stored(client_admin, url_name):
    response = _get_ok(client_admin, url_name)
    cache_control = response.headers["Cache-Control"]
    assert "no-store" in cache_control
    assert "private" in cache_control


@pytest.mark.django_db
def test_public_page_may_be_cached_when_anonymous(client):
    # The same page that is no-store for a logged-in user: the middleware, not the view, decides.
    response = _get_ok(client, "donnees_personnelles")
    assert "no-store" not in response.headers.get("Cache-Control", "")


@pytest.mark.django_db
def test_login_page_is_never_cached(client):
    # Django's LoginView is decorated with never_cache: its CSRF token must not be replayed
    # from a cache, so it is no-store although the visitor is anonymous.
    response = _get_ok(client, "login")
    assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.django_db
def test_hsts_on_secure_requests_only(client):
    secure = _get_ok(client, "login", secure=True)
    hsts = secure.headers["Strict-Transport-Security"]
    parts = dict(
        (part.strip().split("=", 1) + [""])[:2] for part in hsts.split(";") if part.strip()
    )
    assert int(parts["max-age"]) >= 31_536_000
    assert "includeSubDomains" in parts
    # Browsers ignore HSTS over plain HTTP; Django only sends it over HTTPS.
    plain = _get_ok(client, "login")
    assert "Strict-Transport-Security" not in plain.headers


def test_cookie_settings_outside_debug():
    assert settings.DEBUG is False
    assert settings.SESSION_COOKIE_SECURE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.CSRF_COOKIE_SECURE is True


def test_real_login_sets_secure_cookies(client, salarie_user):
    login_page = client.get(reverse("login"), secure=True)
    csrf_cookie = login_page.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf_cookie["secure"] is True
    assert csrf_cookie["samesite"] == "Lax"

    response = client.post(
        reverse("login"),
        {"username": salarie_user.email, "password": MOT_DE_PASSE},
        secure=True,
    )
    assert response.status_code == 302
    session_cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session_cookie.value
    assert session_cookie["secure"] is True
    assert session_cookie["httponly"] is True
    assert session_cookie["samesite"] == "Lax"
    # The header line as the browser receives it (WSGI sends each cookie's OutputString).
    set_cookie = session_cookie.OutputString()
    assert "; Secure" in set_cookie
    assert "; HttpOnly" in set_cookie
    assert "; SameSite=Lax" in set_cookie
    # Logging in rotates the CSRF token: the new cookie is Secure too.
    assert "; Secure" in response.cookies[settings.CSRF_COOKIE_NAME].OutputString()

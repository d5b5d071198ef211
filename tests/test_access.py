"""Access rules, checked on every URL of the project without anyone listing them.

The URL patterns are walked: a new view is covered the day it is added.
- Anonymous visitors are redirected to the login page everywhere except the public views,
  which must be exactly those of PUBLIC_URL_NAMES (adding one is a deliberate act).
- An object URL of centre B answers 404 to a user working in centre A, even when that user is
  also a member of B: they must switch centre first. After switching, the same URL works, so
  the 404 comes from scoping and not from a broken URL.

For the second rule the test must know which object a URL shows: the view's ``model`` (or
``queryset``) tells it, and a factory for that model (found in tests/**/factories.py, called
with ``centre=``) makes one in centre B. A URL whose object cannot be told fails the test.
"""

import importlib
import pkgutil
import uuid

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from factory.django import DjangoModelFactory

import tests
from reseau.enums import Role
from reseau.middleware import SESSION_KEY
from tests.factories import MembreFactory, UserFactory

# The views anyone may open without an account. Partners act through tokens in later issues.
PUBLIC_URL_NAMES = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "donnees_personnelles",
    "partenariats:fiche_publique",
    "partenariats:fiche_nouveau_lien",
    "cafes:rsvp",
    "cafes:rsvp_nouveau_lien",
    "cafes:desinscription",
}

# Django's admin has its own login page and is for superusers only, outside tenancy.
ADMIN_NAMESPACE = "admin"

SAMPLE_VALUES = {"int": "1", "string": "x", "slug": "x", "uuid": str(uuid.uuid4()), "path": "x"}


def _walk(patterns, prefix_namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            namespace = entry.namespace or ""
            full = f"{prefix_namespace}{namespace}:" if namespace else prefix_namespace
            yield from _walk(entry.url_patterns, full)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{prefix_namespace}{entry.name}", entry


def _converter_kwargs(pattern):
    return {
        name: SAMPLE_VALUES[type(conv).__name__.removesuffix("Converter").lower()]
        for name, conv in pattern.pattern.converters.items()
    }


def project_urls():
    """(name, URLPattern) for every named route of the project, admin apart."""
    return [
        (name, pattern)
        for name, pattern in _walk(get_resolver().url_patterns)
        if not name.startswith(f"{ADMIN_NAMESPACE}:")
    ]


def _is_public(pattern):
    return getattr(pattern.callback, "login_required", True) is False


def _view_model(pattern):
    view_class = getattr(pattern.callback, "view_class", None)
    if view_class is None:
        return None
    # A view whose URL names another object than the one it handles (a contact created under
    # a partner's URL) says so with ``url_object_model``.
    if getattr(view_class, "url_object_model", None) is not None:
        return view_class.url_object_model
    if getattr(view_class, "model", None) is not None:
        return view_class.model
    queryset = getattr(view_class, "queryset", None)
    return queryset.model if queryset is not None else None


def _factories_by_model():
    modules = [importlib.import_module("tests.factories")]
    for info in pkgutil.walk_packages(tests.__path__, "tests."):
        if info.name.endswith(".factories"):
            modules.append(importlib.import_module(info.name))
    found = {}
    for module in modules:
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, DjangoModelFactory)
                and value._meta.model is not None
            ):
                found.setdefault(value._meta.model, value)
    return found


URLS = project_urls()
PRIVATE_URLS = [(name, p) for name, p in URLS if not _is_public(p)]
OBJECT_URLS = [(name, p) for name, p in PRIVATE_URLS if p.pattern.converters]


def test_public_views_are_exactly_the_listed_ones():
    public = {name for name, pattern in URLS if _is_public(pattern)}
    assert public == PUBLIC_URL_NAMES


def test_every_url_is_walked():
    names = {name for name, _ in URLS}
    assert {"accueil", "reseau:membres", "courrier:liste", "login"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "pattern"), PRIVATE_URLS, ids=[n for n, _ in PRIVATE_URLS])
def test_anonymous_is_sent_to_login(client, name, pattern):
    url = reverse(name, kwargs=_converter_kwargs(pattern))
    login = reverse(settings.LOGIN_URL)
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302, f"{method.__name__.upper()} {url}"
        assert response["Location"].startswith(f"{login}?next="), response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "pattern"), [(n, p) for n, p in URLS if _is_public(p)])
def test_public_views_open_without_account(client, name, pattern):
    response = client.get(reverse(name, kwargs=_converter_kwargs(pattern)))
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert not response["Location"].startswith(reverse(settings.LOGIN_URL))


@pytest.mark.django_db
def test_admin_sends_anonymous_to_its_login(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def _status(response):
    """The response's status; a stored file (a bilan's photo) streamed from its open file is
    read to the end, which closes it, as a server does once it is sent."""
    if response.streaming:
        response.getvalue()
    return response.status_code


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "pattern"), OBJECT_URLS, ids=[n for n, _ in OBJECT_URLS])
def test_object_of_another_centre_is_404_until_switching(
    client, centre, autre_centre, name, pattern
):
    model = _view_model(pattern)
    assert model is not None, (
        f"{name}: cannot tell which object this URL shows; give its view a `model` "
        "so that the access test can create one in another centre."
    )
    factory = _factories_by_model().get(model)
    assert factory is not None, f"{name}: no factory for {model.__name__} in tests/**/factories.py"

    user = UserFactory()
    MembreFactory(user=user, centre=centre, role=Role.ADMIN)
    MembreFactory(user=user, centre=autre_centre, role=Role.ADMIN)
    obj = factory(centre=autre_centre)
    kwargs = {
        key: (obj.pk if key == "pk" else getattr(obj, key)) for key in pattern.pattern.converters
    }
    url = reverse(name, kwargs=kwargs)

    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = centre.pk
    session.save()

    get_status = client.get(url).status_code
    assert get_status in (404, 405), f"GET {url} gave {get_status}"
    post_status = client.post(url).status_code
    assert post_status in (404, 405), f"POST {url} gave {post_status}"
    assert 404 in (get_status, post_status)

    session = client.session
    session[SESSION_KEY] = autre_centre.pk
    session.save()
    statuses = {_status(client.get(url))}
    if get_status == 405:
        statuses.add(_status(client.post(url)))
    assert 404 not in statuses, f"{url} stays 404 in its own centre: the URL itself is broken"


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "pattern"), PRIVATE_URLS, ids=[n for n, _ in PRIVATE_URLS])
def test_user_without_centre_never_gets_a_500(client, name, pattern):
    """A coordinator has no centre: centre pages are a 404 for them, never a crash."""
    client.force_login(UserFactory())
    response = client.get(reverse(name, kwargs=_converter_kwargs(pattern)))
    assert response.status_code in (200, 302, 404, 405)

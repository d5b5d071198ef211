import pytest
from django.core.cache import cache
from django_scopes import scopes_disabled

from partenariats.enums import themes_semer
from partenariats.models import Theme
from reseau.enums import Role
from tests.factories import CentreFactory, CoordinationFactory, MembreFactory

pytest_plugins = [
    "tests.plugins.smtp",
    "tests.plugins.celery_worker",
    "tests.plugins.browser",
]


@pytest.fixture(autouse=True)
def _tous_les_centres(request):
    """Tests build and check rows of several centres, so their own code reads across centres.
    The code under test still runs in its own scope: a request through the test client in the
    scope that CurrentCentreMiddleware opens, a task in the one it opens, the live server's and
    the worker's threads with none. ``@pytest.mark.sans_scope`` leaves the test outside any
    scope, as production code starts."""
    if request.node.get_closest_marker("sans_scope"):
        yield
        return
    with scopes_disabled():
        yield


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _cache():
    # What the cache holds (e.g. the rate limit of the "new link" pages) outlives a
    # test's transaction: each test starts from an empty one.
    cache.clear()
    yield
    cache.clear()


TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server", "page", "celery_worker"}


@pytest.fixture(autouse=True)
def _themes(request):
    """The themes a migration seeds. Transactional tests (browser, real worker) end by
    emptying every table, so tests after them would find none: seed them again."""
    marker = request.node.get_closest_marker("django_db")
    fixtures = set(request.fixturenames)
    if not (marker or "db" in fixtures or fixtures & TRANSACTIONAL_FIXTURES):
        return
    transactional = bool(fixtures & TRANSACTIONAL_FIXTURES) or bool(
        marker and marker.kwargs.get("transaction")
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    themes_semer(Theme)


@pytest.fixture
def centre(db):
    return CentreFactory(nom="Centre social de Montanou", commune="Agen")


@pytest.fixture
def autre_centre(db, centre):
    return CentreFactory(
        nom="Centre social de Fumel", commune="Fumel", federation=centre.federation
    )


def _member(centre, role):
    return MembreFactory(centre=centre, role=role).user


@pytest.fixture
def admin_user(centre):
    return _member(centre, Role.ADMIN)


@pytest.fixture
def salarie_user(centre):
    return _member(centre, Role.SALARIE)


@pytest.fixture
def lecture_user(centre):
    return _member(centre, Role.LECTURE)


@pytest.fixture
def coordinateur_user(centre):
    return CoordinationFactory(federation=centre.federation).user


def _client_for(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def client_admin(client, admin_user):
    return _client_for(client, admin_user)


@pytest.fixture
def client_salarie(client, salarie_user):
    return _client_for(client, salarie_user)


@pytest.fixture
def client_lecture(client, lecture_user):
    return _client_for(client, lecture_user)

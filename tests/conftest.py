import pytest

from reseau.enums import Role
from tests.factories import CentreFactory, CoordinationFactory, MembershipFactory

pytest_plugins = [
    "tests.plugins.smtp",
    "tests.plugins.celery_worker",
    "tests.plugins.browser",
]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def centre(db):
    return CentreFactory(nom="Centre social de Montanou", commune="Agen")


@pytest.fixture
def autre_centre(db, centre):
    return CentreFactory(
        nom="Centre social de Fumel", commune="Fumel", federation=centre.federation
    )


def _member(centre, role):
    return MembershipFactory(centre=centre, role=role).user


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

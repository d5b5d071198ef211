"""Login throttling (django-axes), login errors and password reset, through the real views.

django-axes only sees attempts that go through ``authenticate(request=...)``; the test client's
``login()`` bypasses it, so every attempt here is a POST on the login form.
"""

import pytest
from django.urls import reverse

from tests.factories import MOT_DE_PASSE, UserFactory

MESSAGE_ERREUR = "Adresse électronique ou mot de passe incorrect."
TITRE_VERROUILLAGE = "Trop de tentatives de connexion"


def _login(client, email, password):
    return client.post(reverse("login"), {"username": email, "password": password})


def _is_logged_in(client):
    return "_auth_user_id" in client.session


@pytest.fixture
def personne(db):
    return UserFactory(email="camille.martin@centre.test")


def test_bad_password_shows_french_error(client, personne):
    response = _login(client, personne.email, "pas-le-bon")
    assert response.status_code == 200
    html = response.content.decode()
    assert MESSAGE_ERREUR in html
    # The form is shown again with the address kept, ready for another try.
    assert 'value="camille.martin@centre.test"' in html
    assert not _is_logged_in(client)


def test_unknown_account_gets_the_same_error(client, db):
    response = _login(client, "personne@inconnu.test", "pas-le-bon")
    assert response.status_code == 200
    assert MESSAGE_ERREUR in response.content.decode()


def test_an_over_long_login_gets_the_same_error(client, db):
    # django-axes stores the login in a 255-character column: this was a 500.
    response = _login(client, "a" * 300 + "@inconnu.test", "pas-le-bon")
    assert response.status_code == 200
    assert MESSAGE_ERREUR in response.content.decode()
    assert not _is_logged_in(client)


def test_correct_login_before_the_limit_works_and_resets_the_count(client, personne):
    for _ in range(4):
        assert _login(client, personne.email, "pas-le-bon").status_code == 200
    response = _login(client, personne.email, MOT_DE_PASSE)
    assert response.status_code == 302
    assert response.url == reverse("accueil")
    assert _is_logged_in(client)

    # AXES_RESET_ON_SUCCESS: the four failures above no longer count.
    client.logout()
    for _ in range(4):
        assert _login(client, personne.email, "pas-le-bon").status_code == 200
    assert _login(client, personne.email, MOT_DE_PASSE).status_code == 302


def test_account_is_locked_after_five_failures(client, personne):
    for _ in range(4):
        response = _login(client, personne.email, "pas-le-bon")
        assert response.status_code == 200
        assert MESSAGE_ERREUR in response.content.decode()

    # The fifth failure reaches the limit: axes answers with the lockout page at once.
    cinquieme = _login(client, personne.email, "pas-le-bon")
    assert cinquieme.status_code == 429

    # Even the right password is refused now, with the French lockout page.
    response = _login(client, personne.email, MOT_DE_PASSE)
    assert response.status_code == 429
    html = response.content.decode()
    assert TITRE_VERROUILLAGE in html
    assert "bloqué pendant 15 minutes" in html
    assert reverse("password_reset") in html
    assert not _is_logged_in(client)


def test_lockout_is_per_account(client, personne):
    autre = UserFactory(email="dominique.petit@centre.test")
    for _ in range(5):
        _login(client, personne.email, "pas-le-bon")
    assert _login(client, personne.email, MOT_DE_PASSE).status_code == 429

    response = _login(client, autre.email, MOT_DE_PASSE)
    assert response.status_code == 302
    assert _is_logged_in(client)
    assert client.session["_auth_user_id"] == str(autre.pk)


# --- Password reset ----------------------------------------------------------------------------


def test_password_reset_does_not_reveal_unknown_addresses(client, personne):
    from courrier.models import Courriel

    inconnue = client.post(reverse("password_reset"), {"email": "personne@inconnu.test"})
    connue = client.post(reverse("password_reset"), {"email": personne.email})

    # Same redirect, same page: nothing tells whether an account exists.
    assert inconnue.status_code == connue.status_code == 302
    assert inconnue.url == connue.url == reverse("password_reset_done")
    page = client.get(inconnue.url)
    assert "Si un compte existe à cette adresse" in page.content.decode()

    assert not Courriel.objects.filter(destinataire__iexact="personne@inconnu.test").exists()


def test_password_reset_queues_one_email_for_a_known_address(
    client, personne, settings, django_capture_on_commit_callbacks
):
    from courrier.models import Courriel

    # The Host header is the client's to choose: the link must come from SITE_URL instead.
    settings.SITE_URL = "https://maillage.example.org"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("password_reset"), {"email": personne.email.upper()}, HTTP_HOST="localhost"
        )
    assert response.status_code == 302

    courriels = Courriel.objects.all()
    assert len(courriels) == 1
    courriel = courriels[0]
    assert courriel.destinataire == personne.email
    assert "https://maillage.example.org/compte/mot-de-passe/nouveau/" in courriel.corps_texte
    assert "localhost" not in courriel.corps_texte + courriel.corps_html
    assert "!!MISSING" not in courriel.sujet + courriel.corps_texte + courriel.corps_html


def _reinitialiser(client, email, ip="203.0.113.7"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)


@pytest.mark.parametrize("connue", [True, False])
def test_password_reset_is_limited_per_address(client, personne, connue):
    email = personne.email if connue else "personne@inconnu.test"
    for _ in range(3):
        assert _reinitialiser(client, email.upper()).status_code == 302
    # From another machine too: the address is what is protected from a flood of emails.
    response = _reinitialiser(client, email, ip="198.51.100.9")
    assert response.status_code == 200
    html = response.content.decode()
    # The same words whether the account exists or not.
    assert "Trop de demandes de réinitialisation en peu de temps" in html
    # Another address is still served.
    assert _reinitialiser(client, "autre@centre.test").status_code == 302


def test_password_reset_is_limited_per_client_address(client, db):
    for n in range(20):
        assert _reinitialiser(client, f"personne{n}@inconnu.test").status_code == 302
    response = _reinitialiser(client, "encore@inconnu.test")
    assert "Trop de demandes de réinitialisation" in response.content.decode()
    assert _reinitialiser(client, "encore@inconnu.test", ip="198.51.100.9").status_code == 302

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import resolve
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from courrier.enums import StatutCourriel
from courrier.models import Courriel
from reseau.forms import ReinitialisationMotDePasseForm
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory(email="lucie.martin@centre.test")


def test_password_reset_goes_through_the_outbox_with_a_link_to_site_url(
    user, settings, rf, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://maillage.example.org"
    settings.ALLOWED_HOSTS = ["*"]
    # A forged Host header must not end up in the link.
    request = rf.post("/compte/mot-de-passe/oublie/", HTTP_HOST="pirate.example")
    form = ReinitialisationMotDePasseForm(data={"email": "Lucie.Martin@centre.test"})
    assert form.is_valid()

    with django_capture_on_commit_callbacks() as callbacks:
        form.save(request=request)

    courriel = Courriel.objects.get()
    assert len(callbacks) == 1
    assert courriel.statut == StatutCourriel.EN_ATTENTE
    assert courriel.destinataire == user.email
    assert courriel.centre is None
    assert courriel.objet == user
    assert courriel.sujet == "Choisir un nouveau mot de passe pour Maillage"
    assert "pirate.example" not in courriel.corps_texte + courriel.corps_html
    assert "valable 7 jours" in courriel.corps_texte

    (lien,) = [ligne for ligne in courriel.corps_texte.splitlines() if "/mot-de-passe/" in ligne]
    assert lien.startswith("https://maillage.example.org/compte/mot-de-passe/nouveau/")
    assert f'href="{lien}"' in courriel.corps_html
    kwargs = resolve(lien.removeprefix("https://maillage.example.org")).kwargs
    assert force_str(urlsafe_base64_decode(kwargs["uidb64"])) == str(user.pk)
    assert default_token_generator.check_token(user, kwargs["token"])


def test_unknown_address_queues_nothing(user, rf, django_capture_on_commit_callbacks):
    form = ReinitialisationMotDePasseForm(data={"email": "inconnue@exemple.fr"})
    assert form.is_valid()

    with django_capture_on_commit_callbacks() as callbacks:
        form.save(request=rf.post("/compte/mot-de-passe/oublie/"))

    assert callbacks == []
    assert not Courriel.objects.exists()


def test_invitee_without_password_can_ask_for_a_fresh_link(rf):
    invitee = UserFactory(email="invitee@centre.test")
    invitee.set_unusable_password()
    invitee.save()
    form = ReinitialisationMotDePasseForm(data={"email": "invitee@centre.test"})
    assert form.is_valid()
    form.save(request=rf.post("/compte/mot-de-passe/oublie/"))
    assert Courriel.objects.get().destinataire == "invitee@centre.test"


def test_deactivated_account_gets_nothing(rf):
    UserFactory(email="partie@centre.test", is_active=False)
    form = ReinitialisationMotDePasseForm(data={"email": "partie@centre.test"})
    assert form.is_valid()
    form.save(request=rf.post("/compte/mot-de-passe/oublie/"))
    assert not Courriel.objects.exists()

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.db import connection
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
    # The request only queues the task; the worker finds the account and writes the email.
    assert len(callbacks) == 1
    assert not Courriel.objects.exists()
    callbacks[0]()

    courriel = Courriel.objects.get()
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


def test_known_and_unknown_addresses_do_the_same_work_in_the_request(
    user, rf, django_capture_on_commit_callbacks
):
    # The answer's timing must not tell whether an account exists: the same queries, the same
    # task queued (before, a known address cost a lookup, a token, a rendering and an insert).
    travail = {}
    for email in [user.email, "inconnue@exemple.fr"]:
        form = ReinitialisationMotDePasseForm(data={"email": email})
        requetes = []

        def noter(execute, sql, params, many, context, requetes=requetes):
            # The statement without its values: the address and the time differ, not the work.
            requetes.append(sql)
            return execute(sql, params, many, context)

        with (
            connection.execute_wrapper(noter),
            django_capture_on_commit_callbacks() as callbacks,
        ):
            assert form.is_valid()
            form.save(request=rf.post("/compte/mot-de-passe/oublie/"))
        travail[email] = (requetes, len(callbacks))
        for callback in callbacks:
            callback()
    # One insert each: the request kept until the worker handles it (a broker down loses
    # nothing, see tests/securite/test_modes_degrades.py).
    ((insertion,), taches) = travail[user.email]
    assert insertion.startswith('INSERT INTO "reseau_demandereinitialisation"')
    assert travail[user.email] == travail["inconnue@exemple.fr"] == ([insertion], taches)
    assert taches == 1
    # The worker writes an email for the known address only.
    assert list(Courriel.objects.values_list("destinataire", flat=True)) == [user.email]


def test_invitee_without_password_can_ask_for_a_fresh_link(rf, django_capture_on_commit_callbacks):
    invitee = UserFactory(email="invitee@centre.test")
    invitee.set_unusable_password()
    invitee.save()
    form = ReinitialisationMotDePasseForm(data={"email": "invitee@centre.test"})
    assert form.is_valid()
    with django_capture_on_commit_callbacks(execute=True):
        form.save(request=rf.post("/compte/mot-de-passe/oublie/"))
    assert Courriel.objects.get().destinataire == "invitee@centre.test"


def test_deactivated_account_gets_nothing(rf, django_capture_on_commit_callbacks):
    UserFactory(email="partie@centre.test", is_active=False)
    form = ReinitialisationMotDePasseForm(data={"email": "partie@centre.test"})
    assert form.is_valid()
    with django_capture_on_commit_callbacks(execute=True):
        form.save(request=rf.post("/compte/mot-de-passe/oublie/"))
    assert not Courriel.objects.exists()

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from courrier.enums import StatutCourriel
from tests.courrier.factories import AdresseEnEchecFactory, CourrielFactory, PieceJointeFactory
from tests.factories import UserFactory


@pytest.fixture
def client_superuser(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_changelist_filters_by_status_and_searches(client_superuser):
    echec = CourrielFactory(echec=True, destinataire="lucie@asso.fr")
    envoye = CourrielFactory(envoye=True)
    url = reverse("admin:courrier_courriel_changelist")

    par_statut = client_superuser.get(url, {"statut__exact": "echec"})
    recherche = client_superuser.get(url, {"q": "lucie@"})

    assertContains(par_statut, echec.sujet)
    assertNotContains(par_statut, envoye.sujet)
    assertContains(recherche, echec.sujet)
    assertNotContains(recherche, envoye.sujet)


def test_change_page_is_read_only_and_lists_attachments(client_superuser):
    courriel = CourrielFactory(corps_texte="Bonjour Lucie")
    PieceJointeFactory(courriel=courriel, nom="convention.pdf")

    response = client_superuser.get(reverse("admin:courrier_courriel_change", args=[courriel.pk]))

    assert response.status_code == 200
    assertContains(response, "Bonjour Lucie")
    assertContains(response, "convention.pdf")
    assertNotContains(response, 'name="corps_texte"')
    assertNotContains(response, 'name="_save"')


def test_resend_action_queues_failed_emails_only(
    client_superuser, django_capture_on_commit_callbacks
):
    echec = CourrielFactory(echec=True)
    bloque = CourrielFactory(echec=True)
    AdresseEnEchecFactory(email=bloque.destinataire)
    envoye = CourrielFactory(envoye=True)

    with django_capture_on_commit_callbacks() as callbacks:
        response = client_superuser.post(
            reverse("admin:courrier_courriel_changelist"),
            {"action": "renvoyer", "_selected_action": [echec.pk, bloque.pk, envoye.pk]},
            follow=True,
        )

    assertContains(response, "1 courriel remis dans la file d")
    assert len(callbacks) == 1
    for courriel, statut in (
        (echec, StatutCourriel.EN_ATTENTE),
        (bloque, StatutCourriel.ECHEC),
        (envoye, StatutCourriel.ENVOYE),
    ):
        courriel.refresh_from_db()
        assert courriel.statut == statut


def test_suppression_list_is_managed_in_the_admin(client_superuser):
    adresse = AdresseEnEchecFactory(email="disparu@exemple.fr")

    liste = client_superuser.get(reverse("admin:courrier_adresseenechec_changelist"))
    suppression = client_superuser.post(
        reverse("admin:courrier_adresseenechec_delete", args=[adresse.pk]), {"post": "yes"}
    )

    assertContains(liste, "disparu@exemple.fr")
    assert suppression.status_code == 302
    assert not type(adresse).objects.exists()

"""Degraded modes: what still works when Redis (the cache, Celery's broker) is down."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from cafes import jetons
from courrier.models import Courriel
from partenariats.services.demandes import demande_lien
from reseau.jetons import jeton_creer
from tests.cafes.factories import CafeFactory, InvitationFactory
from tests.partenariats.factories import DemandeMiseAJourFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_arrete(settings):
    # Nothing listens on port 1: every Redis call fails at once, as with Redis stopped.
    settings.CACHES = {
        "default": {
            "BACKEND": "commun.cache.RedisCacheTolerante",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


def test_a_cache_that_cannot_reach_redis_answers_as_empty(redis_arrete):
    assert cache.get("cle", "defaut") == "defaut"
    assert cache.add("cle", 1) is True
    assert cache.incr("cle") == 1
    cache.set("cle", 1)
    cache.delete("cle")


def test_the_fiche_new_link_page_works_without_redis(
    client, redis_arrete, salarie_user, django_capture_on_commit_callbacks
):
    demande = DemandeMiseAJourFactory(
        centre=salarie_user.membres.get().centre, envoyee_par=salarie_user, expiree=True
    )
    jeton = demande_lien(demande).rstrip("/").split("/")[-1]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("partenariats:fiche_nouveau_lien", args=[jeton]))
    assertContains(response, "l'équipe du centre est prévenue")
    assert Courriel.objects.exists()


def test_the_rsvp_new_link_page_works_without_redis(
    client, redis_arrete, admin_user, centre, django_capture_on_commit_callbacks
):
    cafe = CafeFactory(centre=centre, date=timezone.localdate() + datetime.timedelta(days=10))
    invitation = InvitationFactory(cafe=cafe)
    jeton = jeton_creer(
        usage=jetons.USAGE_RSVP,
        pk=invitation.pk,
        expire_le=timezone.now() - datetime.timedelta(days=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cafes:rsvp_nouveau_lien", args=[jeton]))
    assertContains(response, "l'équipe du centre est prévenue")

"""Tenancy in the ORM: a model that belongs to a centre cannot be read outside a scope.

See ``reseau.models.CentreManager``. The tests marked ``sans_scope`` start as production code
does, outside any scope; the others create their rows across centres (tests/conftest.py).
"""

import pytest
from django.apps import apps
from django.db import models
from django_scopes import ScopeError, scope, scopes_disabled
from pytest_django.asserts import assertContains

from cafes import tasks as cafes_tasks
from cafes.models import Cafe, Invitation
from courrier import tasks as courrier_tasks
from partenariats import tasks as partenariats_tasks
from partenariats.models import Contact, Partenaire
from reseau import tasks as reseau_tasks
from reseau.models import (
    Centre,
    DemandeReinitialisation,
    _CentreManager,
    centre_id_de,
    scope_de,
)
from tests.cafes.factories import CafeFactory, InvitationFactory
from tests.factories import CentreFactory, UserFactory
from tests.partenariats.factories import ContactFactory, LivretFactory, PartenaireFactory

APPS = {"reseau", "courrier", "partenariats", "cafes", "orientations", "instances", "tableaux"}


def _modeles_du_projet():
    return [m for m in apps.get_models() if m._meta.app_label in APPS]


def _appartient_a_un_centre(modele, vus=()):
    """True if ``modele`` reaches Centre through its non-null foreign keys."""
    for champ in modele._meta.get_fields():
        if not (isinstance(champ, models.ForeignKey)):
            continue
        cible = champ.related_model
        if cible is Centre and not champ.null:
            return True
        if cible not in vus and cible is not modele and cible._meta.app_label in APPS:
            if not champ.null and _appartient_a_un_centre(cible, (*vus, modele)):
                return True
    return False


def _scopes():
    return [m for m in _modeles_du_projet() if isinstance(m._default_manager, _CentreManager)]


def test_every_model_that_belongs_to_a_centre_is_scoped():
    non_scopes = [
        m._meta.label
        for m in _modeles_du_projet()
        if _appartient_a_un_centre(m)
        and not isinstance(m._default_manager, _CentreManager)
        # simple_history's models get their manager from historique_manager(), checked below.
        and not m.__name__.startswith("Historical")
    ]
    assert non_scopes == []
    # The history of a scoped model is scoped as well (HistoricalRecords(history_manager=…)).
    historiques = {
        m._meta.label: getattr(m, m._meta.simple_history_manager_attribute)
        for m in _scopes()
        if getattr(m._meta, "simple_history_manager_attribute", None)
    }
    assert set(historiques) >= {"partenariats.Partenaire", "partenariats.Contact"}
    assert [label for label, h in historiques.items() if not hasattr(h, "lien_centre")] == []
    assert Contact.history.lien_centre == "partenaire__centre"


@pytest.mark.sans_scope
@pytest.mark.django_db
@pytest.mark.parametrize("modele", _scopes(), ids=lambda m: m._meta.label)
def test_an_unscoped_query_raises(modele):
    for lecture in (
        lambda: list(modele.objects.all()),
        lambda: modele.objects.filter(pk=1).first(),
        lambda: modele.objects.count(),
        lambda: modele.objects.exists(),
        lambda: modele.objects.values_list("pk", flat=True)[:1].get(),
        lambda: modele.objects.update(pk=models.F("pk")),
        lambda: modele.objects.all().delete(),
    ):
        with pytest.raises(ScopeError):
            lecture()


@pytest.mark.sans_scope
@pytest.mark.django_db
def test_our_queryset_methods_and_related_managers_raise_too():
    with scopes_disabled():
        partenaire = PartenaireFactory()
        ContactFactory(partenaire=partenaire)
    with pytest.raises(ScopeError):
        list(Partenaire.objects.for_centre(partenaire.centre))
    with pytest.raises(ScopeError):
        list(partenaire.contacts.all())
    with pytest.raises(ScopeError):
        list(Contact.history.filter(partenaire_id=partenaire.pk))
    # A subquery built outside a scope would carry no centre filter into a scoped query.
    hors = Partenaire.objects.all()
    with scope(centre=partenaire.centre), pytest.raises(ScopeError):
        list(Contact.objects.filter(partenaire__in=hors))


@pytest.mark.sans_scope
@pytest.mark.django_db
def test_a_queryset_built_outside_a_scope_stays_refused_inside_one():
    # A queryset declared at import time (a form's choices) has no centre filter: reading it
    # later in a request's scope must not show every centre's rows.
    hors = Partenaire.objects.all()
    with scopes_disabled():
        partenaire = PartenaireFactory()
    with scope(centre=partenaire.centre), pytest.raises(ScopeError):
        list(hors)


@pytest.mark.sans_scope
@pytest.mark.django_db
def test_creating_needs_no_scope_reading_does():
    centre = CentreFactory()
    partenaire = Partenaire.objects.create(centre=centre, nom="Épicerie solidaire")
    with pytest.raises(ScopeError):
        Partenaire.objects.get(pk=partenaire.pk)


def test_a_scope_shows_its_centre_only(centre, autre_centre):
    a = ContactFactory(centre=centre)
    b = ContactFactory(centre=autre_centre)
    ia = InvitationFactory(cafe=CafeFactory(centre=centre), contact=a)
    ib = InvitationFactory(cafe=CafeFactory(centre=autre_centre), contact=b)
    with scope(centre=centre):
        assert list(Partenaire.objects.all()) == [a.partenaire]
        assert list(Contact.objects.all()) == [a]
        assert list(Invitation.objects.all()) == [ia]
        assert Partenaire.objects.filter(pk=b.partenaire.pk).first() is None
        assert Contact.history.filter(partenaire_id=b.partenaire_id).count() == 0
        assert Contact.history.filter(partenaire_id=a.partenaire_id).count() == 1
    with scope(centre=[centre, autre_centre]):
        assert Invitation.objects.count() == 2
    with scope(centre=None):
        assert Cafe.objects.count() == 0
    with scopes_disabled():
        assert set(Invitation.objects.all()) == {ia, ib}


def test_centre_of_an_object_follows_its_manager(centre):
    invitation = InvitationFactory(cafe=CafeFactory(centre=centre))
    assert centre_id_de(invitation) == centre.pk
    assert centre_id_de(invitation.contact) == invitation.contact.partenaire.centre_id
    assert centre_id_de(None) is None
    with scope_de(Invitation, invitation.pk):
        assert list(Invitation.objects.all()) == [invitation]
    with scope_de(Invitation, 0):
        assert not Invitation.objects.exists()


@pytest.mark.sans_scope
@pytest.mark.django_db
def test_tasks_open_their_own_scope():
    """Celery runs a task outside any request: each one opens the scope it needs."""
    with scopes_disabled():
        cafe = CafeFactory()
        InvitationFactory(cafe=cafe)
        livret = LivretFactory(centre=cafe.centre)
        demande = DemandeReinitialisation.objects.create(email=UserFactory().email)
    cafes_tasks.envoyer_invitations(cafe.pk)
    cafes_tasks.envoyer_rappels()
    cafes_tasks.reprendre_invitations()
    partenariats_tasks.reprendre_lots_demandes()
    partenariats_tasks.generer_livret(livret.pk)
    partenariats_tasks.envoyer_alertes()
    courrier_tasks.relancer_courriels_bloques()
    reseau_tasks.envoyer_reinitialisation(demande.pk)
    reseau_tasks.reprendre_reinitialisations()
    with scopes_disabled():
        assert Invitation.objects.get().envoyee_le is not None
        assert not DemandeReinitialisation.objects.exists()


def test_the_admin_reads_across_centres(client, centre, autre_centre):
    PartenaireFactory(centre=centre, nom="Mairie de Montanou")
    PartenaireFactory(centre=autre_centre, nom="Mairie de Fumel")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get("/admin/partenariats/partenaire/")
    assertContains(response, "Mairie de Montanou")
    assertContains(response, "Mairie de Fumel")


def test_a_request_without_a_centre_reads_nothing(client, centre, coordinateur_user):
    PartenaireFactory(centre=centre, nom="Mairie de Montanou")
    client.force_login(coordinateur_user)
    # The coordinator has no centre: the directory is not theirs, and the scope has no rows.
    assert client.get("/partenaires/").status_code == 404

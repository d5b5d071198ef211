"""Factories for the reseau models. Each app adds tests/<app>/factories.py for its own."""

import factory
from factory.django import DjangoModelFactory

from reseau.enums import Role
from reseau.models import Centre, Coordination, Federation, Membre, User

MOT_DE_PASSE = "mot-de-passe-de-test"


class FederationFactory(DjangoModelFactory):
    class Meta:
        model = Federation
        django_get_or_create = ["slug"]

    nom = factory.Sequence(lambda n: f"Fédération des centres sociaux n°{n}")
    slug = factory.Sequence(lambda n: f"federation-{n}")
    departement = "Lot-et-Garonne (47)"


class CentreFactory(DjangoModelFactory):
    class Meta:
        model = Centre

    nom = factory.Sequence(lambda n: f"Centre social n°{n}")
    slug = factory.Sequence(lambda n: f"centre-{n}")
    federation = factory.SubFactory(FederationFactory)
    adresse = "12 rue Lamartine"
    code_postal = "47000"
    commune = "Agen"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@centre.test")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.django.Password(MOT_DE_PASSE)


class MembreFactory(DjangoModelFactory):
    class Meta:
        model = Membre

    user = factory.SubFactory(UserFactory)
    centre = factory.SubFactory(CentreFactory)
    role = Role.SALARIE

    class Params:
        admin = factory.Trait(role=Role.ADMIN)
        lecture = factory.Trait(role=Role.LECTURE)


class CoordinationFactory(DjangoModelFactory):
    class Meta:
        model = Coordination

    user = factory.SubFactory(UserFactory)
    federation = factory.SubFactory(FederationFactory)

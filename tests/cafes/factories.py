from datetime import date, timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from cafes.models import Cafe, CafeSerie, HoteSerie, Invitation
from tests.factories import CentreFactory


class CafeSerieFactory(DjangoModelFactory):
    class Meta:
        model = CafeSerie

    centre = factory.SubFactory(CentreFactory)
    nom = factory.Sequence(lambda n: f"Café partenaires n°{n}")


class HoteSerieFactory(DjangoModelFactory):
    class Meta:
        model = HoteSerie

    serie = factory.SubFactory(CafeSerieFactory)
    partenaire = factory.SubFactory(
        "tests.partenariats.factories.PartenaireFactory",
        centre=factory.SelfAttribute("..serie.centre"),
    )
    ordre = factory.Sequence(lambda n: n)


class CafeFactory(DjangoModelFactory):
    class Meta:
        model = Cafe

    centre = factory.SubFactory(CentreFactory)
    serie = factory.SubFactory(CafeSerieFactory, centre=factory.SelfAttribute("..centre"))
    date = factory.Sequence(lambda n: date(2027, 1, 1) + timedelta(days=7 * n))
    heure_debut = factory.SelfAttribute("serie.heure_debut")
    heure_fin = factory.SelfAttribute("serie.heure_fin")
    adresse = "12 rue Lamartine, 47000 Agen"


class InvitationFactory(DjangoModelFactory):
    """``InvitationFactory(centre=c)`` makes its café, and its contact's partner, in ``c``."""

    class Meta:
        model = Invitation

    class Params:
        centre = factory.SubFactory(CentreFactory)
        envoyee = factory.Trait(envoyee_le=factory.LazyFunction(timezone.now))

    cafe = factory.SubFactory(CafeFactory, centre=factory.SelfAttribute("..centre"))
    contact = factory.SubFactory(
        "tests.partenariats.factories.ContactFactory",
        centre=factory.SelfAttribute("..cafe.centre"),
    )

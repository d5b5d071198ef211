import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from partenariats.enums import CategoriePartenaire, Civilite
from partenariats.models import Contact, Partenaire, Theme
from tests.factories import CentreFactory


def theme(slug):
    """A theme seeded by migration (logement, sante, insertion...)."""
    return Theme.objects.get(slug=slug)


class PartenaireFactory(DjangoModelFactory):
    class Meta:
        model = Partenaire
        skip_postgeneration_save = True

    centre = factory.SubFactory(CentreFactory)
    nom = factory.Sequence(lambda n: f"Association de quartier n°{n}")
    categorie = CategoriePartenaire.ASSOCIATION
    adresse = "3 rue des Lilas"
    code_postal = "47000"
    commune = "Agen"
    missions = "Accompagner les habitants du quartier."
    horaires = "Du lundi au vendredi, 9 h – 17 h"

    class Params:
        archive_ = factory.Trait(archive=True)
        hors_livret = factory.Trait(dans_livret=False)
        caf = factory.Trait(
            nom="Caisse d'allocations familiales de Lot-et-Garonne",
            sigle="CAF",
            categorie=CategoriePartenaire.SECURITE_SOCIALE,
        )

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(theme(slug) if isinstance(slug, str) else slug for slug in extracted)


class ContactFactory(DjangoModelFactory):
    """``ContactFactory(centre=c)`` makes the contact's partner in ``c``."""

    class Meta:
        model = Contact

    class Params:
        centre = factory.SubFactory(CentreFactory)
        desinscrit = factory.Trait(desinscrit_le=factory.LazyFunction(lambda: timezone.now()))

    partenaire = factory.SubFactory(PartenaireFactory, centre=factory.SelfAttribute("..centre"))
    civilite = Civilite.MADAME
    prenom = factory.Faker("first_name_female", locale="fr_FR")
    nom = factory.Faker("last_name", locale="fr_FR")
    fonction = "Conseillère en économie sociale et familiale"
    email = factory.Sequence(lambda n: f"contact{n}@partenaire.test")
    telephone = "05 53 00 00 00"

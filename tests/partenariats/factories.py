from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from partenariats.enums import (
    CategoriePartenaire,
    Civilite,
    Construction,
    Horizon,
    NatureSollicitation,
    NiveauImplication,
    RoleRaci,
    StatutConvention,
    StatutDemande,
    StatutLivret,
    StatutProjet,
    TypePartenariat,
)
from partenariats.models import (
    Bilan,
    ChiffreBilan,
    Contact,
    Convention,
    DemandeMiseAJour,
    Livret,
    LotDemandes,
    MontantConvention,
    Partenaire,
    Partenariat,
    ParticipationProjet,
    PieceBilan,
    Projet,
    ProtocoleOrientation,
    Sollicitation,
    Theme,
)
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
        # Added by a partner (a colleague sent from a café invitation), not reviewed yet.
        propose = factory.Trait(propose_le=factory.LazyFunction(lambda: timezone.now()))

    partenaire = factory.SubFactory(PartenaireFactory, centre=factory.SelfAttribute("..centre"))
    civilite = Civilite.MADAME
    prenom = factory.Faker("first_name_female", locale="fr_FR")
    nom = factory.Faker("last_name", locale="fr_FR")
    fonction = "Conseillère en économie sociale et familiale"
    email = factory.Sequence(lambda n: f"contact{n}@partenaire.test")
    telephone = "05 53 00 00 00"


class LotDemandesFactory(DjangoModelFactory):
    class Meta:
        model = LotDemandes

    centre = factory.SubFactory(CentreFactory)
    criteres = "livret=oui&fiche=a-confirmer"


class DemandeMiseAJourFactory(DjangoModelFactory):
    """A request sent today, its link alive for 30 days. ``DemandeMiseAJourFactory(centre=c)``
    makes its partner in ``c``; traits: ``ouverte``, ``soumise``, ``expiree``."""

    class Meta:
        model = DemandeMiseAJour

    class Params:
        ouverte = factory.Trait(
            statut=StatutDemande.OUVERTE, ouverte_le=factory.LazyFunction(timezone.now)
        )
        soumise = factory.Trait(
            statut=StatutDemande.SOUMISE,
            ouverte_le=factory.LazyFunction(timezone.now),
            soumise_le=factory.LazyFunction(timezone.now),
            proposition={"horaires": "Le mardi et le jeudi, 9 h – 12 h"},
        )
        expiree = factory.Trait(
            expire_le=factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
        )

    centre = factory.SubFactory(CentreFactory)
    partenaire = factory.SubFactory(PartenaireFactory, centre=factory.SelfAttribute("..centre"))
    destinataire = factory.Sequence(lambda n: f"accueil{n}@partenaire.test")
    expire_le = factory.LazyFunction(
        lambda: (timezone.now() + timedelta(days=30)).replace(microsecond=0)
    )


class LivretFactory(DjangoModelFactory):
    """A booklet ready to download (a stand-in PDF file); traits: ``en_attente``, ``en_cours``,
    ``echec``."""

    class Meta:
        model = Livret

    class Params:
        en_attente = factory.Trait(
            statut=StatutLivret.EN_ATTENTE,
            progression=0,
            etape="En attente de démarrage…",
            fichier="",
            nb_partenaires=0,
            nb_pages=0,
            termine_le=None,
        )
        en_cours = factory.Trait(
            statut=StatutLivret.EN_COURS,
            progression=60,
            etape="Mise en page… page 12 sur environ 40",
            fichier="",
            nb_partenaires=0,
            nb_pages=0,
            termine_le=None,
        )
        echec = factory.Trait(
            statut=StatutLivret.ECHEC,
            etape="Échec",
            fichier="",
            nb_partenaires=0,
            nb_pages=0,
            erreur="La mise en page du livret a échoué.",
        )

    centre = factory.SubFactory(CentreFactory)
    statut = StatutLivret.PRET
    progression = 100
    etape = "Livret prêt"
    fichier = factory.django.FileField(filename="livret.pdf", data=b"%PDF-1.7\n%%EOF\n")
    nb_partenaires = 12
    nb_pages = 8
    termine_le = factory.LazyFunction(timezone.now)


# --- Partnerships (issue 10) ------------------------------------------------------------------
# Each takes ``centre=`` (the access walk of tests/test_access.py makes one in centre B).

PDF_MINIMAL = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class PartenariatFactory(DjangoModelFactory):
    class Meta:
        model = Partenariat

    centre = factory.SubFactory(CentreFactory)
    partenaire = factory.SubFactory(PartenaireFactory, centre=factory.SelfAttribute("..centre"))
    type = TypePartenariat.ACTION
    niveau = NiveauImplication.ALLIE
    horizon = Horizon.MOYEN
    objet = "Stages sportifs pendant les vacances scolaires"
    debut = date(2026, 1, 5)
    construction = Construction.CO_CONSTRUIT


class ProtocoleOrientationFactory(DjangoModelFactory):
    """``ProtocoleOrientationFactory(centre=c)`` makes its orientation partnership in ``c``."""

    class Meta:
        model = ProtocoleOrientation

    class Params:
        centre = factory.SubFactory(CentreFactory)

    partenariat = factory.SubFactory(
        PartenariatFactory,
        centre=factory.SelfAttribute("..centre"),
        type=TypePartenariat.ORIENTATION,
        objet="Orientation des familles vers les ateliers du centre",
    )
    signe_le = date(2026, 1, 15)
    valide_jusqu_au = date(2028, 1, 14)
    document = factory.django.FileField(filename="protocole.pdf", data=PDF_MINIMAL)
    document_nom = "protocole.pdf"


class SollicitationFactory(DjangoModelFactory):
    class Meta:
        model = Sollicitation

    centre = factory.SubFactory(CentreFactory)
    demandeur = factory.SubFactory(PartenaireFactory, centre=factory.SelfAttribute("..centre"))
    nature = NatureSollicitation.DOSSIER
    objet = "Figurer comme partenaire de l'appel à projets « Quartiers d'été »"
    recue_le = date(2026, 11, 20)
    echeance = date(2026, 12, 15)


class ProjetFactory(DjangoModelFactory):
    class Meta:
        model = Projet

    centre = factory.SubFactory(CentreFactory)
    titre = factory.Sequence(lambda n: f"Projet alimentation n°{n}")
    description = "Ateliers cuisine et activités sportives pour les familles."
    diagnostic = "Constats partagés lors du diagnostic du projet social."
    debut = date(2026, 9, 1)
    statut = StatutProjet.EN_COURS


class ParticipationProjetFactory(DjangoModelFactory):
    """``ParticipationProjetFactory(centre=c)`` makes the project and the partner in ``c``."""

    class Meta:
        model = ParticipationProjet

    class Params:
        centre = factory.SubFactory(CentreFactory)

    projet = factory.SubFactory(ProjetFactory, centre=factory.SelfAttribute("..centre"))
    partenaire = factory.SubFactory(PartenaireFactory, centre=factory.SelfAttribute("..centre"))
    role = RoleRaci.CONSULTE
    niveau = NiveauImplication.ALLIE
    horizon = Horizon.COURT


class BilanFactory(DjangoModelFactory):
    class Meta:
        model = Bilan

    class Params:
        centre = factory.SubFactory(CentreFactory)

    projet = factory.SubFactory(ProjetFactory, centre=factory.SelfAttribute("..centre"))
    date = date(2026, 11, 30)
    titre = "Bilan du premier trimestre"
    texte = "Douze ateliers menés avec les familles du quartier."


class ChiffreBilanFactory(DjangoModelFactory):
    class Meta:
        model = ChiffreBilan

    class Params:
        centre = factory.SubFactory(CentreFactory)

    bilan = factory.SubFactory(BilanFactory, centre=factory.SelfAttribute("..centre"))
    libelle = "participants"
    valeur = Decimal("42")


class PieceBilanFactory(DjangoModelFactory):
    class Meta:
        model = PieceBilan

    class Params:
        centre = factory.SubFactory(CentreFactory)

    bilan = factory.SubFactory(BilanFactory, centre=factory.SelfAttribute("..centre"))
    fichier = factory.django.FileField(filename="bilan.pdf", data=PDF_MINIMAL)
    nom = "bilan.pdf"
    nature = "pdf"
    taille = len(PDF_MINIMAL)


class ConventionFactory(DjangoModelFactory):
    class Meta:
        model = Convention

    centre = factory.SubFactory(CentreFactory)
    financeur = factory.SubFactory(
        PartenaireFactory,
        centre=factory.SelfAttribute("..centre"),
        caf=True,
    )
    objet = "Prestation de service animation globale"
    statut = StatutConvention.SIGNEE
    debut = date(2026, 1, 1)
    fin = date(2028, 12, 31)


class MontantConventionFactory(DjangoModelFactory):
    class Meta:
        model = MontantConvention

    class Params:
        centre = factory.SubFactory(CentreFactory)

    convention = factory.SubFactory(ConventionFactory, centre=factory.SelfAttribute("..centre"))
    annee = 2026
    montant = Decimal("12500.00")

from django.db import models
from django.utils.translation import gettext_lazy as _


class CategoriePartenaire(models.TextChoices):
    ASSOCIATION = "association", _("Association")
    COLLECTIVITE = "collectivite", _("Collectivité, mairie")
    CCAS = "ccas", _("CCAS")
    SECURITE_SOCIALE = "securite_sociale", _("CAF, MSA et autres organismes de sécurité sociale")
    DEPARTEMENT = "departement", _("Services du Conseil départemental")
    ETAT = "etat", _("Services de l'État")
    EDUCATION = "education", _("École, éducation")
    SANTE = "sante", _("Santé")
    BAILLEUR = "bailleur", _("Bailleur social")
    EMPLOI = "emploi", _("Emploi et formation (Mission locale, PLIE, France Travail)")
    SPORT_CULTURE = "sport_culture", _("Club sportif ou culturel")
    COMMERCE = "commerce", _("Entreprise, commerce")
    AUTRE = "autre", _("Autre")


class Civilite(models.TextChoices):
    MADAME = "mme", _("Madame")
    MONSIEUR = "m", _("Monsieur")


# The shared vocabulary of themes, seeded by migration; order is the display order.
THEMES = [
    ("logement", _("Logement")),
    ("sante", _("Santé")),
    ("insertion", _("Insertion")),
    ("emploi", _("Emploi")),
    ("education", _("Éducation")),
    ("jeunesse", _("Jeunesse")),
    ("petite-enfance", _("Petite enfance")),
    ("famille", _("Famille")),
    ("parentalite", _("Parentalité")),
    ("culture", _("Culture")),
    ("sport", _("Sport")),
    ("alimentation", _("Alimentation")),
    ("acces-aux-droits", _("Accès aux droits")),
    ("numerique", _("Numérique")),
    ("mobilite", _("Mobilité")),
    ("vieillissement", _("Vieillissement")),
    ("handicap", _("Handicap")),
    ("environnement", _("Environnement")),
    ("vie-de-quartier", _("Vie de quartier")),
]


def themes_semer(theme_model):
    """Creates the missing themes of THEMES. Takes the model so that migrations can pass their
    historical one; tests call it too, after transactional tests empty the tables."""
    existants = set(theme_model.objects.values_list("slug", flat=True))
    theme_model.objects.bulk_create(
        theme_model(slug=slug, libelle=str(libelle), ordre=ordre)
        for ordre, (slug, libelle) in enumerate(THEMES)
        if slug not in existants
    )


class StatutDemande(models.TextChoices):
    ENVOYEE = "envoyee", _("Envoyée")
    OUVERTE = "ouverte", _("Ouverte")
    SOUMISE = "soumise", _("Soumise")
    ACCEPTEE = "acceptee", _("Acceptée")
    REJETEE = "rejetee", _("Rejetée")


# The states staff see: the statuses, plus "expirée", derived and never stored (a request sent
# or opened whose link has expired; see DemandeMiseAJour.etat and its queryset).
EXPIREE = "expiree"
ETATS_DEMANDE = [*StatutDemande.choices, (EXPIREE, _("Expirée"))]
ATTENTE_PARTENAIRE = (StatutDemande.ENVOYEE, StatutDemande.OUVERTE)
TRAITEES = (StatutDemande.ACCEPTEE, StatutDemande.REJETEE)


class RegroupementLivret(models.TextChoices):
    CATEGORIE = "categorie", _("Par catégorie")
    THEME = "theme", _("Par thème")


class StatutLivret(models.TextChoices):
    EN_ATTENTE = "en_attente", _("En attente")
    EN_COURS = "en_cours", _("En cours")
    PRET = "pret", _("Prêt")
    ECHEC = "echec", _("Échec")

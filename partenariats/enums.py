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


# --- Partnerships (sources 01, 03, 05) --------------------------------------------------------


class TypePartenariat(models.TextChoices):
    """The four kinds of partnership of a centre (source 01)."""

    ORIENTATION = "orientation", _("Orientation")
    ACTION = "action", _("Action")
    PROJET = "projet", _("Projet")
    CONCERTATION = "concertation", _("Concertation")


class NiveauImplication(models.TextChoices):
    """The lines of the frise des partenariats (source 03), closest first."""

    CO_PORTEUR = "co_porteur", _("Co-porteur")
    ALLIE = "allie", _("Allié")
    INFORMATION = "information", _("Information")


class Horizon(models.TextChoices):
    COURT = "court", _("Court terme")
    MOYEN = "moyen", _("Moyen terme")
    LONG = "long", _("Long terme")


class StatutPartenariat(models.TextChoices):
    ENVISAGE = "envisage", _("Envisagé")
    ACTIF = "actif", _("Actif")
    EN_PAUSE = "en_pause", _("En pause")
    TERMINE = "termine", _("Terminé")


class Construction(models.TextChoices):
    """How the partnership came to be: "were we consulted, or declared partner on paper?"
    (source 05)."""

    CO_CONSTRUIT = "co_construit", _("Construit ensemble en amont")
    REJOINT = "rejoint", _("Rejoint en cours de route")
    DECLARE = "declare", _("Déclaré sans que le centre soit consulté")


class NatureSollicitation(models.TextChoices):
    DOSSIER = (
        "dossier",
        _("Figurer comme partenaire d'une demande de subvention ou d'une fiche action"),
    )
    INSTANCE = "instance", _("Siéger dans une instance (comité, groupe de travail)")
    COSIGNATURE = "cosignature", _("Cosigner un projet")
    AUTRE = "autre", _("Autre demande")


class DecisionSollicitation(models.TextChoices):
    A_DECIDER = "a_decider", _("À décider")
    ACCEPTER = "accepter", _("Accepter")
    NEGOCIER = "negocier", _("Négocier")
    DECLINER = "decliner", _("Décliner")


class GenreProjet(models.TextChoices):
    ACTION = "action", _("Action")
    PROJET = "projet", _("Projet")


class StatutProjet(models.TextChoices):
    EN_PREPARATION = "en_preparation", _("En préparation")
    EN_COURS = "en_cours", _("En cours")
    TERMINE = "termine", _("Terminé")
    ABANDONNE = "abandonne", _("Abandonné")


class RoleRaci(models.TextChoices):
    """Who does what in a project (source 03, "l'outil tableau RACI")."""

    RESPONSABLE = "R", _("Responsable")
    APPROBATEUR = "A", _("Approbateur")
    CONSULTE = "C", _("Consulté")
    INFORME = "I", _("Informé")


class StatutConvention(models.TextChoices):
    DEMANDEE = "demandee", _("Demandée")
    ACCORDEE = "accordee", _("Accordée")
    SIGNEE = "signee", _("Signée")
    SOLDEE = "soldee", _("Soldée")
    REFUSEE = "refusee", _("Refusée")

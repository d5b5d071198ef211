from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection, models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from partenariats.enums import CategoriePartenaire, Civilite
from partenariats.validators import valider_code_postal, valider_rna, valider_siret
from reseau.models import CentreScopedModel, CentreScopedQuerySet

# A copy of PostgreSQL's "french" configuration that strips accents before stemming, created
# by migration 0002: "reussite" finds "réussite", "ateliers" finds "atelier".
CONFIG_RECHERCHE = "french_unaccent"


class Theme(models.Model):
    """A theme of the shared vocabulary (logement, santé...), the same for every centre."""

    slug = models.SlugField(_("identifiant"), unique=True)
    libelle = models.CharField(_("libellé"), max_length=100)
    ordre = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("thème")
        verbose_name_plural = _("thèmes")
        ordering = ["ordre", "libelle"]

    def __str__(self):
        return self.libelle


class PartenaireQuerySet(CentreScopedQuerySet):
    def actifs(self):
        return self.filter(archive=False)

    def du_livret(self):
        return self.actifs().filter(dans_livret=True)

    def recherche(self, texte):
        """Partners matching ``texte``, best first on PostgreSQL (full text, French stemming,
        accents ignored); a plain case-insensitive match elsewhere."""
        texte = (texte or "").strip()
        if not texte:
            return self
        if connection.vendor == "postgresql":
            query = SearchQuery(texte, config=CONFIG_RECHERCHE, search_type="websearch")
            return self.filter(recherche=query).annotate(
                pertinence=SearchRank(F("recherche"), query)
            )
        condition = Q()
        for mot in texte.split():
            condition &= (
                Q(nom__icontains=mot)
                | Q(sigle__icontains=mot)
                | Q(missions__icontains=mot)
                | Q(services__icontains=mot)
                | Q(commune__icontains=mot)
            )
        return self.filter(condition)


class Partenaire(CentreScopedModel):
    """An organisation the centre works with, whatever its status, and its fiche signalétique."""

    nom = models.CharField(_("nom"), max_length=200)
    sigle = models.CharField(_("sigle"), max_length=50, blank=True)
    categorie = models.CharField(_("catégorie"), max_length=30, choices=CategoriePartenaire.choices)
    siret = models.CharField(
        _("SIRET"), max_length=14, blank=True, validators=[valider_siret], db_index=True
    )
    rna = models.CharField(_("numéro RNA"), max_length=10, blank=True, validators=[valider_rna])
    adresse = models.CharField(_("adresse"), max_length=255, blank=True)
    code_postal = models.CharField(
        _("code postal"), max_length=5, blank=True, validators=[valider_code_postal]
    )
    commune = models.CharField(_("commune"), max_length=100, blank=True)
    telephone = models.CharField(_("téléphone"), max_length=30, blank=True)
    email = models.EmailField(_("adresse électronique"), blank=True)
    site_web = models.URLField(_("site web"), blank=True)
    missions = models.TextField(_("missions"), blank=True)
    publics = models.TextField(_("publics"), blank=True)
    services = models.TextField(_("services proposés"), blank=True)
    horaires = models.TextField(_("horaires d'ouverture"), blank=True)
    territoire = models.CharField(_("territoire d'intervention"), max_length=255, blank=True)
    themes = models.ManyToManyField(Theme, verbose_name=_("thèmes"), blank=True, related_name="+")
    dans_livret = models.BooleanField(
        _("dans le livret des partenaires"),
        default=True,
        help_text=_("La fiche figure dans le livret imprimé."),
    )
    archive = models.BooleanField(_("archivé"), default=False)
    fiche_confirmee_le = models.DateField(_("fiche confirmée le"), null=True, blank=True)
    cree_le = models.DateTimeField(_("créé le"), auto_now_add=True)
    modifie_le = models.DateTimeField(_("modifié le"), auto_now=True)
    # Filled by a PostgreSQL trigger (migration 0002); stays empty on SQLite.
    recherche = SearchVectorField(null=True, editable=False)

    objects = PartenaireQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["recherche", "modifie_le", "cree_le"])

    class Meta:
        verbose_name = _("partenaire")
        verbose_name_plural = _("partenaires")
        ordering = ["nom"]
        indexes = [
            models.Index(fields=["centre", "archive", "nom"], name="partenaire_annuaire_idx"),
            models.Index(fields=["centre", "commune"], name="partenaire_commune_idx"),
        ]

    def __str__(self):
        return f"{self.nom} ({self.sigle})" if self.sigle else self.nom

    def get_absolute_url(self):
        return reverse("partenaires:detail", args=[self.pk])


class ContactQuerySet(models.QuerySet):
    def for_centre(self, centre):
        if centre is None:
            return self.none()
        return self.filter(partenaire__centre=centre)

    def joignables(self):
        """Contacts who may receive email: an address and no opt-out."""
        return self.exclude(email="").filter(desinscrit_le__isnull=True)


class Contact(models.Model):
    """A person at a partner. One address may belong to contacts of several partners."""

    partenaire = models.ForeignKey(
        Partenaire, verbose_name=_("partenaire"), on_delete=models.CASCADE, related_name="contacts"
    )
    civilite = models.CharField(_("civilité"), max_length=3, choices=Civilite.choices, blank=True)
    prenom = models.CharField(_("prénom"), max_length=100, blank=True)
    nom = models.CharField(_("nom"), max_length=100)
    fonction = models.CharField(_("fonction"), max_length=150, blank=True)
    email = models.EmailField(_("adresse électronique"), blank=True)
    telephone = models.CharField(_("téléphone"), max_length=30, blank=True)
    recoit_invitations_cafe = models.BooleanField(
        _("reçoit les invitations aux cafés partenaires"), default=True
    )
    prescripteur = models.BooleanField(
        _("peut orienter des personnes (prescripteur)"), default=False
    )
    desinscrit_le = models.DateTimeField(
        _("désinscrit des courriels le"),
        null=True,
        blank=True,
        help_text=_("Plus aucun courriel de Maillage ne lui est envoyé."),
    )
    cree_le = models.DateTimeField(_("créé le"), auto_now_add=True)

    objects = ContactQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["cree_le"])

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["nom", "prenom"]

    def __str__(self):
        return " ".join(part for part in (self.prenom, self.nom) if part)

    @property
    def centre(self):
        return self.partenaire.centre

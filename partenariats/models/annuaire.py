from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.core.validators import MaxLengthValidator
from django.db import connection, models
from django.db.models import Count, F, Func, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from commun.texte import cle_tri, replier
from partenariats.enums import (
    ATTENTE_PARTENAIRE,
    ETATS_DEMANDE,
    EXPIREE,
    CategoriePartenaire,
    Civilite,
    RegroupementLivret,
    StatutDemande,
    StatutLivret,
)
from partenariats.validators import valider_code_postal, valider_rna, valider_siret
from reseau.models import (
    CentreManager,
    CentreScopedModel,
    CentreScopedQuerySet,
    historique_manager,
)

# A copy of PostgreSQL's "french" configuration that strips accents before stemming, created
# by migration 0002: "reussite" finds "réussite", "ateliers" finds "atelier".
CONFIG_RECHERCHE = "french_unaccent"


# Longest missions, publics and services of a fiche, and longest opening hours (characters).
TEXTE_MAX = 5000
HORAIRES_MAX = 1000


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
        accents ignored); elsewhere (SQLite) every word found in one of the fields, accents
        and case ignored through ``commun.texte.replier`` (registered as the SQL function
        ``replier`` on every SQLite connection: ``partenariats.apps``)."""
        texte = (texte or "").strip()
        if not texte:
            return self
        if connection.vendor == "postgresql":
            query = SearchQuery(texte, config=CONFIG_RECHERCHE, search_type="websearch")
            return self.filter(recherche=query).annotate(
                pertinence=SearchRank(F("recherche"), query)
            )
        champs = ("nom", "sigle", "missions", "services", "commune")
        condition = Q()
        for mot in texte.split():
            mot = replier(mot)
            condition &= Q.create(
                [(f"_{champ}_replie__contains", mot) for champ in champs], connector=Q.OR
            )
        return self.alias(
            **{f"_{champ}_replie": Func(champ, function="replier") for champ in champs}
        ).filter(condition)


class Partenaire(CentreScopedModel):
    """An organisation the centre works with, whatever its status, and its fiche signalétique."""

    nom = models.CharField(_("nom"), max_length=200)
    # The name as sorted, the same on every database and whatever its collation: "École" and
    # "Épicerie" among the E, not after Z (``commun.texte.cle_tri``). Kept by ``save()`` and
    # by the importer, which inserts in bulk.
    nom_tri = models.CharField(_("nom pour le tri"), max_length=200, editable=False, default="")
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
    # A TextField's max_length only sizes the form's field: the validator also holds the
    # services and the import (full_clean) to it. A fiche is a page, not a document.
    missions = models.TextField(
        _("missions"), blank=True, max_length=TEXTE_MAX, validators=[MaxLengthValidator(TEXTE_MAX)]
    )
    publics = models.TextField(
        _("publics"), blank=True, max_length=TEXTE_MAX, validators=[MaxLengthValidator(TEXTE_MAX)]
    )
    services = models.TextField(
        _("services proposés"),
        blank=True,
        max_length=TEXTE_MAX,
        validators=[MaxLengthValidator(TEXTE_MAX)],
    )
    horaires = models.TextField(
        _("horaires d'ouverture"),
        blank=True,
        max_length=HORAIRES_MAX,
        validators=[MaxLengthValidator(HORAIRES_MAX)],
    )
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
    # The one-time key of the creation form that made this partner: a double-clicked or
    # resubmitted form carries the same key, and ``partenaire_creer`` returns the partner it
    # already made instead of a second one (the unique constraint settles a race).
    cle_creation = models.UUIDField(_("clé de création"), null=True, blank=True, editable=False)

    objects = CentreManager(PartenaireQuerySet)
    history = HistoricalRecords(
        excluded_fields=["recherche", "nom_tri", "modifie_le", "cree_le", "cle_creation"],
        history_manager=historique_manager(),
    )

    class Meta:
        verbose_name = _("partenaire")
        verbose_name_plural = _("partenaires")
        ordering = ["nom_tri", "nom"]
        indexes = [
            models.Index(
                fields=["centre", "archive", "nom_tri"], name="partenaire_annuaire_tri_idx"
            ),
            models.Index(fields=["centre", "commune"], name="partenaire_commune_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "cle_creation"], name="partenaire_cle_creation_unique"
            )
        ]

    def __str__(self):
        return f"{self.nom} ({self.sigle})" if self.sigle else self.nom

    def get_absolute_url(self):
        return reverse("partenariats:detail", args=[self.pk])

    def save(self, *args, **kwargs):
        # A derived column, like the search vector: whoever saves the name keeps its key.
        self.nom_tri = cle_tri(self.nom)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "nom" in update_fields:
            kwargs["update_fields"] = {*update_fields, "nom_tri"}
        super().save(*args, **kwargs)


class ContactQuerySet(CentreScopedQuerySet):
    def joignables(self):
        """Contacts who may receive email: an address and no opt-out."""
        return self.exclude(email="").filter(desinscrit_le__isnull=True)

    def proposes(self):
        """Contacts a partner added (``Contact.propose_le``) that staff have not reviewed."""
        return self.filter(propose_le__isnull=False)


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
    # Opt-in: a printed booklet is handed out beyond the centre, and a person's name, phone
    # and address go in it only when staff (or the partner, through its fiche's link) say so.
    # Contacts that existed before this choice keep appearing (migration 0007), as they did.
    publier_dans_livret = models.BooleanField(
        _("publier dans le livret"),
        default=False,
        help_text=_("Le nom et les coordonnées de ce contact figurent dans le livret imprimé."),
    )
    desinscrit_le = models.DateTimeField(
        _("désinscrit des courriels le"),
        null=True,
        blank=True,
        help_text=_("Plus aucun courriel de Maillage ne lui est envoyé."),
    )
    # A partner, not staff, added the person (a colleague sent in their place from a café
    # invitation's link): staff review it (``contacts_proposes``) and keep the contact
    # (``contact_garder``, or any edit through the contact form), which clears both, or
    # delete it.
    propose_le = models.DateTimeField(_("proposé par le partenaire le"), null=True, blank=True)
    propose_par = models.ForeignKey(
        "self",
        verbose_name=_("proposé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cree_le = models.DateTimeField(_("créé le"), auto_now_add=True)

    objects = CentreManager(ContactQuerySet, centre="partenaire__centre")
    history = HistoricalRecords(
        excluded_fields=["cree_le"], history_manager=historique_manager(centre="partenaire__centre")
    )

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["nom", "prenom"]
        indexes = [
            # The directory counts the contacts awaiting review on every visit: a few rows.
            models.Index(
                fields=["propose_le"],
                condition=Q(propose_le__isnull=False),
                name="contact_propose_idx",
            )
        ]

    def __str__(self):
        return " ".join(part for part in (self.prenom, self.nom) if part)

    @property
    def centre(self):
        return self.partenaire.centre


class LotDemandes(CentreScopedModel):
    """Fiche update requests sent in one go (to every partner of a filtered list).

    The Celery task walks the partners and creates at most one request per partner of the lot
    (a unique constraint), so a retried task emails no one twice; ``traites`` feeds the
    progress bar.
    """

    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("envoyé par"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    cree_le = models.DateTimeField(_("créé le"), auto_now_add=True)
    criteres = models.CharField(_("critères de l'annuaire"), max_length=1000, blank=True)
    partenaires = models.JSONField(_("partenaires visés"), default=list)
    total = models.PositiveIntegerField(_("nombre de partenaires"), default=0)
    traites = models.PositiveIntegerField(_("partenaires traités"), default=0)
    termine_le = models.DateTimeField(_("terminé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("envoi groupé de demandes de mise à jour")
        verbose_name_plural = _("envois groupés de demandes de mise à jour")
        ordering = ["-cree_le"]


class DemandeMiseAJourQuerySet(CentreScopedQuerySet):
    """Requests by the state staff see (``ETATS_DEMANDE``); "expirée" is told by the clock, so
    each method takes the moment to judge by (now by default)."""

    def en_cours(self, maintenant=None):
        """Requests still waiting for the partner (link alive) or for staff (submitted): while
        one is in progress, a second email would only confuse."""
        maintenant = maintenant or timezone.now()
        return self.filter(
            Q(statut=StatutDemande.SOUMISE)
            | Q(statut__in=ATTENTE_PARTENAIRE, expire_le__gt=maintenant)
        )

    def a_examiner(self):
        """Submitted by the partner, waiting for staff's review."""
        return self.filter(statut=StatutDemande.SOUMISE)

    def dans_etat(self, etat, maintenant=None):
        """Requests in ``etat`` (one of ``ETATS_DEMANDE``), as ``DemandeMiseAJour.etat`` tells."""
        return self.filter(_q_etat(etat, maintenant or timezone.now()))

    def comptes_par_etat(self):
        """``{etat: nombre}`` for every state of ``ETATS_DEMANDE`` (zeros included), in one
        query."""
        maintenant = timezone.now()
        return self.aggregate(
            **{
                etat: Count("pk", filter=_q_etat(etat, maintenant))
                for etat, _libelle in ETATS_DEMANDE
            }
        )


def _q_etat(etat, maintenant):
    if etat == EXPIREE:
        return Q(statut__in=ATTENTE_PARTENAIRE, expire_le__lte=maintenant)
    if etat in ATTENTE_PARTENAIRE:
        return Q(statut=etat, expire_le__gt=maintenant)
    return Q(statut=etat)


class DemandeMiseAJour(CentreScopedModel):
    """One request to one partner's contact to check and update its fiche through a link.

    The partner's answer is kept in ``proposition`` and changes nothing until staff accept it,
    field by field (``champs_acceptes``).
    """

    lot = models.ForeignKey(
        LotDemandes,
        verbose_name=_("envoi groupé"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="demandes",
    )
    partenaire = models.ForeignKey(
        Partenaire,
        verbose_name=_("partenaire"),
        on_delete=models.CASCADE,
        related_name="demandes_mise_a_jour",
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    destinataire = models.EmailField(_("adresse du destinataire"))
    statut = models.CharField(
        _("statut"), max_length=20, choices=StatutDemande.choices, default=StatutDemande.ENVOYEE
    )
    envoyee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("envoyée par"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    cree_le = models.DateTimeField(_("envoyée le"), auto_now_add=True)
    expire_le = models.DateTimeField(_("expire le"))
    ouverte_le = models.DateTimeField(_("ouverte le"), null=True, blank=True)
    soumise_le = models.DateTimeField(_("soumise le"), null=True, blank=True)
    traitee_le = models.DateTimeField(_("traitée le"), null=True, blank=True)
    traitee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("traitée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    proposition = models.JSONField(_("modifications proposées"), default=dict, blank=True)
    champs_acceptes = models.JSONField(_("champs acceptés"), default=list, blank=True)
    # The fiche's values of the proposed fields just before acceptance (``valeurs_fiche``'s
    # shape): once accepted, the fiche holds the new values, and the review page would
    # otherwise compare the new value with itself.
    valeurs_avant = models.JSONField(
        _("valeurs avant examen"), default=dict, blank=True, editable=False
    )
    courriel = models.ForeignKey(
        "courrier.Courriel",
        verbose_name=_("courriel"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = CentreManager(DemandeMiseAJourQuerySet)

    class Meta:
        verbose_name = _("demande de mise à jour de fiche")
        verbose_name_plural = _("demandes de mise à jour de fiche")
        ordering = ["-cree_le"]
        constraints = [
            models.UniqueConstraint(
                fields=["lot", "partenaire"], name="demande_unique_par_lot_et_partenaire"
            )
        ]
        indexes = [models.Index(fields=["centre", "statut", "-cree_le"], name="demande_suivi_idx")]

    @property
    def etat(self):
        """The state staff see: the stored status, or ``EXPIREE`` for an unanswered request
        whose link has expired."""
        if self.statut in ATTENTE_PARTENAIRE and self.expire_le <= timezone.now():
            return EXPIREE
        return self.statut


class Livret(CentreScopedModel):
    """One generated booklet (PDF) of the centre's partners; earlier ones stay listed."""

    regroupement = models.CharField(
        _("regroupement"),
        max_length=20,
        choices=RegroupementLivret.choices,
        default=RegroupementLivret.CATEGORIE,
    )
    statut = models.CharField(
        _("statut"), max_length=20, choices=StatutLivret.choices, default=StatutLivret.EN_ATTENTE
    )
    progression = models.PositiveSmallIntegerField(_("progression (%)"), default=0)
    etape = models.CharField(_("étape en cours"), max_length=200, blank=True)
    fichier = models.FileField(_("fichier PDF"), upload_to="livrets/%Y/%m/", blank=True)
    nb_partenaires = models.PositiveIntegerField(_("nombre de partenaires"), default=0)
    nb_pages = models.PositiveIntegerField(_("nombre de pages"), default=0)
    erreur = models.TextField(_("erreur"), blank=True)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandé par"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    cree_le = models.DateTimeField(_("demandé le"), auto_now_add=True)
    termine_le = models.DateTimeField(_("terminé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("livret des partenaires")
        verbose_name_plural = _("livrets des partenaires")
        ordering = ["-cree_le"]

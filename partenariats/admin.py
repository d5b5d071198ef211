from django.contrib import admin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from partenariats.models import (
    AlerteEnvoyee,
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


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = [
        "civilite",
        "prenom",
        "nom",
        "fonction",
        "email",
        "telephone",
        "recoit_invitations_cafe",
        "prescripteur",
        "desinscrit_le",
    ]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["libelle", "slug", "ordre"]
    search_fields = ["libelle"]
    ordering = ["ordre"]


@admin.register(Partenaire)
class PartenaireAdmin(SimpleHistoryAdmin):
    list_display = [
        "nom",
        "sigle",
        "categorie",
        "commune",
        "centre",
        "dans_livret",
        "archive",
        "fiche_confirmee_le",
    ]
    list_filter = ["centre", "categorie", "archive", "dans_livret", "themes"]
    search_fields = ["nom", "sigle", "commune", "siret"]
    list_select_related = ["centre"]
    filter_horizontal = ["themes"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [ContactInline]

    def has_delete_permission(self, request, obj=None):
        # A partner carries history (cafés, orientations...): archive it instead.
        return False


@admin.register(Contact)
class ContactAdmin(SimpleHistoryAdmin):
    list_display = [
        "__str__",
        "partenaire",
        "fonction",
        "email",
        "recoit_invitations_cafe",
        "prescripteur",
        "desinscrit_le",
    ]
    list_filter = ["recoit_invitations_cafe", "prescripteur", "partenaire__centre"]
    search_fields = ["nom", "prenom", "email", "partenaire__nom"]
    list_select_related = ["partenaire"]
    autocomplete_fields = ["partenaire"]


@admin.register(DemandeMiseAJour)
class DemandeMiseAJourAdmin(admin.ModelAdmin):
    """Read-only: requests change through their services (the fiche, the outbox, the token)."""

    list_display = ["partenaire", "destinataire", "statut", "cree_le", "expire_le", "centre"]
    list_filter = ["statut", "centre"]
    search_fields = ["partenaire__nom", "destinataire"]
    list_select_related = ["partenaire", "centre"]
    date_hierarchy = "cree_le"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LotDemandes)
class LotDemandesAdmin(admin.ModelAdmin):
    list_display = ["cree_le", "centre", "cree_par", "total", "traites", "termine_le"]
    list_filter = ["centre"]
    list_select_related = ["centre", "cree_par"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Livret)
class LivretAdmin(admin.ModelAdmin):
    """Read-only: booklets are made by their task. The PDF is downloaded from the staff page,
    scoped to the centre; MEDIA files are never served publicly."""

    list_display = ["cree_le", "centre", "regroupement", "statut", "nb_partenaires", "nb_pages"]
    list_filter = ["statut", "regroupement", "centre"]
    list_select_related = ["centre"]
    date_hierarchy = "cree_le"
    exclude = ["fichier"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Sollicitation)
class SollicitationAdmin(SimpleHistoryAdmin):
    """Read-only: a decision and the partnership it makes go through their services."""

    list_display = ["objet", "demandeur", "nature", "recue_le", "echeance", "decision", "centre"]
    list_filter = ["decision", "nature", "centre"]
    search_fields = ["objet", "demandeur__nom"]
    list_select_related = ["demandeur", "centre"]
    date_hierarchy = "recue_le"


# --- Partnerships, requests received, projects, conventions (issue 10) -------------------------
# Stored files (signed protocols and agreements, pieces of a review) are served only by the
# centre's pages, which check membership: the admin shows their name, never a link to MEDIA.


class ProtocoleOrientationInline(admin.StackedInline):
    model = ProtocoleOrientation
    extra = 0
    fields = ["signe_le", "valide_jusqu_au", "document_nom", "prescripteurs"]
    readonly_fields = ["document_nom"]
    autocomplete_fields = ["prescripteurs"]


@admin.register(Partenariat)
class PartenariatAdmin(SimpleHistoryAdmin):
    list_display = ["partenaire", "type", "niveau", "horizon", "statut", "debut", "fin", "centre"]
    list_filter = ["type", "niveau", "horizon", "statut", "construction", "centre"]
    search_fields = ["objet", "partenaire__nom"]
    list_select_related = ["partenaire", "centre"]
    autocomplete_fields = ["partenaire", "referent"]
    date_hierarchy = "debut"
    inlines = [ProtocoleOrientationInline]


@admin.register(ProtocoleOrientation)
class ProtocoleOrientationAdmin(SimpleHistoryAdmin):
    list_display = ["partenariat", "signe_le", "valide_jusqu_au", "document_nom"]
    search_fields = ["partenariat__partenaire__nom", "partenariat__objet"]
    list_select_related = ["partenariat__partenaire"]
    fields = ["partenariat", "signe_le", "valide_jusqu_au", "document_nom", "prescripteurs"]
    readonly_fields = ["document_nom"]
    autocomplete_fields = ["partenariat", "prescripteurs"]


class ParticipationProjetInline(admin.TabularInline):
    model = ParticipationProjet
    extra = 0
    fields = ["partenaire", "role", "niveau", "horizon", "freins", "leviers"]
    autocomplete_fields = ["partenaire"]


@admin.register(Projet)
class ProjetAdmin(SimpleHistoryAdmin):
    list_display = ["titre", "genre", "statut", "porteur", "debut", "fin", "centre"]
    list_filter = ["genre", "statut", "centre"]
    search_fields = ["titre", "description"]
    list_select_related = ["porteur", "centre"]
    autocomplete_fields = ["porteur"]
    inlines = [ParticipationProjetInline]


@admin.register(ParticipationProjet)
class ParticipationProjetAdmin(SimpleHistoryAdmin):
    list_display = ["projet", "partenaire", "role", "niveau", "horizon"]
    list_filter = ["role", "niveau", "horizon"]
    search_fields = ["projet__titre", "partenaire__nom"]
    list_select_related = ["projet", "partenaire"]
    autocomplete_fields = ["projet", "partenaire"]


class ChiffreBilanInline(admin.TabularInline):
    model = ChiffreBilan
    extra = 0


class PieceBilanInline(admin.TabularInline):
    model = PieceBilan
    extra = 0
    fields = ["nom", "nature", "taille", "legende"]
    readonly_fields = ["nom", "nature", "taille"]

    def has_add_permission(self, request, obj=None):
        # A piece comes with its file, checked by content on the centre's pages.
        return False


@admin.register(Bilan)
class BilanAdmin(SimpleHistoryAdmin):
    list_display = ["titre", "projet", "date", "cree_par"]
    search_fields = ["titre", "projet__titre"]
    list_select_related = ["projet", "cree_par"]
    autocomplete_fields = ["projet", "cree_par"]
    date_hierarchy = "date"
    inlines = [ChiffreBilanInline, PieceBilanInline]


@admin.register(ChiffreBilan)
class ChiffreBilanAdmin(admin.ModelAdmin):
    list_display = ["libelle", "valeur", "unite", "bilan"]
    search_fields = ["libelle", "bilan__titre"]
    list_select_related = ["bilan"]
    autocomplete_fields = ["bilan"]


@admin.register(PieceBilan)
class PieceBilanAdmin(admin.ModelAdmin):
    """Read-only: a piece is uploaded, checked and served by the centre's pages."""

    list_display = ["nom", "nature", "taille", "bilan", "cree_le"]
    list_filter = ["nature"]
    search_fields = ["nom", "legende", "bilan__titre"]
    list_select_related = ["bilan"]
    exclude = ["fichier"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AlerteEnvoyee)
class AlerteEnvoyeeAdmin(admin.ModelAdmin):
    """What the alerts digest has told each centre; deleting a row tells that item again at
    the next run."""

    list_display = ["cle", "centre", "envoyee_le"]
    list_filter = ["centre"]
    search_fields = ["cle"]
    list_select_related = ["centre"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MontantConventionInline(admin.TabularInline):
    model = MontantConvention
    extra = 0


@admin.register(Convention)
class ConventionAdmin(SimpleHistoryAdmin):
    list_display = ["financeur", "objet", "statut", "debut", "fin", "projet", "centre"]
    list_filter = ["statut", "centre"]
    search_fields = ["objet", "reference", "financeur__nom"]
    list_select_related = ["financeur", "projet", "centre"]
    autocomplete_fields = ["financeur", "projet"]
    exclude = ["document"]
    readonly_fields = ["document_nom"]
    date_hierarchy = "debut"
    inlines = [MontantConventionInline]


@admin.register(MontantConvention)
class MontantConventionAdmin(SimpleHistoryAdmin):
    list_display = ["convention", "annee", "montant"]
    list_filter = ["annee"]
    search_fields = ["convention__objet", "convention__financeur__nom"]
    list_select_related = ["convention__financeur"]
    autocomplete_fields = ["convention"]

from django.contrib import admin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from partenariats.models import (
    AlerteEnvoyee,
    Contact,
    DemandeMiseAJour,
    Livret,
    LotDemandes,
    Partenaire,
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

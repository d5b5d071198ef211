from django.contrib import admin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from partenariats.models import Contact, Partenaire, Theme


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

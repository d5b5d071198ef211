from django.contrib import admin

from cafes.models import Cafe, CafeSerie, HoteSerie


class HoteSerieInline(admin.TabularInline):
    model = HoteSerie
    extra = 0
    autocomplete_fields = ["partenaire"]


@admin.register(CafeSerie)
class CafeSerieAdmin(admin.ModelAdmin):
    list_display = ["nom", "centre", "rang", "jour", "heure_debut", "heure_fin"]
    list_filter = ["centre"]
    search_fields = ["nom"]
    filter_horizontal = ["themes", "partenaires"]
    inlines = [HoteSerieInline]


@admin.register(Cafe)
class CafeAdmin(admin.ModelAdmin):
    list_display = ["date", "serie", "hote", "type", "statut"]
    list_filter = ["statut", "type", "serie__centre"]
    search_fields = ["serie__nom", "adresse", "hote__nom"]
    date_hierarchy = "date"
    list_select_related = ["serie", "hote"]
    autocomplete_fields = ["hote"]
    filter_horizontal = ["partenaires_ajoutes", "partenaires_retires"]
    readonly_fields = ["uid", "sequence"]

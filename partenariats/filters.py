from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partenariats.enums import CategoriePartenaire, TypePartenariat
from partenariats.models import DemandeMiseAJour, Partenaire, Partenariat, Theme
from partenariats.selectors import communes_du_centre

# A fiche older than this is worth a confirmation request to the partner.
FICHE_ANCIENNE = timedelta(days=365)
# The "Partenariat en cours" filter's value for partners with none.
AUCUN = "aucun"


class PartenaireFilter(django_filters.FilterSet):
    """The directory's search and filters. Everything lives in the query string, so a filtered
    list can be bookmarked, shared, exported or sent update requests as it is."""

    q = django_filters.CharFilter(method="filtrer_recherche", label=_("Rechercher"))
    categorie = django_filters.ChoiceFilter(
        choices=CategoriePartenaire.choices, label=_("Catégorie"), empty_label=_("Toutes")
    )
    theme = django_filters.ModelChoiceFilter(
        field_name="themes",
        queryset=Theme.objects.all(),
        to_field_name="slug",
        label=_("Thème"),
        empty_label=_("Tous"),
    )
    commune = django_filters.ChoiceFilter(
        method="filtrer_commune", label=_("Commune"), empty_label=_("Toutes")
    )
    partenariat = django_filters.ChoiceFilter(
        method="filtrer_partenariat",
        label=_("Partenariat en cours"),
        choices=[*TypePartenariat.choices, (AUCUN, _("Aucun"))],
        empty_label=_("Peu importe"),
    )
    statut = django_filters.ChoiceFilter(
        method="filtrer_statut",
        label=_("Statut"),
        choices=[("archives", _("Archivés")), ("tous", _("Actifs et archivés"))],
        empty_label=_("Actifs"),
    )
    livret = django_filters.ChoiceFilter(
        method="filtrer_livret",
        label=_("Livret"),
        choices=[("oui", _("Dans le livret")), ("non", _("Hors livret"))],
        empty_label=_("Tous"),
    )
    fiche = django_filters.ChoiceFilter(
        method="filtrer_fiche",
        label=_("Fiche"),
        choices=[
            ("a-confirmer", _("À faire confirmer (plus d'un an)")),
            ("a-demander", _("À faire confirmer, sans demande en cours")),
        ],
        empty_label=_("Toutes"),
    )
    tri = django_filters.OrderingFilter(
        label=_("Trier par"),
        empty_label=_("Pertinence ou nom"),
        fields=[
            ("nom_tri", "nom"),
            ("commune", "commune"),
            ("categorie", "categorie"),
            ("fiche_confirmee_le", "fiche"),
            ("modifie_le", "modifie"),
        ],
        field_labels={
            "nom": _("Nom (A → Z)"),
            "-nom": _("Nom (Z → A)"),
            "commune": _("Commune"),
            "-commune": _("Commune (Z → A)"),
            "categorie": _("Catégorie"),
            "-categorie": _("Catégorie (Z → A)"),
            "fiche": _("Fiche la plus ancienne"),
            "-fiche": _("Fiche la plus récente"),
            "modifie": _("Modifié il y a longtemps"),
            "-modifie": _("Modifié récemment"),
        },
    )

    class Meta:
        model = Partenaire
        fields = []

    def __init__(self, data=None, *args, centre, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.centre = centre
        self.filters["commune"].extra["choices"] = [(c, c) for c in communes_du_centre(centre)]
        self.form.fields["q"].widget = forms.TextInput(
            attrs={"type": "search", "placeholder": _("nom, sigle, mission, service, commune")}
        )

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        if not data.get("statut"):
            queryset = queryset.filter(archive=False)
        if not data.get("tri"):
            # Best match first when searching on PostgreSQL, else alphabetical.
            ranked = "pertinence" in queryset.query.annotations
            tri = ["nom_tri", "nom", "pk"]
            queryset = queryset.order_by(*(["-pertinence", *tri] if ranked else tri))
        return queryset

    def filtrer_recherche(self, queryset, name, value):
        return queryset.recherche(value)

    def filtrer_commune(self, queryset, name, value):
        return queryset.filter(commune=value)

    def filtrer_partenariat(self, queryset, name, value):
        """Partners with a partnership of type ``value`` going on (envisaged, active or
        paused), or with none going on (``AUCUN``)."""
        en_cours = Partenariat.objects.en_cours().filter(partenaire=OuterRef("pk"))
        if value == AUCUN:
            return queryset.exclude(Exists(en_cours))
        return queryset.filter(Exists(en_cours.filter(type=value)))

    def filtrer_statut(self, queryset, name, value):
        return queryset.filter(archive=True) if value == "archives" else queryset

    def filtrer_livret(self, queryset, name, value):
        return queryset.filter(dans_livret=(value == "oui"))

    def filtrer_fiche(self, queryset, name, value):
        limite = timezone.localdate() - FICHE_ANCIENNE
        queryset = queryset.filter(
            Q(fiche_confirmee_le__isnull=True) | Q(fiche_confirmee_le__lt=limite)
        )
        if value == "a-demander":
            en_cours = DemandeMiseAJour.objects.en_cours().filter(partenaire=OuterRef("pk"))
            queryset = queryset.exclude(Exists(en_cours))
        return queryset


def directory_filter(request, centre):
    """The filtered directory as the list, the exports and the bulk actions all see it.

    Always bound (an empty query string is valid), so a value that does not validate is
    dropped and reported on its field while the other filters still apply.
    """
    return PartenaireFilter(
        request.GET, queryset=Partenaire.objects.for_centre(centre), request=request, centre=centre
    )

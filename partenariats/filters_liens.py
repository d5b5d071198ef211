"""The filters of the list of partnerships. Everything lives in the query string (``type``,
``niveau``, ``statut``, ``horizon``, ``referent``, ``construction``, ``fin_proche``, ``tri``),
so that other pages can link to a filtered list (the frise: ``?niveau=allie&horizon=court``)."""

import django_filters
from django import forms
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from partenariats.enums import (
    Construction,
    Horizon,
    NiveauImplication,
    StatutPartenariat,
    TypePartenariat,
)
from partenariats.forms_liens import referents_possibles
from partenariats.models import Partenariat
from reseau.models import User

TOUS = "tous"


class PartenariatFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(
        choices=TypePartenariat.choices, label=_("Type"), empty_label=_("Tous")
    )
    niveau = django_filters.ChoiceFilter(
        choices=NiveauImplication.choices, label=_("Niveau d'implication"), empty_label=_("Tous")
    )
    statut = django_filters.ChoiceFilter(
        method="filtrer_statut",
        choices=[*StatutPartenariat.choices, (TOUS, _("Tous, terminés compris"))],
        label=_("Statut"),
        empty_label=_("En cours"),
    )
    horizon = django_filters.ChoiceFilter(
        choices=Horizon.choices, label=_("Horizon"), empty_label=_("Tous")
    )
    referent = django_filters.ModelChoiceFilter(
        queryset=User.objects.none(), label=_("Référent"), empty_label=_("Tous")
    )
    construction = django_filters.ChoiceFilter(
        choices=Construction.choices, label=_("Construction"), empty_label=_("Toutes")
    )
    fin_proche = django_filters.BooleanFilter(
        method="filtrer_fin_proche",
        label=_("Se termine dans les 90 jours"),
        widget=forms.CheckboxInput,
    )
    tri = django_filters.OrderingFilter(
        label=_("Trier par"),
        empty_label=_("Partenaire (A → Z)"),
        fields=[("fin", "fin"), ("debut", "debut"), ("modifie_le", "modifie")],
        field_labels={
            "fin": _("Fin la plus proche"),
            "-fin": _("Fin la plus lointaine"),
            "debut": _("Début le plus ancien"),
            "-debut": _("Début le plus récent"),
            "modifie": _("Modifié il y a longtemps"),
            "-modifie": _("Modifié récemment"),
        },
    )

    class Meta:
        model = Partenariat
        fields = []

    def __init__(self, data=None, *args, centre, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["referent"].queryset = referents_possibles(centre)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        if not data.get("statut"):
            queryset = queryset.en_cours()
        tri = data.get("tri")
        if tri:
            # Partnerships without a date go last whichever way, then by partner.
            champ = {"modifie": "modifie_le"}.get(tri[0].lstrip("-"), tri[0].lstrip("-"))
            sens = F(champ).desc if tri[0].startswith("-") else F(champ).asc
            queryset = queryset.order_by(sens(nulls_last=True), "partenaire__nom_tri", "pk")
        else:
            queryset = queryset.order_by("partenaire__nom_tri", "type", "-debut", "pk")
        return queryset

    def filtrer_statut(self, queryset, name, value):
        return queryset if value == TOUS else queryset.filter(statut=value)

    def filtrer_fin_proche(self, queryset, name, value):
        return queryset.se_terminant() if value else queryset


def partenariat_filter(request, centre):
    """The filtered partnerships of ``centre`` as the list sees them. Always bound (an empty
    query string is valid), so a value that does not validate is dropped and reported on its
    field while the other filters still apply."""
    return PartenariatFilter(
        request.GET,
        queryset=Partenariat.objects.for_centre(centre),
        request=request,
        centre=centre,
    )

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from courrier.enums import StatutCourriel
from courrier.models import Courriel


class CourrielFilter(django_filters.FilterSet):
    statut = django_filters.ChoiceFilter(
        label=_("Statut"),
        choices=StatutCourriel.choices,
        empty_label=_("Tous les statuts"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    recherche = django_filters.CharFilter(
        label=_("Destinataire ou sujet"),
        method="filtrer_recherche",
        widget=forms.TextInput(attrs={"class": "form-control", "type": "search"}),
    )

    class Meta:
        model = Courriel
        fields = ["statut", "recherche"]

    def filtrer_recherche(self, queryset, name, value):
        return queryset.filter(Q(destinataire__icontains=value) | Q(sujet__icontains=value))

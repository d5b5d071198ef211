import django_filters
from django.db.models import Exists, Max, Min, OuterRef
from django.utils.translation import gettext_lazy as _

from partenariats.enums import StatutConvention
from partenariats.models import Convention, Partenaire, Projet


class ConventionFilter(django_filters.FilterSet):
    """The agreements' filters. Only funders and projects that have agreements are offered,
    and the years the agreements cover: a choice that would show nothing is not a choice."""

    financeur = django_filters.ModelChoiceFilter(
        queryset=Partenaire.objects.none(), label=_("Financeur"), empty_label=_("Tous")
    )
    statut = django_filters.ChoiceFilter(
        choices=StatutConvention.choices, label=_("Statut"), empty_label=_("Tous")
    )
    annee = django_filters.ChoiceFilter(
        method="filtrer_annee", label=_("Année"), empty_label=_("Toutes")
    )
    projet = django_filters.ModelChoiceFilter(
        queryset=Projet.objects.none(), label=_("Projet financé"), empty_label=_("Tous")
    )

    class Meta:
        model = Convention
        fields = ["financeur", "statut", "annee", "projet"]

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        conventions = Convention.objects.for_centre(centre)
        # EXISTS rather than a join and DISTINCT: a probe of the foreign key's index per
        # funder or project, whatever the number of agreements.
        self.filters["financeur"].queryset = (
            Partenaire.objects.for_centre(centre)
            .filter(Exists(conventions.filter(financeur=OuterRef("pk"))))
            .order_by("nom_tri", "nom")
        )
        self.filters["projet"].queryset = (
            Projet.objects.for_centre(centre)
            .filter(Exists(conventions.filter(projet=OuterRef("pk"))))
            .order_by("titre")
        )
        bornes = conventions.aggregate(premiere=Min("debut__year"), derniere=Max("fin__year"))
        annees = range(bornes["premiere"], bornes["derniere"] + 1) if bornes["premiere"] else []
        self.filters["annee"].extra["choices"] = [(str(a), str(a)) for a in annees]

    def filtrer_annee(self, queryset, name, value):
        return queryset.en_cours_en(int(value))

    @property
    def annee_choisie(self):
        """The year chosen (valid, an int), or None."""
        valeur = self.form.cleaned_data.get("annee") if self.form.is_bound else None
        return int(valeur) if valeur else None

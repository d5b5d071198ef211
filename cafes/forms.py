from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from cafes.calendrier import dates_serie, jours_feries
from cafes.enums import StatutCafe, TypeCafe
from cafes.models import Cafe, CafeSerie
from cafes.selectors import adresse_par_defaut
from cafes.services.cafes import CHAMPS
from commun.dates import date_fr
from partenariats.enums import CategoriePartenaire
from partenariats.models import Partenaire, Theme

MESSAGE_HEURES = _("L'heure de fin doit être après l'heure de début.")


def _partenaires_du_centre(centre):
    return Partenaire.objects.for_centre(centre).actifs().order_by("nom")


def _verifier_heures(form, cleaned):
    debut, fin = cleaned.get("heure_debut"), cleaned.get("heure_fin")
    if debut and fin and fin <= debut:
        form.add_error("heure_fin", MESSAGE_HEURES)


class SerieForm(forms.ModelForm):
    categories = forms.MultipleChoiceField(
        label=_("Catégories invitées"),
        choices=CategoriePartenaire.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Thèmes invités"),
        queryset=Theme.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    partenaires = forms.ModelMultipleChoiceField(
        label=_("Organisations invitées en plus"),
        queryset=Partenaire.objects.none(),
        required=False,
        help_text=_("Maintenez Ctrl (ou Cmd) pour en choisir plusieurs."),
    )

    class Meta:
        model = CafeSerie
        fields = [
            "nom",
            "rang",
            "jour",
            "heure_debut",
            "heure_fin",
            "categories",
            "themes",
            "partenaires",
            "rappel_jours",
        ]
        widgets = {
            "heure_debut": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "heure_fin": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partenaires"].queryset = _partenaires_du_centre(centre)
        self.fields["partenaires"].widget.attrs["size"] = 10

    def clean(self):
        cleaned = super().clean()
        _verifier_heures(self, cleaned)
        return cleaned


class HoteForm(forms.Form):
    partenaire = forms.ModelChoiceField(
        label=_("Partenaire hôte"),
        queryset=Partenaire.objects.none(),
        error_messages={"required": _("Choisissez le partenaire qui accueille.")},
    )
    adresse = forms.CharField(
        label=_("Adresse du café (facultatif)"),
        max_length=255,
        required=False,
        help_text=_("Vide : l'adresse de la fiche du partenaire."),
    )

    def __init__(self, *args, serie, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partenaire"].queryset = _partenaires_du_centre(serie.centre)


class ProgrammerForm(forms.Form):
    nb_mois = forms.IntegerField(
        label=_("Nombre de mois"),
        min_value=1,
        max_value=12,
        initial=6,
        error_messages={
            "required": _("Indiquez un nombre de mois."),
            "min_value": _("Au moins 1 mois."),
            "max_value": _("Au plus 12 mois."),
            "invalid": _("Indiquez un nombre entier de mois."),
        },
    )
    dates = forms.TypedMultipleChoiceField(
        label=_("Dates de la règle"),
        coerce=date.fromisoformat,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Décochez les dates à ne pas programmer (vacances…) ; les jours fériés et les dates "
            "écartées la dernière fois sont décochés d'avance. Seules les dates comprises dans "
            "le nombre de mois choisi sont programmées."
        ),
        error_messages={
            "invalid_choice": _("Le %(value)s n'est pas une date libre de la règle de la série.")
        },
    )

    def __init__(self, *args, serie, a_partir_de, **kwargs):
        super().__init__(*args, **kwargs)
        deja = set(serie.cafes.values_list("date", flat=True))
        self.candidates = [
            jour
            for jour in dates_serie(
                rang=serie.rang, jour=serie.jour, a_partir_de=a_partir_de, nb_mois=12
            )
            if jour not in deja
        ]
        feries = set().union(*(jours_feries(annee) for annee in {j.year for j in self.candidates}))
        ecartees = {date.fromisoformat(jour) for jour in serie.dates_exclues}

        def libelle(jour):
            texte = date_fr(jour, "l j F Y")
            if jour in feries:
                return _("%(date)s (jour férié)") % {"date": texte}
            if jour in ecartees:
                return _("%(date)s (écartée la dernière fois)") % {"date": texte}
            return texte

        self.fields["dates"].choices = [
            (jour.isoformat(), libelle(jour)) for jour in self.candidates
        ]
        # Public holidays and the dates unticked last time start unticked: programming a café
        # on 1 January, or again on a date staff already ruled out, is rarely meant.
        decochees = feries | ecartees
        self.fields["dates"].initial = [
            jour.isoformat() for jour in self.candidates if jour not in decochees
        ]

    def clean(self):
        cleaned = super().clean()
        if "dates" in cleaned:
            cochees = set(cleaned["dates"])
            cleaned["exclues"] = [jour for jour in self.candidates if jour not in cochees]
        return cleaned


class CafeForm(forms.ModelForm):
    class Meta:
        model = Cafe
        fields = CHAMPS
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "heure_debut": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "heure_fin": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, serie, **kwargs):
        super().__init__(*args, **kwargs)
        self.serie = serie
        self.fields["hote"].queryset = _partenaires_du_centre(serie.centre)
        self.fields["hote"].empty_label = _("Le centre accueille")
        self.fields["adresse"].required = False
        self.fields["adresse"].help_text = _("Vide : l'adresse de l'hôte, ou celle du centre.")
        # Cancelling, and holding a cancelled café after all, have their own buttons (they
        # tell the people invited): the status of a cancelled café is not edited here.
        if self.instance.statut == StatutCafe.ANNULE:
            del self.fields["statut"]
        else:
            self.fields["statut"].choices = [
                choix for choix in StatutCafe.choices if choix[0] != StatutCafe.ANNULE
            ]

    def clean(self):
        cleaned = super().clean()
        _verifier_heures(self, cleaned)
        if cleaned.get("type") == TypeCafe.THEMATIQUE and not cleaned.get("theme"):
            self.add_error("theme", _("Choisissez le thème d'un café thématique."))
        if not cleaned.get("adresse"):
            cleaned["adresse"] = adresse_par_defaut(serie=self.serie, hote=cleaned.get("hote"))
        return cleaned


class OrganisationForm(forms.Form):
    partenaire = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Partenaire.objects.none(),
        error_messages={"required": _("Choisissez une organisation.")},
    )

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partenaire"].queryset = _partenaires_du_centre(centre)

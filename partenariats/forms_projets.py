"""Forms of projects and actions: the project, a partner in it, a bilan with its figures, a
piece (photo or document) of a bilan."""

import re

from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from commun.fichiers import DOCUMENT_OU_PHOTO, verifier_fichier
from partenariats.enums import GenreProjet, StatutProjet
from partenariats.models import (
    Bilan,
    ChiffreBilan,
    Partenaire,
    ParticipationProjet,
    PieceBilan,
    Projet,
)
from partenariats.selectors_projets import legende_raci

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _SansBalise:
    """Crispy renders the fields; the template writes the <form>, its token and buttons."""

    @cached_property
    def helper(self):
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
        return helper


class ProjetForm(_SansBalise, forms.ModelForm):
    class Meta:
        model = Projet
        fields = [
            "titre",
            "genre",
            "statut",
            "description",
            "diagnostic",
            "porteur",
            "debut",
            "fin",
        ]
        widgets = {
            "genre": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 4}),
            "diagnostic": forms.Textarea(attrs={"rows": 4}),
            "debut": DATE,
            "fin": DATE,
        }
        help_texts = {
            "genre": _(
                "Une action : le centre associe des partenaires à ce qu'il mène, ou rejoint "
                "la leur. Un projet : construit avec plusieurs partenaires à partir d'un "
                "diagnostic partagé."
            ),
            "porteur": _("Laissez « le centre » quand le centre porte le projet."),
        }

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        # Archived partners stay choosable only if they already carry this project.
        actifs = Q(archive=False)
        if self.instance.porteur_id:
            actifs |= Q(pk=self.instance.porteur_id)
        self.fields["porteur"].queryset = (
            Partenaire.objects.for_centre(centre).filter(actifs).order_by("nom_tri", "pk")
        )
        self.fields["porteur"].empty_label = _("Le centre")
        self.fields["genre"].choices = GenreProjet.choices

    def clean(self):
        cleaned = super().clean()
        debut, fin = cleaned.get("debut"), cleaned.get("fin")
        if debut and fin and fin < debut:
            self.add_error("fin", _("La fin ne peut pas précéder le début."))
        return cleaned


class ProjetFiltreForm(forms.Form):
    """The filters of the list of projects (GET); an unknown value is ignored."""

    genre = forms.ChoiceField(
        label=_("Action ou projet"),
        choices=[("", _("Tous"))] + GenreProjet.choices,
        required=False,
    )
    statut = forms.ChoiceField(
        label=_("Statut"), choices=[("", _("Tous"))] + StatutProjet.choices, required=False
    )

    def filtrer(self, queryset):
        if not self.is_valid():
            return queryset
        for champ in ("genre", "statut"):
            if self.cleaned_data[champ]:
                queryset = queryset.filter(**{champ: self.cleaned_data[champ]})
        return queryset


class ParticipationForm(_SansBalise, forms.ModelForm):
    """A partner in a project. Adding one chooses among the centre's active partners not in
    the project yet; changing one keeps its partner."""

    class Meta:
        model = ParticipationProjet
        fields = ["partenaire", "role", "niveau", "horizon", "freins", "leviers"]
        widgets = {
            "role": forms.RadioSelect,
            "freins": forms.Textarea(attrs={"rows": 3}),
            "leviers": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "niveau": _("Sa ligne sur la frise : co-porteur, allié, ou simplement tenu informé."),
            "horizon": _("Quand il entre dans le projet : dès maintenant, plus tard, à terme."),
            "freins": _(
                "Ce qui peut retenir ce partenaire : frein financier, temps, crainte d'une "
                "concurrence, présence dans l'espace public…"
            ),
            "leviers": _(
                "Ce qui peut l'attirer : un intérêt commun, ce que le projet lui apporte, "
                "un public qu'il cherche à toucher…"
            ),
        }

    def __init__(self, *args, projet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [
            (lettre, format_lazy("{} ({}) : {}", libelle, lettre, definition))
            for lettre, libelle, definition in legende_raci()
        ]
        if self.instance.pk:
            del self.fields["partenaire"]
        else:
            self.fields["partenaire"].queryset = (
                Partenaire.objects.for_centre(projet.centre_id)
                .filter(archive=False)
                .exclude(participations__projet=projet)
                .order_by("nom_tri", "pk")
            )
            self.fields["partenaire"].empty_label = _("Choisissez un partenaire")


class BilanForm(_SansBalise, forms.ModelForm):
    class Meta:
        model = Bilan
        fields = ["date", "titre", "texte"]
        widgets = {"date": DATE, "texte": forms.Textarea(attrs={"rows": 8})}
        help_texts = {
            "titre": _("Par exemple : bilan de mi-parcours, bilan des vacances d'été."),
            "texte": _(
                "Ce qui a été fait, ce qui avance, ce qui a changé dans le projet. Une ligne "
                "vide sépare deux paragraphes."
            ),
        }


class NombreField(forms.DecimalField):
    """A figure typed the French way: "3,5", "1 250" (spaces between thousands are ignored)."""

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(r"[\s\u00a0\u202f]", "", value)
        return super().to_python(value)


class ChiffreForm(forms.Form):
    """One named figure of a bilan. A row left empty is no figure (emptying the row of a
    saved figure removes it); a row begun needs its label and its value."""

    libelle = forms.CharField(
        label=_("Libellé"),
        max_length=ChiffreBilan._meta.get_field("libelle").max_length,
        required=False,
    )
    valeur = NombreField(
        label=_("Valeur"), max_digits=12, decimal_places=2, localize=True, required=False
    )
    unite = forms.CharField(
        label=_("Unité"),
        max_length=ChiffreBilan._meta.get_field("unite").max_length,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["libelle"].widget.attrs["placeholder"] = _("ex. : participants")
        self.fields["valeur"].widget.attrs["inputmode"] = "decimal"
        self.fields["unite"].widget.attrs["placeholder"] = _("facultatif")

    def clean(self):
        cleaned = super().clean()
        libelle, valeur = cleaned.get("libelle"), cleaned.get("valeur")
        if not self.errors and not libelle and valeur is None and not cleaned.get("unite"):
            return {}
        if not libelle and "libelle" not in self.errors:
            self.add_error("libelle", _("Indiquez ce que compte ce chiffre."))
        if valeur is None and "valeur" not in self.errors:
            self.add_error("valeur", _("Indiquez la valeur."))
        return cleaned


class ChiffresFormSetBase(forms.BaseFormSet):
    def chiffres(self):
        """The figures typed, in the order of the rows, empty rows left out."""
        return [
            {
                "libelle": form.cleaned_data["libelle"],
                "valeur": form.cleaned_data["valeur"],
                "unite": form.cleaned_data.get("unite", ""),
            }
            for form in self.forms
            if form.cleaned_data
        ]


CHIFFRES_MAX = 30


def chiffres_formset(*args, lignes_vides, **kwargs):
    classe = forms.formset_factory(
        ChiffreForm,
        formset=ChiffresFormSetBase,
        extra=lignes_vides,
        max_num=CHIFFRES_MAX,
        validate_max=True,
    )
    return classe(*args, prefix="chiffres", **kwargs)


class PieceForm(_SansBalise, forms.Form):
    fichier = forms.FileField(
        label=_("Photo ou document"),
        help_text=_("Une photo (JPEG, PNG) ou un document PDF, de 10 Mo au plus."),
        widget=forms.FileInput(
            attrs={"accept": ".jpg,.jpeg,.png,.pdf,image/jpeg,image/png,application/pdf"}
        ),
    )
    legende = forms.CharField(
        label=_("Légende"),
        max_length=PieceBilan._meta.get_field("legende").max_length,
        required=False,
        help_text=_("Ce que montre la photo ou ce que contient le document : facultatif."),
    )

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        # Checked here for the form's message; the service checks again before storing.
        verifier_fichier(fichier, natures=DOCUMENT_OU_PHOTO)
        return fichier

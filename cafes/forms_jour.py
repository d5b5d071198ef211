"""The walk-in form of the check-in screen: someone came to the café without an invitation.
It only validates; ``cafes.services.jour.sur_place_ajouter`` records."""

from django import forms
from django.utils.translation import gettext_lazy as _

from partenariats.models import Partenaire


class SurPlaceForm(forms.Form):
    prenom = forms.CharField(
        label=_("Prénom"),
        max_length=100,
        error_messages={"required": _("Indiquez le prénom.")},
    )
    nom = forms.CharField(
        label=_("Nom"),
        max_length=100,
        error_messages={"required": _("Indiquez le nom.")},
    )
    partenaire = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Partenaire.objects.none(),
        required=False,
        empty_label=_("— Choisir une organisation —"),
        error_messages={"invalid_choice": _("Choisissez une organisation de la liste.")},
    )
    nouvelle_organisation = forms.CharField(
        label=_("… ou nouvelle organisation"),
        max_length=200,
        required=False,
        help_text=_("Si l'organisation n'est pas dans la liste, tapez son nom."),
    )
    email = forms.EmailField(
        label=_("Adresse électronique (facultatif)"),
        required=False,
        error_messages={"invalid": _("Saisissez une adresse électronique valide.")},
    )
    fonction = forms.CharField(label=_("Fonction (facultatif)"), max_length=150, required=False)

    def __init__(self, *args, cafe, **kwargs):
        super().__init__(*args, **kwargs)
        self.cafe = cafe
        self.fields["partenaire"].queryset = (
            Partenaire.objects.for_centre(cafe.centre).actifs().order_by("nom")
        )

    def clean(self):
        cleaned = super().clean()
        partenaire = cleaned.get("partenaire")
        nouvelle = (cleaned.get("nouvelle_organisation") or "").strip()
        cleaned["nouvelle_organisation"] = nouvelle
        if "partenaire" in self.errors:
            return cleaned
        if partenaire and nouvelle:
            self.add_error(
                "nouvelle_organisation",
                _(
                    "Choisissez une organisation de la liste ou tapez-en une nouvelle, "
                    "pas les deux."
                ),
            )
        elif not partenaire and not nouvelle:
            self.add_error(
                "partenaire",
                _("Choisissez l'organisation dans la liste, ou tapez le nom d'une nouvelle."),
            )
        return cleaned

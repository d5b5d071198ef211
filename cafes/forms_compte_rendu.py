"""Forms of the tour de table and of the compte rendu."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cafes.models import NOTE_MAX, CompteRendu


class TourDeTableForm(forms.Form):
    """One textarea per organisation of the tour de table (``note_<partner pk>``)."""

    def __init__(self, *args, organisations, notes, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = list(organisations)
        for partenaire in self.organisations:
            note = notes.get(partenaire.pk)
            self.fields[f"note_{partenaire.pk}"] = forms.CharField(
                label=partenaire.nom,
                required=False,
                max_length=NOTE_MAX,
                initial=note.texte if note else "",
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def textes(self):
        """``{partner pk: text}`` of the cleaned form."""
        return {p.pk: self.cleaned_data.get(f"note_{p.pk}", "") for p in self.organisations}


class CompteRenduForm(forms.ModelForm):
    class Meta:
        model = CompteRendu
        fields = ["texte"]
        labels = {"texte": _("Texte du compte rendu")}
        help_texts = {
            "texte": _("Une ligne vide sépare deux paragraphes."),
        }
        widgets = {"texte": forms.Textarea(attrs={"rows": 18})}

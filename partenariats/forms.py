import re
import uuid

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from partenariats.models import Contact, Partenaire, Theme
from partenariats.validators import valider_siret

CHAMPS_FICHE = [
    "nom",
    "sigle",
    "categorie",
    "siret",
    "rna",
    "adresse",
    "code_postal",
    "commune",
    "telephone",
    "email",
    "site_web",
    "missions",
    "publics",
    "services",
    "horaires",
    "territoire",
    "themes",
]
# What a partner may propose through its link (a DemandeMiseAJour): its whole fiche but the
# category, which is the centre's own way of sorting its directory and booklet. Identifiers
# (SIRET, RNA) and the name are the partner's to know best; staff review every field before
# anything changes.
CHAMPS_PARTENAIRE = [champ for champ in CHAMPS_FICHE if champ != "categorie"]
# Besides its fiche, a partner says which of its contacts the booklet may print: the ids of
# the contacts to publish (``Contact.publier_dans_livret``), reviewed like any field.
CONTACTS_LIVRET = "contacts_livret"
CHAMPS_PROPOSABLES = [*CHAMPS_PARTENAIRE, CONTACTS_LIVRET]


def aide_sans_balise(*disposition):
    """A crispy helper for a form whose template writes the ``<form>`` tag and the CSRF
    token; ``disposition``: the items of its layout, if it needs one."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if disposition:
        helper.layout = Layout(*disposition)
    return helper


class PartenaireForm(forms.ModelForm):
    # Wider than 14 so that a SIRET pasted with its spaces reaches the validator, which says
    # what is wrong with it rather than "14 characters at most".
    siret = forms.CharField(
        label=_("SIRET"),
        max_length=20,
        required=False,
        validators=[valider_siret],
        help_text=_("14 chiffres, facultatif."),
    )

    # Slugs rather than ids: stable across databases, readable in URLs, imports and tests.
    themes = forms.ModelMultipleChoiceField(
        label=_("Thèmes"),
        queryset=Theme.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # People type "www.mairie-agen.fr": assume https, as Django 6 will.
    site_web = forms.URLField(label=_("Site web"), required=False, assume_scheme="https")

    class Meta:
        model = Partenaire
        fields = [*CHAMPS_FICHE, "dans_livret"]
        widgets = {
            "missions": forms.Textarea(attrs={"rows": 3}),
            "publics": forms.Textarea(attrs={"rows": 2}),
            "services": forms.Textarea(attrs={"rows": 3}),
            "horaires": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "rna": _("Pour une association : W suivi de 9 chiffres."),
            "horaires": _("Par exemple : du lundi au vendredi, 9 h – 12 h et 14 h – 17 h."),
        }

    @cached_property
    def helper(self):
        # Built when the form is shown, not for each row an import checks with this form.
        return aide_sans_balise(
            Fieldset(_("Identité"), "nom", "sigle", "categorie", "siret", "rna"),
            Fieldset(
                _("Coordonnées"),
                "adresse",
                "code_postal",
                "commune",
                "telephone",
                "email",
                "site_web",
            ),
            Fieldset(
                _("Fiche signalétique"),
                "missions",
                "publics",
                "services",
                "horaires",
                "territoire",
                "themes",
            ),
            *([Fieldset(_("Livret"), "dans_livret")] if "dans_livret" in self.fields else []),
        )

    def clean_siret(self):
        return re.sub(r"\s", "", self.cleaned_data["siret"])

    def clean_rna(self):
        return self.cleaned_data["rna"].strip().upper()

    def clean_nom(self):
        return " ".join(self.cleaned_data["nom"].split())


class PartenaireCreationForm(PartenaireForm):
    """The fiche of a new partner, with the form's one-time key: a new one each time the empty
    form is shown, the same one when it is sent twice (double click, reload, re-shown after a
    likely duplicate), so that ``partenaire_creer`` makes one partner."""

    cle_creation = forms.UUIDField(required=False, initial=uuid.uuid4, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout.append("cle_creation")


class ContactForm(forms.ModelForm):
    # People ask by phone too: staff record an opt-out here, dated the day they tick it.
    desinscrit = forms.BooleanField(
        label=_("Ne souhaite plus recevoir de courriels de Maillage"),
        required=False,
        help_text=_("Aucune invitation ni demande ne lui sera plus envoyée."),
    )

    class Meta:
        model = Contact
        fields = [
            "civilite",
            "prenom",
            "nom",
            "fonction",
            "email",
            "telephone",
            "recoit_invitations_cafe",
            "prescripteur",
            "publier_dans_livret",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "desinscrit" in self.fields:
            self.fields["desinscrit"].initial = self.instance.desinscrit_le is not None

    @cached_property
    def helper(self):
        return aide_sans_balise()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("recoit_invitations_cafe") and not cleaned.get("email"):
            self.add_error(
                "email",
                _("Sans adresse électronique, ce contact ne peut pas recevoir les invitations."),
            )
        return cleaned

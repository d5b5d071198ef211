from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from partenariats.demandes import CHAMPS_PARTENAIRE
from partenariats.forms import PartenaireForm


class FichePartenaireForm(PartenaireForm):
    """The fiche as the partner sees it through its link: the staff form's fields and rules
    (SIRET checksum, postal code...) minus what is the centre's own business (the category,
    the booklet switch).

    Never saved: the view binds it to a throw-away copy of the partner (a ModelForm writes
    the submitted values onto its instance while validating) and the service stores the
    differences as a proposal.
    """

    class Meta(PartenaireForm.Meta):
        fields = CHAMPS_PARTENAIRE

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Fieldset(_("Votre structure"), "nom", "sigle", "siret", "rna"),
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
                _("Ce que vous proposez"),
                "missions",
                "publics",
                "services",
                "horaires",
                "territoire",
                "themes",
            ),
        )


class DemandeEnvoiForm(forms.Form):
    destinataire = forms.ChoiceField(label=_("Envoyer le lien à"), widget=forms.RadioSelect)

    def __init__(self, *args, destinataires, **kwargs):
        super().__init__(*args, **kwargs)
        self.destinataires = {d.cle: d for d in destinataires}
        self.fields["destinataire"].choices = [(d.cle, d.libelle) for d in destinataires]
        if destinataires:
            self.fields["destinataire"].initial = destinataires[0].cle

    def clean_destinataire(self):
        return self.destinataires[self.cleaned_data["destinataire"]]


class RevueDemandeForm(forms.Form):
    """Staff's decision on a submitted request: which proposed fields to keep."""

    ACCEPTER = "accepter"
    REJETER = "rejeter"

    champs = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    decision = forms.ChoiceField(choices=[(ACCEPTER, _("Accepter")), (REJETER, _("Rejeter"))])

    def __init__(self, *args, champs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["champs"].choices = [(champ, champ) for champ in champs]

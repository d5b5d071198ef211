from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from partenariats.forms import CHAMPS_PARTENAIRE, CONTACTS_LIVRET, PartenaireForm


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
        contacts = list(self.instance.contacts.order_by("nom", "prenom", "pk"))
        self.fields[CONTACTS_LIVRET] = forms.TypedMultipleChoiceField(
            label=_("Contacts publiés dans le livret"),
            help_text=_(
                "Le nom et les coordonnées des personnes cochées figurent dans le livret "
                "imprimé des partenaires."
            ),
            choices=[(c.pk, f"{c}, {c.fonction}" if c.fonction else str(c)) for c in contacts],
            coerce=int,
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        if CONTACTS_LIVRET not in self.initial:
            self.initial[CONTACTS_LIVRET] = [c.pk for c in contacts if c.publier_dans_livret]
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
            *([Fieldset(_("Livret des partenaires"), CONTACTS_LIVRET)] if contacts else []),
        )

    def valeurs(self):
        """The cleaned data in ``valeurs_fiche``'s shape (themes as a sorted list of slugs),
        for ``demande_soumettre``."""
        valeurs = {
            champ: self.cleaned_data[champ] for champ in CHAMPS_PARTENAIRE if champ != "themes"
        }
        valeurs["themes"] = sorted(theme.slug for theme in self.cleaned_data["themes"])
        valeurs[CONTACTS_LIVRET] = sorted(self.cleaned_data[CONTACTS_LIVRET])
        return valeurs


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

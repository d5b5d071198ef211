"""Forms of the partnerships and their orientation protocols. Validation only: the views give
``cleaned_data`` to the services (``partenariats.services.liens``), which check again."""

from crispy_forms.layout import Column, Fieldset, Row
from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from commun.fichiers import DOCUMENT, verifier_fichier
from partenariats.enums import Construction
from partenariats.forms import aide_sans_balise
from partenariats.models import Contact, Partenaire, Partenariat, ProtocoleOrientation
from partenariats.services.liens import MESSAGE_DATES, MESSAGE_VALIDITE
from reseau.models import User

CHAMP_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def referents_possibles(centre):
    """The accounts that may follow a partnership: the members of ``centre``."""
    return User.objects.filter(membres__centre=centre).order_by("first_name", "last_name", "email")


class PartenariatForm(forms.ModelForm):
    class Meta:
        model = Partenariat
        fields = [
            "partenaire",
            "type",
            "objet",
            "description",
            "niveau",
            "horizon",
            "statut",
            "debut",
            "fin",
            "referent",
            "construction",
            "construction_commentaire",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "debut": CHAMP_DATE,
            "fin": CHAMP_DATE,
            "construction": forms.RadioSelect,
            "construction_commentaire": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "construction": _("Le centre a-t-il été consulté ?"),
            "construction_commentaire": _("Commentaire"),
        }
        help_texts = {
            "construction": _(
                "Construit avec le centre dès le départ, rejoint en cours de route, ou découvert "
                "dans une fiche action ou une demande de subvention sans avoir été consulté."
            ),
            "construction_commentaire": _(
                "Par exemple : comment le centre l'a appris, ce qui a été dit au partenaire."
            ),
            "fin": _("Vide : sans date de fin prévue."),
        }

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        # Partners of the directory; an archived one stays offered to the partnership it has.
        partenaires = Q(archive=False)
        if self.instance.partenaire_id:
            partenaires |= Q(pk=self.instance.partenaire_id)
        self.fields["partenaire"].queryset = (
            Partenaire.objects.for_centre(centre).filter(partenaires).order_by("nom_tri", "pk")
        )
        self.fields["referent"].queryset = referents_possibles(centre)
        self.fields["referent"].empty_label = _("Personne pour l'instant")
        # Radio buttons: the three answers, without the select's empty line.
        self.fields["construction"].choices = Construction.choices

    @cached_property
    def helper(self):
        return aide_sans_balise(
            Fieldset(_("Le partenariat"), "partenaire", "type", "objet", "description"),
            Fieldset(
                _("Implication"),
                Row(Column("niveau", css_class="col-md"), Column("horizon", css_class="col-md")),
                "statut",
            ),
            Fieldset(
                _("Dates et suivi"),
                Row(Column("debut", css_class="col-md"), Column("fin", css_class="col-md")),
                "referent",
            ),
            Fieldset(_("Construction"), "construction", "construction_commentaire"),
        )

    def clean(self):
        cleaned = super().clean()
        debut, fin = cleaned.get("debut"), cleaned.get("fin")
        if debut and fin and fin < debut:
            self.add_error("fin", MESSAGE_DATES)
        return cleaned


def _nom_et_fonction(contact):
    return f"{contact} ({contact.fonction})" if contact.fonction else str(contact)


class ProtocoleForm(forms.ModelForm):
    # A plain file input: Django's clearable one links to the file's URL, and stored files
    # have none (``protocole_document`` serves them to members).
    document = forms.FileField(
        label=_("Protocole signé (PDF)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
        help_text=_("Le document scanné ou signé électroniquement, en PDF, 10 Mo au plus."),
    )
    prescripteurs = forms.ModelMultipleChoiceField(
        label=_("Contacts autorisés à orienter"),
        queryset=Contact.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Les personnes de ce partenaire qui peuvent orienter vers les ateliers du centre."
        ),
    )

    class Meta:
        model = ProtocoleOrientation
        fields = ["signe_le", "valide_jusqu_au", "document", "prescripteurs"]
        widgets = {"signe_le": CHAMP_DATE, "valide_jusqu_au": CHAMP_DATE}
        help_texts = {"valide_jusqu_au": _("Vide : sans date de fin de validité.")}

    def __init__(self, *args, partenariat, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the partner's own contacts: another partner's people cannot refer under it.
        contacts = Contact.objects.filter(partenaire_id=partenariat.partenaire_id).order_by(
            "nom", "prenom", "pk"
        )
        self.fields["prescripteurs"].queryset = contacts
        self.fields["prescripteurs"].label_from_instance = _nom_et_fonction
        if self.instance.pk is None and not self.is_bound:
            # A new protocol starts from the contacts the directory already marks as
            # prescribers.
            self.initial["prescripteurs"] = [c.pk for c in contacts if c.prescripteur]
        if self.instance.document:
            self.fields["document"].help_text = _(
                "Déposez un fichier seulement pour remplacer le document actuel. PDF, "
                "10 Mo au plus."
            )

    @cached_property
    def helper(self):
        return aide_sans_balise(
            Row(
                Column("signe_le", css_class="col-md"),
                Column("valide_jusqu_au", css_class="col-md"),
            ),
            "document",
            "prescripteurs",
        )

    def clean_document(self):
        """A new upload, checked by its content; None when nothing was uploaded (the field
        then gives back the stored file, which stays as it is)."""
        fichier = self.cleaned_data.get("document")
        if not isinstance(fichier, UploadedFile):
            return None
        verifier_fichier(fichier, natures=DOCUMENT)
        return fichier

    def clean(self):
        cleaned = super().clean()
        signe_le, valide_jusqu_au = cleaned.get("signe_le"), cleaned.get("valide_jusqu_au")
        if signe_le and valide_jusqu_au and valide_jusqu_au < signe_le:
            self.add_error("valide_jusqu_au", MESSAGE_VALIDITE)
        return cleaned

"""Forms of the directory's import: the upload, and the rules every row of a file must pass.

A row is checked by the very forms staff use on screen (PartenaireForm, ContactForm), so a file
cannot bring in what the fiche form would refuse.
"""

from pathlib import PurePath

from crispy_forms.helper import FormHelper
from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from partenariats.forms import ContactForm, PartenaireForm

TAILLE_MAX_FICHIER = 5 * 1024 * 1024
EXTENSIONS = {".csv", ".xlsx"}


class ImportForm(forms.Form):
    fichier = forms.FileField(
        label=_("Fichier à importer (CSV ou Excel .xlsx)"),
        help_text=_(
            "5 Mo au plus. La première ligne donne les noms des colonnes, comme dans le modèle."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        extension = PurePath(fichier.name).suffix.lower()
        if extension == ".xls":
            raise forms.ValidationError(
                _(
                    "Les classeurs Excel 97-2003 (.xls) ne sont pas pris en charge : ouvrez le "
                    "fichier dans Excel et enregistrez-le au format « Classeur Excel (.xlsx) » "
                    "ou « CSV UTF-8 »."
                )
            )
        if extension == ".ods":
            raise forms.ValidationError(
                _(
                    "Les classeurs LibreOffice (.ods) ne sont pas pris en charge : choisissez "
                    "Fichier › Enregistrer sous… › « Excel 2007-365 (.xlsx) » ou « CSV »."
                )
            )
        if extension not in EXTENSIONS:
            raise forms.ValidationError(
                _("Format non pris en charge : déposez un fichier .csv ou .xlsx (Excel).")
            )
        if fichier.size > TAILLE_MAX_FICHIER:
            raise forms.ValidationError(
                _("Ce fichier pèse %(taille)s ; la limite est de %(limite)s.")
                % {
                    "taille": filesizeformat(fichier.size),
                    "limite": filesizeformat(TAILLE_MAX_FICHIER),
                }
            )
        return fichier


class PartenaireImportForm(PartenaireForm):
    """One partner of a file: the fiche's rules, plus the two columns an export carries that the
    fiche form leaves out (archived, date the fiche was confirmed), so that an export imports
    back unchanged.

    Never saved through ``save()``: the import writes in bulk (see partenariats.echanges).
    """

    # Themes come as slugs, checked against choices loaded once per file: the model field
    # would query the database for every row, and copying it for each form clones a queryset.
    themes = forms.MultipleChoiceField(label=_("thèmes"), required=False)

    class Meta(PartenaireForm.Meta):
        fields = [*PartenaireForm.Meta.fields, "archive", "fiche_confirmee_le"]

    def __init__(self, *args, champ_themes, **kwargs):
        super().__init__(*args, **kwargs)
        # One field, its choices built once, for all the rows of a file: a field keeps nothing
        # of the data it validates.
        self.fields["themes"] = champ_themes

    @staticmethod
    def champ_themes(themes):
        """The themes field shared by the forms of one file."""
        return forms.MultipleChoiceField(
            label=_("thèmes"),
            choices=[(theme.slug, theme.libelle) for theme in themes],
            required=False,
        )


class ContactImportForm(ContactForm):
    """One contact of a file. The opt-out date travels with the contact: someone who asked to
    receive no more email must not become reachable again through an export and an import."""

    # The file carries the date itself ("Désinscrit le"), not the staff form's checkbox.
    desinscrit = None

    class Meta(ContactForm.Meta):
        fields = [*ContactForm.Meta.fields, "desinscrit_le"]

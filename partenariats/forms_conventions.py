"""The funding agreement's form and its amounts per year (a formset on the same page)."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from commun.fichiers import TAILLE_MAX, verifier_fichier
from commun.montants import MontantField
from partenariats.models import Convention, Partenaire, Projet

PREFIXE_MONTANTS = "montants"


class ConventionForm(forms.ModelForm):
    # Not the model's field: a ModelForm would offer a link to the stored file (never served
    # by a URL of its own) and save it itself; the service stores it after checking it.
    document = forms.FileField(
        label=_("Convention signée (PDF)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
        help_text=_("Un PDF de %(taille)s Mo au plus. Seuls les membres du centre le voient.")
        % {"taille": TAILLE_MAX // (1024 * 1024)},
    )
    retirer_document = forms.BooleanField(label=_("Retirer le document enregistré"), required=False)

    class Meta:
        model = Convention
        fields = ["financeur", "objet", "projet", "reference", "statut", "debut", "fin", "notes"]
        widgets = {
            "debut": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "fin": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "objet": _("Par exemple : prestation de service animation globale."),
            "reference": _("Le numéro que le financeur donne au dossier, s'il en donne un."),
        }

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        # The centre's partners still in the directory, and the current funder even if it
        # was archived since: an old agreement stays editable.
        self.fields["financeur"].queryset = (
            Partenaire.objects.for_centre(centre)
            .filter(Q(archive=False) | Q(pk=self.instance.financeur_id))
            .order_by("nom_tri", "nom")
        )
        self.fields["financeur"].empty_label = _("Choisissez le financeur")
        self.fields["projet"].queryset = Projet.objects.for_centre(centre).order_by("titre")
        self.fields["projet"].empty_label = _("Aucun projet en particulier")
        self.fields["projet"].help_text = _(
            "Plusieurs financeurs peuvent financer un même projet : une convention chacun."
        )
        if not self.instance.document:
            del self.fields["retirer_document"]

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if document:
            verifier_fichier(document)
        return document

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("document") and cleaned.get("retirer_document"):
            self.add_error(
                "retirer_document",
                _("Déposez un nouveau document ou retirez celui enregistré, pas les deux."),
            )
        return cleaned

    def periode(self):
        """(start, end) once both dates are valid, else None."""
        debut, fin = self.cleaned_data.get("debut"), self.cleaned_data.get("fin")
        if debut and fin and debut <= fin:
            return debut, fin
        return None


class MontantForm(forms.Form):
    """One year of an agreement. A row left empty is ignored, so that a spare row never
    stops the form."""

    annee = forms.IntegerField(
        label=_("Année"),
        required=False,
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    montant = MontantField(
        label=_("Montant (€)"), required=False, max_digits=12, decimal_places=2, min_value=0
    )

    def clean(self):
        cleaned = super().clean()
        annee, montant = cleaned.get("annee"), cleaned.get("montant")
        if annee is None and montant is not None and "annee" not in self.errors:
            self.add_error("annee", _("Indiquez l'année de ce montant."))
        if montant is None and annee is not None and "montant" not in self.errors:
            self.add_error("montant", _("Indiquez le montant de cette année."))
        return cleaned

    @property
    def est_vide(self):
        return not self.errors and self.cleaned_data.get("annee") is None


class BaseMontantFormSet(forms.BaseFormSet):
    """The amounts per year: one row per year, each within the agreement's dates. The dates
    come from the agreement's form: the view sets ``periode`` (or None) before validating."""

    periode = None

    def clean(self):
        vues = set()
        for form in self.forms:
            # A row with an error of its own already says what is wrong with it.
            annee = None if form.errors else form.cleaned_data.get("annee")
            if annee is None:
                continue
            if annee in vues:
                form.add_error(
                    "annee",
                    _("L'année %(annee)s figure déjà plus haut : une seule ligne par année.")
                    % {"annee": annee},
                )
            elif self.periode and not self.periode[0].year <= annee <= self.periode[1].year:
                form.add_error(
                    "annee",
                    _(
                        "L'année %(annee)s est hors des dates de la convention "
                        "(%(debut)s à %(fin)s)."
                    )
                    % {
                        "annee": annee,
                        "debut": self.periode[0].year,
                        "fin": self.periode[1].year,
                    },
                )
            vues.add(annee)

    def montants(self):
        """[(year, amount)] of the rows filled in, once valid."""
        return [
            (form.cleaned_data["annee"], form.cleaned_data["montant"])
            for form in self.forms
            if not form.est_vide
        ]


MontantFormSet = forms.formset_factory(
    MontantForm, formset=BaseMontantFormSet, extra=0, max_num=50, validate_max=True
)

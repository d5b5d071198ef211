"""Forms of the requests received: record one, decide, accept it as a partnership."""

import uuid

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from partenariats.enums import Construction, NatureSollicitation
from partenariats.models import Partenaire, Partenariat, Sollicitation
from partenariats.models.annuaire import TEXTE_MAX
from partenariats.services.sollicitations import DECISIONS_MOTIVEES
from reseau.enums import Role
from reseau.models import User


def _date(**attrs):
    return forms.DateInput(attrs={"type": "date", **attrs}, format="%Y-%m-%d")


def _pas_dans_le_futur(form, champ, message):
    valeur = form.cleaned_data.get(champ)
    if valeur and valeur > timezone.localdate():
        form.add_error(champ, message)


class SollicitationForm(forms.ModelForm):
    class Meta:
        model = Sollicitation
        fields = [
            "demandeur",
            "nature",
            "objet",
            "description",
            "recue_le",
            "echeance",
            "associe_conception",
        ]
        widgets = {
            "nature": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 4}),
            "recue_le": _date(),
            "echeance": _date(),
        }
        labels = {"objet": _("Ce qui est demandé")}
        help_texts = {
            "objet": _(
                "En une phrase, par exemple : figurer comme partenaire de l'appel à projets "
                "« Quartiers d'été »."
            ),
            "description": _("Le contexte, la personne qui a écrit, ce qui est attendu du centre."),
            "echeance": _("Facultatif : la date avant laquelle le demandeur attend une réponse."),
        }
        error_messages = {
            "demandeur": {"required": _("Choisissez le partenaire qui fait la demande.")},
            "nature": {"required": _("Choisissez la nature de la demande.")},
            "objet": {"required": _("Dites en une phrase ce qui est demandé.")},
            "recue_le": {"required": _("Indiquez la date de réception.")},
        }

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nature"].choices = NatureSollicitation.choices
        # Archived partners are not offered, but one already chosen stays.
        condition = Q(archive=False)
        if self.instance.demandeur_id:
            condition |= Q(pk=self.instance.demandeur_id)
        self.fields["demandeur"].queryset = (
            Partenaire.objects.for_centre(centre).filter(condition).order_by("nom_tri", "pk")
        )
        if not self.instance.pk:
            self.fields["recue_le"].initial = timezone.localdate()

    def clean(self):
        cleaned = super().clean()
        recue_le, echeance = cleaned.get("recue_le"), cleaned.get("echeance")
        if recue_le and echeance and echeance < recue_le:
            self.add_error(
                "echeance", _("La réponse ne peut pas être attendue avant la réception.")
            )
        _pas_dans_le_futur(
            self, "recue_le", _("Une demande reçue ne peut pas être datée de demain.")
        )
        return cleaned


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Décision"),
        choices=[(d.value, d.label) for d in DECISIONS_MOTIVEES],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choisissez de négocier ou de décliner."),
            "invalid_choice": _("Choisissez de négocier ou de décliner."),
        },
    )
    raison = forms.CharField(
        label=_("Raison"),
        max_length=TEXTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Ce que le centre répond au demandeur : ce qu'il faudrait changer pour que le "
            "centre s'engage, ou pourquoi il ne le peut pas."
        ),
        error_messages={
            "required": _("Indiquez la raison : c'est ce que le centre répondra au demandeur.")
        },
    )
    decidee_le = forms.DateField(
        label=_("Décidée le"),
        widget=_date(),
        error_messages={"required": _("Indiquez la date de la décision.")},
    )

    def __init__(self, *args, sollicitation, **kwargs):
        super().__init__(*args, **kwargs)
        self.sollicitation = sollicitation
        self.fields["decidee_le"].initial = timezone.localdate()
        if sollicitation.decision in {d.value for d in DECISIONS_MOTIVEES}:
            self.fields["decision"].initial = sollicitation.decision
            self.fields["raison"].initial = sollicitation.raison

    def clean(self):
        cleaned = super().clean()
        _verifier_date_decision(self, self.sollicitation)
        return cleaned


def _verifier_date_decision(form, sollicitation):
    _pas_dans_le_futur(form, "decidee_le", _("Une décision ne peut pas être datée de demain."))
    decidee_le = form.cleaned_data.get("decidee_le")
    if decidee_le and decidee_le < sollicitation.recue_le:
        form.add_error("decidee_le", _("La décision ne peut pas précéder la réception."))


class AcceptationForm(forms.ModelForm):
    """The partnership an accepted request becomes, prefilled from the request
    (``initial_pour``); staff adjust and confirm."""

    raison = forms.CharField(
        label=_("Pourquoi accepter (facultatif)"),
        required=False,
        max_length=TEXTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    decidee_le = forms.DateField(
        label=_("Acceptée le"),
        widget=_date(),
        error_messages={"required": _("Indiquez la date de la décision.")},
    )

    class Meta:
        model = Partenariat
        fields = [
            "objet",
            "type",
            "niveau",
            "horizon",
            "referent",
            "debut",
            "fin",
            "construction",
            "construction_commentaire",
        ]
        widgets = {
            "debut": _date(),
            "fin": _date(),
            "construction": forms.RadioSelect,
            "construction_commentaire": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "objet": {"required": _("Dites en une phrase ce que le centre fera.")},
            "type": {"required": _("Choisissez le type de partenariat.")},
            "niveau": {"required": _("Choisissez le niveau d'implication.")},
            "horizon": {"required": _("Choisissez l'horizon.")},
            "construction": {"required": _("Dites comment ce partenariat s'est construit.")},
        }

    def __init__(self, *args, sollicitation, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.sollicitation = sollicitation
        # Radio buttons without the empty "---------" one: a choice is required.
        self.fields["construction"].choices = Construction.choices
        self.fields["referent"].queryset = User.objects.filter(
            membres__centre=centre, membres__role__in=[Role.ADMIN, Role.SALARIE]
        ).order_by("last_name", "first_name", "email")
        self.fields["referent"].empty_label = _("Personne pour l'instant")

    def clean(self):
        cleaned = super().clean()
        debut, fin = cleaned.get("debut"), cleaned.get("fin")
        if debut and fin and fin < debut:
            self.add_error("fin", _("La fin ne peut pas précéder le début."))
        _verifier_date_decision(self, self.sollicitation)
        return cleaned

    @cached_property
    def helper(self):
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
        helper.layout = Layout(
            Fieldset(
                _("Le partenariat"),
                "objet",
                Row(
                    Column("type", css_class="col-md-4"),
                    Column("niveau", css_class="col-md-4"),
                    Column("horizon", css_class="col-md-4"),
                ),
                "referent",
                Row(Column("debut", css_class="col-md-6"), Column("fin", css_class="col-md-6")),
            ),
            Fieldset(_("Comment il s'est construit"), "construction", "construction_commentaire"),
            Fieldset(_("La décision"), "raison", "decidee_le"),
        )
        return helper

    @property
    def partenariat(self):
        """The partnership's fields, for ``sollicitation_accepter``."""
        return {champ: self.cleaned_data[champ] for champ in self.Meta.fields}


class SollicitationCreationForm(SollicitationForm):
    """With the form's one-time key: a new one each time the empty form is shown, the same
    one when it is sent twice, so that ``sollicitation_creer`` records one request."""

    cle_creation = forms.UUIDField(required=False, initial=uuid.uuid4, widget=forms.HiddenInput)

"""The walk-in form of the check-in screen: someone came to the café without an invitation."""

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cafes.models import Invitation
from partenariats.enums import CategoriePartenaire
from partenariats.models import Contact, Partenaire


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

    @transaction.atomic
    def save(self):
        """Finds or creates the organisation, the contact and the invitation, marked present.

        Returns (invitation, created) where ``created`` tells whether the invitation is new.
        """
        data = self.cleaned_data
        partenaire = data["partenaire"] or self._organisation(data["nouvelle_organisation"])
        contact = self._contact(partenaire, data)
        invitation, cree = Invitation.objects.get_or_create(
            cafe=self.cafe, contact=contact, defaults={"sur_place": True, "present": True}
        )
        if not cree and not invitation.present:
            invitation.present = True
            invitation.save(update_fields=["present"])
        return invitation, cree

    def _organisation(self, nom):
        # The same name typed again (another walk-in of the same new organisation) is the same
        # organisation, not a duplicate.
        existant = Partenaire.objects.for_centre(self.cafe.centre).filter(nom__iexact=nom).first()
        if existant is not None:
            return existant
        return Partenaire.objects.create(
            centre=self.cafe.centre, nom=nom, categorie=CategoriePartenaire.AUTRE
        )

    def _contact(self, partenaire, data):
        contacts = Contact.objects.filter(partenaire=partenaire)
        if data["email"]:
            contacts = contacts.filter(email__iexact=data["email"])
        else:
            contacts = contacts.filter(prenom__iexact=data["prenom"], nom__iexact=data["nom"])
        contact = contacts.order_by("pk").first()
        if contact is not None:
            if data["fonction"] and not contact.fonction:
                contact.fonction = data["fonction"]
                contact.save(update_fields=["fonction"])
            return contact
        return Contact.objects.create(
            partenaire=partenaire,
            prenom=data["prenom"],
            nom=data["nom"],
            email=data["email"],
            fonction=data["fonction"],
            recoit_invitations_cafe=True,
        )

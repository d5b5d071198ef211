"""Writes of the partnerships and their orientation protocols.

Every write records its author in the history (django-simple-history), from ``par``: the
request's user in a view, whoever acts in a task or the demo. The partner's timeline and the
partnership's page read that history.
"""

from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partenariats.enums import TypePartenariat
from partenariats.models import Partenariat, ProtocoleOrientation
from reseau.models import Membre

MESSAGE_DATES = gettext_lazy("La date de fin doit être le jour du début ou après.")
MESSAGE_SANS_PROTOCOLE = gettext_lazy(
    "Seul un partenariat d'orientation est encadré par un protocole d'orientation."
)
MESSAGE_VALIDITE = gettext_lazy("La fin de validité doit être le jour de la signature ou après.")


def _verifier(partenariat):
    """The rules a form may not have checked (a service is called from elsewhere too): the
    partner and the referent belong to the partnership's centre, the end follows the start.
    Then the model's own rules. ``ValidationError`` in French, field by field."""
    erreurs = {}
    if partenariat.partenaire_id and partenariat.partenaire.centre_id != partenariat.centre_id:
        erreurs["partenaire"] = _("Ce partenaire n'est pas dans l'annuaire du centre.")
    if (
        partenariat.referent_id
        and not Membre.objects.filter(
            centre_id=partenariat.centre_id, user_id=partenariat.referent_id
        ).exists()
    ):
        erreurs["referent"] = _("Le référent doit être membre du centre.")
    if partenariat.debut and partenariat.fin and partenariat.fin < partenariat.debut:
        erreurs["fin"] = MESSAGE_DATES
    if erreurs:
        raise ValidationError(erreurs)
    partenariat.full_clean()


def _enregistrer(partenariat, champs, par):
    for champ, valeur in champs.items():
        Partenariat._meta.get_field(champ)  # FieldDoesNotExist: a misspelt name is not ignored
        setattr(partenariat, champ, valeur)
    _verifier(partenariat)
    partenariat._history_user = par
    partenariat.save()
    return partenariat


@transaction.atomic
def partenariat_creer(*, centre, partenaire, par, **champs):
    """Creates a partnership of ``centre`` with ``partenaire`` (a partner of that centre), its
    other fields given by name (``type``, ``niveau``, ``horizon``, ``objet``,
    ``construction``, ``debut``, ``fin``, ``statut``, ``referent``...: see
    ``PartenariatForm``). Checked first (``_verifier``): ``ValidationError`` and nothing
    written otherwise. The history records ``par`` as its author."""
    return _enregistrer(Partenariat(centre=centre, partenaire=partenaire), champs, par)


@transaction.atomic
def partenariat_modifier(*, partenariat, par, **champs):
    """Changes the fields of ``partenariat`` given by name, checked as in
    ``partenariat_creer``. The row is locked and read again first, so that fields not given
    keep their current value. Returns the partnership as saved."""
    partenariat = Partenariat.objects.select_for_update().get(pk=partenariat.pk)
    return _enregistrer(partenariat, champs, par)


@transaction.atomic
def partenariat_supprimer(*, partenariat, par):
    """Deletes ``partenariat`` and its orientation protocol (the signed file stays on disk:
    the history refers to it). Requests received that led to it keep their record, without
    the link. The partner's timeline keeps the deletion, by ``par``."""
    protocole = ProtocoleOrientation.objects.filter(partenariat=partenariat).first()
    if protocole is not None:
        protocole._history_user = par
        protocole.delete()
    partenariat._history_user = par
    partenariat.delete()


def nom_document(fichier):
    """The name a downloaded file is given: the one it was uploaded with, without any folder
    a browser may have sent, within the field's length."""
    nom = PurePath(fichier.name.replace("\\", "/")).name or "protocole.pdf"
    if len(nom) > 200:
        nom = nom[:196] + ".pdf"
    return nom


@transaction.atomic
def protocole_enregistrer(
    *, partenariat, par, signe_le, valide_jusqu_au=None, document=None, prescripteurs=None
):
    """Creates or updates the orientation protocol of ``partenariat`` (an orientation
    partnership): the dates, the signed ``document`` (an uploaded file already checked by
    ``commun.fichiers.verifier_fichier``; None keeps the current one) and the
    ``prescripteurs`` (contacts of the partner; None keeps the current ones).

    ``ValidationError`` in French, and nothing written, for another type of partnership, a
    validity ending before the signature or a contact of another partner. Returns the
    protocol."""
    if partenariat.type != TypePartenariat.ORIENTATION:
        raise ValidationError(MESSAGE_SANS_PROTOCOLE)
    if valide_jusqu_au and valide_jusqu_au < signe_le:
        raise ValidationError({"valide_jusqu_au": MESSAGE_VALIDITE})
    prescripteurs = list(prescripteurs) if prescripteurs is not None else None
    if prescripteurs and any(c.partenaire_id != partenariat.partenaire_id for c in prescripteurs):
        raise ValidationError(
            {"prescripteurs": _("Seuls les contacts de ce partenaire peuvent orienter.")}
        )
    protocole = ProtocoleOrientation.objects.select_for_update().filter(
        partenariat=partenariat
    ).first() or ProtocoleOrientation(partenariat=partenariat)
    protocole.signe_le = signe_le
    protocole.valide_jusqu_au = valide_jusqu_au
    if document is not None:
        protocole.document = document
        protocole.document_nom = nom_document(document)
    # The stored name is made by ``CheminPrive`` on save: the uploaded name's length is not
    # the model's concern (``document_nom`` keeps it, shortened).
    protocole.full_clean(exclude=["document"])
    protocole._history_user = par
    protocole.save()
    if prescripteurs is not None:
        protocole.prescripteurs.set(prescripteurs)
    return protocole

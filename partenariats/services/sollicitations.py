"""Writes of the requests received (source 05, "convocations qui tombent du ciel"): record
what an institution asks of the centre, decide, and turn an accepted request into a
partnership. Every save is in the request's history (django-simple-history), with ``par`` as
its author, in a request or outside one (the demo, a task)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partenariats.enums import (
    Construction,
    DecisionSollicitation,
    NatureSollicitation,
    NiveauImplication,
    TypePartenariat,
)
from partenariats.models import Partenariat, Sollicitation

# What a request becomes once accepted, as staff would first guess it (they adjust it on the
# acceptance form): to sit in an instance is concertation, to appear in a grant application
# or to cosign is a project.
TYPE_PAR_NATURE = {
    NatureSollicitation.INSTANCE: TypePartenariat.CONCERTATION,
    NatureSollicitation.DOSSIER: TypePartenariat.PROJET,
    NatureSollicitation.COSIGNATURE: TypePartenariat.PROJET,
    NatureSollicitation.AUTRE: TypePartenariat.ACTION,
}
# Cosigning makes the centre a co-carrier; a seat in an instance is mostly information
# sharing (source 01); a name in someone else's application, an ally at best.
NIVEAU_PAR_NATURE = {
    NatureSollicitation.INSTANCE: NiveauImplication.INFORMATION,
    NatureSollicitation.DOSSIER: NiveauImplication.ALLIE,
    NatureSollicitation.COSIGNATURE: NiveauImplication.CO_PORTEUR,
    NatureSollicitation.AUTRE: NiveauImplication.ALLIE,
}
# The decisions ``sollicitation_decider`` records; accepting goes through
# ``sollicitation_accepter``, which makes the partnership in the same step.
DECISIONS_MOTIVEES = (DecisionSollicitation.NEGOCIER, DecisionSollicitation.DECLINER)


def construction_pour(sollicitation):
    """How a partnership born of ``sollicitation`` was built: together if the centre took
    part in designing the request, else declared without the centre being consulted."""
    if sollicitation.associe_conception:
        return Construction.CO_CONSTRUIT
    return Construction.DECLARE


def _affecter(objet, champs):
    for champ, valeur in champs.items():
        type(objet)._meta.get_field(champ)  # FieldDoesNotExist: a misspelt name is not ignored
        setattr(objet, champ, valeur)


def _enregistrer(objet, par):
    objet.full_clean()
    # Outside a request too (django-simple-history reads the request's user otherwise).
    objet._history_user = par
    objet.save()
    return objet


def sollicitation_deja_creee(*, centre, cle_creation):
    """The request of ``centre`` recorded by the form whose one-time key is ``cle_creation``,
    or None (always None without a key)."""
    if not cle_creation:
        return None
    return Sollicitation.objects.for_centre(centre).filter(cle_creation=cle_creation).first()


@transaction.atomic
def sollicitation_creer(*, centre, demandeur, par, cle_creation=None, **champs):
    """Records a request received by ``centre`` from ``demandeur`` (a partner of that
    centre), with its other fields by name (``nature``, ``objet``, ``recue_le``,
    ``echeance``, ``associe_conception``…: see ``SollicitationForm``). It starts "à décider".
    Checked by the model's rules first: ``ValidationError``, and nothing written.

    ``cle_creation`` (the form's one-time key) makes the call idempotent: a second call with
    the same key (a double click, a resent form, two requests at once) returns the request
    the first one recorded, unchanged."""
    existante = sollicitation_deja_creee(centre=centre, cle_creation=cle_creation)
    if existante is not None:
        return existante
    if demandeur.centre_id != centre.pk:
        raise ValidationError(_("Ce partenaire n'est pas dans l'annuaire du centre."))
    sollicitation = Sollicitation(centre=centre, demandeur=demandeur, cle_creation=cle_creation)
    _affecter(sollicitation, champs)
    sollicitation.full_clean(validate_constraints=False)
    sollicitation._history_user = par
    try:
        # A savepoint: the twin request that lost the race reads the winner's request.
        with transaction.atomic():
            sollicitation.save()
    except IntegrityError:
        existante = sollicitation_deja_creee(centre=centre, cle_creation=cle_creation)
        if existante is None:
            raise
        return existante
    return sollicitation


@transaction.atomic
def sollicitation_modifier(*, sollicitation, par, **champs):
    """Changes the fields of the request given by name (as in ``sollicitation_creer``; the
    decision has its own services). The row is locked and read again first: a decision taken
    meanwhile is kept. The sender of a request that became a partnership stays:
    ``ValidationError`` otherwise."""
    sollicitation = Sollicitation.objects.select_for_update().get(pk=sollicitation.pk)
    demandeur = champs.get("demandeur")
    if demandeur is not None and demandeur.centre_id != sollicitation.centre_id:
        raise ValidationError(_("Ce partenaire n'est pas dans l'annuaire du centre."))
    # The partnership it became is with its sender: changing one would leave the other wrong.
    if (
        demandeur is not None
        and sollicitation.partenariat_id is not None
        and demandeur.pk != sollicitation.demandeur_id
    ):
        raise ValidationError(
            {
                "demandeur": _(
                    "Cette demande est devenue un partenariat avec ce demandeur : il ne "
                    "peut plus changer."
                )
            }
        )
    _affecter(sollicitation, champs)
    return _enregistrer(sollicitation, par)


def _verifier_pas_acceptee(sollicitation):
    if sollicitation.partenariat_id is not None:
        raise ValidationError(
            _(
                "Cette demande a été acceptée et un partenariat en est issu : pour revenir "
                "dessus, changez le statut du partenariat."
            )
        )


@transaction.atomic
def sollicitation_decider(*, sollicitation, decision, raison, par, le=None):
    """Records that the centre negotiates or declines (``DECISIONS_MOTIVEES``) the request,
    why (``raison``, required: it is what the centre will answer, and what the figures of
    declined requests mean), on ``le`` (a date, today by default) and by ``par``.

    A request already turned into a partnership stays accepted: ``ValidationError``, as for a
    missing reason or another decision. Deciding again what was negotiated or declined is
    allowed: a negotiation ends one way or the other."""
    if decision not in DECISIONS_MOTIVEES:
        raise ValidationError(_("Pour accepter une demande, créez le partenariat qui en naît."))
    raison = (raison or "").strip()
    if not raison:
        raise ValidationError(
            {"raison": _("Indiquez la raison : c'est ce que le centre répondra au demandeur.")}
        )
    sollicitation = Sollicitation.objects.select_for_update().get(pk=sollicitation.pk)
    _verifier_pas_acceptee(sollicitation)
    sollicitation.decision = decision
    sollicitation.raison = raison
    sollicitation.decidee_le = le or timezone.localdate()
    sollicitation.decidee_par = par
    return _enregistrer(sollicitation, par)


@transaction.atomic
def sollicitation_accepter(*, sollicitation, par, raison="", le=None, **partenariat):
    """Accepts the request and creates, in the same transaction, the partnership it becomes:
    with its ``demandeur`` as partner and the fields of ``partenariat`` given by name
    (``type``, ``niveau``, ``horizon``, ``objet``, ``construction``, ``referent``, ``debut``…:
    see ``AcceptationForm``). The request keeps the link (``Sollicitation.partenariat``).

    The request's row is locked first: a form sent twice (a double click, two tabs) makes one
    partnership; the second call finds it and returns the request unchanged. Returns the
    request as saved. ``ValidationError`` (nothing written) if the partnership breaks the
    model's rules (an end before its start…)."""
    sollicitation = Sollicitation.objects.select_for_update().get(pk=sollicitation.pk)
    if sollicitation.partenariat_id is not None:
        return sollicitation
    lien = Partenariat(centre_id=sollicitation.centre_id, partenaire_id=sollicitation.demandeur_id)
    _affecter(lien, partenariat)
    _enregistrer(lien, par)
    sollicitation.partenariat = lien
    sollicitation.decision = DecisionSollicitation.ACCEPTER
    sollicitation.raison = (raison or "").strip()
    sollicitation.decidee_le = le or timezone.localdate()
    sollicitation.decidee_par = par
    return _enregistrer(sollicitation, par)

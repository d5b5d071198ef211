"""Writes of the funding agreements: an agreement, its amounts per year and its signed
document, saved together or not at all. History (who changed what) is recorded by
django-simple-history on every save, with the request's user."""

from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from commun.fichiers import verifier_fichier
from partenariats.models import Convention, MontantConvention, Partenaire, Projet


def _verifier_montants(convention, montants):
    """``montants`` as {year: amount}, or a ValidationError in French: one amount per year,
    each year within the agreement's dates."""
    par_annee = {}
    erreurs = []
    for annee, montant in montants:
        if annee in par_annee:
            erreurs.append(
                _("L'année %(annee)s figure deux fois : une seule ligne par année.")
                % {"annee": annee}
            )
        elif not convention.debut.year <= annee <= convention.fin.year:
            erreurs.append(
                _("L'année %(annee)s est hors des dates de la convention (%(debut)s à %(fin)s).")
                % {"annee": annee, "debut": convention.debut.year, "fin": convention.fin.year}
            )
        par_annee[annee] = montant
    for annee, montant in par_annee.items():
        try:
            MontantConvention(convention=convention, annee=annee, montant=montant).full_clean(
                exclude=["convention"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as erreur:
            erreurs += [f"{annee} : {message}" for message in erreur.messages]
    if erreurs:
        raise ValidationError({"montants": erreurs})
    return par_annee


def _verifier_liens(convention):
    """The funder and the project must be the agreement's centre's: a form scopes its
    choices, this holds for every caller."""
    centre = convention.centre
    if not Partenaire.objects.filter(pk=convention.financeur_id, centre=centre).exists():
        raise ValidationError(
            {"financeur": _("Ce partenaire n'est pas dans l'annuaire du centre.")}
        )
    if (
        convention.projet_id
        and not Projet.objects.filter(pk=convention.projet_id, centre=centre).exists()
    ):
        raise ValidationError({"projet": _("Ce projet n'est pas un projet du centre.")})


def _deposer(convention, document):
    verifier_fichier(document)
    # The name people gave it, for the download; the stored name is random (CheminPrive).
    convention.document_nom = PurePath(document.name).name[:200]
    convention.document.save(document.name, document, save=False)


def _effacer_apres_commit(nom):
    """Removes a stored file once the transaction that stopped using it has committed: a
    rollback must not leave a row pointing at nothing."""
    if nom:
        storage = Convention._meta.get_field("document").storage
        transaction.on_commit(lambda: storage.delete(nom))


def _ecrire_montants(convention, par_annee):
    existants = {m.annee: m for m in MontantConvention.objects.filter(convention=convention)}
    for annee, montant in existants.items():
        if annee not in par_annee:
            montant.delete()
    for annee, montant in par_annee.items():
        ligne = existants.get(annee)
        if ligne is None:
            MontantConvention.objects.create(convention=convention, annee=annee, montant=montant)
        elif ligne.montant != montant:
            ligne.montant = montant
            ligne.save(update_fields=["montant"])


@transaction.atomic
def convention_creer(*, centre, montants=(), document=None, **champs):
    """Creates an agreement of ``centre`` with its fields given by name (``financeur``,
    ``objet``, ``projet``, ``reference``, ``statut``, ``debut``, ``fin``, ``notes``), its
    amounts ``montants`` (pairs (year, Decimal)) and its signed ``document`` (an uploaded PDF,
    checked by its content), all or nothing.

    ``ValidationError`` (in French, by field; the amounts' under ``"montants"``) if a value
    breaks the model's rules, if the funder or the project is another centre's, if a year
    repeats or falls outside the agreement's dates, or if the document is not a PDF of at
    most 10 MB.
    """
    convention = Convention(centre=centre, **champs)
    convention.full_clean(exclude=["document"])
    _verifier_liens(convention)
    par_annee = _verifier_montants(convention, montants)
    if document is not None:
        _deposer(convention, document)
    convention.save()
    _ecrire_montants(convention, par_annee)
    return convention


@transaction.atomic
def convention_modifier(
    *, convention, montants=None, document=None, retirer_document=False, **champs
):
    """Changes the fields of ``convention`` given by name, checked as in ``convention_creer``.
    ``montants`` (pairs (year, Decimal)), unless None, become its amounts: the years left out
    are removed. A new ``document`` replaces the stored one; ``retirer_document`` removes it.
    The replaced file is deleted from storage once the change is committed. Returns the
    agreement as saved.

    The row is locked and read again first, so that two people saving at once do not mix
    their amounts.
    """
    convention = Convention.objects.select_for_update().get(pk=convention.pk)
    ancien_document = convention.document.name
    for champ, valeur in champs.items():
        Convention._meta.get_field(champ)  # FieldDoesNotExist: a misspelt name is not ignored
        setattr(convention, champ, valeur)
    convention.full_clean(exclude=["document"])
    _verifier_liens(convention)
    if montants is None:
        # New dates must still hold the years already recorded.
        montants = MontantConvention.objects.filter(convention=convention).values_list(
            "annee", "montant"
        )
    par_annee = _verifier_montants(convention, montants)
    if document is not None:
        _deposer(convention, document)
    elif retirer_document:
        convention.document = ""
        convention.document_nom = ""
    convention.save()
    _ecrire_montants(convention, par_annee)
    if ancien_document and convention.document.name != ancien_document:
        _effacer_apres_commit(ancien_document)
    return convention


@transaction.atomic
def convention_supprimer(*, convention):
    """Deletes the agreement and its amounts; its document leaves the storage once the
    deletion is committed. Its history stays (django-simple-history)."""
    document = convention.document.name
    convention.delete()
    _effacer_apres_commit(document)

"""Writes of projects and actions: the project itself, its partners (RACI role, level of
involvement, horizon, freins et leviers), its bilans with their figures, photos and documents.

History (who changed what) is recorded by django-simple-history on the project, its
participations and its bilans, with the request's user. Stored files (a bilan's pieces) are
removed from the storage once the deletion of their rows is committed, never before: a
rolled-back deletion keeps its files.
"""

from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from commun.fichiers import DOCUMENT_OU_PHOTO, EXTENSIONS, verifier_fichier
from partenariats.models import Bilan, ChiffreBilan, ParticipationProjet, PieceBilan, Projet

# Ten megabytes each: a bilan with this many pieces already weighs what an email can carry.
PIECES_MAX = 20


def _meme_centre(partenaire, centre_id):
    if partenaire is not None and partenaire.centre_id != centre_id:
        raise ValidationError(_("Ce partenaire n'est pas dans l'annuaire du centre."))


def _effacer_apres_commit(champs):
    """Removes the stored files of ``champs`` (FieldFiles) once the transaction commits."""
    fichiers = [(champ.storage, champ.name) for champ in champs if champ]

    def effacer():
        for storage, nom in fichiers:
            storage.delete(nom)

    transaction.on_commit(effacer)


@transaction.atomic
def projet_creer(*, centre, titre, porteur=None, **champs):
    """Creates a project (or an action) of ``centre``. ``porteur``: the partner that carries
    it, None when the centre does; the other fields by name (``genre``, ``statut``,
    ``description``, ``diagnostic``, ``debut``, ``fin``). Checked by the model's rules first:
    ``ValidationError`` otherwise, and nothing is written."""
    _meme_centre(porteur, centre.pk)
    projet = Projet(centre=centre, titre=titre, porteur=porteur, **champs)
    projet.full_clean()
    projet.save()
    return projet


@transaction.atomic
def projet_modifier(*, projet, **champs):
    """Changes the fields of ``projet`` given by name, checked as in ``projet_creer``. The row
    is locked and read again first: what was not given keeps its current value."""
    projet = Projet.objects.select_for_update().get(pk=projet.pk)
    if "porteur" in champs:
        _meme_centre(champs["porteur"], projet.centre_id)
    for champ, valeur in champs.items():
        Projet._meta.get_field(champ)  # a misspelt name is an error, not ignored
        setattr(projet, champ, valeur)
    projet.full_clean()
    projet.save()
    return projet


@transaction.atomic
def projet_supprimer(*, projet):
    """Deletes ``projet`` with its participations, its bilans and their files. Funding
    agreements that named it stay, without a project. Returns the number of bilans gone."""
    pieces = PieceBilan.objects.filter(bilan__projet=projet)
    _effacer_apres_commit([piece.fichier for piece in pieces])
    nb_bilans = projet.bilans.count()
    projet.delete()
    return nb_bilans


@transaction.atomic
def participation_ajouter(*, projet, partenaire, role, niveau, horizon, freins="", leviers=""):
    """Adds ``partenaire`` (of the project's centre) to ``projet`` with its RACI ``role``,
    its level of involvement and horizon, and what may hold it back or draw it in.
    ``ValidationError`` if it is there already or belongs to another centre."""
    _meme_centre(partenaire, projet.centre_id)
    participation = ParticipationProjet(
        projet=projet,
        partenaire=partenaire,
        role=role,
        niveau=niveau,
        horizon=horizon,
        freins=freins,
        leviers=leviers,
    )
    participation.full_clean(validate_unique=False, validate_constraints=False)
    try:
        # A savepoint: the twin request (a double click) that lost the race says why.
        with transaction.atomic():
            participation.save()
    except IntegrityError:
        raise ValidationError(
            _("Ce partenaire fait déjà partie du projet : modifiez plutôt son rôle."),
            code="deja",
        ) from None
    return participation


@transaction.atomic
def participation_modifier(*, participation, **champs):
    """Changes the role, level, horizon, freins or leviers of a partner in a project (the
    partner itself stays: remove it and add another)."""
    participation = ParticipationProjet.objects.select_for_update().get(pk=participation.pk)
    for champ, valeur in champs.items():
        if champ in ("projet", "partenaire"):
            raise ValueError(f"{champ} of a participation does not change")
        ParticipationProjet._meta.get_field(champ)
        setattr(participation, champ, valeur)
    participation.full_clean(validate_unique=False, validate_constraints=False)
    participation.save()
    return participation


@transaction.atomic
def participation_retirer(*, participation):
    """Removes a partner from a project; its bilans and the partner's fiche are untouched."""
    participation.delete()


def _chiffres_enregistrer(bilan, chiffres):
    ChiffreBilan.objects.bulk_create(
        ChiffreBilan(
            bilan=bilan,
            libelle=chiffre["libelle"],
            valeur=chiffre["valeur"],
            unite=chiffre.get("unite", ""),
            ordre=ordre,
        )
        for ordre, chiffre in enumerate(chiffres)
    )


@transaction.atomic
def bilan_creer(*, projet, par, date, titre, texte="", chiffres=()):
    """Creates a bilan of ``projet`` written by ``par`` (a user, or None), with its named
    figures ``chiffres`` ([{"libelle", "valeur", "unite"}], shown in this order)."""
    bilan = Bilan(projet=projet, date=date, titre=titre, texte=texte, cree_par=par)
    bilan.full_clean()
    bilan.save()
    _chiffres_enregistrer(bilan, chiffres)
    return bilan


@transaction.atomic
def bilan_modifier(*, bilan, chiffres=None, **champs):
    """Changes the date, title or text of ``bilan``; ``chiffres``, unless None, replaces all
    its figures (in this order)."""
    bilan = Bilan.objects.select_for_update().get(pk=bilan.pk)
    for champ, valeur in champs.items():
        if champ not in ("date", "titre", "texte"):
            raise ValueError(f"{champ} of a bilan is not changed here")
        setattr(bilan, champ, valeur)
    bilan.full_clean()
    bilan.save()
    if chiffres is not None:
        bilan.chiffres.all().delete()
        _chiffres_enregistrer(bilan, chiffres)
    return bilan


@transaction.atomic
def bilan_supprimer(*, bilan):
    """Deletes ``bilan``, its figures and its files."""
    _effacer_apres_commit([piece.fichier for piece in bilan.pieces.all()])
    bilan.delete()


def nom_de_piece(nom_fichier, nature):
    """The name a piece is shown and downloaded under: the uploaded file's own name, its
    extension made to tell the truth ("photo.pdf" that is a JPEG becomes "photo.jpg")."""
    chemin = PurePath(nom_fichier or "")
    base = chemin.stem.strip() or _("piece")
    return f"{base[:190]}{EXTENSIONS[nature]}"


@transaction.atomic
def piece_ajouter(*, bilan, fichier, legende=""):
    """Stores ``fichier`` (an uploaded file) as a photo (JPEG, PNG) or a document (PDF) of
    ``bilan``. Its kind is told by its content, and it weighs at most 10 MB: otherwise a
    ``ValidationError`` in French says what is wrong, and nothing is stored."""
    bilan = Bilan.objects.select_for_update().get(pk=bilan.pk)
    if bilan.pieces.count() >= PIECES_MAX:
        raise ValidationError(
            _("Ce bilan a déjà %(nombre)d pièces : retirez-en une avant d'en ajouter une autre.")
            % {"nombre": PIECES_MAX},
            code="trop",
        )
    nature = verifier_fichier(fichier, natures=DOCUMENT_OU_PHOTO)
    piece = PieceBilan(
        bilan=bilan,
        nom=nom_de_piece(fichier.name, nature),
        nature=nature,
        taille=fichier.size,
        legende=legende,
    )
    piece.fichier.save(fichier.name, fichier, save=False)
    try:
        piece.full_clean(exclude=["fichier"])
        piece.save()
    except Exception:
        piece.fichier.storage.delete(piece.fichier.name)
        raise
    return piece


@transaction.atomic
def piece_retirer(*, piece):
    """Removes a photo or document from its bilan, and its file from the storage."""
    _effacer_apres_commit([piece.fichier])
    piece.delete()

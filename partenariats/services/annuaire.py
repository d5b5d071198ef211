"""Writes of the partner directory's fiches. History (who changed what) is recorded by
django-simple-history on every save, with the request's user."""

from django.db import transaction

from partenariats.models import Partenaire


@transaction.atomic
def partenaire_creer(*, centre, nom, categorie, themes=(), **fiche):
    """Creates a partner of ``centre`` named ``nom``, of ``categorie``, with ``themes`` (Theme
    objects) and the other fields of its fiche given by name (``sigle``, ``commune``,
    ``dans_livret``...: see ``PartenaireForm``).

    The values are checked by the model's rules (SIRET checksum, postal code...) before
    anything is written: ``ValidationError`` otherwise. The partner and its themes are saved
    together or not at all. Nothing is done about likely duplicates: the caller asks first
    (``selectors.doublons_probables``).
    """
    partenaire = Partenaire(centre=centre, nom=nom, categorie=categorie, **fiche)
    partenaire.full_clean()
    partenaire.save()
    partenaire.themes.set(themes)
    return partenaire


@transaction.atomic
def partenaire_modifier(*, partenaire, themes=None, **fiche):
    """Changes the fields of ``partenaire``'s fiche given by name (and its ``themes``, Theme
    objects, unless None), checked as in ``partenaire_creer``. Returns the partner as saved.

    The row is locked and read again first: what was not given (its archived state, the date
    its fiche was confirmed) keeps its current value, even if it changed since ``partenaire``
    was read.
    """
    partenaire = Partenaire.objects.select_for_update().get(pk=partenaire.pk)
    for champ, valeur in fiche.items():
        Partenaire._meta.get_field(champ)  # FieldDoesNotExist: a misspelt name is not ignored
        setattr(partenaire, champ, valeur)
    partenaire.full_clean()
    partenaire.save()
    if themes is not None:
        partenaire.themes.set(themes)
    return partenaire


@transaction.atomic
def partenaire_archiver(*, partenaire, archive=True):
    """Archives (or restores) a partner. Partners are never deleted: their history stays, and
    an archived partner leaves the directory, the booklet and the invitation lists."""
    partenaire = Partenaire.objects.select_for_update().get(pk=partenaire.pk)
    if partenaire.archive != archive:
        partenaire.archive = archive
        partenaire.save(update_fields=["archive", "modifie_le"])
    return partenaire

"""Importing partners from a file: the file kept between the preview and the confirmation
(``depot_enregistrer``, ``depot_retirer``), then every partner and contact of a valid analysis
created at once (``partenaires_importer``). Reading and checking the file:
``partenariats.echanges``.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from commun.texte import cle_tri
from partenariats.models import Contact, Partenaire

# Rows inserted per query.
TAILLE_LOT = 1000

DOSSIER_DEPOTS = "imports"
DUREE_DEPOT = timedelta(hours=2)
# The name of the module it was first written in: references signed before a deployment
# keep working.
SEL_DEPOT = "partenariats.echanges.depot"


@transaction.atomic
def partenaires_importer(*, centre, analyse, user):
    """Creates every partner and contact of a valid Analyse in ``centre``, with their themes and
    a history record each (by ``user``, reason "Import : <file>"), in one transaction: all or
    nothing. Returns (partners created, contacts created).

    Rows are inserted in bulk: a few queries per thousand rows instead of several per row.
    """
    if not analyse.valide:
        raise ValueError("Only a valid analysis can be imported.")
    raison = _("Import : %(fichier)s") % {"fichier": analyse.nom_fichier}
    partenaires = []
    for lu in analyse.partenaires:
        lu.partenaire.centre = centre
        # bulk_create does not call save(), which keeps the sort key.
        lu.partenaire.nom_tri = cle_tri(lu.partenaire.nom)
        partenaires.append(lu.partenaire)
    bulk_create_with_history(
        partenaires,
        Partenaire,
        batch_size=TAILLE_LOT,
        default_user=user,
        default_change_reason=raison[:100],
    )
    Lien = Partenaire.themes.through
    Lien.objects.bulk_create(
        [
            Lien(partenaire_id=lu.partenaire.pk, theme_id=theme.pk)
            for lu in analyse.partenaires
            for theme in lu.themes
        ],
        batch_size=TAILLE_LOT,
    )
    contacts = []
    for lu in analyse.partenaires:
        for contact_lu in lu.contacts:
            contact_lu.contact.partenaire = lu.partenaire
            contacts.append(contact_lu.contact)
    bulk_create_with_history(
        contacts,
        Contact,
        batch_size=TAILLE_LOT,
        default_user=user,
        default_change_reason=raison[:100],
    )
    return len(partenaires), len(contacts)


# --- The uploaded file between preview and confirmation ------------------------------------------


@dataclass
class Depot:
    contenu: bytes
    nom_fichier: str
    chemin: Path

    def supprimer(self):
        self.chemin.unlink(missing_ok=True)


def _dossier_depots():
    return Path(settings.MEDIA_ROOT) / DOSSIER_DEPOTS


def depot_enregistrer(*, contenu, nom_fichier, centre, user):
    """Keeps an uploaded file until its import is confirmed. Returns a signed reference that
    only ``user``, working in ``centre``, can use, for DUREE_DEPOT.

    The file lives under MEDIA_ROOT/imports/ with a random name, which no URL serves; files
    left behind by imports never confirmed are removed at the next upload.
    """
    dossier = _dossier_depots()
    dossier.mkdir(parents=True, exist_ok=True)
    limite = (timezone.now() - DUREE_DEPOT - timedelta(minutes=5)).timestamp()
    for ancien in dossier.iterdir():
        try:
            if ancien.stat().st_mtime < limite:
                ancien.unlink()
        except FileNotFoundError:
            continue
    jeton = secrets.token_urlsafe(24)
    (dossier / f"{jeton}.depot").write_bytes(contenu)
    return signing.dumps(
        {"j": jeton, "u": user.pk, "c": centre.pk, "n": nom_fichier[:200]}, salt=SEL_DEPOT
    )


def depot_retirer(*, reference, centre, user):
    """Takes out the file kept under ``reference`` for ``user`` in ``centre``, or None (unknown,
    expired, someone else's, already taken). The file is moved aside first, so that a double
    click or a second tab cannot import it twice; the caller deletes it (``Depot.supprimer``).
    """
    try:
        donnees = signing.loads(reference, salt=SEL_DEPOT, max_age=DUREE_DEPOT)
    except signing.BadSignature:
        return None
    if donnees.get("u") != user.pk or donnees.get("c") != centre.pk:
        return None
    dossier = _dossier_depots()
    cible = dossier / f"{donnees['j']}.en-cours"
    try:
        (dossier / f"{donnees['j']}.depot").rename(cible)
    except FileNotFoundError:
        return None
    return Depot(cible.read_bytes(), donnees["n"], cible)

"""Importing partners from a file: the file kept between the preview and the confirmation
(``depot_enregistrer``, ``depot_retirer``), then every partner and contact of a valid analysis
created or updated at once (``partenaires_importer``). Reading and checking the file:
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
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from commun.texte import cle_tri
from partenariats.models import Contact, Partenaire

# Rows inserted per query.
TAILLE_LOT = 1000

DOSSIER_DEPOTS = "imports"
DUREE_DEPOT = timedelta(hours=2)
# The name of the module it was first written in: references signed before a deployment
# keep working.
SEL_DEPOT = "partenariats.echanges.depot"


@dataclass
class Bilan:
    """What an import wrote, for the message that follows it."""

    crees: int = 0
    mis_a_jour: int = 0
    contacts_ajoutes: int = 0
    contacts_modifies: int = 0


def _champs_modifies(lus):
    return sorted({c.champ for lu in lus for c in lu.changements} - {"themes"})


@transaction.atomic
def partenaires_importer(*, centre, analyse, user):
    """Writes a valid Analyse in ``centre``, in one transaction (all or nothing): creates its
    new partners and contacts, updates the fiches and contacts its rows were brought back to
    (the fields that change only), with a history record each (by ``user``, reason "Import :
    <file>"). Contacts of a fiche absent from the file stay. Returns a Bilan.

    Rows are written in bulk: a few queries per thousand rows instead of several per row.
    """
    if not analyse.valide:
        raise ValueError("Only a valid analysis can be imported.")
    raison = (_("Import : %(fichier)s") % {"fichier": analyse.nom_fichier})[:100]
    historique = {"batch_size": TAILLE_LOT, "default_user": user, "default_change_reason": raison}
    crees = analyse.crees
    mis_a_jour = analyse.mis_a_jour
    maintenant = timezone.now()

    partenaires = []
    for lu in crees:
        lu.partenaire.centre = centre
        # bulk_create does not call save(), which keeps the sort key.
        lu.partenaire.nom_tri = cle_tri(lu.partenaire.nom)
        partenaires.append(lu.partenaire)
    bulk_create_with_history(partenaires, Partenaire, **historique)

    modifies = [lu for lu in mis_a_jour if lu.changements]
    champs = _champs_modifies(modifies)
    if champs:
        # A change of themes alone writes no row of the fiche (its history has no field).
        fiches = [lu.partenaire for lu in modifies if _champs_modifies([lu])]
        for fiche in fiches:
            fiche.nom_tri = cle_tri(fiche.nom)
            fiche.modifie_le = maintenant
        bulk_update_with_history(
            fiches, Partenaire, [*champs, "nom_tri", "modifie_le"], **historique
        )

    Lien = Partenaire.themes.through
    themes_changes = [lu for lu in mis_a_jour if lu.themes_changes]
    Lien.objects.filter(partenaire_id__in=[lu.partenaire.pk for lu in themes_changes]).delete()
    Lien.objects.bulk_create(
        [
            Lien(partenaire_id=lu.partenaire.pk, theme_id=theme.pk)
            for lu in [*crees, *themes_changes]
            for theme in lu.themes
        ],
        batch_size=TAILLE_LOT,
    )

    contacts = []
    for lu in analyse.partenaires:
        for contact_lu in lu.contacts_ajoutes:
            contact_lu.contact.partenaire = lu.partenaire
            contacts.append(contact_lu.contact)
    bulk_create_with_history(contacts, Contact, **historique)

    contacts_modifies = [c for lu in mis_a_jour for c in lu.contacts_modifies]
    champs_contact = _champs_modifies(contacts_modifies)
    if champs_contact:
        bulk_update_with_history(
            [c.contact for c in contacts_modifies], Contact, champs_contact, **historique
        )
    return Bilan(len(crees), len(mis_a_jour), len(contacts), len(contacts_modifies))


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

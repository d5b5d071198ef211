"""Demo partners of a Montanou-like neighbourhood of Agen (see ``manage.py demo``).

Names are those of the kinds of organisations the Café partenaires of Montanou gathers; the
people, addresses and phone numbers are invented.

Each centre's directory is a file next to this module (``<centre>.csv``) in the very format
of the directory's import, contacts included (one row per contact), and it goes through the
importer like a file staff upload: analysed by ``partenariats.echanges`` and created by
``partenaires_importer``. The demo exercises the import, and the files can be opened in a
spreadsheet or imported by hand.

What a file cannot say is the age of a fiche, which the demo keeps relative to today (a fiche
confirmed "3 months ago" stays so whenever the demo is loaded): ``fiches_confirmees.csv``
gives it in months, set on the analysed partners before the import.

Loading again creates what is missing only: partners already in a centre (by name) are left
as they are, contacts included.
"""

import csv
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from partenariats.demo import conventions, liens, projets, sollicitations
from partenariats.echanges.analyse import analyser
from partenariats.models import Contact, Partenaire
from partenariats.services.importation import partenaires_importer
from reseau.models import Centre

DOSSIER = Path(__file__).parent
CENTRES = ["montanou", "tapie", "fumel"]
AGES = DOSSIER / "fiches_confirmees.csv"


def _ages_des_fiches():
    """{(centre slug, partner name): months since the fiche was confirmed, or None}."""
    with AGES.open(encoding="utf-8", newline="") as fichier:
        lignes = list(csv.reader(fichier, delimiter=";"))[1:]
    return {(centre, nom): int(mois) if mois else None for centre, nom, mois in lignes}


def _importer(centre, ages):
    nom_fichier = f"{centre.slug}.csv"
    analyse = analyser(
        (DOSSIER / nom_fichier).read_bytes(), nom_fichier, centre=centre, doublons=False
    )
    if analyse.erreurs:
        raise ValueError(f"The demo file {nom_fichier} does not import: {analyse.erreurs}")
    existants = set(Partenaire.objects.for_centre(centre).values_list("nom", flat=True))
    analyse.partenaires = [lu for lu in analyse.partenaires if lu.partenaire.nom not in existants]
    if not analyse.partenaires:
        return
    aujourd_hui = timezone.localdate()
    for lu in analyse.partenaires:
        mois = ages[centre.slug, lu.partenaire.nom]
        if mois is not None:
            lu.partenaire.fiche_confirmee_le = aujourd_hui - timedelta(days=30 * mois)
    partenaires_importer(centre=centre, analyse=analyse, user=None)


def charger(stdout):
    centres = {centre.slug: centre for centre in Centre.objects.filter(slug__in=CENTRES)}
    ages = _ages_des_fiches()
    for slug in CENTRES:
        _importer(centres[slug], ages)
    nb_fiches = Partenaire.objects.filter(centre__in=centres.values()).count()
    nb_contacts = Contact.objects.filter(partenaire__centre__in=centres.values()).count()
    stdout.write(f"  partenaires : {nb_fiches} fiches, {nb_contacts} contacts")
    liens.charger(stdout)
    projets.charger(stdout)
    conventions.charger(stdout)
    sollicitations.charger(stdout)

"""Which fiches of the directory the rows of a file update, and what changes on each.

A row is brought back to an existing partner by, in this order: its identifier (the file was
exported from this centre), its SIRET, or its exact name when one partner only bears it. A
contact row of a known partner is brought back to one of its contacts by identifier, then
email address, then first and last name: importing a file twice adds nobody twice.

Identifiers are looked up in the current centre only: an identifier written by another
centre's export, or of a fiche deleted since, finds nothing, and the row falls back on the
other rules.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commun.dates import date_fr
from commun.texte import cle_tri
from partenariats.models import Contact, Partenaire

# How a row was brought back to its fiche, as the preview says it.
PAR_IDENTIFIANT = "identifiant"
PAR_SIRET = "siret"
PAR_NOM = "nom"
RECONNU_PAR = {
    PAR_IDENTIFIANT: gettext_lazy("identifiant"),
    PAR_SIRET: gettext_lazy("SIRET"),
    PAR_NOM: gettext_lazy("même nom"),
}


@dataclass
class Changement:
    champ: str
    libelle: str
    avant: str
    apres: str


def _lisible(form, champ, valeur):
    """A field's value as the preview shows it: labels for choices, oui/non, French dates."""
    if valeur is None or valeur == "" or valeur == []:
        return ""
    if isinstance(valeur, bool):
        return _("oui") if valeur else _("non")
    if isinstance(valeur, datetime | date):
        return date_fr(valeur, "j F Y")
    choix = getattr(form.fields.get(champ), "choices", None)
    if choix:
        libelles = {str(code): str(libelle) for code, libelle in choix}
        if isinstance(valeur, list | tuple):
            return ", ".join(libelles.get(str(v), str(v)) for v in valeur)
        return libelles.get(str(valeur), str(valeur))
    return str(valeur)


def changements(form, avant, apres):
    """The fields of ``form`` whose value differs between ``avant`` and ``apres`` (dicts by
    field), in the form's order, ready to show."""
    resultat = []
    for champ, field in form.fields.items():
        if champ not in avant or champ not in apres:
            continue
        ancien, nouveau = avant[champ], apres[champ]
        if isinstance(ancien, list):
            ancien, nouveau = sorted(ancien), sorted(nouveau)
        if ancien == nouveau or (ancien in (None, "") and nouveau in (None, "")):
            continue
        resultat.append(
            Changement(
                champ,
                capfirst(str(field.label)),
                _lisible(form, champ, avant[champ]),
                _lisible(form, champ, apres[champ]),
            )
        )
    return resultat


def _cle_nom(nom):
    return " ".join(cle_tri(nom).split())


def partenaires_existants(groupes, centre):
    """Sets ``existant`` and ``reconnu_par`` on each group of rows that names a fiche of
    ``centre`` (see the module's rules). Six queries at most, whatever the file's size: the
    fiches come with their themes, which the forms read."""
    fiches = Partenaire.objects.for_centre(centre).prefetch_related("themes")
    identifiants = {g.identifiant for g in groupes if g.identifiant}
    par_identifiant = fiches.in_bulk(identifiants) if identifiants else {}
    restants = []
    for groupe in groupes:
        groupe.existant = par_identifiant.get(groupe.identifiant)
        if groupe.existant is not None:
            groupe.reconnu_par = PAR_IDENTIFIANT
        else:
            restants.append(groupe)

    sirets = {g.siret for g in restants if g.siret}
    par_siret = {}
    if sirets:
        for fiche in fiches.filter(siret__in=sirets):
            par_siret.setdefault(fiche.siret, []).append(fiche)
    par_nom = {}
    noms = {cle_tri(g.nom) for g in restants if g.nom}
    if noms:
        for fiche in fiches.filter(nom_tri__in=noms):
            par_nom.setdefault(_cle_nom(fiche.nom), []).append(fiche)
    for groupe in restants:
        trouvees = par_siret.get(groupe.siret, []) if groupe.siret else []
        if len(trouvees) == 1:
            groupe.existant, groupe.reconnu_par = trouvees[0], PAR_SIRET
            continue
        trouvees = [
            fiche
            for fiche in par_nom.get(_cle_nom(groupe.nom), [])
            if not (groupe.commune and fiche.commune)
            or cle_tri(groupe.commune) == cle_tri(fiche.commune)
        ]
        # A SIRET in the row that differs from the fiche's says it is another organisation.
        trouvees = [
            f for f in trouvees if not (groupe.siret and f.siret and groupe.siret != f.siret)
        ]
        if len(trouvees) == 1:
            groupe.existant, groupe.reconnu_par = trouvees[0], PAR_NOM


def contacts_existants(partenaire_ids):
    """{partner id: its contacts}, in one query."""
    contacts = {}
    if partenaire_ids:
        lignes = Contact.objects.filter(partenaire_id__in=partenaire_ids).order_by("pk")
        for contact in lignes:
            contacts.setdefault(contact.partenaire_id, []).append(contact)
    return contacts


def contact_existant(contacts, *, identifiant, email, prenom, nom):
    """The contact of ``contacts`` a row names, and how, or (None, "")."""
    if identifiant:
        for contact in contacts:
            if contact.pk == identifiant:
                return contact, PAR_IDENTIFIANT
    email = email.strip().casefold()
    if email:
        for contact in contacts:
            if contact.email.casefold() == email:
                return contact, "email"
    cle = (_cle_nom(prenom), _cle_nom(nom))
    if cle[1]:
        for contact in contacts:
            if (_cle_nom(contact.prenom), _cle_nom(contact.nom)) == cle:
                return contact, PAR_NOM
    return None, ""

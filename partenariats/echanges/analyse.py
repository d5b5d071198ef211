"""Checking every row of a file with the fiche's and the contact's forms, before anything is
written; likely duplicates are flagged on the way (``analyser``).
"""

import difflib
import hashlib
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from partenariats.echanges import rapprochement
from partenariats.echanges.colonnes import (
    ALIAS,
    CLE_CONTACT,
    CLE_ID_PARTENAIRE,
    CLE_IDENTIFIANT,
    CLE_PARTENAIRE,
    COLONNES_CONTACT,
    COLONNES_PARTENAIRE,
    DEBUT_FORMULE,
    ENTETE_ID_PARTENAIRE,
    ENTETE_IDENTIFIANT,
    ENTETE_PARTENAIRE,
    NON,
    OUI,
    PREFIXE_CONTACT,
    entete_contact,
    normaliser,
    oui_non,
)
from partenariats.echanges.lecture import FichierIllisible, lire_fichier
from partenariats.enums import CategoriePartenaire, Civilite
from partenariats.forms_echanges import ContactImportForm, PartenaireImportForm
from partenariats.models import Contact, Partenaire, Theme
from partenariats.selectors import SEUIL_SIMILARITE, doublons_probables, nom_normalise

CHAMPS_DATE = {"fiche_confirmee_le", "contact:desinscrit_le"}
CHAMPS_TELEPHONE = {"telephone", "contact:telephone"}


@dataclass
class Erreur:
    ligne: int
    colonne: str
    message: str
    feuille: str = ""


@dataclass(eq=False)
class ContactLu:
    ligne: int
    form: ContactImportForm
    feuille: str = ""
    # The contact of the fiche this row updates, and what changes on it.
    existant: Contact | None = None
    changements: list = field(default_factory=list)

    @property
    def contact(self):
        return self.form.instance

    @property
    def modifie(self):
        return bool(self.changements)


@dataclass(eq=False)
class PartenaireLu:
    ligne: int
    form: PartenaireImportForm
    themes: list = field(default_factory=list)
    contacts: list = field(default_factory=list)
    # Partners of the centre that are probably the same organisation.
    doublons: list = field(default_factory=list)
    # Other partners of the same file that are probably the same organisation.
    doublons_fichier: list = field(default_factory=list)
    # The fiche this row updates (``rapprochement``), how it was found, and what changes.
    existant: Partenaire | None = None
    reconnu_par: str = ""
    changements: list = field(default_factory=list)

    @property
    def partenaire(self):
        return self.form.instance

    @property
    def libelle_reconnu_par(self):
        return rapprochement.RECONNU_PAR.get(self.reconnu_par, "")

    @property
    def themes_changes(self):
        return any(c.champ == "themes" for c in self.changements)

    @property
    def contacts_ajoutes(self):
        return [c for c in self.contacts if c.existant is None]

    @property
    def contacts_modifies(self):
        return [c for c in self.contacts if c.existant is not None and c.modifie]

    @property
    def modifie(self):
        """Whether importing this row writes anything: a new fiche, or a change to one."""
        return (
            self.existant is None
            or bool(self.changements)
            or bool(self.contacts_ajoutes)
            or bool(self.contacts_modifies)
        )


@dataclass(eq=False)
class Analyse:
    nom_fichier: str
    partenaires: list
    erreurs: list
    colonnes_ignorees: list

    @property
    def valide(self):
        return not self.erreurs and bool(self.partenaires)

    @property
    def crees(self):
        return [lu for lu in self.partenaires if lu.existant is None]

    @property
    def mis_a_jour(self):
        return [lu for lu in self.partenaires if lu.existant is not None and lu.modifie]

    @property
    def inchanges(self):
        return [lu for lu in self.partenaires if not lu.modifie]

    @property
    def nb_contacts(self):
        """Contacts the import adds, to new fiches and to existing ones."""
        return sum(len(lu.contacts_ajoutes) for lu in self.partenaires)

    @property
    def nb_contacts_modifies(self):
        return sum(len(lu.contacts_modifies) for lu in self.partenaires)

    @property
    def a_faire(self):
        return any(lu.modifie for lu in self.partenaires)

    @property
    def nb_doublons(self):
        return sum(1 for lu in self.crees if lu.doublons or lu.doublons_fichier)

    def empreinte(self):
        """What the import would write, summed up: the confirmation compares it with the
        preview's, so that nothing is written that staff have not seen (a fiche edited in
        between changes it)."""

        def resume(lu):
            return (
                lu.existant.pk if lu.existant else None,
                [(c.champ, c.apres) for c in lu.changements],
            )

        parties = [(resume(lu), [resume(c) for c in lu.contacts]) for lu in self.partenaires]
        return hashlib.sha256(repr(parties).encode()).hexdigest()[:32]


def _index_entetes():
    index = {}
    for champ, entete in COLONNES_PARTENAIRE:
        index[normaliser(Partenaire._meta.get_field(champ).verbose_name)] = champ
        index[normaliser(entete)] = champ
    for champ, entete in COLONNES_CONTACT:
        cle = CLE_CONTACT + champ
        verbose = Contact._meta.get_field(champ).verbose_name
        index[normaliser(PREFIXE_CONTACT + str(verbose))] = cle
        index[normaliser(entete_contact(entete))] = cle
    index[normaliser(ENTETE_IDENTIFIANT)] = CLE_IDENTIFIANT
    index[normaliser(entete_contact(ENTETE_IDENTIFIANT))] = CLE_CONTACT + CLE_IDENTIFIANT
    index.update(ALIAS)
    return index


def _colonnes(feuille, *, de_contacts):
    """{column index: key} and the headers as written, from the first non-empty row; the
    header row is removed from ``feuille.lignes``. Unknown headers are returned to be shown."""
    while feuille.lignes and not any(c not in (None, "") for c in feuille.lignes[0][1]):
        feuille.lignes.pop(0)
    if not feuille.lignes:
        return {}, {}, []
    _numero, cellules = feuille.lignes.pop(0)
    index = _index_entetes()
    colonnes, entetes, ignorees = {}, {}, []
    for position, brut in enumerate(cellules):
        entete = str(brut).strip() if brut is not None else ""
        if not entete:
            continue
        cle_normale = normaliser(entete)
        if de_contacts:
            if cle_normale == CLE_PARTENAIRE:
                cle = CLE_PARTENAIRE
            elif cle_normale == normaliser(ENTETE_ID_PARTENAIRE):
                cle = CLE_ID_PARTENAIRE
            else:
                cle = index.get(normaliser(PREFIXE_CONTACT + entete)) or index.get(cle_normale)
                if cle and not cle.startswith(CLE_CONTACT):
                    cle = None
        else:
            cle = index.get(cle_normale)
        if cle is None:
            ignorees.append(entete)
            continue
        if cle in entetes:
            raise FichierIllisible(
                _("Les colonnes « %(a)s » et « %(b)s » disent la même chose : gardez-en une.")
                % {"a": entetes[cle], "b": entete}
            )
        colonnes[position] = cle
        entetes[cle] = entete
    return colonnes, entetes, ignorees


def _valeur(cle, brut):
    """A cell as the forms expect it: text without surrounding spaces, dates kept as dates."""
    if brut is None:
        return ""
    if isinstance(brut, bool):
        return oui_non(brut)
    if isinstance(brut, float) and brut.is_integer():
        brut = int(brut)
    if isinstance(brut, datetime | date):
        if cle == "fiche_confirmee_le" and isinstance(brut, datetime):
            return brut.date()
        if cle in CHAMPS_DATE:
            return brut
        return brut.strftime("%d/%m/%Y")
    if isinstance(brut, int):
        texte = str(brut)
        # A number typed in a spreadsheet loses its leading zeros.
        if cle == "code_postal":
            return texte.zfill(5)
        if cle == "siret":
            return texte.zfill(14)
        if cle in CHAMPS_TELEPHONE and len(texte) == 9:
            return "0" + texte
        return texte
    texte = str(brut).strip()
    if texte.startswith("'") and texte[1:].startswith(DEBUT_FORMULE):
        texte = texte[1:]
    return texte


def _booleen(valeur, defaut):
    """(value, error message or None) of a oui/non cell; an empty cell gives ``defaut``."""
    if valeur == "":
        return defaut, None
    mot = normaliser(valeur)
    if mot in OUI:
        return True, None
    if mot in NON:
        return False, None
    return defaut, _("« %(valeur)s » n'est pas une réponse attendue : écrivez oui ou non.") % {
        "valeur": valeur
    }


def _adresse_valide(email):
    try:
        validate_email(email)
    except ValidationError:
        return False
    return True


@dataclass
class _Groupe:
    """The rows of the partners sheet that name one partner."""

    ligne: int
    valeurs: dict
    identifiant: int | None = None
    contacts: list = field(default_factory=list)
    # Set by ``rapprochement.partenaires_existants``.
    existant: Partenaire | None = None
    reconnu_par: str = ""

    @property
    def nom(self):
        return " ".join(str(self.valeurs.get("nom", "")).split())

    @property
    def siret(self):
        return re.sub(r"\s", "", str(self.valeurs.get("siret", "")))

    @property
    def commune(self):
        return str(self.valeurs.get("commune", "")).strip()


def _cle(texte):
    return " ".join(str(texte).split()).casefold()


class _Analyseur:
    def __init__(self, *, nom_fichier, centre):
        self.nom_fichier = nom_fichier
        self.centre = centre
        self.erreurs = []
        self.entetes, self.entetes_contacts = {}, {}
        # (sheet, header): position, so that a row's errors read from left to right.
        self.positions = {}
        themes = list(Theme.objects.order_by("ordre", "libelle"))
        self.themes_par_slug = {theme.slug: theme for theme in themes}
        self.champ_themes = PartenaireImportForm.champ_themes(themes)
        self.theme_par_nom = {}
        for theme in themes:
            self.theme_par_nom[normaliser(theme.slug)] = theme.slug
            self.theme_par_nom[normaliser(theme.libelle)] = theme.slug
        self.categorie_par_nom = {}
        for code, label in CategoriePartenaire.choices:
            self.categorie_par_nom[normaliser(code)] = code
            self.categorie_par_nom[normaliser(label)] = code
        self.civilite_par_nom = {"mr": Civilite.MONSIEUR, "m": Civilite.MONSIEUR}
        for code, label in Civilite.choices:
            self.civilite_par_nom[normaliser(code)] = code
            self.civilite_par_nom[normaliser(label)] = code
        # The groups of rows, in the file's order, and how later rows find them.
        self.groupes = []
        self.par_identifiant = {}
        self.par_nom = {}

    def erreur(self, ligne, colonne, message, feuille=""):
        self.erreurs.append(Erreur(ligne, colonne, str(message), feuille))

    def analyser(self, feuille_partenaires, feuille_contacts):
        colonnes, self.entetes, ignorees = _colonnes(feuille_partenaires, de_contacts=False)
        for position, cle in colonnes.items():
            self.positions["", self.entetes[cle]] = position
        if "nom" not in colonnes.values():
            raise FichierIllisible(
                _(
                    "La colonne « nom » est introuvable : la première ligne du fichier doit "
                    "donner les noms des colonnes, comme dans le modèle."
                )
            )
        self._grouper(feuille_partenaires, colonnes)
        if feuille_contacts is not None:
            colonnes_c, self.entetes_contacts, ignorees_c = _colonnes(
                feuille_contacts, de_contacts=True
            )
            ignorees += [f"{feuille_contacts.nom} › {entete}" for entete in ignorees_c]
            for position, cle in colonnes_c.items():
                self.positions[feuille_contacts.nom, self.entetes_contacts[cle]] = position
            if colonnes_c:
                self._rattacher_contacts(feuille_contacts, colonnes_c)
        if not self.groupes:
            raise FichierIllisible(_("Le fichier ne contient aucune ligne de partenaire."))
        rapprochement.partenaires_existants(self.groupes, self.centre)
        self._une_ligne_par_fiche()
        self.contacts_des_fiches = rapprochement.contacts_existants(
            [g.existant.pk for g in self.groupes if g.existant]
        )
        partenaires = [self._valider(groupe) for groupe in self.groupes]
        self.erreurs.sort(
            key=lambda e: (
                e.feuille != "",
                e.feuille,
                e.ligne,
                self.positions.get((e.feuille, e.colonne), len(self.positions)),
            )
        )
        return Analyse(self.nom_fichier, partenaires, self.erreurs, ignorees)

    def _identifiant(self, valeur, numero, colonne, feuille=""):
        """The identifier of a cell, None when empty; a cell that is not one is an error."""
        if valeur == "":
            return None
        if str(valeur).isdigit() and 0 < int(valeur) < 2**63:
            return int(valeur)
        self.erreur(
            numero,
            colonne,
            _(
                "« %(valeur)s » n'est pas un identifiant Maillage : remettez la valeur exportée, "
                "ou videz la cellule pour créer une nouvelle fiche."
            )
            % {"valeur": valeur},
            feuille,
        )
        return None

    def _groupe_nomme(self, nom, valeurs):
        """The group of rows a row without identifier continues: the one partner of that
        name it does not contradict (SIRET, commune). Returns (group or None, ambiguous)."""
        candidats = [
            groupe
            for groupe in self.par_nom.get(_cle(nom), [])
            if all(
                not valeurs.get(champ)
                or not groupe.valeurs.get(champ)
                or _cle(valeurs[champ]).replace(" ", "")
                == _cle(groupe.valeurs[champ]).replace(" ", "")
                for champ in ("siret", "commune")
            )
        ]
        if len(candidats) > 1:
            return None, True
        return (candidats[0] if candidats else None), False

    def _nouveau_groupe(self, numero, valeurs, identifiant):
        groupe = _Groupe(numero, valeurs, identifiant)
        self.groupes.append(groupe)
        if identifiant:
            self.par_identifiant[identifiant] = groupe
        if groupe.nom:
            self.par_nom.setdefault(_cle(groupe.nom), []).append(groupe)
        return groupe

    def _grouper(self, feuille, colonnes):
        """Rows naming the same partner make one group: same identifier, or, without one,
        the same name (a later row adds a contact to the partner of an earlier one)."""
        for numero, cellules in feuille.lignes:
            valeurs = {
                cle: _valeur(cle, cellules[position] if position < len(cellules) else None)
                for position, cle in colonnes.items()
            }
            if not any(v != "" for v in valeurs.values()):
                continue
            du_partenaire = {
                k: v
                for k, v in valeurs.items()
                if not k.startswith(CLE_CONTACT) and k != CLE_IDENTIFIANT
            }
            du_contact = {
                k.removeprefix(CLE_CONTACT): v
                for k, v in valeurs.items()
                if k.startswith(CLE_CONTACT)
            }
            avec_contact = any(v != "" for v in du_contact.values())
            identifiant = self._identifiant(
                valeurs.get(CLE_IDENTIFIANT, ""),
                numero,
                self._colonne_partenaire(CLE_IDENTIFIANT),
            )
            nom = valeurs["nom"]
            if not _cle(nom) and not identifiant:
                if avec_contact and not any(v != "" for v in du_partenaire.values()):
                    self.erreur(
                        numero,
                        self._colonne_partenaire("nom"),
                        _(
                            "Indiquez le nom du partenaire de ce contact, sur chaque ligne "
                            "de contact."
                        ),
                    )
                    continue
                # A row without a name stands alone (the form will say the name is missing).
                groupe = self._nouveau_groupe(numero, du_partenaire, None)
            elif identifiant:
                groupe = self.par_identifiant.get(identifiant)
                if groupe is None:
                    groupe = self._nouveau_groupe(numero, du_partenaire, identifiant)
                else:
                    self._comparer(groupe, numero, du_partenaire)
            else:
                groupe, ambigu = self._groupe_nomme(nom, du_partenaire)
                if ambigu:
                    self.erreur(
                        numero,
                        self._colonne_partenaire("nom"),
                        _(
                            "Plusieurs partenaires portent ce nom dans le fichier : recopiez "
                            "sur cette ligne l'identifiant, le SIRET ou la commune du bon."
                        ),
                    )
                    continue
                if groupe is None:
                    groupe = self._nouveau_groupe(numero, du_partenaire, None)
                else:
                    self._comparer(groupe, numero, du_partenaire)
            if avec_contact:
                groupe.contacts.append((numero, "", du_contact))

    def _comparer(self, groupe, numero, valeurs):
        """A partner named again on a later row (for one more contact) must not say something
        else: which value would win is not for us to guess."""
        for cle, valeur in valeurs.items():
            premiere = groupe.valeurs.get(cle, "")
            if valeur == "" or cle == "nom" and not groupe.identifiant:
                continue
            if _cle(valeur) != _cle(premiere):
                self.erreur(
                    numero,
                    self._colonne_partenaire(cle),
                    _(
                        "Ce partenaire figure déjà ligne %(ligne)s avec une autre valeur "
                        "(« %(valeur)s ») : laissez la cellule vide ou recopiez la même valeur."
                    )
                    % {"ligne": groupe.ligne, "valeur": premiere},
                )

    def _rattacher_contacts(self, feuille, colonnes):
        entete_partenaire = self.entetes_contacts.get(CLE_PARTENAIRE, ENTETE_PARTENAIRE)
        entete_identifiant = self.entetes_contacts.get(CLE_ID_PARTENAIRE, ENTETE_ID_PARTENAIRE)
        for numero, cellules in feuille.lignes:
            valeurs = {
                cle: _valeur(cle, cellules[position] if position < len(cellules) else None)
                for position, cle in colonnes.items()
            }
            if not any(v != "" for v in valeurs.values()):
                continue
            nom = valeurs.pop(CLE_PARTENAIRE, "")
            identifiant = self._identifiant(
                valeurs.pop(CLE_ID_PARTENAIRE, ""), numero, entete_identifiant, feuille.nom
            )
            du_contact = {k.removeprefix(CLE_CONTACT): v for k, v in valeurs.items()}
            groupe, ambigu = None, False
            if identifiant:
                groupe = self.par_identifiant.get(identifiant)
            if groupe is None and _cle(nom):
                groupe, ambigu = self._groupe_nomme(nom, {})
            if groupe is not None:
                groupe.contacts.append((numero, feuille.nom, du_contact))
            elif ambigu:
                self.erreur(
                    numero,
                    entete_partenaire,
                    _(
                        "Plusieurs partenaires « %(nom)s » dans la feuille des partenaires : "
                        "indiquez l'identifiant du partenaire de ce contact."
                    )
                    % {"nom": nom},
                    feuille.nom,
                )
            elif not _cle(nom) and not identifiant:
                self.erreur(
                    numero,
                    entete_partenaire,
                    _("Indiquez le nom du partenaire de ce contact."),
                    feuille.nom,
                )
            else:
                self.erreur(
                    numero,
                    entete_partenaire,
                    _("Aucun partenaire « %(nom)s » dans la feuille des partenaires.")
                    % {"nom": nom or identifiant},
                    feuille.nom,
                )

    def _une_ligne_par_fiche(self):
        """Two groups of rows may not update one fiche: which would win?"""
        vus = {}
        for groupe in self.groupes:
            if groupe.existant is None:
                continue
            premier = vus.setdefault(groupe.existant.pk, groupe)
            if premier is not groupe:
                self.erreur(
                    groupe.ligne,
                    self._colonne_partenaire("nom"),
                    _(
                        "Cette ligne et la ligne %(ligne)s désignent la même fiche de "
                        "l'annuaire (%(nom)s) : regroupez-les ou retirez-en une."
                    )
                    % {"ligne": premier.ligne, "nom": groupe.existant.nom},
                )
                groupe.existant = None

    def _valider(self, groupe):
        valeurs = groupe.valeurs
        existant = groupe.existant
        # A row found by its identifier is the fiche as exported: an emptied cell empties the
        # field. A row found by SIRET or name comes from elsewhere and completes the fiche: an
        # empty cell keeps what the fiche says.
        efface = groupe.reconnu_par == rapprochement.PAR_IDENTIFIANT
        donnees = {
            champ: valeurs[champ]
            for champ, _entete in COLONNES_PARTENAIRE
            if champ in valeurs and champ not in ("categorie", "themes")
        }
        if "categorie" in valeurs or existant is None:
            categorie = valeurs.get("categorie", "")
            donnees["categorie"] = self.categorie_par_nom.get(normaliser(categorie), categorie)
        if "themes" in valeurs or existant is None:
            mots = [mot.strip() for mot in re.split(r"[,;\n]", valeurs.get("themes", ""))]
            donnees["themes"] = [self.theme_par_nom.get(normaliser(m), m) for m in mots if m]
        for champ, defaut in (("dans_livret", True), ("archive", False)):
            if champ in valeurs or existant is None:
                actuel = getattr(existant, champ) if existant else defaut
                donnees[champ], message = _booleen(valeurs.get(champ, ""), actuel)
                if message:
                    self.erreur(groupe.ligne, self._colonne_partenaire(champ), message)
        avant = None
        if existant is not None:
            champs = [c for c in PartenaireImportForm.Meta.fields if c != "themes"]
            avant = model_to_dict(existant, fields=champs)
            # Prefetched with the fiche (``rapprochement``).
            avant["themes"] = [theme.slug for theme in existant.themes.all()]
            # When the fiche was confirmed is the partner's act, not a cell to edit.
            donnees.pop("fiche_confirmee_le", None)
            for champ, actuel in avant.items():
                if champ not in donnees or (donnees[champ] == "" and not efface):
                    donnees[champ] = actuel
        form = PartenaireImportForm(data=donnees, instance=existant, champ_themes=self.champ_themes)
        self._erreurs_form(form, groupe.ligne, "", self._colonne_partenaire)
        lu = PartenaireLu(groupe.ligne, form, existant=existant, reconnu_par=groupe.reconnu_par)
        if form.is_valid():
            lu.themes = [self.themes_par_slug[slug] for slug in form.cleaned_data["themes"]]
            if avant is not None:
                apres = {c: form.cleaned_data.get(c, avant[c]) for c in avant}
                lu.changements = rapprochement.changements(form, avant, apres)
        contacts = self.contacts_des_fiches.get(existant.pk, []) if existant else []
        deja = {}
        for numero, feuille, valeurs_contact in groupe.contacts:
            lu.contacts.append(
                self._valider_contact(numero, feuille, valeurs_contact, contacts, deja)
            )
        return lu

    def _valider_contact(self, numero, feuille, valeurs, contacts, deja):
        def colonne(champ):
            return self._colonne_contact(champ, feuille)

        identifiant = self._identifiant(
            valeurs.pop(CLE_IDENTIFIANT, ""), numero, colonne(CLE_IDENTIFIANT), feuille
        )
        existant, par = rapprochement.contact_existant(
            contacts,
            identifiant=identifiant,
            email=str(valeurs.get("email", "")),
            prenom=str(valeurs.get("prenom", "")),
            nom=str(valeurs.get("nom", "")),
        )
        if existant is not None and existant.pk in deja:
            self.erreur(
                numero,
                colonne("nom"),
                _(
                    "Ce contact figure déjà ligne %(ligne)s pour ce partenaire : gardez une "
                    "seule ligne par contact."
                )
                % {"ligne": deja[existant.pk]},
                feuille,
            )
            existant = None
        elif existant is not None:
            deja[existant.pk] = numero
        efface = par == rapprochement.PAR_IDENTIFIANT
        donnees = {
            champ: valeurs[champ]
            for champ, _entete in COLONNES_CONTACT
            if champ in valeurs and champ not in ("civilite",)
        }
        if "civilite" in valeurs or existant is None:
            civilite = valeurs.get("civilite", "")
            donnees["civilite"] = self.civilite_par_nom.get(normaliser(civilite), civilite)

        # As on screen: a contact with an address receives café invitations unless told not.
        for champ, defaut in (
            ("recoit_invitations_cafe", _adresse_valide(valeurs.get("email", ""))),
            ("prescripteur", False),
            ("publier_dans_livret", False),
        ):
            if champ in valeurs or existant is None:
                actuel = getattr(existant, champ) if existant else defaut
                donnees[champ], message = _booleen(valeurs.get(champ, ""), actuel)
                if message:
                    self.erreur(numero, colonne(champ), message, feuille)
        avant = None
        if existant is not None:
            avant = model_to_dict(existant, fields=ContactImportForm.Meta.fields)
            # An opt-out stays: a file may record one, never lift it.
            if existant.desinscrit_le is not None or not donnees.get("desinscrit_le"):
                donnees.pop("desinscrit_le", None)
            for champ, actuel in avant.items():
                if champ not in donnees or (donnees[champ] == "" and not efface):
                    donnees[champ] = actuel
        form = ContactImportForm(data=donnees, instance=existant)
        self._erreurs_form(form, numero, feuille, colonne)
        lu = ContactLu(numero, form, feuille, existant=existant)
        if avant is not None and form.is_valid():
            apres = {c: form.cleaned_data.get(c, avant[c]) for c in avant}
            lu.changements = rapprochement.changements(form, avant, apres)
        return lu

    def _colonne_partenaire(self, champ):
        """The header of a field's column as the file writes it (or as the model would)."""
        return self.entetes.get(champ, dict(COLONNES_PARTENAIRE).get(champ, champ))

    def _colonne_contact(self, champ, feuille):
        entete = dict(COLONNES_CONTACT).get(champ, champ)
        if feuille:
            return self.entetes_contacts.get(CLE_CONTACT + champ, entete)
        return self.entetes.get(CLE_CONTACT + champ, entete_contact(entete))

    def _erreurs_form(self, form, ligne, feuille, colonne):
        for champ, messages in form.errors.items():
            for message in messages:
                self.erreur(ligne, "" if champ == "__all__" else colonne(champ), message, feuille)


def _nom_proche(cible, noms_par_longueur):
    """Whether ``cible`` may pass the name rule of ``doublons_probables`` against one of the
    names of ``noms_par_longueur`` (normalised names, by length). A False is certain, a True is
    checked by the selector: as in difflib.get_close_matches, real_quick_ratio (lengths only,
    hence the lengths skipped) and quick_ratio bound the ratio from above."""
    if not cible:
        return False
    seuil = SEUIL_SIMILARITE
    longueur = len(cible)
    plus_court = math.floor(longueur * seuil / (2 - seuil))
    plus_long = math.ceil(longueur * (2 - seuil) / seuil)
    comparateur = difflib.SequenceMatcher()
    comparateur.set_seq2(cible)
    for autre_longueur in range(plus_court, plus_long + 1):
        for nom in noms_par_longueur.get(autre_longueur, ()):
            if nom == cible:
                return True
            comparateur.set_seq1(nom)
            if comparateur.real_quick_ratio() >= seuil and comparateur.quick_ratio() >= seuil:
                return True
    return False


def _signaler_doublons(partenaires, centre):
    """Flags, without blocking, what is probably already in the directory or twice in the file.

    ``doublons_probables`` decides, but it costs a query and a comparison with every partner of
    the commune: run for each row of a large file in a large directory, it took tens of seconds.
    The centre's names, communes and SIRETs are read once, and the selector only runs for the
    rows that may match (see ``_nom_proche``).
    """
    par_cle = {}
    for lu in partenaires:
        partenaire = lu.partenaire
        nom = nom_normalise(partenaire.nom)
        cles = [("nom", nom, partenaire.commune.strip().upper())] if nom else []
        if partenaire.siret:
            cles.append(("siret", partenaire.siret))
        for cle in cles:
            par_cle.setdefault(cle, []).append(lu)
    for semblables in par_cle.values():
        for lu in semblables:
            for autre in semblables:
                if autre is not lu and autre not in lu.doublons_fichier:
                    lu.doublons_fichier.append(autre)

    noms_par_commune, sirets = {}, set()
    existants = Partenaire.objects.for_centre(centre).values_list("nom", "commune", "siret")
    for nom, commune, siret in existants:
        if siret:
            sirets.add(siret)
        if commune.strip():
            nom = nom_normalise(nom)
            par_longueur = noms_par_commune.setdefault(commune.strip().upper(), {})
            par_longueur.setdefault(len(nom), set()).add(nom)
    for lu in partenaires:
        partenaire = lu.partenaire
        noms = noms_par_commune.get(partenaire.commune.strip().upper(), {})
        if partenaire.siret in sirets or _nom_proche(nom_normalise(partenaire.nom), noms):
            lu.doublons = doublons_probables(
                centre=centre,
                nom=partenaire.nom,
                commune=partenaire.commune,
                siret=partenaire.siret,
            )


def analyser(contenu, nom_fichier, *, centre, doublons=True):
    """Reads a CSV or .xlsx file and checks every row with the fiche's and the contact's forms.

    Writes nothing. Raises FichierIllisible when the file as a whole cannot be read; otherwise
    the Analyse lists the partners (with their contacts), each new or brought back to the fiche
    it updates with its changes (``rapprochement``), and one Erreur per problem, with its row
    number and column. Likely duplicates of new partners are looked for when ``doublons`` and
    the file is valid.
    """
    feuille_partenaires, feuille_contacts = lire_fichier(contenu, nom_fichier)
    analyse = _Analyseur(nom_fichier=nom_fichier, centre=centre).analyser(
        feuille_partenaires, feuille_contacts
    )
    if doublons and analyse.valide:
        _signaler_doublons(analyse.crees, centre)
    return analyse

"""The content of the livret des partenaires: every booklet partner's fiche signalétique,
grouped in sections, with an index. Making the PDF: ``partenariats.services.livret``.

What goes in the booklet, and why:
- the centre's active partners marked "dans le livret" (``Partenaire.objects.du_livret()``),
  grouped by category (in the order of ``CategoriePartenaire``) or by theme (``Theme.ordre``;
  a partner appears under each of its themes, those without a theme under "Autres
  partenaires");
- of each contact, only what a partner gives to be reached at work: name, function, phone and
  email. The booklet circulates among all the partners of the territory, so nothing about how
  Maillage deals with the person is printed (café invitations, prescriber flag, email opt-out).
  Contacts who opted out of Maillage's emails are printed like the others: the opt-out is about
  our mailings, not about being reachable by the partners who work with them.

Partner text is HTML-escaped by the template engine, and the PDF is laid out by
``commun.pdf``, which fetches our own static files and nothing else.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from commun.texte import cle_tri
from partenariats.enums import CategoriePartenaire, RegroupementLivret
from partenariats.models import Contact, Partenaire, Theme

GABARIT = "partenariats/pdf/livret.html"


@dataclass
class Bloc:
    """One appearance of a partner in the booklet (several when grouped by theme)."""

    partenaire: Partenaire
    ancre: str


@dataclass
class Section:
    ancre: str
    titre: str
    blocs: list[Bloc] = field(default_factory=list)


@dataclass
class EntreeIndex:
    libelle: str
    complement: str
    # (anchor, section title) of each appearance; the section is shown when there are several.
    renvois: list[tuple[str, str]]
    cle: str = ""
    # An acronym of a partner listed under several sections points to the partner's entry.
    voir: str = ""


def lettre_index(cle):
    initiale = cle[:1].upper()
    return initiale if initiale.isalpha() else "0-9"


def partenaires_du_livret(centre):
    """The centre's booklet partners, alphabetical, with themes and the contacts to publish
    (``Contact.publier_dans_livret``): three queries."""
    partenaires = list(
        Partenaire.objects.for_centre(centre)
        .du_livret()
        .prefetch_related(
            Prefetch("themes", queryset=Theme.objects.order_by("ordre", "libelle")),
            Prefetch(
                "contacts",
                queryset=Contact.objects.filter(publier_dans_livret=True).order_by(
                    "nom", "prenom", "pk"
                ),
            ),
        )
    )
    for partenaire in partenaires:
        partenaire.cle_tri = cle_tri(partenaire.nom)
        partenaire.site_affiche, partenaire.site_lien = _site(partenaire.site_web)
        _typographie(partenaire, CHAMPS_TEXTE_PARTENAIRE)
        for contact in partenaire.contacts.all():
            _typographie(contact, CHAMPS_TEXTE_CONTACT)
    partenaires.sort(key=lambda p: (p.cle_tri, p.pk))
    return partenaires


# French print typography on partners' text, for the booklet only (never saved): the curly
# apostrophe (d’Agen), and no line break inside "9 h 30" nor before ":", ";", "?" and "!".
ESPACES_INSECABLES = [
    (re.compile(r"(?<=\d) (?=h\b)"), "\u00a0"),
    (re.compile(r"(?<=\bh) (?=\d)"), "\u00a0"),
    (re.compile(r" (?=[:;?!](\s|$))"), "\u00a0"),
]
CHAMPS_TEXTE_PARTENAIRE = (
    "nom", "sigle", "adresse", "commune", "missions", "publics", "services", "horaires",
    "territoire",
)  # fmt: skip
CHAMPS_TEXTE_CONTACT = ("prenom", "nom", "fonction")


def typographie(texte):
    texte = texte.replace("'", "’")
    for motif, remplacement in ESPACES_INSECABLES:
        texte = motif.sub(remplacement, texte)
    return texte


def _typographie(objet, champs):
    for champ in champs:
        setattr(objet, champ, typographie(getattr(objet, champ)))


def _site(url):
    """(text shown, link) for a partner's website; only http(s) addresses become links."""
    url = (url or "").strip()
    if not url:
        return "", ""
    schema = urlsplit(url).scheme.lower()
    affiche = url.split("://", 1)[-1].removeprefix("www.").rstrip("/") if schema else url
    return affiche, url if schema in ("http", "https") else ""


def sections_du_livret(partenaires, regroupement):
    """The booklet's sections in reading order, empty ones left out."""
    sections = []
    if regroupement == RegroupementLivret.THEME:
        par_theme = {}
        sans_theme = []
        for partenaire in partenaires:
            themes = partenaire.themes.all()
            for theme in themes:
                par_theme.setdefault(theme.pk, (theme, []))[1].append(partenaire)
            if not themes:
                sans_theme.append(partenaire)
        groupes = [
            (theme.libelle, membres)
            for theme, membres in sorted(
                par_theme.values(), key=lambda item: (item[0].ordre, item[0].libelle)
            )
        ]
        groupes.append((_("Autres partenaires"), sans_theme))
    else:
        par_categorie = {}
        for partenaire in partenaires:
            par_categorie.setdefault(partenaire.categorie, []).append(partenaire)
        groupes = [
            (categorie.label, par_categorie.get(categorie.value, []))
            for categorie in CategoriePartenaire
        ]
    for titre, membres in groupes:
        if not membres:
            continue
        numero = len(sections) + 1
        sections.append(
            Section(
                ancre=f"s{numero}",
                titre=typographie(str(titre)),
                blocs=[Bloc(partenaire=p, ancre=f"p{p.pk}-s{numero}") for p in membres],
            )
        )
    return sections


def index_du_livret(sections):
    """Alphabetical index: one entry per partner, plus one per acronym ("CAF"), by letter."""
    renvois = {}
    partenaires = {}
    for section in sections:
        for bloc in section.blocs:
            partenaires[bloc.partenaire.pk] = bloc.partenaire
            renvois.setdefault(bloc.partenaire.pk, []).append((bloc.ancre, section.titre))
    entrees = []
    for pk, partenaire in partenaires.items():
        entrees.append(
            EntreeIndex(
                libelle=partenaire.nom,
                complement=partenaire.sigle,
                renvois=renvois[pk],
                cle=partenaire.cle_tri,
            )
        )
        sigle = partenaire.sigle.strip()
        if sigle and not partenaire.cle_tri.startswith(cle_tri(sigle)):
            plusieurs = len(renvois[pk]) > 1
            entrees.append(
                EntreeIndex(
                    libelle=sigle,
                    complement="" if plusieurs else partenaire.nom,
                    renvois=renvois[pk],
                    cle=cle_tri(sigle),
                    voir=partenaire.nom if plusieurs else "",
                )
            )
    entrees.sort(key=lambda entree: (entree.cle, entree.libelle))
    lettres = []
    for entree in entrees:
        lettre = lettre_index(entree.cle)
        if not lettres or lettres[-1][0] != lettre:
            lettres.append((lettre, []))
        lettres[-1][1].append(entree)
    return lettres


def livret_contexte(*, centre, regroupement, date=None, partenaires=None):
    """The booklet template's context, and its number of fiches (a partner has one per
    section)."""
    if partenaires is None:
        partenaires = partenaires_du_livret(centre)
    sections = sections_du_livret(partenaires, regroupement)
    contexte = {
        "centre": centre,
        "date": date or timezone.localdate(),
        "regroupement": RegroupementLivret(regroupement),
        "sections": sections,
        "index": index_du_livret(sections),
        "nb_partenaires": len(partenaires),
    }
    return contexte, sum(len(section.blocs) for section in sections)


def nom_de_fichier(livret):
    """The French file name staff download, e.g. livret-partenaires-montanou-2026-11-23.pdf,
    dated like the cover (the day it was asked for)."""
    jour = timezone.localdate(livret.cree_le)
    return f"livret-partenaires-{livret.centre.slug}-{jour:%Y-%m-%d}.pdf"

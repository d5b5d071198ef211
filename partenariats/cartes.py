"""The frise des partenariats and the carte du maillage, laid out in Python: rows in, boxes out.

Both are drawn on the server as SVG (``partenariats/cartes/*.svg.html``), so that they work
without JavaScript, print, and go into a PDF as they are. Everything here is a pure function of
the rows the selectors give (``partenariats.selectors_cartes``): no database, no request, and
tests check the geometry directly (no two chips overlap, a cell grows to hold its chips).

Text is measured in the font the drawings use (``commun.polices``), so boxes fit their labels.
Units are CSS pixels of the drawing at its natural size (about the width of a laptop's page).

- The **frise** (source 03: "poser sur une frise les partenaires concernés à court, moyen et
  long terme … une ligne par niveau d'implication") is a grid: one line per level of
  involvement, one column per horizon. Each partner is a chip in its cell; chips wrap within
  the cell and the line grows to hold the tallest cell. A cell draws at most
  ``PUCES_PAR_CASE`` chips, then a "+ N autres" chip that links to the list of the others.
- The **carte** puts the centre in the middle and its partners on three rings, the closest
  level of involvement inside. A ring holds what fits without overlap, most connected partners
  first; the others are counted in a "+ N autres" link at the bottom of the ring.
"""

import math
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from commun.polices import largeur_texte, lignes, raccourcir
from partenariats.enums import Horizon, NiveauImplication, TypePartenariat

# --- Shared geometry -------------------------------------------------------------------------


@dataclass(frozen=True)
class Boite:
    x: float
    y: float
    largeur: float
    hauteur: float

    @property
    def droite(self):
        return self.x + self.largeur

    @property
    def bas(self):
        return self.y + self.hauteur

    @property
    def cx(self):
        return self.x + self.largeur / 2

    @property
    def cy(self):
        return self.y + self.hauteur / 2

    def chevauche(self, autre, marge=0.0):
        """True when the two boxes, each grown by ``marge`` on every side, overlap."""
        return not (
            self.droite + marge <= autre.x - marge
            or autre.droite + marge <= self.x - marge
            or self.bas + marge <= autre.y - marge
            or autre.bas + marge <= self.y - marge
        )

    def contient(self, autre):
        return (
            self.x <= autre.x + 1e-6
            and self.y <= autre.y + 1e-6
            and autre.droite <= self.droite + 1e-6
            and autre.bas <= self.bas + 1e-6
        )


@dataclass(frozen=True)
class Entree:
    """A partner as the drawings show it: its name (its acronym stands in when the name is too
    long to fit), the link to its page, and what its tooltip and the table add (``details``)."""

    pk: int
    nom: str
    url: str
    sigle: str = ""
    details: str = ""


def _libelle(entree, largeur_max, taille, graisse=400):
    """The name if it fits, else the acronym if there is one, else the name cut with "…"."""
    if largeur_texte(entree.nom, taille, graisse) <= largeur_max or not entree.sigle:
        return raccourcir(entree.nom, largeur_max, taille, graisse)
    return raccourcir(entree.sigle, largeur_max, taille, graisse)


def nb_autres_libelle(nb):
    return ngettext("+ %(nb)s autre", "+ %(nb)s autres", nb) % {"nb": nb}


@dataclass(frozen=True)
class Vue:
    """What an SVG shows of a drawing (``boite``, its viewBox) and at which size."""

    boite: Boite
    largeur: float
    hauteur: float
    unite: str = ""


@dataclass(frozen=True)
class Zone:
    """Where a click on a drawing leads: a box, its corner radius, the link and its tooltip."""

    boite: Boite
    arrondi: float
    url: str
    titre: str


# --- The frise -------------------------------------------------------------------------------

NIVEAUX = list(NiveauImplication)
HORIZONS = list(Horizon)

# A cell draws at most this many chips: 60 partners spread over the frise all show, and a cell
# of hundreds stays a cell, its "+ N autres" chip leading to the list.
PUCES_PAR_CASE = 20

FRISE_MARGE = 8
ENTETE_HAUTEUR = 64
LIBELLES_LARGEUR = 150
COLONNE_LARGEUR = 316
CASE_MARGE = 10
CASE_HAUTEUR_MIN = 2 * CASE_MARGE + 28
PUCE_HAUTEUR = 28
PUCE_PADDING = 10
PUCE_ESPACE = 6
PUCE_TAILLE = 14
ENTETE_TAILLE = 16
LIGNE_TAILLE = 16
# What an A4 landscape page of the PDF holds under the document's title, in mm
# (static/css/cartes-pdf.css: 12 mm margins).
PAGE_LARGEUR = 273
PAGE_HAUTEUR = 150


@dataclass
class Case:
    """The partners of one cell (a level, a horizon), as many as are drawn, and how many there
    are in all: the others are reached through ``url_autres``."""

    niveau: str
    horizon: str
    entrees: list[Entree] = field(default_factory=list)
    total: int = 0
    url_autres: str = ""

    @property
    def nb_autres(self):
        return max(self.total - len(self.entrees), 0)

    @property
    def niveau_label(self):
        return NiveauImplication(self.niveau).label

    @property
    def horizon_label(self):
        return Horizon(self.horizon).label


@dataclass
class Puce:
    """A chip: a partner (``entree``), or the "+ N autres" of its cell (``entree`` None)."""

    boite: Boite
    texte: str
    url: str
    entree: Entree | None = None

    @property
    def texte_x(self):
        return self.boite.x + PUCE_PADDING

    @property
    def texte_y(self):
        # The baseline: Source Sans' capitals are about 0.66 em tall, centred in the chip.
        return self.boite.y + self.boite.hauteur / 2 + PUCE_TAILLE * 0.34


@dataclass
class CasePlacee:
    case: Case
    boite: Boite
    puces: list[Puce]


# What each line of the frise means, under its name.
DESCRIPTIONS_NIVEAUX = {
    NiveauImplication.CO_PORTEUR: gettext_lazy("porte l'action avec le centre"),
    NiveauImplication.ALLIE: gettext_lazy("soutient, relaie, agit avec le centre"),
    NiveauImplication.INFORMATION: gettext_lazy("est tenu au courant"),
}
# Each line's background and the outline of its chips.
COULEURS_NIVEAUX = {
    NiveauImplication.CO_PORTEUR: ("#dcebf0", "#0b5a7a"),
    NiveauImplication.ALLIE: ("#e2efdf", "#2d6a2f"),
    NiveauImplication.INFORMATION: ("#f3ecdc", "#7d5a12"),
}
DESCRIPTION_TAILLE = 13


class _CouleursDuNiveau:
    """The tint and the line colour of ``self.niveau``: a line of the frise and a ring of the
    carte wear the same."""

    @property
    def fond(self):
        return COULEURS_NIVEAUX[self.niveau][0]

    @property
    def trait(self):
        return COULEURS_NIVEAUX[self.niveau][1]


@dataclass
class LignePlacee(_CouleursDuNiveau):
    niveau: NiveauImplication
    boite: Boite
    cases: list[CasePlacee]
    # The line's name and what it means: [(text, y)], the name first.
    libelles: list[tuple[str, float]]

    @property
    def libelle_x(self):
        return self.boite.x + CASE_MARGE

    @property
    def description(self):
        return DESCRIPTIONS_NIVEAUX[self.niveau]


@dataclass
class Frise:
    largeur: float
    hauteur: float
    entetes: list[tuple[Horizon, Boite]]
    lignes: list[LignePlacee]
    # The arrow of time under the headers: from (x1, y) to (x2, y).
    fleche: tuple[float, float, float]

    @property
    def puces(self):
        return [puce for ligne in self.lignes for case in ligne.cases for puce in case.puces]

    @property
    def cadre(self):
        """The whole frise, at its natural size (px)."""
        return Vue(Boite(0, 0, self.largeur, self.hauteur), self.largeur, self.hauteur)

    @property
    def tient_sur_une_page(self):
        """Whether the whole frise prints on one A4 landscape page under its title."""
        return self.hauteur * PAGE_LARGEUR <= self.largeur * PAGE_HAUTEUR

    @property
    def tranches(self):
        """For a frise too tall for one page: each line with the horizons over it, as
        ``[(headers' view, line's view)]``, each printed whole (a picture cannot break), all
        at one width (mm) so that their columns line up: the page's, or less if the tallest
        slice would not fit in a page."""
        entete = Boite(0, 0, self.largeur, FRISE_MARGE + ENTETE_HAUTEUR)
        lignes = [
            Boite(0, ligne.boite.y, self.largeur, ligne.boite.hauteur + 2) for ligne in self.lignes
        ]
        plus_haute = max(entete.hauteur + ligne.hauteur for ligne in lignes)
        echelle = min(PAGE_LARGEUR, PAGE_HAUTEUR * self.largeur / plus_haute) / self.largeur
        return [
            (
                Vue(entete, entete.largeur * echelle, entete.hauteur * echelle, "mm"),
                Vue(ligne, ligne.largeur * echelle, ligne.hauteur * echelle, "mm"),
            )
            for ligne in lignes
        ]

    @property
    def zones(self):
        """The chips that lead somewhere (a partner's page, the list of the others)."""
        zones = []
        for ligne in self.lignes:
            for case in ligne.cases:
                for puce in case.puces:
                    if puce.entree:
                        titre = " — ".join(filter(None, [puce.entree.nom, puce.entree.details]))
                    elif puce.url:
                        titre = (
                            f"{puce.texte} — {case.case.niveau_label}, {case.case.horizon_label}"
                        )
                    else:
                        continue
                    zones.append(Zone(puce.boite, PUCE_HAUTEUR / 2, puce.url, titre))
        return zones

    @property
    def pointe(self):
        """The arrowhead's three points, for ``<polygon points>``."""
        x, y = self.fleche[1], self.fleche[2]
        return [(x, y), (x - 10, y - 6), (x - 10, y + 6)]


def _puces_de_case(case, largeur):
    """The chips of ``case`` flowed from the top left of a cell ``largeur`` wide, and the height
    the cell needs. Positions are relative to the cell."""
    largeur_texte_max = largeur - 2 * CASE_MARGE - 2 * PUCE_PADDING
    etiquettes = [
        (_libelle(entree, largeur_texte_max, PUCE_TAILLE), entree.url, entree)
        for entree in case.entrees
    ]
    if case.nb_autres:
        etiquettes.append((nb_autres_libelle(case.nb_autres), case.url_autres, None))
    puces, x, y = [], CASE_MARGE, CASE_MARGE
    for texte, url, entree in etiquettes:
        w = largeur_texte(texte, PUCE_TAILLE) + 2 * PUCE_PADDING
        if x > CASE_MARGE and x + w > largeur - CASE_MARGE:
            x, y = CASE_MARGE, y + PUCE_HAUTEUR + PUCE_ESPACE
        puces.append(Puce(Boite(x, y, w, PUCE_HAUTEUR), texte, url, entree))
        x += w + PUCE_ESPACE
    hauteur = y + PUCE_HAUTEUR + CASE_MARGE if puces else CASE_HAUTEUR_MIN
    return puces, max(hauteur, CASE_HAUTEUR_MIN)


def _decaler(puce, dx, dy):
    b = puce.boite
    return Puce(Boite(b.x + dx, b.y + dy, b.largeur, b.hauteur), puce.texte, puce.url, puce.entree)


def frise_disposer(cases):
    """The frise of ``cases`` ({(niveau, horizon): Case}; a missing cell is empty): one line
    per level, closest first, one column per horizon, short term first."""
    x_colonnes = [FRISE_MARGE + LIBELLES_LARGEUR + i * COLONNE_LARGEUR for i in range(3)]
    entetes = [
        (horizon, Boite(x, FRISE_MARGE, COLONNE_LARGEUR, ENTETE_HAUTEUR - 24))
        for horizon, x in zip(HORIZONS, x_colonnes, strict=True)
    ]
    y_fleche = FRISE_MARGE + ENTETE_HAUTEUR - 14
    fleche = (x_colonnes[0] + CASE_MARGE, x_colonnes[-1] + COLONNE_LARGEUR - CASE_MARGE, y_fleche)
    y = FRISE_MARGE + ENTETE_HAUTEUR
    lignes_placees = []
    for niveau in NIVEAUX:
        contenus = []
        for horizon in HORIZONS:
            case = cases.get((niveau.value, horizon.value)) or Case(niveau.value, horizon.value)
            contenus.append((case, *_puces_de_case(case, COLONNE_LARGEUR)))
        description = lignes(
            str(DESCRIPTIONS_NIVEAUX[niveau]),
            LIBELLES_LARGEUR - 2 * CASE_MARGE,
            DESCRIPTION_TAILLE,
            nb_max=3,
        )
        libelles = [(str(niveau.label), y + CASE_MARGE + LIGNE_TAILLE)]
        libelles += [
            (texte, y + CASE_MARGE + LIGNE_TAILLE + 6 + (DESCRIPTION_TAILLE + 4) * (i + 1))
            for i, texte in enumerate(description)
        ]
        hauteur = max(max(h for _case, _puces, h in contenus), libelles[-1][1] - y + 2 * CASE_MARGE)
        cases_placees = [
            CasePlacee(
                case,
                Boite(x, y, COLONNE_LARGEUR, hauteur),
                [_decaler(puce, x, y) for puce in puces],
            )
            for x, (case, puces, _h) in zip(x_colonnes, contenus, strict=True)
        ]
        boite = Boite(FRISE_MARGE, y, LIBELLES_LARGEUR + 3 * COLONNE_LARGEUR, hauteur)
        lignes_placees.append(LignePlacee(niveau, boite, cases_placees, libelles))
        y += hauteur
    largeur = 2 * FRISE_MARGE + LIBELLES_LARGEUR + 3 * COLONNE_LARGEUR
    return Frise(largeur, y + FRISE_MARGE, entetes, lignes_placees, fleche)


# --- The carte -------------------------------------------------------------------------------

# Rings, closest level inside. Far enough apart that a node and its label (at most
# ``ETIQUETTE_LARGEUR`` wide) never reach the next ring's.
RAYONS = [170, 310, 450]
CARTE_MARGE = 86
CENTRE_RAYON = 66
NOEUD_RAYON_MIN = 11
NOEUD_RAYON_MAX = 24
# From this many shared things on, a node has its largest size.
SCORE_MAX = 12
ETIQUETTE_TAILLE = 13
ETIQUETTE_INTERLIGNE = 15
ETIQUETTE_LARGEUR = 124
ETIQUETTE_ECART = 3
# The white margin around a label's text.
ETIQUETTE_FOND = 3
ANNEAU_TAILLE = 14
# Space kept between any two drawn things.
JEU = 4
# Angular step of the search for a free place on a ring.
PAS = math.radians(0.5)

# Colour and letter of each type: the letter says it without the colour (and so does the
# table). Dark enough for white letters (contrast above 4.5:1).
COULEURS_TYPES = {
    TypePartenariat.ORIENTATION: "#0b5a7a",
    TypePartenariat.ACTION: "#9a4a00",
    TypePartenariat.PROJET: "#2d6a2f",
    TypePartenariat.CONCERTATION: "#6b3f8f",
}


def lettre_type(type_):
    return str(TypePartenariat(type_).label)[:1]


def rayon_noeud(score):
    """A node's radius: its area grows with what the partner shares with the centre
    (partnerships, projects, cafés), up to ``SCORE_MAX``."""
    part = (min(max(score, 1), SCORE_MAX) - 1) / (SCORE_MAX - 1)
    return NOEUD_RAYON_MIN + (NOEUD_RAYON_MAX - NOEUD_RAYON_MIN) * math.sqrt(part)


@dataclass(frozen=True)
class Sommet:
    """A partner on the carte: its ring (0: co-porteur … 2: information), the type that
    colours it, and its score (partnerships + projects + cafés shared with the centre)."""

    entree: Entree
    anneau: int
    type: str
    score: int
    # What the table shows of the partner (``selectors_cartes.Lien``); the layout ignores it.
    donnees: object = field(default=None, compare=False)


@dataclass
class NoeudPlace:
    sommet: Sommet
    x: float
    y: float
    rayon: float
    # The label's lines.
    etiquette: tuple
    etiquette_largeur: float
    # The whole footprint: the disc and the label under it.
    boite: Boite

    @property
    def lettre(self):
        return lettre_type(self.sommet.type)

    @property
    def couleur(self):
        return COULEURS_TYPES[TypePartenariat(self.sommet.type)]

    @property
    def lettre_taille(self):
        return round(self.rayon * 0.75 + 4)

    @property
    def lettre_y(self):
        return self.y + self.lettre_taille * 0.34

    @property
    def etiquette_boite(self):
        """The label's white background, so that a ring's line never crosses its text."""
        haut = self.y + self.rayon + ETIQUETTE_ECART
        largeur = self.etiquette_largeur + 2 * ETIQUETTE_FOND
        return Boite(self.x - largeur / 2, haut, largeur, self.boite.bas - haut)

    @property
    def etiquette_lignes(self):
        """[(line, baseline y)] of the label."""
        haut = self.y + self.rayon + ETIQUETTE_ECART + ETIQUETTE_TAILLE
        return [
            (ligne, haut + ETIQUETTE_INTERLIGNE * index)
            for index, ligne in enumerate(self.etiquette)
        ]


@dataclass
class Pastille:
    """A label on a ring (its level; "+ N autres" with a link)."""

    boite: Boite
    texte: str
    url: str = ""

    @property
    def texte_x(self):
        return self.boite.x + self.boite.largeur / 2

    @property
    def texte_y(self):
        return self.boite.y + self.boite.hauteur / 2 + ANNEAU_TAILLE * 0.34


# The dashes of each ring's line: the rings differ by more than their colour.
TIRETS_NIVEAUX = {
    NiveauImplication.CO_PORTEUR: "",
    NiveauImplication.ALLIE: "8 5",
    NiveauImplication.INFORMATION: "2 4",
}


@dataclass
class AnneauPlace(_CouleursDuNiveau):
    niveau: NiveauImplication
    rayon: float
    total: int
    nom: Pastille
    noeuds: list[NoeudPlace]
    autres: Pastille | None
    # The outer edge of the ring's tinted band.
    bande: float = 0

    @property
    def nb_autres(self):
        return self.total - len(self.noeuds)

    @property
    def tirets(self):
        return TIRETS_NIVEAUX[self.niveau]


@dataclass
class Carte:
    largeur: float
    hauteur: float
    cx: float
    cy: float
    centre_rayon: float
    centre_lignes: list[tuple[str, float]]
    anneaux: list[AnneauPlace]

    @property
    def noeuds(self):
        return [noeud for anneau in self.anneaux for noeud in anneau.noeuds]

    @property
    def zones(self):
        """The nodes (each to its partner's page) and the rings' "+ N autres"."""
        zones = []
        for anneau in self.anneaux:
            for noeud in anneau.noeuds:
                entree = noeud.sommet.entree
                titre = f"{entree.nom} — {anneau.niveau.label} · {entree.details}"
                zones.append(Zone(noeud.boite, 6, entree.url, titre))
            if anneau.autres and anneau.autres.url:
                titre = f"{anneau.autres.texte} — {anneau.niveau.label}"
                zones.append(Zone(anneau.autres.boite, 13, anneau.autres.url, titre))
        return zones

    @property
    def anneaux_du_dehors(self):
        """The rings from the outside in: each band is painted over the next one out."""
        return list(reversed(self.anneaux))

    @property
    def boites(self):
        """Every box drawn: the centre, the ring labels, the nodes with their labels."""
        r = self.centre_rayon
        boites = [Boite(self.cx - r, self.cy - r, 2 * r, 2 * r)]
        for anneau in self.anneaux:
            boites.append(anneau.nom.boite)
            if anneau.autres:
                boites.append(anneau.autres.boite)
            boites += [noeud.boite for noeud in anneau.noeuds]
        return boites


def _pastille(texte, cx, cy, url=""):
    largeur = largeur_texte(texte, ANNEAU_TAILLE, 600) + 2 * PUCE_PADDING
    hauteur = ANNEAU_TAILLE + 12
    return Pastille(Boite(cx - largeur / 2, cy - hauteur / 2, largeur, hauteur), texte, url)


@dataclass(frozen=True)
class _Gabarit:
    """A node's size, measured once per partner rather than at every angle tried."""

    sommet: Sommet
    rayon: float
    etiquette: tuple
    etiquette_largeur: float
    demi_largeur: float
    hauteur: float

    def en(self, x, y):
        boite = Boite(x - self.demi_largeur, y - self.rayon, 2 * self.demi_largeur, self.hauteur)
        return NoeudPlace(
            self.sommet, x, y, self.rayon, self.etiquette, self.etiquette_largeur, boite
        )


def _etiquette(entree):
    """A node's label: the name on at most two lines, else the acronym, else the name cut."""
    deux_lignes = lignes(entree.nom, ETIQUETTE_LARGEUR, ETIQUETTE_TAILLE, nb_max=2)
    if entree.sigle and deux_lignes[-1].endswith("…"):
        return [raccourcir(entree.sigle, ETIQUETTE_LARGEUR, ETIQUETTE_TAILLE)]
    return deux_lignes


def _gabarit(sommet):
    rayon = rayon_noeud(sommet.score)
    etiquette = _etiquette(sommet.entree)
    largeur = max(largeur_texte(ligne, ETIQUETTE_TAILLE) for ligne in etiquette)
    demi = max(rayon, largeur / 2 + ETIQUETTE_FOND)
    hauteur = 2 * rayon + ETIQUETTE_ECART + ETIQUETTE_INTERLIGNE * len(etiquette) + 3
    return _Gabarit(sommet, rayon, tuple(etiquette), largeur, demi, hauteur)


def _libre(boite, obstacles):
    return not any(boite.chevauche(autre, JEU / 2) for autre in obstacles)


def _pres_de(obstacles, rayon, cx, cy):
    """The obstacles that a node on the ring ``rayon`` could touch: the others are too far
    from the ring to matter, and skipping them keeps the search quick."""
    portee = NOEUD_RAYON_MAX + ETIQUETTE_LARGEUR
    proches = []
    for boite in obstacles:
        # Distance from the centre to the box: nearest and farthest points.
        dx = max(boite.x - cx, 0, cx - boite.droite)
        dy = max(boite.y - cy, 0, cy - boite.bas)
        pres = math.hypot(dx, dy)
        loin = math.hypot(
            max(abs(boite.x - cx), abs(boite.droite - cx)),
            max(abs(boite.y - cy), abs(boite.bas - cy)),
        )
        if pres <= rayon + portee and loin >= rayon - portee:
            proches.append(boite)
    return proches


def _a_l_angle(gabarit, rayon, cx, cy, angle):
    return gabarit.en(cx + rayon * math.cos(angle), cy + rayon * math.sin(angle))


def _angles_libres(gabarits, rayon, cx, cy, obstacles, debut, fin, ecart=0.0):
    """Greedy: each node at the first angle from the previous one where it overlaps nothing,
    and stays ``ecart`` more away from its neighbours on the ring. Returns the nodes placed,
    in order, stopping at the first that does not fit before ``fin``."""
    places, angle = [], debut
    marge = (JEU + ecart) / 2
    for gabarit in gabarits:
        while angle <= fin:
            noeud = _a_l_angle(gabarit, rayon, cx, cy, angle)
            # Around the ring, the last nodes placed come back near the first ones.
            voisins = places[-3:] + places[:3]
            if not any(noeud.boite.chevauche(v.boite, marge) for v in voisins) and _libre(
                noeud.boite, obstacles
            ):
                places.append(noeud)
                break
            angle += PAS
        else:
            break
    return places


def _valides(noeuds, obstacles):
    return all(
        _libre(noeud.boite, obstacles + [n.boite for n in noeuds[:index]])
        for index, noeud in enumerate(noeuds)
    )


def _placer_anneau(gabarits, rayon, cx, cy, obstacles, nom):
    """The nodes that fit on the ring, in order. ``nom``, the ring's label at its top, is an
    obstacle already: the arc runs from its right end around to its left end.

    When they all fit, they are spread over the whole ring rather than bunched from the top:
    evenly if that overlaps nothing, else packed with the widest gap between neighbours that
    still lets them all in (found by halving)."""
    obstacles = _pres_de(obstacles, rayon, cx, cy)
    demi_angle = math.asin(min(1.0, (nom.boite.largeur / 2 + JEU) / rayon))
    debut = -math.pi / 2 + demi_angle
    fin = debut + 2 * math.pi - 2 * demi_angle
    places = _angles_libres(gabarits, rayon, cx, cy, obstacles, debut, fin)
    if not places or len(places) < len(gabarits):
        return places
    pas = (fin - debut) / len(gabarits)
    reguliers = [
        _a_l_angle(gabarit, rayon, cx, cy, debut + (index + 0.5) * pas)
        for index, gabarit in enumerate(gabarits)
    ]
    if _valides(reguliers, obstacles):
        return reguliers
    bas, haut = 0.0, 2 * math.pi * rayon / len(gabarits)
    for _essai in range(8):
        ecart = (bas + haut) / 2
        essai = _angles_libres(gabarits, rayon, cx, cy, obstacles, debut, fin, ecart)
        if len(essai) == len(gabarits):
            places, bas = essai, ecart
        else:
            haut = ecart
    return places


def carte_disposer(centre_nom, anneaux):
    """The carte: ``anneaux`` gives, for each level (closest first), ``(sommets, total,
    url_autres)``: the partners to draw in order of priority (most connected first), how many
    partners that ring has in all, and where the others are listed."""
    cote = 2 * (RAYONS[-1] + CARTE_MARGE)
    cx = cy = cote / 2
    centre_lignes = lignes(centre_nom, 2 * CENTRE_RAYON - 24, 14, 600, nb_max=3)
    hauteur_texte = 17 * len(centre_lignes)
    centre_lignes = [
        (texte, cy - hauteur_texte / 2 + 13 + 17 * i) for i, texte in enumerate(centre_lignes)
    ]
    obstacles = [Boite(cx - CENTRE_RAYON, cy - CENTRE_RAYON, 2 * CENTRE_RAYON, 2 * CENTRE_RAYON)]
    # Every ring's label first: a node of an inner ring must not hide an outer ring's label.
    noms = [
        _pastille(str(niveau.label), cx, cy - rayon)
        for niveau, rayon in zip(NIVEAUX, RAYONS, strict=True)
    ]
    obstacles += [nom.boite for nom in noms]
    places = []
    for niveau, rayon, nom, (sommets, total, url_autres) in zip(
        NIVEAUX, RAYONS, noms, anneaux, strict=True
    ):
        gabarits = [_gabarit(sommet) for sommet in sommets]
        noeuds = _placer_anneau(gabarits, rayon, cx, cy, obstacles, nom)
        autres = None
        if len(noeuds) < total:
            # Room for the "+ N autres" link at the bottom of the ring, then place again.
            autres = _pastille(nb_autres_libelle(total), cx, cy + rayon, url_autres)
            noeuds = _placer_anneau(gabarits, rayon, cx, cy, obstacles + [autres.boite], nom)
            autres = _pastille(nb_autres_libelle(total - len(noeuds)), cx, cy + rayon, url_autres)
        obstacles += [n.boite for n in noeuds] + ([autres.boite] if autres else [])
        places.append(AnneauPlace(niveau, rayon, total, nom, noeuds, autres))
    for anneau, suivant in zip(places, places[1:], strict=False):
        anneau.bande = (anneau.rayon + suivant.rayon) / 2
    places[-1].bande = places[-1].rayon + (places[-1].rayon - places[-2].bande)
    return Carte(cote, cote, cx, cy, CENTRE_RAYON, centre_lignes, places)


def carte_description(carte):
    """The text alternative of the drawing, the table's summary in one sentence."""
    morceaux = [
        ngettext("%(niveau)s : %(nb)s partenaire", "%(niveau)s : %(nb)s partenaires", anneau.total)
        % {"niveau": anneau.niveau.label, "nb": anneau.total}
        for anneau in carte.anneaux
    ]
    return _(
        "Le centre au milieu, ses partenaires sur trois anneaux, du plus impliqué au moins "
        "impliqué. %(detail)s. Le tableau qui suit reprend les mêmes informations."
    ) % {"detail": " ; ".join(morceaux)}

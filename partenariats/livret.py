"""The livret des partenaires: every booklet partner's fiche signalétique in one printable PDF.

Staff ask for a booklet (``livret_demander``); a Celery task lays it out with WeasyPrint
(``livret_generer``) and records its progress on the ``Livret`` row, which the staff page shows.

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

Partner text is HTML-escaped by the template engine. WeasyPrint loads resources through
``LivretURLFetcher``, which serves our own static files (stylesheet, fonts) and refuses
everything else (file://, http(s)://, data:...), so no text can make the renderer read a
local file or call a remote server.
"""

import logging
import math
import mimetypes
import re
import threading
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from weasyprint.logger import PROGRESS_LOGGER
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from partenariats.enums import CategoriePartenaire, RegroupementLivret, StatutLivret
from partenariats.models import Contact, Livret, Partenaire, Theme
from reseau.models import Centre

logger = logging.getLogger(__name__)

# The booklet's HTML refers to its stylesheet and fonts under this origin (a reserved domain
# that never resolves, RFC 2606); the fetcher maps it to our static files and nothing else.
ORIGINE_RESSOURCES = "https://livret.invalid/static/"

# A booklet asked for again while the same one is still being made is the same request (a
# double click); after this delay, a booklet still pending is considered lost (worker killed).
DELAI_BLOCAGE = 60 * 60

# Progress shown on the staff page, in percent. Layout is most of the work: WeasyPrint reports
# each page it lays out, and the bar moves between these bounds as pages come.
PROGRES_DEBUT_MISE_EN_PAGE = 30
PROGRES_FIN_MISE_EN_PAGE = 90
# The bar moves by steps of 5 %: fewer database writes than pages.
PAS = 5


class RessourceRefusee(ValueError):
    """The booklet asked for a resource that is not one of our static files."""


class LivretURLFetcher(URLFetcher):
    """Serves the booklet's stylesheet and fonts from our static files; refuses anything else.

    Only ``ORIGINE_RESSOURCES`` + a relative path is served, read through the staticfiles
    finders (the same files in development and production, whatever the storage). Every other
    URL raises ``RessourceRefusee``, which WeasyPrint logs before leaving the resource out.
    """

    def fetch(self, url, headers=None):
        if not url.startswith(ORIGINE_RESSOURCES):
            logger.warning("Booklet: refused to fetch %.200s", url)
            raise RessourceRefusee(f"Only the booklet's own static files are served: {url:.200}")
        chemin = unquote(urlsplit(url).path.removeprefix(urlsplit(ORIGINE_RESSOURCES).path))
        fichier = _fichier_statique(chemin)
        if fichier is None:
            logger.warning("Booklet: no static file %.200s", chemin)
            raise RessourceRefusee(f"No such static file: {chemin:.200}")
        type_mime = mimetypes.guess_type(fichier.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, fichier.read_bytes(), {"Content-Type": type_mime})


def _fichier_statique(chemin):
    if not chemin or chemin.startswith("/") or ".." in Path(chemin).parts:
        return None
    try:
        trouve = finders.find(chemin)
    except (SuspiciousFileOperation, ValueError, OSError):  # a path we do not serve
        return None
    return Path(trouve) if trouve else None


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


def cle_alphabetique(texte):
    """Sort key for names: accents, case and leading punctuation ignored ("École" near "Ecole",
    "« L'Escale »" under L), the same on every database."""
    sans_accents = unicodedata.normalize("NFKD", texte or "")
    lettres = "".join(c for c in sans_accents if not unicodedata.combining(c)).casefold()
    return lettres.lstrip(" \"'«»“”‘’()[]-–—.,;:!?*#").strip()


def lettre_index(cle):
    initiale = cle[:1].upper()
    return initiale if initiale.isalpha() else "0-9"


def partenaires_du_livret(centre):
    """The centre's booklet partners, alphabetical, with themes and contacts: three queries."""
    partenaires = list(
        Partenaire.objects.for_centre(centre)
        .du_livret()
        .prefetch_related(
            Prefetch("themes", queryset=Theme.objects.order_by("ordre", "libelle")),
            Prefetch("contacts", queryset=Contact.objects.order_by("nom", "prenom", "pk")),
        )
    )
    for partenaire in partenaires:
        partenaire.cle_tri = cle_alphabetique(partenaire.nom)
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
        if sigle and not partenaire.cle_tri.startswith(cle_alphabetique(sigle)):
            plusieurs = len(renvois[pk]) > 1
            entrees.append(
                EntreeIndex(
                    libelle=sigle,
                    complement="" if plusieurs else partenaire.nom,
                    renvois=renvois[pk],
                    cle=cle_alphabetique(sigle),
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


def livret_html(*, centre, regroupement, date=None, partenaires=None):
    """The booklet as HTML, and its number of fiches (a partner has one per section)."""
    if partenaires is None:
        partenaires = partenaires_du_livret(centre)
    sections = sections_du_livret(partenaires, regroupement)
    html = render_to_string(
        "partenariats/pdf/livret.html",
        {
            "centre": centre,
            "date": date or timezone.localdate(),
            "regroupement": RegroupementLivret(regroupement),
            "sections": sections,
            "index": index_du_livret(sections),
            "nb_partenaires": len(partenaires),
            "ressources": ORIGINE_RESSOURCES,
        },
    )
    return html, sum(len(section.blocs) for section in sections)


def livret_document(html):
    """Lays the HTML out with WeasyPrint (the long step) and returns the document."""
    return weasyprint.HTML(
        string=html, base_url=ORIGINE_RESSOURCES, url_fetcher=LivretURLFetcher()
    ).render(font_config=FontConfiguration())


def nom_de_fichier(livret):
    """The French file name staff download, e.g. livret-partenaires-montanou-2026-11-23.pdf,
    dated like the cover (the day it was asked for)."""
    jour = timezone.localdate(livret.cree_le)
    return f"livret-partenaires-{livret.centre.slug}-{jour:%Y-%m-%d}.pdf"


@transaction.atomic
def livret_demander(*, centre, regroupement, par):
    """Records a booklet request and queues its making for after the commit.

    Returns the ``Livret``. If the same booklet (same centre and grouping) is already waiting
    or being made, that one is returned and nothing new is queued: a double click makes one
    booklet. Earlier booklets are never touched.
    """
    regroupement = RegroupementLivret(regroupement)
    # Serialises two requests of the same centre, so that the check above holds.
    Centre.objects.select_for_update().filter(pk=centre.pk).first()
    en_cours = (
        Livret.objects.for_centre(centre)
        .filter(
            regroupement=regroupement,
            statut__in=[StatutLivret.EN_ATTENTE, StatutLivret.EN_COURS],
            cree_le__gte=timezone.now() - timedelta(seconds=DELAI_BLOCAGE),
        )
        .first()
    )
    if en_cours is not None:
        return en_cours
    livret = Livret.objects.create(
        centre=centre,
        regroupement=regroupement,
        cree_par=par,
        statut=StatutLivret.EN_ATTENTE,
        etape=_("En attente de démarrage…"),
    )
    # Imported here: the tasks module imports this one.
    from partenariats.tasks_livret import generer_livret

    # robust: if the broker is down, the request still succeeds; the booklet stays waiting and
    # its page offers to try again once it is clearly lost (DELAI_BLOCAGE).
    # A lambda, not functools.partial: Django logs a failing robust callback by its
    # __qualname__, which a partial lacks (the logging itself would then raise).
    livret_id = livret.pk
    transaction.on_commit(lambda: generer_livret.delay(livret_id), robust=True)
    return livret


def _avancer(livret_id, progression, etape, **champs):
    # Outside any transaction (a Celery task), each update is committed at once and the staff
    # page sees it on its next refresh.
    Livret.objects.filter(pk=livret_id).update(progression=progression, etape=etape, **champs)


class _SuiviMiseEnPage(logging.Handler):
    """Turns WeasyPrint's "Step 5 - Creating layout - Page N" log lines into progress.

    WeasyPrint lays a document out in one call; its progress logger is the only window on it.
    The total is unknown until the end, so the bar moves against an estimate and never reaches
    the end of the layout span before the layout is done. Only the rendering thread counts.
    """

    def __init__(self, livret_id, pages_estimees):
        super().__init__(level=logging.INFO)
        self.livret_id = livret_id
        self.pages_estimees = max(pages_estimees, 1)
        self.thread = threading.get_ident()
        self.progression = PROGRES_DEBUT_MISE_EN_PAGE

    def emit(self, record):
        if (
            threading.get_ident() != self.thread
            or record.msg != "Step 5 - Creating layout - Page %d"
        ):
            return
        page = record.args[0]
        etendue = PROGRES_FIN_MISE_EN_PAGE - PROGRES_DEBUT_MISE_EN_PAGE
        fraction = min(page / self.pages_estimees, 0.95)
        progression = PROGRES_DEBUT_MISE_EN_PAGE + int(etendue * fraction) // PAS * PAS
        # One write per step, whatever the size of the booklet: at most 12.
        if progression <= self.progression:
            return
        self.progression = progression
        try:
            _avancer(
                self.livret_id,
                progression,
                _("Mise en page… page %(page)s sur environ %(total)s")
                % {"page": page, "total": self.pages_estimees},
            )
        except Exception:  # Progress is a courtesy: it never stops the booklet.
            logger.exception("Booklet %s: progress update failed", self.livret_id)


@contextmanager
def _suivi_weasyprint(livret_id, pages):
    """Follows WeasyPrint's progress logger while it works, and keeps its lines (one per page)
    out of the worker's log."""
    suivi = _SuiviMiseEnPage(livret_id, pages)
    niveau, propage = PROGRESS_LOGGER.level, PROGRESS_LOGGER.propagate
    PROGRESS_LOGGER.addHandler(suivi)
    PROGRESS_LOGGER.setLevel(logging.INFO)
    PROGRESS_LOGGER.propagate = False
    try:
        yield
    finally:
        PROGRESS_LOGGER.removeHandler(suivi)
        PROGRESS_LOGGER.setLevel(niveau)
        PROGRESS_LOGGER.propagate = propage


def pages_estimees(nb_blocs, nb_partenaires):
    """A rough page count for the progress bar: a fiche takes 0.3 to 0.5 page, plus the cover,
    the note, the table of contents and an index page per 40 partners."""
    return 4 + math.ceil(nb_blocs * 0.45) + nb_partenaires // 40


def livret_generer(*, livret_id):
    """Makes the booklet's PDF and stores it on the ``Livret``; safe to run twice.

    Progress (``progression``, ``etape``) is committed at each step. A booklet already made is
    left alone. Any error leaves the booklet in ``ECHEC`` with a message for staff (details go
    to the log) and is not raised again: running the same data again would fail the same way,
    and staff can ask for a new booklet with the "Réessayer" button.
    """
    livret = Livret.objects.select_related("centre").filter(pk=livret_id).first()
    if livret is None or livret.statut == StatutLivret.PRET:
        return livret
    centre = livret.centre
    _avancer(livret_id, 5, _("Lecture des fiches…"), statut=StatutLivret.EN_COURS, erreur="")
    try:
        partenaires = partenaires_du_livret(centre)
        _avancer(livret_id, 15, _("Préparation des pages…"))
        date = timezone.localdate(livret.cree_le)
        html, nb_blocs = livret_html(
            centre=centre, regroupement=livret.regroupement, date=date, partenaires=partenaires
        )
        nb_partenaires = len(partenaires)
        _avancer(livret_id, PROGRES_DEBUT_MISE_EN_PAGE, _("Mise en page…"))
        with _suivi_weasyprint(livret_id, pages_estimees(nb_blocs, nb_partenaires)):
            document = livret_document(html)
            nb_pages = len(document.pages)
            _avancer(livret_id, PROGRES_FIN_MISE_EN_PAGE, _("Écriture du PDF…"), nb_pages=nb_pages)
            pdf = document.write_pdf()
        del document
        livret.refresh_from_db()
        livret.fichier.save(f"livret-{livret.pk}.pdf", ContentFile(pdf), save=False)
        livret.statut = StatutLivret.PRET
        livret.progression = 100
        livret.etape = _("Livret prêt")
        livret.nb_partenaires = nb_partenaires
        livret.nb_pages = nb_pages
        livret.erreur = ""
        livret.termine_le = timezone.now()
        livret.save(
            update_fields=[
                "fichier",
                "statut",
                "progression",
                "etape",
                "nb_partenaires",
                "nb_pages",
                "erreur",
                "termine_le",
            ]
        )
    except Exception:
        logger.exception("Booklet %s of centre %s failed", livret_id, centre.pk)
        Livret.objects.filter(pk=livret_id).update(
            statut=StatutLivret.ECHEC,
            etape=_("Échec"),
            erreur=_(
                "La mise en page du livret a échoué. Réessayez dans quelques minutes ; si "
                "l'erreur revient, signalez-la à l'équipe technique de Maillage."
            ),
            termine_le=timezone.now(),
        )
        livret.refresh_from_db()
    return livret

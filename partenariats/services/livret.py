"""Making the livret des partenaires: staff ask for a booklet (``livret_demander``); a Celery
task lays it out (``livret_generer``) and records its progress on the ``Livret`` row, which the
staff page shows. What the booklet holds: ``partenariats.livret``.
"""

import logging
import math
import threading
from contextlib import contextmanager
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from weasyprint.logger import PROGRESS_LOGGER

from commun.pdf import pdf_rendre
from partenariats.enums import RegroupementLivret, StatutLivret
from partenariats.livret import GABARIT, livret_contexte, partenaires_du_livret
from partenariats.models import Livret
from reseau.models import Centre

logger = logging.getLogger(__name__)

# A booklet asked for again while the same one is still being made is the same request (a
# double click); after this delay, a booklet still pending is considered lost (worker killed).
DELAI_BLOCAGE = 60 * 60

# Progress shown on the staff page, in percent. Layout is most of the work: WeasyPrint reports
# each page it lays out, and the bar moves between these bounds as pages come.
PROGRES_DEBUT_MISE_EN_PAGE = 30
PROGRES_FIN_MISE_EN_PAGE = 90
# The bar moves by steps of 5 %: fewer database writes than pages.
PAS = 5


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
    from partenariats.tasks import generer_livret

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
        contexte, nb_blocs = livret_contexte(
            centre=centre, regroupement=livret.regroupement, date=date, partenaires=partenaires
        )
        nb_partenaires = len(partenaires)
        _avancer(livret_id, PROGRES_DEBUT_MISE_EN_PAGE, _("Mise en page…"))
        nb_pages = 0

        def mise_en_page_finie(document):
            nonlocal nb_pages
            nb_pages = len(document.pages)
            _avancer(livret_id, PROGRES_FIN_MISE_EN_PAGE, _("Écriture du PDF…"), nb_pages=nb_pages)

        with _suivi_weasyprint(livret_id, pages_estimees(nb_blocs, nb_partenaires)):
            pdf = pdf_rendre(GABARIT, contexte, apres_mise_en_page=mise_en_page_finie)
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
                "La mise en page du livret a échoué. Réessayez dans quelques minutes ; si "
                "l'erreur revient, signalez-la à l'équipe technique de Maillage."
            ),
            termine_le=timezone.now(),
        )
        livret.refresh_from_db()
    return livret

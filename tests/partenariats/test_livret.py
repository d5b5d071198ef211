"""The livret des partenaires: the PDF as a reader sees it (pdftotext), its URL fetcher, its
task and the staff pages.

Each PDF takes a few seconds to lay out, so each test that makes one checks all it can of it.
"""

import datetime
import logging
import os
import re
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains
from weasyprint.logger import PROGRESS_LOGGER

from commun.pdf import ORIGINE_RESSOURCES, FetcherStatique
from partenariats.enums import CategoriePartenaire, RegroupementLivret, StatutLivret
from partenariats.models import Livret
from partenariats.services import livret as service
from partenariats.services.livret import livret_demander, livret_generer
from partenariats.tasks import generer_livret
from tests.partenariats.factories import ContactFactory, LivretFactory, PartenaireFactory

pytestmark = pytest.mark.django_db

MAINTENANT = datetime.datetime(2026, 11, 23, 10, 30, tzinfo=ZoneInfo("Europe/Paris"))
LIVRETS = reverse("partenariats:livrets")


@pytest.fixture(autouse=True)
def _maintenant():
    with time_machine.travel(MAINTENANT, tick=False):
        yield


def pages_du_pdf(chemin, *, layout=False):
    """The PDF's text, one string per page, as pdftotext reads it."""
    options = ["-layout"] if layout else []
    sortie = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *options, str(chemin), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return sortie.split("\f")[:-1]


def sommaire(pages):
    """{section title: (number of partners, page)} read from the table of contents."""
    page = next(page for page in pages if "Sommaire" in page)
    lignes = re.findall(r"^\s*\d\d\s+(.+?) \((\d+)\)\s+(\d+)\s*$", page, re.MULTILINE)
    return {titre: (int(nombre), int(numero)) for titre, nombre, numero in lignes}


def page_de(pages, texte, *, avant=None):
    """Number (from 1) of the first page holding ``texte``, among the ``avant`` first pages."""
    for numero, page in enumerate(pages[:avant], start=1):
        if texte in " ".join(page.split()):
            return numero
    raise AssertionError(f"{texte!r} is on no page")


@pytest.fixture
def annuaire(centre, autre_centre):
    """Partners of the centre in and out of the booklet, and one of another centre."""
    caf = PartenaireFactory(
        centre=centre,
        caf=True,
        themes=["famille", "logement"],
        telephone="05 53 00 11 22",
        site_web="https://www.caf.fr/",
        horaires="Lundi : 9 h – 12 h\nJeudi : 14 h – 17 h",
    )
    ContactFactory(
        partenaire=caf,
        prenom="Sandrine",
        nom="Lacoste",
        fonction="Conseillère technique",
        publier_dans_livret=True,
    )
    # Not to be printed: staff (or the partner) did not choose to publish this person.
    ContactFactory(partenaire=caf, prenom="Gaspard", nom="Discret", telephone="06 99 88 77 66")
    jardins = PartenaireFactory(
        centre=centre, nom="Jardins partagés du Pin", themes=["environnement"]
    )
    mission_locale = PartenaireFactory(
        centre=centre,
        nom="Mission locale de l'Agenais",
        categorie=CategoriePartenaire.EMPLOI,
        themes=["emploi", "jeunesse", "insertion"],
    )
    sans_theme = PartenaireFactory(centre=centre, nom="Bibliothèque du quartier Montanou")
    piege = PartenaireFactory(
        centre=centre,
        nom="<b>Collectif</b> & Cie",
        missions='<img src="file:///etc/passwd">',
        publics='<img src="http://example.com/x.png">',
        services='<link rel="stylesheet" href="https://example.com/x.css">',
    )
    PartenaireFactory(centre=centre, nom="Association archivée Zébulon", archive=True)
    PartenaireFactory(centre=centre, nom="Collectif hors livret Yéti", dans_livret=False)
    PartenaireFactory(centre=autre_centre, nom="Épicerie solidaire de Fumel")
    return {
        "caf": caf,
        "jardins": jardins,
        "mission_locale": mission_locale,
        "sans_theme": sans_theme,
        "piege": piege,
    }


@pytest.fixture
def urls_demandees(monkeypatch):
    """Every URL WeasyPrint asks the fetcher for."""
    demandees = []
    fetch = FetcherStatique.fetch

    def espion(self, url, headers=None):
        demandees.append(url)
        return fetch(self, url, headers)

    monkeypatch.setattr(FetcherStatique, "fetch", espion)
    return demandees


def _generer(centre, regroupement):
    livret = LivretFactory(centre=centre, regroupement=regroupement, en_attente=True)
    livret = livret_generer(livret_id=livret.pk)
    assert livret.statut == StatutLivret.PRET, livret.erreur
    return livret


class TestPdf:
    def test_booklet_by_category(self, centre, annuaire, urls_demandees):
        livret = _generer(centre, RegroupementLivret.CATEGORIE)

        chemin = Path(livret.fichier.path)
        assert chemin.read_bytes().startswith(b"%PDF-")
        pages = pages_du_pdf(chemin)
        assert livret.nb_pages == len(pages)
        assert livret.nb_partenaires == 5
        assert (livret.progression, livret.etape) == (100, "Livret prêt")
        assert livret.termine_le == MAINTENANT

        # Cover: the centre, its territory, the date, the number of partners.
        couverture = " ".join(pages[0].split())
        for texte in (
            "Livret des partenaires",
            "Centre social de Montanou",
            "Agen",
            "Lot-et-Garonne (47)",
            "Édition du 23 novembre 2026",
            "5 partenaires, classés par catégorie",
        ):
            assert texte in couverture

        # Table of contents: the categories in the order of the enum, each with its page.
        toc = sommaire(pages_du_pdf(chemin, layout=True))
        assert list(toc) == [
            "Association",
            "CAF, MSA et autres organismes de sécurité sociale",
            "Emploi et formation (Mission locale, PLIE, France Travail)",
        ]
        assert toc["Association"][0] == 3
        index = next(n for n, page in enumerate(pages, 1) if "INDEX ALPHABÉTIQUE" in page)
        assert toc["CAF, MSA et autres organismes de sécurité sociale"][1] == page_de(
            pages, "Caisse d’allocations familiales de Lot-et-Garonne", avant=index - 1
        )
        assert toc["Emploi et formation (Mission locale, PLIE, France Travail)"][1] == page_de(
            pages, "Mission locale de l’Agenais", avant=index - 1
        )

        # Every booklet partner is in, nobody else.
        texte = " ".join(" ".join(pages).split())
        for nom, fois in (
            # Its fiche and its index entry, and its acronym's entry.
            ("Caisse d’allocations familiales de Lot-et-Garonne", 3),
            ("Jardins partagés du Pin", 2),
            ("Mission locale de l’Agenais", 2),
            ("Bibliothèque du quartier Montanou", 2),
            ("<b>Collectif</b> & Cie", 2),
        ):
            assert texte.count(nom) == fois, nom
        for absent in ("Zébulon", "Yéti", "Fumel", "Discret", "06 99 88 77 66"):
            assert absent not in texte

        # A fiche: the partner's details and its contact's professional ones.
        for detail in (
            "CAF",
            "05 53 00 11 22",
            "caf.fr",
            "Lundi : 9 h – 12 h Jeudi : 14 h – 17 h",
            "Sandrine Lacoste — Conseillère technique",
            "Famille",
            "Logement",
        ):
            assert detail in texte

        # Partner text is text: nothing in it was fetched or interpreted.
        assert '<img src="file:///etc/passwd">' in texte
        assert '<img src="http://example.com/x.png">' in texte
        assert '<link rel="stylesheet" href="https://example.com/x.css">' in texte
        assert urls_demandees
        assert all(url.startswith(ORIGINE_RESSOURCES) for url in urls_demandees)
        assert f"{ORIGINE_RESSOURCES}css/livret.css" in urls_demandees

        # Index: each partner with the page of its fiche; acronyms lead to the same page.
        index_texte = pages_du_pdf(chemin, layout=True)[index - 1]
        caf = "Caisse d’allocations familiales de Lot-et-Garonne"
        page_caf = page_de(pages, caf)
        assert re.search(rf"{caf}, CAF \.+ {page_caf}\b", index_texte)
        assert re.search(rf"CAF, {caf} \.+ {page_caf}\b", index_texte)
        for nom in ("Jardins partagés du Pin", "Bibliothèque du quartier Montanou"):
            assert re.search(rf"{nom} \.+ {page_de(pages, nom)}\b", index_texte), nom

        # Footer and running head.
        assert f"page 4 / {len(pages)}" in pages[3]
        assert "Centre social de Montanou" in pages[3]

    def test_booklet_by_theme_lists_a_partner_under_each_of_its_themes(self, centre, annuaire):
        livret = _generer(centre, RegroupementLivret.THEME)

        chemin = Path(livret.fichier.path)
        pages = pages_du_pdf(chemin)
        pages_layout = pages_du_pdf(chemin, layout=True)
        assert "5 partenaires, classés par thème" in " ".join(pages[0].split())
        toc = sommaire(pages_layout)
        # Themes in their shared order, partners without a theme last.
        assert list(toc) == [
            "Logement",
            "Insertion",
            "Emploi",
            "Jeunesse",
            "Famille",
            "Environnement",
            "Autres partenaires",
        ]
        assert {titre: nombre for titre, (nombre, _) in toc.items()} == {
            "Logement": 1,
            "Insertion": 1,
            "Emploi": 1,
            "Jeunesse": 1,
            "Famille": 1,
            "Environnement": 1,
            "Autres partenaires": 2,
        }
        index = next(n for n, page in enumerate(pages, 1) if "INDEX ALPHABÉTIQUE" in page)
        texte = " ".join(" ".join(pages[: index - 1]).split())
        assert texte.count("Mission locale de l’Agenais") == 3
        assert texte.count("Caisse d’allocations familiales de Lot-et-Garonne") == 2
        # The category is told on each fiche when the sections are themes.
        assert "CAF, MSA ET AUTRES ORGANISMES DE SÉCURITÉ SOCIALE" in texte

        # The index gives the page of each appearance, under the theme's name.
        index_texte = pages_layout[index - 1]
        for theme in ("Emploi", "Jeunesse", "Insertion"):
            page = toc[theme][1]
            assert re.search(rf"^\s*{theme} \.+ {page}\b", index_texte, re.MULTILINE), theme
        # An acronym of a partner with several appearances points to its entry.
        assert "CAF, voir Caisse d’allocations familiales de Lot-et-Garonne" in " ".join(
            index_texte.split()
        )

    def test_an_empty_booklet_is_still_a_booklet(self, centre):
        livret = _generer(centre, RegroupementLivret.CATEGORIE)

        pages = pages_du_pdf(Path(livret.fichier.path))
        assert livret.nb_partenaires == 0
        assert "Aucun partenaire n’est encore inscrit au livret." in " ".join(pages[0].split())


class TestProgression:
    def test_layout_progress_comes_from_weasyprint_pages(self, centre):
        livret = LivretFactory(centre=centre, en_cours=True, progression=30)
        suivi = service._SuiviMiseEnPage(livret.pk, pages_estimees=10)
        PROGRESS_LOGGER.addHandler(suivi)
        try:
            suivi.handle(
                logging.LogRecord(
                    PROGRESS_LOGGER.name,
                    logging.INFO,
                    __file__,
                    1,
                    "Step 5 - Creating layout - Page %d",
                    (5,),
                    None,
                )
            )
        finally:
            PROGRESS_LOGGER.removeHandler(suivi)

        livret.refresh_from_db()
        assert livret.progression == 60
        assert livret.etape == "Mise en page… page 5 sur environ 10"

    def test_steps_are_recorded_in_order(self, centre, monkeypatch):
        etapes = []
        avancer = service._avancer

        def espion(livret_id, progression, etape, **champs):
            etapes.append((progression, etape))
            avancer(livret_id, progression, etape, **champs)

        monkeypatch.setattr(service, "_avancer", espion)
        PartenaireFactory(centre=centre)

        _generer(centre, RegroupementLivret.CATEGORIE)

        progressions = [progression for progression, _ in etapes]
        assert progressions == sorted(progressions)
        assert etapes[0] == (5, "Lecture des fiches…")
        # WeasyPrint's own page count moves the bar during the layout.
        assert any(etape.startswith("Mise en page… page 1 sur environ") for _, etape in etapes)
        assert etapes[-1] == (90, "Écriture du PDF…")

    def test_failure_leaves_a_french_message(self, centre, monkeypatch, caplog):
        def panne(gabarit, contexte, **options):
            raise RuntimeError("cairo est parti en vacances")

        monkeypatch.setattr(service, "pdf_rendre", panne)
        livret = LivretFactory(centre=centre, en_attente=True)

        with caplog.at_level(logging.ERROR, logger="partenariats.services.livret"):
            livret = livret_generer(livret_id=livret.pk)

        assert livret.statut == StatutLivret.ECHEC
        assert livret.erreur.startswith("La mise en page du livret a échoué.")
        assert "cairo" not in livret.erreur
        assert not livret.fichier
        assert "cairo est parti en vacances" in caplog.text

    def test_a_booklet_already_made_is_left_alone(self, centre):
        livret = LivretFactory(centre=centre)
        fichier = livret.fichier.name

        generer_livret.delay(livret.pk)

        livret.refresh_from_db()
        assert (livret.statut, livret.fichier.name) == (StatutLivret.PRET, fichier)


class TestDemande:
    def test_a_double_click_makes_one_booklet(self, centre, salarie_user):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("partenariats.tasks.generer_livret.delay", lambda pk: None)
            premier = livret_demander(centre=centre, regroupement="theme", par=salarie_user)
            second = livret_demander(centre=centre, regroupement="theme", par=salarie_user)
            autre = livret_demander(centre=centre, regroupement="categorie", par=salarie_user)

        assert second == premier
        assert autre != premier
        assert premier.statut == StatutLivret.EN_ATTENTE

    def test_queued_after_commit(self, centre, salarie_user, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks() as callbacks:
            livret_demander(centre=centre, regroupement="categorie", par=salarie_user)
        assert len(callbacks) == 1


class TestPages:
    def test_staff_generate_then_download(
        self, client_salarie, centre, django_capture_on_commit_callbacks
    ):
        PartenaireFactory(centre=centre, nom="Régie de quartier Agen Montanou")

        with django_capture_on_commit_callbacks(execute=True):
            response = client_salarie.post(LIVRETS, {"regroupement": "categorie"})

        livret = Livret.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("partenariats:livret_detail", args=[livret.pk])
        assert livret.statut == StatutLivret.PRET
        assert livret.cree_par.membres.get().centre == centre

        detail = client_salarie.get(response["Location"])
        telecharger = reverse("partenariats:livret_telecharger", args=[livret.pk])
        assertContains(detail, f'href="{telecharger}"')
        assertNotContains(detail, "hx-get")

        fichier = client_salarie.get(telecharger)
        contenu = b"".join(fichier.streaming_content)
        assert fichier["Content-Type"] == "application/pdf"
        assert fichier["Content-Disposition"] == (
            f'attachment; filename="livret-partenaires-{centre.slug}-2026-11-23.pdf"'
        )
        assert contenu.startswith(b"%PDF-")

        liste = client_salarie.get(LIVRETS)
        assertContains(liste, telecharger)
        assertContains(liste, "Par catégorie")

    def test_progress_page_updates_itself(self, client_lecture, centre):
        livret = LivretFactory(centre=centre, en_cours=True)
        url = reverse("partenariats:livret_detail", args=[livret.pk])

        response = client_lecture.get(url)

        assertContains(response, f'hx-get="{url}" hx-trigger="every 2s"')
        assertContains(response, '<meta http-equiv="refresh" content="2">')  # in <noscript>
        assertContains(response, 'role="progressbar"')
        assertContains(response, 'aria-valuenow="60"')
        assertContains(response, "Mise en page… page 12 sur environ 40 — 60 %")
        assertNotContains(response, "Télécharger")

        barre = client_lecture.get(url, headers={"HX-Request": "true"})
        assertContains(barre, 'aria-valuenow="60"')
        assertContains(barre, "Mise en page… page 12 sur environ 40 — 60 %")
        assertContains(barre, f'hx-get="{url}"')
        assertNotContains(barre, "<html")

        Livret.objects.filter(pk=livret.pk).update(statut=StatutLivret.PRET)
        fini = client_lecture.get(url, headers={"HX-Request": "true"})
        assert (fini.status_code, fini["HX-Refresh"], fini.content) == (200, "true", b"")

    def test_a_booklet_lost_for_an_hour_offers_a_new_try(self, client_salarie, centre):
        with time_machine.travel(MAINTENANT - datetime.timedelta(hours=2), tick=False):
            livret = LivretFactory(centre=centre, en_cours=True)

        response = client_salarie.get(reverse("partenariats:livret_detail", args=[livret.pk]))

        assertNotContains(response, "hx-get")
        assertContains(response, "Réessayer")

    def test_failure_shows_the_message_and_a_retry_button(self, client_salarie, centre):
        livret = LivretFactory(centre=centre, echec=True, regroupement="theme")

        response = client_salarie.get(reverse("partenariats:livret_detail", args=[livret.pk]))

        assertContains(response, "La mise en page du livret a échoué.")
        assertContains(response, f'<form method="post" action="{LIVRETS}">')
        assertContains(response, '<input type="hidden" name="regroupement" value="theme">')
        assertContains(response, "Réessayer")

    def test_read_only_members_view_and_download_but_do_not_generate(self, client_lecture, centre):
        livret = LivretFactory(centre=centre)

        liste = client_lecture.get(LIVRETS)
        assert liste.status_code == 200
        assertNotContains(liste, "Préparer le livret")
        assert client_lecture.post(LIVRETS, {"regroupement": "theme"}).status_code == 403
        assert Livret.objects.count() == 1
        fichier = client_lecture.get(reverse("partenariats:livret_telecharger", args=[livret.pk]))
        assert b"".join(fichier.streaming_content).startswith(b"%PDF")

        echec = LivretFactory(centre=centre, echec=True)
        detail = client_lecture.get(reverse("partenariats:livret_detail", args=[echec.pk]))
        assertNotContains(detail, "Réessayer")

    def test_another_centres_booklet_is_not_found(self, client_salarie, autre_centre):
        livret = LivretFactory(centre=autre_centre)

        for nom in ("partenariats:livret_detail", "partenariats:livret_telecharger"):
            assert client_salarie.get(reverse(nom, args=[livret.pk])).status_code == 404
        assertNotContains(client_salarie.get(LIVRETS), reverse(nom, args=[livret.pk]))

    @pytest.mark.parametrize("trait", ["en_attente", "en_cours", "echec"])
    def test_no_download_before_the_booklet_is_ready(self, client_salarie, centre, trait):
        livret = LivretFactory(centre=centre, **{trait: True})

        url = reverse("partenariats:livret_telecharger", args=[livret.pk])
        assert client_salarie.get(url).status_code == 404

    def test_an_unknown_grouping_is_refused(self, client_salarie):
        response = client_salarie.post(LIVRETS, {"regroupement": "commune"})

        assert response.status_code == 200
        assert response.context["form"].errors["regroupement"]
        assert not Livret.objects.exists()

    def test_list_has_a_query_budget(self, client_lecture, centre, django_assert_max_num_queries):
        LivretFactory.create_batch(3, centre=centre)
        LivretFactory(centre=centre, echec=True)

        # Session, user, membres; booklets count and page; partners in the booklet.
        with django_assert_max_num_queries(6):
            response = client_lecture.get(LIVRETS)

        assert len(response.context["livrets"]) == 4

    def test_directory_links_to_the_booklets(self, client_lecture):
        assertContains(client_lecture.get(reverse("partenariats:liste")), f'href="{LIVRETS}"')


def test_a_worker_knows_the_task():
    """Celery's autodiscovery imports ``partenariats.tasks``, where the booklet's task lives.
    Checked in a fresh process: this test module imports the task itself."""
    code = (
        "import django; django.setup(); from maillage.celery import app; "
        "app.loader.import_default_modules(); "
        "print('partenariats.tasks.generer_livret' in app.tasks)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "maillage.settings", "DEBUG": "1"}
    sortie = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert sortie.stdout.strip().splitlines()[-1] == "True"

"""Projects and actions: their partners (RACI, freins et leviers), bilans with figures and
pieces, the RACI table and the bilan as PDFs, as services and as staff use the pages."""

import html
import io
import logging
import re
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from partenariats.demo import projets as demo_projets
from partenariats.enums import GenreProjet, NiveauImplication, RoleRaci, StatutProjet
from partenariats.models import Bilan, ChiffreBilan, ParticipationProjet, PieceBilan, Projet
from partenariats.pdf_projets import bilan_pdf, raci_pdf
from partenariats.services import projets as services
from partenariats.templatetags.projets_tags import chiffre
from tests.partenariats.factories import (
    BilanFactory,
    ChiffreBilanFactory,
    ConventionFactory,
    PartenaireFactory,
    ParticipationProjetFactory,
    PieceBilanFactory,
    ProjetFactory,
)

pytestmark = pytest.mark.django_db


def png(largeur=60, hauteur=40, couleur="#5e9e3a"):
    sortie = io.BytesIO()
    Image.new("RGB", (largeur, hauteur), couleur).save(sortie, format="PNG")
    return sortie.getvalue()


def photo(nom="atelier.png"):
    return SimpleUploadedFile(nom, png(), "image/png")


def texte_pdf(contenu, *, layout=False):
    options = ["-layout"] if layout else []
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *options, "-", "-"],
        input=contenu,
        capture_output=True,
        check=True,
    ).stdout.decode()


def infos_pdf(contenu):
    sortie = subprocess.run(
        ["pdfinfo", "-"], input=contenu, capture_output=True, check=True
    ).stdout.decode()
    return dict(re.findall(r"^([^:]+):\s+(.*)$", sortie, re.MULTILINE))


def un_seul_espace(texte):
    # Not str.split(): it would take the no-break spaces the pages must keep for spaces.
    return re.sub(r"[ \t\r\n\f]+", " ", texte).strip()


def lu(response):
    """The page's HTML with entities decoded and runs of spaces as one, to find a sentence
    with an apostrophe in it."""
    return un_seul_espace(html.unescape(response.content.decode()))


@pytest.fixture
def projet(centre):
    return ProjetFactory(
        centre=centre,
        titre="Bien dans son assiette, bien dans ses baskets",
        diagnostic="Des enfants qui mangent peu de légumes.",
        debut=date(2025, 9, 1),
        fin=date(2027, 6, 30),
    )


@pytest.fixture
def codes(centre):
    return PartenaireFactory(centre=centre, nom="Comité départemental d'éducation pour la santé")


# --- Services ---------------------------------------------------------------------------------


class TestServices:
    def test_a_project_is_carried_by_a_partner_of_its_own_centre(self, centre, autre_centre):
        ailleurs = PartenaireFactory(centre=autre_centre)
        with pytest.raises(ValidationError):
            services.projet_creer(centre=centre, titre="Jardin partagé", porteur=ailleurs)
        assert not Projet.objects.exists()

        projet = services.projet_creer(
            centre=centre, titre="Jardin partagé", genre=GenreProjet.ACTION
        )
        with pytest.raises(ValidationError):
            services.projet_modifier(projet=projet, porteur=ailleurs)
        projet = services.projet_modifier(projet=projet, statut=StatutProjet.TERMINE)
        assert projet.statut == StatutProjet.TERMINE
        assert projet.genre == GenreProjet.ACTION

    def test_a_partner_joins_a_project_once(self, projet, codes, autre_centre):
        participation = services.participation_ajouter(
            projet=projet,
            partenaire=codes,
            role=RoleRaci.RESPONSABLE,
            niveau=NiveauImplication.CO_PORTEUR,
            horizon="court",
            freins="Peu d'animatrices disponibles.",
        )
        with pytest.raises(ValidationError, match="fait déjà partie du projet"):
            services.participation_ajouter(
                projet=projet, partenaire=codes, role="C", niveau="allie", horizon="court"
            )
        with pytest.raises(ValidationError):
            services.participation_ajouter(
                projet=projet,
                partenaire=PartenaireFactory(centre=autre_centre),
                role="C",
                niveau="allie",
                horizon="court",
            )
        participation = services.participation_modifier(
            participation=participation, role=RoleRaci.CONSULTE, leviers="Un public à toucher."
        )
        assert (participation.role, participation.freins, participation.leviers) == (
            "C",
            "Peu d'animatrices disponibles.",
            "Un public à toucher.",
        )
        with pytest.raises(ValueError):
            services.participation_modifier(participation=participation, partenaire=codes)
        services.participation_retirer(participation=participation)
        assert not ParticipationProjet.objects.exists()
        assert codes.pk  # the fiche stays

    def test_a_bilan_keeps_its_figures_in_order_and_replaces_them(self, projet, admin_user):
        bilan = services.bilan_creer(
            projet=projet,
            par=admin_user,
            date=date(2026, 6, 30),
            titre="Bilan de mi-parcours",
            chiffres=[
                {"libelle": "ateliers", "valeur": Decimal("18"), "unite": ""},
                {"libelle": "satisfaction", "valeur": Decimal("4.5"), "unite": "/ 5"},
            ],
        )
        assert [(c.libelle, c.valeur, c.ordre) for c in bilan.chiffres.all()] == [
            ("ateliers", Decimal("18.00"), 0),
            ("satisfaction", Decimal("4.50"), 1),
        ]
        assert bilan.cree_par == admin_user

        bilan = services.bilan_modifier(
            bilan=bilan,
            titre="Bilan de l'été",
            chiffres=[{"libelle": "familles", "valeur": Decimal("42"), "unite": ""}],
        )
        assert bilan.titre == "Bilan de l'été"
        assert list(bilan.chiffres.values_list("libelle", flat=True)) == ["familles"]
        # Without figures given, they stay as they are.
        services.bilan_modifier(bilan=bilan, texte="Un été réussi.")
        assert ChiffreBilan.objects.filter(bilan=bilan).count() == 1

    def test_pieces_are_checked_by_content_and_named_truthfully(self, projet):
        bilan = BilanFactory(projet=projet)
        piece = services.piece_ajouter(
            bilan=bilan, fichier=SimpleUploadedFile("photo.pdf", png()), legende="Atelier"
        )
        # A PNG named .pdf is a photo: its name says so.
        assert (piece.nom, piece.nature, piece.est_image) == ("photo.png", "png", True)
        assert piece.taille == len(png())

        with pytest.raises(ValidationError, match="n'est pas un"):
            services.piece_ajouter(
                bilan=bilan, fichier=SimpleUploadedFile("compte-rendu.pdf", b"Bonjour")
            )
        gros = SimpleUploadedFile("gros.pdf", b"%PDF-1.4\n" + b"0" * (30 * 1024 * 1024))
        with pytest.raises(ValidationError, match="Ce fichier pèse"):
            services.piece_ajouter(bilan=bilan, fichier=gros)
        assert PieceBilan.objects.count() == 1

    def test_a_bilan_holds_at_most_pieces_max(self, projet, monkeypatch):
        monkeypatch.setattr(services, "PIECES_MAX", 2)
        bilan = BilanFactory(projet=projet)
        services.piece_ajouter(bilan=bilan, fichier=photo())
        services.piece_ajouter(bilan=bilan, fichier=photo())
        with pytest.raises(ValidationError, match="retirez-en une"):
            services.piece_ajouter(bilan=bilan, fichier=photo())

    def test_files_go_once_their_rows_are_deleted(self, projet, django_capture_on_commit_callbacks):
        bilan = BilanFactory(projet=projet)
        premiere = services.piece_ajouter(bilan=bilan, fichier=photo())
        seconde = services.piece_ajouter(bilan=bilan, fichier=photo())
        stockage = premiere.fichier.storage
        assert stockage.exists(premiere.fichier.name)

        with django_capture_on_commit_callbacks(execute=True):
            services.piece_retirer(piece=premiere)
        assert not stockage.exists(premiere.fichier.name)
        assert stockage.exists(seconde.fichier.name)

        convention = ConventionFactory(centre=projet.centre, projet=projet)
        with django_capture_on_commit_callbacks(execute=True):
            assert services.projet_supprimer(projet=projet) == 1
        assert not stockage.exists(seconde.fichier.name)
        assert not Bilan.objects.exists()
        convention.refresh_from_db()
        assert convention.projet is None

    def test_a_rolled_back_deletion_keeps_its_files(
        self, projet, django_capture_on_commit_callbacks
    ):
        piece = services.piece_ajouter(bilan=BilanFactory(projet=projet), fichier=photo())
        with django_capture_on_commit_callbacks(execute=False) as rappels:
            services.bilan_supprimer(bilan=piece.bilan)
        assert rappels  # run only once committed
        assert piece.fichier.storage.exists(piece.fichier.name)


@pytest.mark.parametrize(
    ("valeur", "attendu"),
    [
        ("42", "42"),
        ("42.00", "42"),
        ("3.50", "3,5"),
        ("1250", "1\u00a0250"),
        ("100", "100"),
        ("-0.25", "-0,25"),
    ],
)
def test_figures_are_written_the_french_way(valeur, attendu):
    assert chiffre(Decimal(valeur)) == attendu


# --- Pages ------------------------------------------------------------------------------------


class TestListe:
    url = reverse("partenariats:projet_liste")

    def test_lists_projects_and_actions_with_filters(self, client_lecture, centre, autre_centre):
        projet = ProjetFactory(centre=centre, titre="Bien dans son assiette")
        ParticipationProjetFactory.create_batch(3, centre=centre, projet=projet)
        BilanFactory(projet=projet, date=date(2026, 6, 30))
        ProjetFactory(centre=centre, titre="Stages sportifs", genre=GenreProjet.ACTION)
        ProjetFactory(centre=autre_centre, titre="Projet ailleurs")

        response = client_lecture.get(self.url)
        assertContains(response, "Bien dans son assiette")
        assertContains(response, "Stages sportifs")
        assertNotContains(response, "Projet ailleurs")
        assertContains(response, "2 projets et actions")
        assertContains(response, "30 juin 2026")
        assertNotContains(response, reverse("partenariats:projet_creer"))

        response = client_lecture.get(self.url, {"genre": "action"})
        assert [p.titre for p in response.context["projets"]] == ["Stages sportifs"]
        # An unknown value is ignored rather than an error.
        response = client_lecture.get(self.url, {"genre": "n'importe quoi"})
        assert response.status_code == 200
        assert len(response.context["projets"]) == 2

    def test_staff_see_the_button_to_create(self, client_salarie):
        assertContains(client_salarie.get(self.url), reverse("partenariats:projet_creer"))

    def test_query_count_is_constant(self, client_lecture, centre, django_assert_max_num_queries):
        def projets(nombre):
            for _n in range(nombre):
                projet = ProjetFactory(centre=centre)
                ParticipationProjetFactory.create_batch(2, centre=centre, projet=projet)
                BilanFactory(projet=projet)

        projets(3)
        with django_assert_max_num_queries(12) as petit:
            client_lecture.get(self.url)
        projets(50)
        with django_assert_max_num_queries(len(petit.captured_queries)):
            response = client_lecture.get(self.url)
        assert len(response.context["projets"]) == 50


class TestProjet:
    def test_the_page_shows_partners_by_raci_role_freins_leviers_and_bilans(
        self, client_lecture, projet, codes
    ):
        ParticipationProjetFactory(
            projet=projet,
            partenaire=codes,
            role=RoleRaci.RESPONSABLE,
            niveau=NiveauImplication.CO_PORTEUR,
            freins="Peu d'animatrices disponibles.",
            leviers="Un public difficile à toucher autrement.",
        )
        ParticipationProjetFactory(
            projet=projet,
            partenaire=PartenaireFactory(centre=projet.centre, nom="Restos du Cœur"),
            role=RoleRaci.INFORME,
        )
        BilanFactory(projet=projet, titre="Bilan de mi-parcours", date=date(2026, 3, 1))

        response = client_lecture.get(projet.get_absolute_url())
        texte = un_seul_espace(response.content.decode())
        assert texte.index("Responsable") < texte.index("Comité départemental")
        assert texte.index("Comité départemental") < texte.index("Informé")
        assert texte.index("Informé") < texte.index("Restos du Cœur")
        assertContains(response, "Co-porteur")
        assert "Peu d'animatrices disponibles." in lu(response)
        assertContains(response, "Un public difficile à toucher autrement.")
        assertContains(response, "Des enfants qui mangent peu de légumes.")
        assertContains(response, "du 1er septembre 2025 au 30 juin 2027")
        assertContains(response, "Bilan de mi-parcours")
        assertContains(response, "1er mars 2026")
        assertContains(response, "le centre (Centre social de Montanou)")
        assertContains(response, reverse("partenariats:projet_raci", args=[projet.pk]))
        assertNotContains(response, reverse("partenariats:projet_modifier", args=[projet.pk]))

    def test_query_count_does_not_grow_with_partners_and_bilans(
        self, client_lecture, projet, django_assert_max_num_queries
    ):
        ParticipationProjetFactory(projet=projet)
        BilanFactory(projet=projet)
        with django_assert_max_num_queries(15) as petit:
            client_lecture.get(projet.get_absolute_url())
        for role in "RACI" * 5:
            ParticipationProjetFactory(projet=projet, role=role)
        for _n in range(5):
            ChiffreBilanFactory(bilan=BilanFactory(projet=projet))
        with django_assert_max_num_queries(len(petit.captured_queries)):
            client_lecture.get(projet.get_absolute_url())

    def test_another_centres_project_is_a_404(self, client_lecture, autre_centre):
        projet = ProjetFactory(centre=autre_centre)
        assert client_lecture.get(projet.get_absolute_url()).status_code == 404
        piece = PieceBilanFactory(centre=autre_centre)
        url = reverse("partenariats:piece_fichier", args=[piece.pk])
        assert client_lecture.get(url).status_code == 404

    def test_create_update_and_delete(self, client_salarie, centre, codes):
        response = client_salarie.post(
            reverse("partenariats:projet_creer"),
            {
                "titre": "Stages sportifs des vacances",
                "genre": "action",
                "statut": "en_preparation",
                "porteur": codes.pk,
                "debut": "2026-07-06",
                "fin": "2026-07-03",
            },
        )
        assertContains(response, "La fin ne peut pas précéder le début.")
        # What was typed is shown again.
        assertContains(response, "Stages sportifs des vacances")

        response = client_salarie.post(
            reverse("partenariats:projet_creer"),
            {
                "titre": "Stages sportifs des vacances",
                "genre": "action",
                "statut": "en_preparation",
                "porteur": "",
                "debut": "2026-07-06",
            },
            follow=True,
        )
        projet = Projet.objects.get()
        assertRedirects(response, projet.get_absolute_url())
        assertContains(response, "Action créée\u00a0: Stages sportifs des vacances.")
        assert (projet.centre, projet.porteur, projet.genre) == (centre, None, "action")

        url = reverse("partenariats:projet_modifier", args=[projet.pk])
        client_salarie.post(
            url,
            {"titre": "Stages sportifs", "genre": "action", "statut": "en_cours", "porteur": ""},
        )
        projet.refresh_from_db()
        assert (projet.titre, projet.statut, projet.debut) == ("Stages sportifs", "en_cours", None)

        ParticipationProjetFactory(projet=projet)
        BilanFactory(projet=projet)
        url = reverse("partenariats:projet_supprimer", args=[projet.pk])
        response = client_salarie.get(url)
        assertContains(response, "1 bilan, ses chiffres, ses photos et ses documents")
        assertContains(response, "la place de 1 partenaire")
        assert Projet.objects.exists()
        response = client_salarie.post(url, follow=True)
        assertRedirects(response, reverse("partenariats:projet_liste"))
        assertContains(response, "Action supprimée\u00a0: Stages sportifs.")
        assert not Projet.objects.exists()

    def test_a_porteur_of_another_centre_cannot_be_chosen(self, client_salarie, autre_centre):
        ailleurs = PartenaireFactory(centre=autre_centre)
        response = client_salarie.post(
            reverse("partenariats:projet_creer"),
            {"titre": "Projet", "genre": "projet", "statut": "en_cours", "porteur": ailleurs.pk},
        )
        assert response.status_code == 200
        assertContains(response, "Sélectionnez un choix valide")
        assert not Projet.objects.exists()

    def test_read_only_members_cannot_change_anything(self, client_lecture, projet):
        participation = ParticipationProjetFactory(projet=projet)
        bilan = BilanFactory(projet=projet)
        piece = PieceBilanFactory(bilan=bilan)
        for nom, pk in [
            ("projet_creer", None),
            ("projet_modifier", projet.pk),
            ("projet_supprimer", projet.pk),
            ("participation_ajouter", projet.pk),
            ("participation_modifier", participation.pk),
            ("participation_retirer", participation.pk),
            ("bilan_creer", projet.pk),
            ("bilan_modifier", bilan.pk),
            ("bilan_supprimer", bilan.pk),
            ("piece_ajouter", bilan.pk),
            ("piece_retirer", piece.pk),
        ]:
            url = reverse(f"partenariats:{nom}", args=[pk] if pk else [])
            assert client_lecture.get(url).status_code == 403, nom
            assert client_lecture.post(url).status_code == 403, nom
        assert Projet.objects.count() == 1
        assert PieceBilan.objects.count() == 1


class TestPartenaires:
    def test_add_change_and_remove_a_partner(self, client_salarie, projet, codes, autre_centre):
        deja = ParticipationProjetFactory(projet=projet)
        archive = PartenaireFactory(centre=projet.centre, archive=True)
        ailleurs = PartenaireFactory(centre=autre_centre)
        url = reverse("partenariats:participation_ajouter", args=[projet.pk])

        choix = list(client_salarie.get(url).context["form"].fields["partenaire"].queryset)
        assert codes in choix
        assert deja.partenaire not in choix
        assert archive not in choix
        assert ailleurs not in choix

        response = client_salarie.post(
            url,
            {"partenaire": ailleurs.pk, "role": "R", "niveau": "allie", "horizon": "court"},
        )
        assertContains(response, "Sélectionnez un choix valide")
        response = client_salarie.post(
            url,
            {
                "partenaire": codes.pk,
                "role": "R",
                "niveau": "co_porteur",
                "horizon": "court",
                "freins": "Peu de dates disponibles.",
                "leviers": "Un public à toucher.",
            },
            follow=True,
        )
        assertContains(response, "Partenaire ajouté au projet")
        participation = ParticipationProjet.objects.get(partenaire=codes)
        assert (participation.role, participation.niveau, participation.freins) == (
            "R",
            "co_porteur",
            "Peu de dates disponibles.",
        )

        url = reverse("partenariats:participation_modifier", args=[participation.pk])
        response = client_salarie.get(url)
        assert "partenaire" not in response.context["form"].fields
        client_salarie.post(url, {"role": "A", "niveau": "allie", "horizon": "moyen"})
        participation.refresh_from_db()
        assert (participation.role, participation.horizon, participation.freins) == (
            "A",
            "moyen",
            "",
        )

        url = reverse("partenariats:participation_retirer", args=[participation.pk])
        assert "Sa fiche reste dans l'annuaire" in lu(client_salarie.get(url))
        assert ParticipationProjet.objects.filter(pk=participation.pk).exists()
        response = client_salarie.post(url)
        assertRedirects(response, projet.get_absolute_url() + "#partenaires")
        assert not ParticipationProjet.objects.filter(pk=participation.pk).exists()

    def test_a_project_with_every_partner_says_so(self, client_salarie, projet):
        url = reverse("partenariats:participation_ajouter", args=[projet.pk])
        assertContains(client_salarie.get(url), "font déjà partie du projet")

    def test_the_partners_page_lists_its_projects(self, client_lecture, projet, codes):
        ParticipationProjetFactory(projet=projet, partenaire=codes, role=RoleRaci.APPROBATEUR)
        porte = ProjetFactory(centre=projet.centre, titre="Jardin partagé", porteur=codes)
        ProjetFactory(centre=projet.centre, titre="Sans ce partenaire")

        response = client_lecture.get(codes.get_absolute_url())
        assertContains(response, projet.get_absolute_url())
        assert "Approbateur (A), niveau d'implication\u00a0: allié" in lu(response)
        assertContains(response, porte.get_absolute_url())
        assertContains(response, "porte le projet")
        assertNotContains(response, "Sans ce partenaire")

        autre = PartenaireFactory(centre=projet.centre)
        assertContains(
            client_lecture.get(autre.get_absolute_url()),
            "ne prend part à aucun projet ni aucune action",
        )


class TestBilans:
    def test_create_with_figures_typed_the_french_way(self, client_salarie, projet, salarie_user):
        url = reverse("partenariats:bilan_creer", args=[projet.pk])
        response = client_salarie.get(url)
        assert len(response.context["chiffres"].forms) == 3

        donnees = {
            "date": "2026-06-30",
            "titre": "Bilan de mi-parcours",
            "texte": "Les ateliers ont trouvé leur public.",
            "chiffres-TOTAL_FORMS": "3",
            "chiffres-INITIAL_FORMS": "0",
            "chiffres-0-libelle": "participants",
            "chiffres-0-valeur": "1 250",
            "chiffres-0-unite": "",
            "chiffres-1-libelle": "satisfaction",
            "chiffres-1-valeur": "",
            "chiffres-1-unite": "/ 5",
            "chiffres-2-libelle": "",
            "chiffres-2-valeur": "",
            "chiffres-2-unite": "",
        }
        response = client_salarie.post(url, donnees)
        assertContains(response, "Indiquez la valeur.")
        # Nothing typed is lost.
        assertContains(response, 'value="1 250"')
        assertContains(response, "Les ateliers ont trouvé leur public.")
        assert not Bilan.objects.exists()

        donnees["chiffres-1-valeur"] = "4,5"
        response = client_salarie.post(url, donnees, follow=True)
        bilan = Bilan.objects.get()
        assertRedirects(response, bilan.get_absolute_url())
        assert [(c.libelle, c.valeur, c.unite) for c in bilan.chiffres.all()] == [
            ("participants", Decimal("1250.00"), ""),
            ("satisfaction", Decimal("4.50"), "/ 5"),
        ]
        assert bilan.cree_par == salarie_user
        assertContains(response, "1\u00a0250")
        assertContains(response, "4,5")
        assertContains(response, "Satisfaction")

    def test_update_replaces_figures_and_an_emptied_row_removes_one(self, client_salarie, projet):
        bilan = BilanFactory(projet=projet)
        ChiffreBilanFactory(bilan=bilan, libelle="ateliers", valeur=Decimal("18"), ordre=0)
        ChiffreBilanFactory(bilan=bilan, libelle="familles", valeur=Decimal("3.5"), ordre=1)
        url = reverse("partenariats:bilan_modifier", args=[bilan.pk])
        response = client_salarie.get(url)
        assertContains(response, 'value="3,5"')
        assert len(response.context["chiffres"].forms) == 4

        client_salarie.post(
            url,
            {
                "date": "2026-11-30",
                "titre": "Bilan du trimestre",
                "texte": "",
                "chiffres-TOTAL_FORMS": "3",
                "chiffres-INITIAL_FORMS": "2",
                "chiffres-0-libelle": "",
                "chiffres-0-valeur": "",
                "chiffres-0-unite": "",
                "chiffres-1-libelle": "familles",
                "chiffres-1-valeur": "4",
                "chiffres-1-unite": "",
                "chiffres-2-libelle": "heures",
                "chiffres-2-valeur": "36",
                "chiffres-2-unite": "h",
            },
        )
        bilan.refresh_from_db()
        assert bilan.titre == "Bilan du trimestre"
        assert [(c.libelle, c.valeur) for c in bilan.chiffres.all()] == [
            ("familles", Decimal("4.00")),
            ("heures", Decimal("36.00")),
        ]

    def test_the_page_shows_figures_photos_and_documents(self, client_lecture, projet):
        bilan = BilanFactory(projet=projet, texte="Premier paragraphe.\n\nSecond paragraphe.")
        ChiffreBilanFactory(bilan=bilan, libelle="participants", valeur=Decimal("42"))
        image = services.piece_ajouter(bilan=bilan, fichier=photo(), legende="Atelier cuisine")
        document = PieceBilanFactory(bilan=bilan, nom="programme.pdf")

        response = client_lecture.get(bilan.get_absolute_url())
        assertContains(response, "<p>Second paragraphe.</p>", html=True)
        assertContains(response, "Participants")
        assert "42" in un_seul_espace(response.content.decode())
        fichier_image = reverse("partenariats:piece_fichier", args=[image.pk])
        assertContains(response, f'src="{fichier_image}"')
        assertContains(response, 'alt="Atelier cuisine"')
        assertContains(response, reverse("partenariats:piece_fichier", args=[document.pk]))
        assertContains(response, "programme.pdf")
        assertContains(response, reverse("partenariats:bilan_pdf", args=[bilan.pk]))

        reponse = client_lecture.get(fichier_image)
        assert reponse["Content-Type"] == "image/png"
        assert b"".join(reponse.streaming_content) == png()

    def test_delete_a_bilan(self, client_salarie, projet):
        bilan = BilanFactory(projet=projet, date=date(2026, 3, 1))
        PieceBilanFactory(bilan=bilan)
        url = reverse("partenariats:bilan_supprimer", args=[bilan.pk])
        assertContains(client_salarie.get(url), "Le bilan du 1er mars 2026 est supprimé")
        response = client_salarie.post(url)
        assertRedirects(response, projet.get_absolute_url() + "#bilans")
        assert not Bilan.objects.exists()
        assert not PieceBilan.objects.exists()


class TestPieces:
    def url(self, bilan):
        return reverse("partenariats:piece_ajouter", args=[bilan.pk])

    def test_upload_a_photo_and_a_document_then_remove_one(self, client_salarie, projet):
        bilan = BilanFactory(projet=projet)
        response = client_salarie.post(
            self.url(bilan), {"fichier": photo("repas.png"), "legende": "Repas partagé"}
        )
        assertRedirects(response, bilan.get_absolute_url() + "#pieces")
        piece = PieceBilan.objects.get()
        assert (piece.nom, piece.nature, piece.legende) == ("repas.png", "png", "Repas partagé")

        client_salarie.post(
            self.url(bilan),
            {"fichier": SimpleUploadedFile("programme.pdf", b"%PDF-1.4\n%%EOF\n")},
        )
        assert PieceBilan.objects.filter(nature="pdf").count() == 1

        url = reverse("partenariats:piece_retirer", args=[piece.pk])
        assertContains(client_salarie.get(url), "Le fichier est effacé")
        response = client_salarie.post(url)
        assertRedirects(response, bilan.get_absolute_url() + "#pieces")
        assert list(PieceBilan.objects.values_list("nature", flat=True)) == ["pdf"]

    def test_a_renamed_file_that_is_not_a_pdf_gets_a_french_error(self, client_salarie, projet):
        bilan = BilanFactory(projet=projet)
        faux = SimpleUploadedFile("bilan.pdf", b"PK\x03\x04 un document Word", "application/pdf")
        response = client_salarie.post(self.url(bilan), {"fichier": faux, "legende": "Bilan"})
        assert response.status_code == 200
        assert "Ce fichier n'est pas un PDF, JPG, PNG lisible" in lu(response)
        assertContains(response, 'value="Bilan"')
        assert not PieceBilan.objects.exists()

    def test_a_30_mb_file_gets_a_french_error(self, client_salarie, projet):
        bilan = BilanFactory(projet=projet)
        gros = SimpleUploadedFile(
            "rapport.pdf", b"%PDF-1.4\n" + b"0" * (30 * 1024 * 1024), "application/pdf"
        )
        response = client_salarie.post(self.url(bilan), {"fichier": gros})
        assert response.status_code == 200
        assert re.search(r"Ce fichier pèse 30,0\sMio\s; la limite est de 10,0\sMio", lu(response))
        assert not PieceBilan.objects.exists()

    def test_no_file_chosen(self, client_salarie, projet):
        bilan = BilanFactory(projet=projet)
        response = client_salarie.post(self.url(bilan), {"legende": "Sans fichier"})
        assertContains(response, "Ce champ est obligatoire.")

    def test_a_file_gone_from_the_storage_is_a_404(self, client_lecture, projet):
        piece = PieceBilanFactory(bilan=BilanFactory(projet=projet))
        piece.fichier.storage.delete(piece.fichier.name)
        url = reverse("partenariats:piece_fichier", args=[piece.pk])
        assert client_lecture.get(url).status_code == 404


# --- PDFs -------------------------------------------------------------------------------------


class TestPdf:
    def test_the_raci_table_fits_one_landscape_page_with_25_partners(self, projet):
        roles = "RAAC" + "C" * 10 + "I" * 11
        for numero, role in enumerate(roles):
            ParticipationProjetFactory(
                projet=projet,
                role=role,
                partenaire=PartenaireFactory(
                    centre=projet.centre,
                    nom=f"Direction départementale de l'emploi et des solidarités {numero:02}",
                ),
            )
        pdf = raci_pdf(projet)

        infos = infos_pdf(pdf)
        assert infos["Pages"] == "1"
        largeur, hauteur = map(float, re.findall(r"[\d.]+", infos["Page size"])[:2])
        assert largeur > hauteur  # landscape
        assert "A4" in infos["Page size"]
        texte = texte_pdf(pdf, layout=True)
        assert "Tableau RACI" in texte
        assert "Bien dans son assiette, bien dans ses baskets" in texte
        assert "PARTENAIRES (25)" in texte  # text-transform: uppercase
        assert "solidarités 24" in texte
        assert "Responsable" in texte and "Informé" in texte

    def test_the_raci_pdf_view(self, client_lecture, projet, codes):
        ParticipationProjetFactory(projet=projet, partenaire=codes, role=RoleRaci.RESPONSABLE)
        response = client_lecture.get(reverse("partenariats:projet_raci_pdf", args=[projet.pk]))
        assert response["Content-Type"] == "application/pdf"
        assert (
            'filename="raci-bien-dans-son-assiette-bien-dans-ses-baskets.pdf"'
            in (response["Content-Disposition"])
        )
        texte = un_seul_espace(texte_pdf(response.content))
        assert "Comité départemental d'éducation pour la santé" in texte

    def test_the_raci_page(self, client_lecture, projet, codes):
        ParticipationProjetFactory(projet=projet, partenaire=codes, role=RoleRaci.CONSULTE)
        response = client_lecture.get(reverse("partenariats:projet_raci", args=[projet.pk]))
        assertContains(response, "<caption")
        assertContains(response, "Qui fait quoi dans le projet\u00a0: 1 partenaire")
        assertContains(response, '<span class="visually-hidden">Consulté</span>', html=True)
        assertContains(response, reverse("partenariats:projet_raci_pdf", args=[projet.pk]))

    def test_the_bilan_pdf_has_the_project_text_figures_photo_and_partners(
        self, projet, codes, caplog
    ):
        ParticipationProjetFactory(projet=projet, partenaire=codes, role=RoleRaci.RESPONSABLE)
        bilan = BilanFactory(
            projet=projet,
            date=date(2026, 3, 1),
            titre="Bilan des six premiers mois",
            texte="Les ateliers ont trouvé leur public.",
        )
        ChiffreBilanFactory(bilan=bilan, libelle="familles participantes", valeur=Decimal("42"))
        ChiffreBilanFactory(
            bilan=bilan, libelle="satisfaction", valeur=Decimal("4.5"), unite="/ 5", ordre=1
        )
        services.piece_ajouter(bilan=bilan, fichier=photo(), legende="Atelier cuisine")
        PieceBilanFactory(bilan=bilan, nom="programme.pdf")

        with caplog.at_level(logging.WARNING, logger="commun.pdf"):
            pdf = bilan_pdf(bilan)
        assert not caplog.records  # every resource was served
        texte = un_seul_espace(texte_pdf(pdf))
        for attendu in [
            "Centre social de Montanou",
            "Bien dans son assiette, bien dans ses baskets",
            "Bilan des six premiers mois",
            "Bilan du 1er mars 2026",
            "Les ateliers ont trouvé leur public.",
            "42 familles participantes",
            "4,5 / 5 satisfaction",
            "Atelier cuisine",
            "programme.pdf",
            "Responsable (R) Comité départemental d'éducation pour la santé",
        ]:
            assert attendu in texte, attendu
        # The photo is in the PDF itself.
        images = subprocess.run(
            ["pdfimages", "-list", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        assert len(images.strip().splitlines()) == 3  # a header of two lines, one image

    def test_the_bilan_pdf_view(self, client_lecture, projet):
        bilan = BilanFactory(projet=projet, date=date(2026, 3, 1))
        response = client_lecture.get(reverse("partenariats:bilan_pdf", args=[bilan.pk]))
        assert response["Content-Type"] == "application/pdf"
        assert (
            "bilan-bien-dans-son-assiette-bien-dans-ses-baskets-2026-03-01.pdf"
            in (response["Content-Disposition"])
        )
        assert "Bilan du 1er mars 2026" in un_seul_espace(texte_pdf(response.content))


# --- Demo -------------------------------------------------------------------------------------


def test_demo_has_the_food_project_and_the_sports_action_once(db):
    call_command("demo", stdout=io.StringIO())
    comptes = (
        Projet.objects.count(),
        ParticipationProjet.objects.count(),
        Bilan.objects.count(),
        ChiffreBilan.objects.count(),
        PieceBilan.objects.count(),
    )
    demo_projets.charger(io.StringIO())
    assert (
        Projet.objects.count(),
        ParticipationProjet.objects.count(),
        Bilan.objects.count(),
        ChiffreBilan.objects.count(),
        PieceBilan.objects.count(),
    ) == comptes

    assiette = Projet.objects.get(
        centre__slug="montanou", titre="Bien dans son assiette, bien dans ses baskets"
    )
    noms = set(assiette.participations.values_list("partenaire__sigle", flat=True))
    assert {"CODES 47", "CMS", "ADF 47", "Restos du Cœur"} <= noms
    assert set(assiette.participations.values_list("role", flat=True)) == set("RACI")
    assert assiette.participations.exclude(freins="", leviers="").count() >= 4
    assert assiette.bilans.count() == 2
    assert PieceBilan.objects.filter(bilan__projet=assiette, nature="png").count() == 1
    stages = Projet.objects.get(centre__slug="montanou", titre="Stages sportifs des vacances")
    assert stages.genre == GenreProjet.ACTION
    assert stages.participations.filter(partenaire__categorie="sport_culture").count() == 2
    assert stages.bilans.get().chiffres.count() == 4

import io
from datetime import date

import pytest
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from partenariats import demo
from partenariats.enums import CategoriePartenaire
from partenariats.models import Contact, Partenaire, Theme
from partenariats.selectors import doublons_probables, partenaire_chronologie
from partenariats.services import annuaire
from partenariats.services.annuaire import (
    contact_creer,
    contact_modifier,
    partenaire_archiver,
    partenaire_creer,
    partenaire_modifier,
)
from partenariats.validators import valider_rna, valider_siret
from tests.cafes.factories import InvitationFactory
from tests.partenariats.factories import ContactFactory, PartenaireFactory

pytestmark = pytest.mark.django_db

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search is PostgreSQL's"
)


class TestValidators:
    @pytest.mark.parametrize(
        "siret",
        [
            "73282932000074",
            "732 829 320 00074",
            # La Poste's head office: its SIREN, Luhn like any other SIRET.
            "35600000000048",
            "356 000 000 00048",
            # Its other establishments: INSEE's exception, a sum of digits divisible by 5.
            "35600000000006",
        ],
    )
    def test_valid_siret(self, siret):
        valider_siret(siret)

    @pytest.mark.parametrize(
        ("siret", "message"),
        [
            ("73282932000075", "Ce numéro SIRET n'existe pas : un chiffre est sans doute mal"),
            # The whole number passes Luhn, but not its SIREN (the first nine digits).
            ("47100012345008", "mal recopié"),
            # La Poste's exception does not make any number of its SIREN valid.
            ("35600000000049", "mal recopié"),
            ("1234", "Un numéro SIRET compte 14 chiffres (les espaces sont acceptés)."),
            ("7328293200007A", "14 chiffres"),
            ("732.829.320.00074", "14 chiffres"),
        ],
    )
    def test_invalid_siret_says_why(self, siret, message):
        with pytest.raises(ValidationError) as erreur:
            valider_siret(siret)
        assert message in erreur.value.messages[0]

    def test_rna(self):
        valider_rna("W471000123")
        with pytest.raises(ValidationError, match="W suivi de 9 chiffres"):
            valider_rna("471000123")


class TestRecherche:
    @needs_postgres
    def test_accents_and_plurals_do_not_matter(self, centre):
        pre = PartenaireFactory(
            centre=centre,
            nom="Programme de réussite éducative",
            missions="Parcours individualisés pour les enfants en difficulté scolaire",
        )
        PartenaireFactory(centre=centre, nom="Judo club", missions="Cours de judo")
        assert list(Partenaire.objects.for_centre(centre).recherche("reussite")) == [pre]
        assert list(Partenaire.objects.for_centre(centre).recherche("Enfant")) == [pre]
        assert list(Partenaire.objects.for_centre(centre).recherche("parcours individualise")) == [
            pre
        ]

    @needs_postgres
    def test_name_outranks_missions(self, centre):
        par_mission = PartenaireFactory(centre=centre, nom="Régie", missions="logement des jeunes")
        par_nom = PartenaireFactory(centre=centre, nom="Logement des jeunes 47", missions="foyer")
        resultats = (
            Partenaire.objects.for_centre(centre).recherche("logement").order_by("-pertinence")
        )
        assert list(resultats) == [par_nom, par_mission]

    @needs_postgres
    def test_search_vector_follows_updates(self, centre):
        partenaire = PartenaireFactory(centre=centre, missions="Aide alimentaire")
        partenaire.missions = "Ateliers numériques"
        partenaire.save()
        assert list(Partenaire.objects.recherche("numerique")) == [partenaire]
        assert not Partenaire.objects.recherche("alimentaire").exists()

    def test_accents_and_case_do_not_matter_on_every_database(self, centre):
        eveil = PartenaireFactory(centre=centre, nom="Éveil musical", commune="Agen")
        ecole = PartenaireFactory(centre=centre, nom="ÉCOLE Jean Jaurès", commune="Fumel")
        PartenaireFactory(centre=centre, nom="Judo club", commune="Agen")
        directory = Partenaire.objects.for_centre(centre)
        assert list(directory.recherche("eveil")) == [eveil]
        assert list(directory.recherche("ecole")) == [ecole]
        assert list(directory.recherche("École")) == [ecole]
        assert list(directory.recherche("jaures")) == [ecole]

    def test_the_directory_sorts_names_the_french_way(self, client_lecture, centre):
        noms = ["Zébulon", "Épicerie solidaire", "école Jean Jaurès", "Accueil de jour", "Eau vive"]
        for nom in noms:
            PartenaireFactory(centre=centre, nom=nom)
        attendu = [
            "Accueil de jour", "Eau vive", "école Jean Jaurès", "Épicerie solidaire", "Zébulon"
        ]  # fmt: skip
        for tri in ("", "nom"):
            response = client_lecture.get(reverse("partenariats:liste"), {"tri": tri})
            assert [p.nom for p in response.context["partenaires"]] == attendu
        response = client_lecture.get(reverse("partenariats:liste"), {"tri": "-nom"})
        assert [p.nom for p in response.context["partenaires"]] == attendu[::-1]

    def test_the_sort_key_follows_the_name(self, centre):
        partenaire = partenaire_creer(centre=centre, nom="Œuvre d'Agen", categorie="autre")
        assert partenaire.nom_tri == "oeuvre d'agen"
        partenaire = partenaire_modifier(partenaire=partenaire, nom="« L'Escale »")
        assert Partenaire.objects.get(pk=partenaire.pk).nom_tri == "l'escale »"

    def test_never_crosses_centres(self, centre, autre_centre):
        PartenaireFactory(centre=autre_centre, nom="Secours populaire")
        assert not Partenaire.objects.for_centre(centre).recherche("Secours").exists()


class TestDoublons:
    def test_same_siret(self, centre):
        existant = PartenaireFactory(centre=centre, siret="73282932000074", commune="Agen")
        assert doublons_probables(
            centre=centre, nom="Autre nom", commune="Fumel", siret="732 829 320 00074"
        ) == [existant]

    def test_similar_name_in_same_commune(self, centre):
        existant = PartenaireFactory(
            centre=centre, nom="Association Les Restos du Cœur", commune="Agen"
        )
        assert doublons_probables(centre=centre, nom="Restos du coeur", commune="agen") == [
            existant
        ]
        assert doublons_probables(centre=centre, nom="Restos du coeur", commune="Fumel") == []
        assert doublons_probables(centre=centre, nom="Secours populaire", commune="Agen") == []

    def test_ligatures_and_apostrophes_do_not_hide_a_duplicate(self, centre):
        coeur = PartenaireFactory(centre=centre, nom="Cœur", commune="Agen")
        escale = PartenaireFactory(centre=centre, nom="L’Escale", commune="Agen")
        assert doublons_probables(centre=centre, nom="Coeur", commune="Agen") == [coeur]
        assert doublons_probables(centre=centre, nom="L’Escale", commune="Agen") == [escale]

    def test_other_centre_is_not_a_duplicate(self, centre, autre_centre):
        PartenaireFactory(centre=autre_centre, nom="Épicerie solidaire", commune="Agen")
        assert doublons_probables(centre=centre, nom="Épicerie solidaire", commune="Agen") == []


class TestListe:
    url = reverse("partenariats:liste")

    def test_lists_active_partners_of_the_current_centre(
        self, client_lecture, centre, autre_centre
    ):
        ici = PartenaireFactory(centre=centre, nom="Mission locale")
        archive = PartenaireFactory(centre=centre, nom="Ancienne association", archive_=True)
        ailleurs = PartenaireFactory(centre=autre_centre, nom="CCAS de Fumel")
        response = client_lecture.get(self.url)
        assertContains(response, ici.nom)
        assertNotContains(response, archive.nom)
        assertNotContains(response, ailleurs.nom)
        assertContains(response, "1 partenaire")

    def test_filters_combine_and_live_in_the_url(self, client_lecture, centre):
        caf = PartenaireFactory(centre=centre, caf=True, commune="Agen", themes=["famille"])
        PartenaireFactory(centre=centre, nom="CCAS", categorie=CategoriePartenaire.CCAS)
        PartenaireFactory(
            centre=centre,
            nom="MSA",
            categorie=CategoriePartenaire.SECURITE_SOCIALE,
            commune="Fumel",
            themes=["sante"],
        )
        response = client_lecture.get(
            self.url, {"categorie": "securite_sociale", "theme": "famille", "commune": "Agen"}
        )
        assert list(response.context["partenaires"]) == [caf]
        assertContains(response, "1 partenaire")

    def test_archived_filter(self, client_lecture, centre):
        archive = PartenaireFactory(centre=centre, nom="Ancienne association", archive_=True)
        response = client_lecture.get(self.url, {"statut": "archives"})
        assert list(response.context["partenaires"]) == [archive]

    def test_fiche_to_confirm_filter(self, client, lecture_user, centre, time_machine):
        time_machine.move_to("2026-06-01 12:00+02:00", tick=False)
        ancienne = PartenaireFactory(centre=centre, nom="A", fiche_confirmee_le=date(2025, 5, 1))
        jamais = PartenaireFactory(centre=centre, nom="B")
        PartenaireFactory(centre=centre, nom="C", fiche_confirmee_le=date(2026, 1, 1))
        PartenaireFactory(centre=centre, nom="D", hors_livret=True)
        client.force_login(lecture_user)
        response = client.get(self.url, {"fiche": "a-confirmer", "livret": "oui"})
        assert list(response.context["partenaires"]) == [ancienne, jamais]

    def test_bad_filter_value_is_reported_not_a_500(self, client_lecture, centre):
        partenaire = PartenaireFactory(centre=centre, nom="Mission locale")
        response = client_lecture.get(self.url, {"categorie": "licorne", "page": "abc"})
        assert response.status_code == 200
        # The directory, unfiltered by the value nobody can apply, and the first page.
        assert list(response.context["partenaires"]) == [partenaire]
        assertContains(response, "Mission locale")
        assertContains(
            response,
            "Filtre « Catégorie » : « licorne » n&#x27;est pas une valeur possible, ce filtre "
            "est ignoré.",
        )
        assertContains(response, "La page « abc » n&#x27;existe pas : voici la page 1.")

    def test_a_page_past_the_end_shows_the_last_one(self, client_lecture, centre):
        PartenaireFactory.create_batch(51, centre=centre)
        response = client_lecture.get(self.url, {"page": "9"})
        assert response.status_code == 200
        assert response.context["page_obj"].number == 2
        assertContains(response, "La page « 9 » n&#x27;existe pas : voici la page 2.")

    def test_a_valid_query_warns_of_nothing(self, client_lecture, centre):
        PartenaireFactory.create_batch(51, centre=centre)
        response = client_lecture.get(self.url, {"categorie": "association", "page": "1"})
        assert response.context["valeurs_ignorees"] == []
        assertNotContains(response, "alert-warning")

    def test_bad_category_keeps_other_filters(self, client_lecture, centre):
        PartenaireFactory(centre=centre, nom="Agen 1", commune="Agen")
        PartenaireFactory(centre=centre, nom="Fumel 1", commune="Fumel")
        response = client_lecture.get(self.url, {"categorie": "licorne", "commune": "Fumel"})
        assert [p.nom for p in response.context["partenaires"]] == ["Fumel 1"]
        assertContains(response, "Sélectionnez un choix valide")

    def test_sorting(self, client_lecture, centre):
        PartenaireFactory(centre=centre, nom="Bêta", commune="Agen")
        PartenaireFactory(centre=centre, nom="Alpha", commune="Fumel")
        response = client_lecture.get(self.url, {"tri": "-commune"})
        assert [p.nom for p in response.context["partenaires"]] == ["Alpha", "Bêta"]

    @needs_postgres
    def test_search_ranks_and_counts(self, client_lecture, centre):
        PartenaireFactory(centre=centre, nom="Épicerie solidaire", missions="aide alimentaire")
        PartenaireFactory(centre=centre, nom="Judo club")
        response = client_lecture.get(self.url, {"q": "epicerie"})
        assert [p.nom for p in response.context["partenaires"]] == ["Épicerie solidaire"]
        assertContains(response, "1 partenaire")

    def test_query_count_is_constant(self, client_lecture, centre, django_assert_max_num_queries):
        for _n in range(5):
            PartenaireFactory(centre=centre, themes=["logement", "sante"])
            ContactFactory(centre=centre)
        with django_assert_max_num_queries(15) as small:
            client_lecture.get(self.url, {"theme": "logement"})
        for _n in range(45):
            PartenaireFactory(centre=centre, themes=["logement", "famille"])
        with django_assert_max_num_queries(len(small.captured_queries)):
            response = client_lecture.get(self.url, {"theme": "logement"})
        assert len(response.context["partenaires"]) == 50

    def test_lecture_role_sees_no_write_buttons(self, client_lecture, centre):
        assertNotContains(client_lecture.get(self.url), reverse("partenariats:creer"))


class TestFiche:
    def test_detail_shows_fiche_contacts_and_timeline(self, client_lecture, centre):
        partenaire = PartenaireFactory(
            centre=centre,
            nom="Régie de quartier",
            missions="Chantiers\nd'insertion",
            themes=["emploi"],
        )
        ContactFactory(partenaire=partenaire, prenom="Mohamed", nom="Zerrouki", prescripteur=True)
        response = client_lecture.get(partenaire.get_absolute_url())
        assertContains(response, "Chantiers<br>d&#x27;insertion")
        assertContains(response, "Mohamed Zerrouki")
        assertContains(response, "prescripteur")
        assertContains(response, "Fiche créée")
        assertContains(response, "Contact ajouté : Mohamed Zerrouki")

    def test_phones_and_emails_are_links_a_phone_follows(self, client_lecture, centre):
        partenaire = PartenaireFactory(
            centre=centre, telephone="05 53 43 56 69", email="accueil@caf.demo"
        )
        ContactFactory(
            partenaire=partenaire, telephone="06 55 72 89 06", email="karim.benali@caf.demo"
        )
        response = client_lecture.get(partenaire.get_absolute_url())
        # Shown with no-break spaces, so that a number never breaks across lines.
        assertContains(response, '<a href="tel:0553435669">05\u00a053\u00a043\u00a056\u00a069</a>')
        assertContains(response, '<a href="tel:0655728906">06\u00a055\u00a072\u00a089\u00a006</a>')
        assertContains(response, 'href="mailto:accueil@caf.demo"')
        assertContains(response, 'href="mailto:karim.benali@caf.demo"')

    def test_detail_query_count_does_not_grow_with_contacts(
        self, client_lecture, centre, django_assert_max_num_queries
    ):
        partenaire = PartenaireFactory(centre=centre, themes=["logement"])
        ContactFactory(partenaire=partenaire)
        with django_assert_max_num_queries(20) as small:
            client_lecture.get(partenaire.get_absolute_url())
        ContactFactory.create_batch(10, partenaire=partenaire)
        with django_assert_max_num_queries(len(small.captured_queries)):
            client_lecture.get(partenaire.get_absolute_url())

    def test_create(self, client_salarie, salarie_user, centre):
        response = client_salarie.post(
            reverse("partenariats:creer"),
            {
                "nom": "  Ludothèque   du Pin ",
                "categorie": "association",
                "siret": "732 829 320 00074",
                "code_postal": "47000",
                "commune": "Agen",
                "site_web": "www.ludotheque.example",
                "themes": ["famille", "culture"],
                "dans_livret": "on",
            },
        )
        partenaire = Partenaire.objects.get(nom="Ludothèque du Pin")
        assertRedirects(response, partenaire.get_absolute_url())
        assert partenaire.centre == centre
        assert partenaire.siret == "73282932000074"
        assert partenaire.site_web == "https://www.ludotheque.example"
        assert {t.slug for t in partenaire.themes.all()} == {"famille", "culture"}
        assert partenaire.history.get().history_user == salarie_user

    def test_the_same_form_sent_twice_makes_one_partner(self, client_salarie, centre):
        page = client_salarie.get(reverse("partenariats:creer"))
        cle = page.context["form"]["cle_creation"].value()
        assert cle
        assertContains(page, f'name="cle_creation" value="{cle}"')
        donnees = {"nom": "Ludothèque du Pin", "categorie": "association", "cle_creation": cle}
        premiere = client_salarie.post(reverse("partenariats:creer"), donnees)
        seconde = client_salarie.post(reverse("partenariats:creer"), donnees)
        partenaire = Partenaire.objects.get()
        assertRedirects(premiere, partenaire.get_absolute_url())
        assertRedirects(seconde, partenaire.get_absolute_url())
        assert partenaire.history.count() == 1
        # Another showing of the empty form is another creation.
        autre = client_salarie.get(reverse("partenariats:creer"))
        assert autre.context["form"]["cle_creation"].value() != cle

    def test_the_service_is_idempotent_by_key(self, centre):
        cle = "5f0c6c1e-7d3a-4c52-9a51-2b1c8d7e6f01"
        une = partenaire_creer(centre=centre, nom="Régie", categorie="autre", cle_creation=cle)
        deux = partenaire_creer(centre=centre, nom="Régie", categorie="autre", cle_creation=cle)
        assert une == deux
        assert Partenaire.objects.for_centre(centre).count() == 1

    def test_the_twin_request_that_loses_the_race_gets_the_winners_partner(
        self, centre, monkeypatch
    ):
        cle = "0b7e2f9a-3c1d-4e5f-8a6b-9c0d1e2f3a4b"
        gagnant = partenaire_creer(centre=centre, nom="Régie", categorie="autre", cle_creation=cle)
        # The twin checked before the winner's row existed: its insert meets the constraint.
        verifier = annuaire.partenaire_deja_cree
        appels = []

        def trop_tot(**kwargs):
            appels.append(kwargs)
            return None if len(appels) == 1 else verifier(**kwargs)

        monkeypatch.setattr(annuaire, "partenaire_deja_cree", trop_tot)
        jumeau = partenaire_creer(centre=centre, nom="Régie", categorie="autre", cle_creation=cle)
        assert jumeau == gagnant
        assert len(appels) == 2
        assert Partenaire.objects.for_centre(centre).count() == 1

    def test_create_with_errors_in_french_keeps_input(self, client_salarie):
        response = client_salarie.post(
            reverse("partenariats:creer"),
            {
                "nom": "Club",
                "categorie": "association",
                "siret": "73282932000075",
                "code_postal": "470",
            },
        )
        assert response.status_code == 200
        assertContains(response, "Ce numéro SIRET n&#x27;existe pas")
        assertContains(response, "Un code postal compte 5 chiffres")
        assertContains(response, 'value="Club"')
        assert not Partenaire.objects.exists()

    def test_duplicate_is_flagged_then_can_be_confirmed(self, client_salarie, centre):
        existant = PartenaireFactory(centre=centre, nom="Secours populaire", commune="Agen")
        data = {"nom": "Secours Populaire", "categorie": "association", "commune": "Agen"}
        response = client_salarie.post(reverse("partenariats:creer"), data)
        assertContains(response, "existe peut-être déjà")
        assertContains(response, existant.get_absolute_url())
        assert Partenaire.objects.count() == 1
        response = client_salarie.post(
            reverse("partenariats:creer"), {**data, "confirmer_doublon": "1"}
        )
        assert Partenaire.objects.count() == 2

    def test_edit_records_who_changed_what(self, client_salarie, salarie_user, centre):
        partenaire = PartenaireFactory(
            centre=centre, nom="CCAS", categorie="ccas", adresse="", code_postal="", commune=""
        )
        response = client_salarie.post(
            reverse("partenariats:modifier", args=[partenaire.pk]),
            {
                "nom": "CCAS",
                "categorie": "ccas",
                "missions": partenaire.missions,
                "horaires": "Lundi, 9 h – 12 h",
                "dans_livret": "on",
            },
        )
        assertRedirects(response, partenaire.get_absolute_url())
        evenement = partenaire_chronologie(partenaire)[0]
        assert evenement.libelle == "Fiche modifiée"
        assert evenement.details == "Horaires d'ouverture"
        assert evenement.auteur == str(salarie_user)

    def test_archive_and_restore(self, client_salarie, centre):
        partenaire = PartenaireFactory(centre=centre)
        url = reverse("partenariats:archiver", args=[partenaire.pk])
        assert client_salarie.get(url).status_code == 405
        response = client_salarie.post(url, follow=True)
        assertContains(response, "Fiche archivée")
        partenaire.refresh_from_db()
        assert partenaire.archive
        assert partenaire_chronologie(partenaire)[0].libelle == "Partenaire archivé"
        client_salarie.post(url)
        partenaire.refresh_from_db()
        assert not partenaire.archive

    @pytest.mark.parametrize("name", ["partenariats:creer", "partenariats:modifier"])
    def test_lecture_role_cannot_write(self, client_lecture, centre, name):
        partenaire = PartenaireFactory(centre=centre)
        url = reverse(name, args=[partenaire.pk] if name.endswith("modifier") else [])
        assert client_lecture.get(url).status_code == 403
        assert (
            client_lecture.post(reverse("partenariats:archiver", args=[partenaire.pk])).status_code
            == 403
        )


class TestServices:
    def test_create_from_data(self, centre):
        famille = Theme.objects.get(slug="famille")
        partenaire = partenaire_creer(
            centre=centre,
            nom="Ludothèque du Pin",
            categorie=CategoriePartenaire.ASSOCIATION,
            themes=[famille],
            commune="Agen",
            dans_livret=False,
        )
        partenaire.refresh_from_db()
        assert (partenaire.centre, partenaire.commune, partenaire.dans_livret) == (
            centre,
            "Agen",
            False,
        )
        assert list(partenaire.themes.all()) == [famille]

    def test_create_checks_the_fiche_rules_and_writes_nothing_otherwise(self, centre):
        with pytest.raises(ValidationError) as erreur:
            partenaire_creer(
                centre=centre, nom="Club", categorie="association", siret="73282932000075"
            )
        assert "siret" in erreur.value.message_dict
        assert not Partenaire.objects.exists()

    def test_update_leaves_what_it_was_not_given(self, centre):
        partenaire = PartenaireFactory(
            centre=centre, themes=["logement"], fiche_confirmee_le=date(2026, 1, 5)
        )
        lu_avant = Partenaire.objects.get(pk=partenaire.pk)
        # Archived by someone else between the reading of the form and its saving.
        partenaire_archiver(partenaire=partenaire)

        modifie = partenaire_modifier(partenaire=lu_avant, horaires="Lundi, 9 h – 12 h")

        modifie.refresh_from_db()
        assert modifie.horaires == "Lundi, 9 h – 12 h"
        assert modifie.archive
        assert modifie.fiche_confirmee_le == date(2026, 1, 5)
        assert [t.slug for t in modifie.themes.all()] == ["logement"]

    def test_update_refuses_a_field_the_partner_does_not_have(self, centre):
        partenaire = PartenaireFactory(centre=centre)
        with pytest.raises(FieldDoesNotExist):
            partenaire_modifier(partenaire=partenaire, horaire="Lundi")


class TestContacts:
    def test_staff_choose_whom_the_booklet_publishes(self, client_salarie, centre):
        partenaire = PartenaireFactory(centre=centre)
        url = reverse("partenariats:contact_creer", args=[partenaire.pk])
        assertContains(client_salarie.get(url), 'name="publier_dans_livret"')
        client_salarie.post(url, {"nom": "Lagarde", "prenom": "Odile"})
        contact = Contact.objects.get(partenaire=partenaire)
        # Opt-in: a person is printed only when someone says so.
        assert not contact.publier_dans_livret
        client_salarie.post(
            reverse("partenariats:contact_modifier", args=[contact.pk]),
            {"nom": "Lagarde", "prenom": "Odile", "publier_dans_livret": "on"},
        )
        contact.refresh_from_db()
        assert contact.publier_dans_livret
        assert contact.history.latest("history_date").publier_dans_livret

    def test_add_edit_delete(self, client_salarie, centre):
        partenaire = PartenaireFactory(centre=centre)
        response = client_salarie.post(
            reverse("partenariats:contact_creer", args=[partenaire.pk]),
            {
                "nom": "Lagarde",
                "prenom": "Odile",
                "email": "odile@exemple.fr",
                "recoit_invitations_cafe": "on",
            },
        )
        contact = Contact.objects.get(partenaire=partenaire)
        assertRedirects(response, partenaire.get_absolute_url() + "#contacts")
        client_salarie.post(
            reverse("partenariats:contact_modifier", args=[contact.pk]),
            {
                "nom": "Lagarde",
                "prenom": "Odile",
                "email": "odile@exemple.fr",
                "prescripteur": "on",
            },
        )
        contact.refresh_from_db()
        assert contact.prescripteur and not contact.recoit_invitations_cafe
        client_salarie.post(reverse("partenariats:contact_supprimer", args=[contact.pk]))
        assert not Contact.objects.exists()
        assert "Contact supprimé : Odile Lagarde" in [
            e.libelle for e in partenaire_chronologie(partenaire)
        ]

    def test_a_contact_invited_to_a_cafe_stays_and_staff_are_told_why(self, client_salarie, centre):
        contact = ContactFactory(centre=centre, prenom="Odile", nom="Lagarde")
        InvitationFactory(contact=contact, centre=centre)
        response = client_salarie.post(
            reverse("partenariats:contact_supprimer", args=[contact.pk]), follow=True
        )
        assertRedirects(response, contact.partenaire.get_absolute_url() + "#contacts")
        assertContains(
            response,
            "Odile Lagarde figure dans l&#x27;historique du centre (invitations aux cafés "
            "partenaires…) : ce contact ne peut pas être supprimé.",
        )
        assert Contact.objects.filter(pk=contact.pk).exists()

    def test_services_create_and_update_from_data(self, centre, time_machine):
        time_machine.move_to("2026-11-20 10:00+01:00", tick=False)
        partenaire = PartenaireFactory(centre=centre)
        contact = contact_creer(
            partenaire=partenaire, nom="Lagarde", email="odile@exemple.fr", desinscrit=True
        )
        assert contact.desinscrit_le.isoformat() == "2026-11-20T09:00:00+00:00"
        contact = contact_modifier(contact=contact, fonction="Directrice")
        assert (contact.fonction, contact.desinscrit_le is not None) == ("Directrice", True)
        contact = contact_modifier(contact=contact, desinscrit=False)
        assert contact.desinscrit_le is None
        with pytest.raises(ValidationError):
            contact_creer(partenaire=partenaire, nom="Roy", email="pas une adresse")

    def test_invitations_need_an_address(self, client_salarie, centre):
        partenaire = PartenaireFactory(centre=centre)
        response = client_salarie.post(
            reverse("partenariats:contact_creer", args=[partenaire.pk]),
            {"nom": "Sans adresse", "recoit_invitations_cafe": "on"},
        )
        assertContains(response, "ne peut pas recevoir les invitations")
        assert not Contact.objects.exists()

    def test_one_address_may_belong_to_contacts_of_several_partners(self, centre):
        ContactFactory(centre=centre, email="meme@exemple.fr")
        ContactFactory(centre=centre, email="meme@exemple.fr")
        assert Contact.objects.filter(email="meme@exemple.fr").count() == 2


def test_demo_loads_the_directory_once(db):
    call_command("demo", stdout=io.StringIO())
    counts = (Partenaire.objects.count(), Contact.objects.count())
    call_command("demo", stdout=io.StringIO())
    assert (Partenaire.objects.count(), Contact.objects.count()) == counts
    # montanou.csv, tapie.csv and fumel.csv, and the two partners of the food project that
    # partenariats/demo/projets.py adds (source 01).
    assert counts == (46, 47)
    # The demo's files say that their contacts are printed in the booklet.
    assert not Contact.objects.filter(publier_dans_livret=False).exists()
    assert Partenaire.objects.filter(sigle="CAF", centre__slug="montanou").exists()


def test_demo_goes_through_the_importer(db, monkeypatch, time_machine):
    """Each centre's file is analysed and imported as a file staff upload; the fiches' ages
    are kept relative to the day the demo is loaded."""
    time_machine.move_to("2026-11-23 10:00+01:00", tick=False)
    fichiers = []
    importer = demo.partenaires_importer

    def espion(*, centre, analyse, user):
        fichiers.append((centre.slug, analyse.nom_fichier, len(analyse.partenaires)))
        return importer(centre=centre, analyse=analyse, user=user)

    monkeypatch.setattr(demo, "partenaires_importer", espion)
    call_command("demo", stdout=io.StringIO())

    assert fichiers == [
        ("montanou", "montanou.csv", 40),
        ("tapie", "tapie.csv", 2),
        ("fumel", "fumel.csv", 2),
    ]
    caf = Partenaire.objects.get(sigle="CAF", centre__slug="montanou")
    assert caf.history.get().history_change_reason == "Import : montanou.csv"
    assert caf.fiche_confirmee_le == date(2026, 8, 25)  # three months of 30 days
    assert [t.slug for t in caf.themes.order_by("slug")] == [
        "acces-aux-droits",
        "famille",
        "logement",
        "parentalite",
    ]
    assert [
        (c.civilite, c.prenom, c.nom, c.email, c.recoit_invitations_cafe, c.prescripteur)
        for c in caf.contacts.order_by("pk")
    ] == [
        ("mme", "Sandrine", "Lacoste", "sandrine.lacoste@caf.demo", True, False),
        ("m", "Karim", "Benali", "karim.benali@caf.demo", True, True),
    ]
    # Commerces stay out of the booklet; a fiche never confirmed has no date.
    assert not Partenaire.objects.get(nom="Boulangerie du Pin").dans_livret
    assert Partenaire.objects.get(nom="CCAS de Fumel").fiche_confirmee_le is None

    fichiers.clear()
    call_command("demo", stdout=io.StringIO())
    assert fichiers == [], "loading again imports nothing"


def test_staff_record_an_opt_out_and_its_date(client_salarie, centre, time_machine):
    time_machine.move_to("2026-11-20 10:00+01:00", tick=False)
    contact = ContactFactory(centre=centre, email="odile@exemple.fr")
    url = reverse("partenariats:contact_modifier", args=[contact.pk])
    donnees = {"nom": contact.nom, "email": contact.email, "desinscrit": "on"}
    client_salarie.post(url, donnees)
    contact.refresh_from_db()
    assert contact.desinscrit_le.isoformat() == "2026-11-20T09:00:00+00:00"
    time_machine.move_to("2026-11-22 10:00+01:00", tick=False)
    client_salarie.post(url, donnees)
    contact.refresh_from_db()
    assert contact.desinscrit_le.date().isoformat() == "2026-11-20"
    client_salarie.post(url, {"nom": contact.nom, "email": contact.email})
    contact.refresh_from_db()
    assert contact.desinscrit_le is None


class TestAccueil:
    def test_home_reminds_staff_of_proposals_and_old_fiches(
        self, client_salarie, centre, autre_centre
    ):
        from tests.partenariats.factories import DemandeMiseAJourFactory

        DemandeMiseAJourFactory(centre=centre, soumise=True)
        DemandeMiseAJourFactory(centre=autre_centre, soumise=True)
        sans_demande = PartenaireFactory(centre=centre, fiche_confirmee_le=None)
        response = client_salarie.get(reverse("accueil"))
        assertContains(response, "1 fiche proposée par un partenaire attend votre relecture.")
        assertContains(response, reverse("partenariats:demandes") + "?etat=soumise")
        # The partner with a request in progress is not counted: it has been asked already.
        assertContains(response, "1 fiche du livret n&#x27;a pas été confirmée")
        lien = reverse("partenariats:liste") + "?livret=oui&amp;fiche=a-demander"
        assertContains(response, lien)
        liste = client_salarie.get(
            reverse("partenariats:liste"), {"livret": "oui", "fiche": "a-demander"}
        )
        assert [p.pk for p in liste.context["partenaires"]] == [sans_demande.pk]

    def test_read_only_members_get_no_reminder(self, client_lecture, centre):
        PartenaireFactory(centre=centre)
        assertNotContains(client_lecture.get(reverse("accueil")), "confirmée")

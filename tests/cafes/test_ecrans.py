"""Staff screens of the Café partenaires: series, hosts, programming, cafés and their circle."""

from datetime import date, time

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cafes.enums import Jour, Rang, StatutCafe, TypeCafe
from cafes.models import Cafe, CafeSerie, Invitation
from partenariats.enums import CategoriePartenaire
from tests.cafes.factories import CafeFactory, CafeSerieFactory, HoteSerieFactory
from tests.partenariats.factories import ContactFactory, PartenaireFactory, theme

pytestmark = pytest.mark.django_db

# Tuesday 1 December 2026: the first Friday of December is the 4th.
AUJOURDHUI = "2026-12-01 10:00+01:00"


@pytest.fixture(autouse=True)
def _temps_fige():
    with time_machine.travel(AUJOURDHUI, tick=False):
        yield


@pytest.fixture
def serie(centre):
    return CafeSerieFactory(centre=centre, nom="Café de Montanou", rang=Rang.PREMIER)


def _serie_data(**champs):
    return {
        "nom": "Café partenaires de Montanou",
        "rang": Rang.PREMIER,
        "jour": Jour.VENDREDI,
        "heure_debut": "09:00",
        "heure_fin": "10:30",
        "rappel_jours": 2,
        **champs,
    }


def _cafe_data(**champs):
    return {
        "date": "2027-02-10",
        "heure_debut": "09:00",
        "heure_fin": "10:30",
        "hote": "",
        "adresse": "",
        "type": TypeCafe.GENERALISTE,
        "theme": "",
        "capacite": "",
        "statut": StatutCafe.PREVU,
        **champs,
    }


class TestSeries:
    def test_list_shows_rule_and_next_cafe(self, client_lecture, serie):
        CafeFactory(centre=serie.centre, serie=serie, date=date(2026, 11, 6))
        CafeFactory(centre=serie.centre, serie=serie, date=date(2026, 12, 4))
        response = client_lecture.get(reverse("cafes:series"))
        contenu = response.content.decode()
        assert response.status_code == 200
        assert "le premier vendredi du mois, 9\u00a0h – 10\u00a0h\u00a030" in contenu
        assert "4 décembre 2026" in contenu
        assert "Nouvelle série" not in contenu

    def test_list_has_a_constant_number_of_queries(
        self, client_salarie, centre, django_assert_max_num_queries
    ):
        def remplir(n):
            for _ in range(n):
                CafeFactory(centre=centre, serie=CafeSerieFactory(centre=centre))

        remplir(3)
        with django_assert_max_num_queries(12) as avant:
            client_salarie.get(reverse("cafes:series"))
        remplir(17)
        with django_assert_max_num_queries(len(avant.captured_queries)):
            response = client_salarie.get(reverse("cafes:series"))
        assert response.content.decode().count("du mois") == 20

    def test_create_series_with_its_circle(self, client_salarie, centre):
        partenaire = PartenaireFactory(centre=centre)
        response = client_salarie.post(
            reverse("cafes:serie_creer"),
            _serie_data(
                categories=[CategoriePartenaire.CCAS, CategoriePartenaire.SANTE],
                themes=["logement"],
                partenaires=[partenaire.pk],
            ),
        )
        serie = CafeSerie.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("cafes:serie_detail", args=[serie.pk])
        assert serie.centre == centre
        assert serie.categories == [CategoriePartenaire.CCAS, CategoriePartenaire.SANTE]
        assert list(serie.themes.values_list("slug", flat=True)) == ["logement"]
        assert list(serie.partenaires.all()) == [partenaire]

    def test_end_before_start_is_refused_in_french(self, client_salarie):
        response = client_salarie.post(
            reverse("cafes:serie_creer"), _serie_data(heure_debut="11:00", heure_fin="10:00")
        )
        assert response.status_code == 200
        assert "L&#x27;heure de fin doit être après l&#x27;heure de début." in (
            response.content.decode()
        )
        assert not CafeSerie.objects.exists()

    def test_partners_of_another_centre_cannot_be_picked(self, client_salarie, autre_centre):
        ailleurs = PartenaireFactory(centre=autre_centre)
        response = client_salarie.post(
            reverse("cafes:serie_creer"), _serie_data(partenaires=[ailleurs.pk])
        )
        assert response.status_code == 200
        assert "partenaires" in response.context["form"].errors
        assert not CafeSerie.objects.exists()

    def test_edit_series(self, client_salarie, serie):
        response = client_salarie.post(
            reverse("cafes:serie_modifier", args=[serie.pk]),
            _serie_data(nom="Café du jeudi", jour=Jour.JEUDI, rang=Rang.DERNIER),
        )
        assert response.status_code == 302
        serie.refresh_from_db()
        assert (serie.nom, serie.jour, serie.rang) == ("Café du jeudi", Jour.JEUDI, Rang.DERNIER)

    def test_lecture_cannot_write(self, client_lecture, serie):
        assert client_lecture.get(reverse("cafes:serie_creer")).status_code == 403
        assert client_lecture.post(reverse("cafes:serie_creer"), _serie_data()).status_code == 403
        for name in ("cafes:serie_modifier", "cafes:programmer", "cafes:hote_ajouter"):
            assert client_lecture.post(reverse(name, args=[serie.pk])).status_code == 403
        assert client_lecture.get(reverse("cafes:cafe_creer", args=[serie.pk])).status_code == 403


class TestHotes:
    def test_add_remove_and_reorder_hosts(self, client_salarie, serie):
        a, b, c = (PartenaireFactory(centre=serie.centre, nom=nom) for nom in "ABC")
        for partenaire in (a, b, c):
            response = client_salarie.post(
                reverse("cafes:hote_ajouter", args=[serie.pk]), {"partenaire": partenaire.pk}
            )
            assert response.status_code == 302
        ordre = lambda: [h.partenaire.nom for h in serie.hotes.order_by("ordre", "pk")]  # noqa: E731
        assert ordre() == ["A", "B", "C"]

        hote_c = serie.hotes.get(partenaire=c)
        client_salarie.post(reverse("cafes:hote_monter", args=[serie.pk]), {"hote": hote_c.pk})
        assert ordre() == ["A", "C", "B"]
        hote_a = serie.hotes.get(partenaire=a)
        client_salarie.post(reverse("cafes:hote_descendre", args=[serie.pk]), {"hote": hote_a.pk})
        assert ordre() == ["C", "A", "B"]
        client_salarie.post(reverse("cafes:hote_retirer", args=[serie.pk]), {"hote": hote_a.pk})
        assert ordre() == ["C", "B"]

    def test_adding_twice_or_a_foreign_partner_is_a_form_error(
        self, client_salarie, serie, autre_centre
    ):
        hote = HoteSerieFactory(serie=serie)
        url = reverse("cafes:hote_ajouter", args=[serie.pk])
        response = client_salarie.post(url, {"partenaire": hote.partenaire.pk})
        assert response.status_code == 200
        assert "accueille déjà" in response.content.decode()
        response = client_salarie.post(
            url, {"partenaire": PartenaireFactory(centre=autre_centre).pk}
        )
        assert response.status_code == 200
        assert serie.hotes.count() == 1

    def test_host_of_another_series_is_untouched(self, client_salarie, serie):
        autre = HoteSerieFactory(serie=CafeSerieFactory(centre=serie.centre))
        client_salarie.post(reverse("cafes:hote_retirer", args=[serie.pk]), {"hote": autre.pk})
        assert type(autre).objects.filter(pk=autre.pk).exists()

    def test_detail_marks_next_host(self, client_lecture, serie):
        premier = HoteSerieFactory(serie=serie, ordre=0)
        second = HoteSerieFactory(serie=serie, ordre=1)
        CafeFactory(
            centre=serie.centre, serie=serie, hote=premier.partenaire, date=date(2026, 11, 6)
        )
        response = client_lecture.get(reverse("cafes:serie_detail", args=[serie.pk]))
        assert response.context["hote_suivant"] == second
        assert "prochain hôte" in response.content.decode()


class TestProgrammer:
    def test_rule_dates_are_offered_checked_except_those_taken(self, client_salarie, serie):
        CafeFactory(centre=serie.centre, serie=serie, date=date(2027, 1, 1))
        response = client_salarie.get(reverse("cafes:serie_detail", args=[serie.pk]))
        form = response.context["programmer_form"]
        assert form.candidates[:2] == [date(2026, 12, 4), date(2027, 2, 5)]
        assert form["dates"].initial[:2] == ["2026-12-04", "2027-02-05"]
        assert "vendredi 4 décembre 2026" in response.content.decode()

    def test_public_holidays_are_offered_unticked(self, client_salarie, serie):
        response = client_salarie.get(reverse("cafes:serie_detail", args=[serie.pk]))
        form = response.context["programmer_form"]
        assert date(2027, 1, 1) in form.candidates
        assert "2027-01-01" not in form["dates"].initial
        assert "2026-12-04" in form["dates"].initial
        assert "vendredi 1er janvier 2027 (jour férié)" in response.content.decode()

    def test_generate_with_an_excluded_date(self, client_salarie, serie):
        response = client_salarie.post(
            reverse("cafes:programmer", args=[serie.pk]),
            # 1 January unchecked; a date beyond the three months is not programmed.
            {"nb_mois": 3, "dates": ["2026-12-04", "2027-02-05", "2027-04-02"]},
            follow=True,
        )
        assert list(serie.cafes.values_list("date", flat=True)) == [
            date(2026, 12, 4),
            date(2027, 2, 5),
        ]
        page = response.content.decode()
        assert (
            "2 cafés programmés\u00a0: vendredi 4 décembre 2026, vendredi 5 février 2027." in page
        )
        assert "Vendredi 1er janvier 2027 non programmé\u00a0: jour férié, laissé décoché." in page
        # Ticked, but beyond the months chosen: said too.
        assert "1 date cochée au-delà des 3 mois choisis n&#x27;est pas programmée." in page

    def test_a_date_taken_meanwhile_is_reported(self, client_salarie, serie):
        # Another tab programmed 4 December after this form was shown.
        CafeFactory(centre=serie.centre, serie=serie, date=date(2026, 12, 4))
        response = client_salarie.post(
            reverse("cafes:programmer", args=[serie.pk]),
            {"nb_mois": 1, "dates": []},
            follow=True,
        )
        page = response.content.decode()
        assert "Aucun café programmé." in page
        assert (
            "Vendredi 4 décembre 2026 non programmé\u00a0: un café existe déjà à cette date."
            in page
        )

    def test_an_unticked_date_stays_unticked_until_staff_tick_it(self, client_salarie, serie):
        url = reverse("cafes:programmer", args=[serie.pk])
        client_salarie.post(url, {"nb_mois": 3, "dates": ["2026-12-04"]})
        serie.refresh_from_db()
        # 1 January and 5 February unticked; 5 March, beyond the three months, not recorded.
        assert serie.dates_exclues == ["2027-01-01", "2027-02-05"]

        page = client_salarie.get(reverse("cafes:serie_detail", args=[serie.pk]))
        form = page.context["programmer_form"]
        assert "2027-02-05" not in form["dates"].initial
        assert "2027-03-05" in form["dates"].initial
        assert "vendredi 5 février 2027 (écartée la dernière fois)" in page.content.decode()

        # Ticked again, it is programmed and no longer set aside.
        client_salarie.post(url, {"nb_mois": 4, "dates": ["2027-02-05", "2027-03-05"]})
        serie.refresh_from_db()
        assert sorted(serie.cafes.values_list("date", flat=True)) == [
            date(2026, 12, 4),
            date(2027, 2, 5),
            date(2027, 3, 5),
        ]
        assert serie.dates_exclues == ["2027-01-01"]

    def test_bad_dates_and_months_are_refused_in_french(self, client_salarie, serie):
        response = client_salarie.post(
            reverse("cafes:programmer", args=[serie.pk]),
            {"nb_mois": 13, "dates": ["2027-01-02"]},
        )
        assert response.status_code == 200
        erreurs = response.context["programmer_form"].errors
        assert erreurs["nb_mois"] == ["Au plus 12 mois."]
        assert erreurs["dates"] == [
            "Le 2027-01-02 n'est pas une date libre de la règle de la série."
        ]
        assert not serie.cafes.exists()

    def test_detail_has_a_constant_number_of_queries(
        self, client_salarie, serie, django_assert_max_num_queries
    ):
        def remplir(n, debut):
            for i in range(n):
                hote = HoteSerieFactory(serie=serie)
                CafeFactory(
                    centre=serie.centre,
                    serie=serie,
                    hote=hote.partenaire,
                    date=date(2025 + debut, 1, 1 + i),
                    type=TypeCafe.THEMATIQUE,
                    theme=theme("logement"),
                )

        remplir(3, 0)
        url = reverse("cafes:serie_detail", args=[serie.pk])
        with django_assert_max_num_queries(30) as avant:
            client_salarie.get(url)
        remplir(17, -1)
        with django_assert_max_num_queries(len(avant.captured_queries)):
            response = client_salarie.get(url)
        assert len(response.context["cafes_passes"]) + len(response.context["cafes_a_venir"]) == 20


class TestCafe:
    def test_create_prefills_next_host_and_uses_its_address(self, client_salarie, serie):
        hote = HoteSerieFactory(serie=serie, adresse="Salle des fêtes")
        url = reverse("cafes:cafe_creer", args=[serie.pk])
        assert client_salarie.get(url).context["form"].initial["hote"] == hote.partenaire
        response = client_salarie.post(url, _cafe_data(hote=hote.partenaire.pk))
        cafe = Cafe.objects.get()
        assert response["Location"] == reverse("cafes:cafe_detail", args=[cafe.pk])
        assert cafe.adresse == "Salle des fêtes"
        assert (cafe.centre, cafe.serie) == (serie.centre, serie)

    def test_host_outside_the_rotation_gives_its_own_address(self, client_salarie, serie):
        partenaire = PartenaireFactory(centre=serie.centre)
        client_salarie.post(
            reverse("cafes:cafe_creer", args=[serie.pk]), _cafe_data(hote=partenaire.pk)
        )
        assert Cafe.objects.get().adresse == "3 rue des Lilas, 47000 Agen"

    def test_without_host_the_centre_address(self, client_salarie, serie):
        client_salarie.post(reverse("cafes:cafe_creer", args=[serie.pk]), _cafe_data())
        assert Cafe.objects.get().adresse.startswith("Centre social de Montanou")

    def test_thematic_needs_a_theme(self, client_salarie, serie):
        response = client_salarie.post(
            reverse("cafes:cafe_creer", args=[serie.pk]), _cafe_data(type=TypeCafe.THEMATIQUE)
        )
        assert response.status_code == 200
        assert response.context["form"].errors["theme"] == [
            "Choisissez le thème d'un café thématique."
        ]
        response = client_salarie.post(
            reverse("cafes:cafe_creer", args=[serie.pk]),
            _cafe_data(type=TypeCafe.THEMATIQUE, theme=theme("sante").pk),
        )
        assert response.status_code == 302

    def test_duplicate_date_is_a_form_error(self, client_salarie, serie):
        existant = CafeFactory(centre=serie.centre, serie=serie, date=date(2027, 2, 10))
        response = client_salarie.post(reverse("cafes:cafe_creer", args=[serie.pk]), _cafe_data())
        assert response.status_code == 200
        assert response.context["form"].errors["date"] == ["La série a déjà un café à cette date."]
        autre = CafeFactory(centre=serie.centre, serie=serie, date=date(2027, 3, 10))
        response = client_salarie.post(
            reverse("cafes:cafe_modifier", args=[autre.pk]), _cafe_data(date="2027-02-10")
        )
        assert response.status_code == 200
        assert response.context["form"].errors["date"] == ["La série a déjà un café à cette date."]
        assert Cafe.objects.filter(date=date(2027, 2, 10)).get() == existant

    def test_a_new_time_or_place_tells_those_already_invited(
        self, client_salarie, serie, django_capture_on_commit_callbacks, mailoutbox
    ):
        """Once confirmed: the page that asks first is ``test_annulation.TestModifier``'s."""
        cafe = CafeFactory(centre=serie.centre, serie=serie, date=date(2027, 2, 10))
        contact = ContactFactory(centre=serie.centre, email="deja@invite.test")
        Invitation.objects.create(cafe=cafe, contact=contact, envoyee_le=timezone.now())
        with django_capture_on_commit_callbacks(execute=True):
            response = client_salarie.post(
                reverse("cafes:cafe_modifier", args=[cafe.pk]),
                _cafe_data(
                    heure_debut="14:00",
                    heure_fin="16:00",
                    adresse="Mairie",
                    capacite=30,
                    prevenir="oui",
                ),
            )
        assert response.status_code == 302
        cafe.refresh_from_db()
        assert (cafe.heure_debut, cafe.adresse, cafe.capacite) == (time(14), "Mairie", 30)
        assert cafe.sequence == 1
        assert [m.to for m in mailoutbox] == [["deja@invite.test"]]

    def test_capacity_alone_sends_nothing(self, client_salarie, serie, mailoutbox):
        cafe = CafeFactory(
            centre=serie.centre, serie=serie, date=date(2027, 2, 10), adresse="Mairie"
        )
        client_salarie.post(
            reverse("cafes:cafe_modifier", args=[cafe.pk]),
            _cafe_data(adresse="Mairie", capacite=12),
        )
        cafe.refresh_from_db()
        assert (cafe.capacite, cafe.sequence) == (12, 0)

    def test_the_form_does_not_cancel(self, client_salarie, serie):
        """Cancelling has its own button (``test_annulation``): not a status of the form."""
        cafe = CafeFactory(centre=serie.centre, serie=serie, date=date(2027, 2, 10))
        url = reverse("cafes:cafe_modifier", args=[cafe.pk])
        statuts = client_salarie.get(url).context["form"].fields["statut"].choices
        assert StatutCafe.ANNULE not in [valeur for valeur, _libelle in statuts]
        response = client_salarie.post(
            url, _cafe_data(adresse=cafe.adresse, statut=StatutCafe.ANNULE)
        )
        assert response.status_code == 200
        assert "statut" in response.context["form"].errors
        cafe.refresh_from_db()
        assert (cafe.statut, cafe.sequence) == (StatutCafe.PREVU, 0)

    def test_a_cancelled_cafe_is_edited_without_status_nor_emails(
        self, client_salarie, serie, django_capture_on_commit_callbacks, mailoutbox
    ):
        cafe = CafeFactory(
            centre=serie.centre, serie=serie, date=date(2027, 2, 10), statut=StatutCafe.ANNULE
        )
        Invitation.objects.create(
            cafe=cafe, contact=ContactFactory(centre=serie.centre), envoyee_le=timezone.now()
        )
        url = reverse("cafes:cafe_modifier", args=[cafe.pk])
        response = client_salarie.get(url)
        assert "statut" not in response.context["form"].fields
        assert "Le café est maintenu" in response.content.decode()
        donnees = _cafe_data(adresse="Mairie")
        del donnees["statut"]
        with django_capture_on_commit_callbacks(execute=True):
            assert client_salarie.post(url, donnees).status_code == 302
        cafe.refresh_from_db()
        assert (cafe.statut, cafe.adresse, cafe.sequence) == (StatutCafe.ANNULE, "Mairie", 0)
        assert mailoutbox == []

    def test_end_before_start(self, client_salarie, serie):
        response = client_salarie.post(
            reverse("cafes:cafe_creer", args=[serie.pk]),
            _cafe_data(heure_debut="10:00", heure_fin="09:00"),
        )
        assert response.status_code == 200
        assert "heure_fin" in response.context["form"].errors


class TestCercle:
    def test_circle_add_and_remove_on_the_cafe_page(self, client_salarie, centre):
        serie = CafeSerieFactory(centre=centre, categories=[CategoriePartenaire.CCAS])
        ccas = PartenaireFactory(
            centre=centre, nom="CCAS d'Agen", categorie=CategoriePartenaire.CCAS
        )
        ContactFactory(partenaire=ccas, nom="Durand")
        club = PartenaireFactory(centre=centre, nom="Club de foot")
        cafe = CafeFactory(centre=centre, serie=serie)
        url = reverse("cafes:cafe_detail", args=[cafe.pk])

        response = client_salarie.get(url)
        assert [o.nom for o, _ in response.context["organisations"]] == ["CCAS d'Agen"]
        assert response.context["nb_contacts"] == 1
        assert "{# INVITATIONS #}" not in response.content.decode()

        client_salarie.post(
            reverse("cafes:cafe_organisation_ajouter", args=[cafe.pk]), {"partenaire": club.pk}
        )
        client_salarie.post(
            reverse("cafes:cafe_organisation_retirer", args=[cafe.pk]), {"partenaire": ccas.pk}
        )
        assert list(cafe.partenaires_ajoutes.all()) == [club]
        assert list(cafe.partenaires_retires.all()) == [ccas]
        response = client_salarie.get(url)
        assert [o.nom for o, _ in response.context["organisations"]] == ["Club de foot"]

    def test_cafe_page_has_a_constant_number_of_queries(
        self, client_salarie, centre, django_assert_max_num_queries
    ):
        serie = CafeSerieFactory(centre=centre, categories=[CategoriePartenaire.ASSOCIATION])
        cafe = CafeFactory(centre=centre, serie=serie)

        def remplir(n):
            for _ in range(n):
                ContactFactory(centre=centre)

        remplir(3)
        url = reverse("cafes:cafe_detail", args=[cafe.pk])
        with django_assert_max_num_queries(20) as avant:
            client_salarie.get(url)
        remplir(17)
        with django_assert_max_num_queries(len(avant.captured_queries)):
            response = client_salarie.get(url)
        assert response.context["nb_organisations"] == 20

    def test_a_large_circle_is_shown_a_page_at_a_time(self, client_salarie, centre):
        serie = CafeSerieFactory(centre=centre, categories=[CategoriePartenaire.ASSOCIATION])
        cafe = CafeFactory(centre=centre, serie=serie)
        for n in range(55):
            contact = ContactFactory(
                partenaire=PartenaireFactory(
                    centre=centre, nom=f"Association {n:02d}", categorie="association"
                )
            )
            Invitation.objects.create(cafe=cafe, contact=contact)
        url = reverse("cafes:cafe_detail", args=[cafe.pk])

        premiere = client_salarie.get(url)
        noms = [o.nom for o, _ in premiere.context["organisations"]]
        assert noms == [f"Association {n:02d}" for n in range(50)]
        assert premiere.context["nb_organisations"] == 55
        assert premiere.context["nb_contacts"] == 55
        assert len(premiere.context["reponses"]) == 50
        assert premiere.context["invitations"]["total"] == 55
        page = premiere.content.decode()
        assert 'href="?page=2#cercle"' in page
        assert 'href="?reponses=2#invitations"' in page

        # Each list turns its own pages and keeps the other's.
        suivante = client_salarie.get(url, {"page": 2, "reponses": 2})
        assert [o.nom for o, _ in suivante.context["organisations"]] == [
            f"Association {n}" for n in range(50, 55)
        ]
        assert [o["nom"] for o in suivante.context["reponses"]] == [
            f"Association {n}" for n in range(50, 55)
        ]
        assert 'href="?page=1&amp;reponses=2#cercle"' in suivante.content.decode()
        # A page number typed by hand never breaks the page.
        for numero in ("abc", "99", "-1"):
            assert client_salarie.get(url, {"page": numero}).status_code == 200

    def test_lecture_cannot_change_the_circle(self, client_lecture, centre):
        cafe = CafeFactory(centre=centre)
        partenaire = PartenaireFactory(centre=centre)
        url = reverse("cafes:cafe_organisation_ajouter", args=[cafe.pk])
        assert client_lecture.post(url, {"partenaire": partenaire.pk}).status_code == 403
        assert client_lecture.get(reverse("cafes:cafe_modifier", args=[cafe.pk])).status_code == 403
        assert not cafe.partenaires_ajoutes.exists()


def test_forms_open(client_salarie, serie):
    cafe = CafeFactory(centre=serie.centre, serie=serie)
    for url in (
        reverse("cafes:serie_creer"),
        reverse("cafes:serie_modifier", args=[serie.pk]),
        reverse("cafes:cafe_creer", args=[serie.pk]),
        reverse("cafes:cafe_modifier", args=[cafe.pk]),
    ):
        assert client_salarie.get(url).status_code == 200, url


def test_lecture_reads_pages_without_buttons(client_lecture, serie):
    HoteSerieFactory(serie=serie)
    cafe = CafeFactory(centre=serie.centre, serie=serie)
    for url in (
        reverse("cafes:serie_detail", args=[serie.pk]),
        reverse("cafes:cafe_detail", args=[cafe.pk]),
    ):
        response = client_lecture.get(url)
        assert response.status_code == 200
        assert 'method="post"' not in response.content.decode().split("<main")[1], url


def test_a_foreign_partner_cannot_join_a_cafe(client_salarie, serie, autre_centre):
    cafe = CafeFactory(centre=serie.centre, serie=serie)
    ailleurs = PartenaireFactory(centre=autre_centre)
    client_salarie.post(
        reverse("cafes:cafe_organisation_ajouter", args=[cafe.pk]), {"partenaire": ailleurs.pk}
    )
    assert not cafe.partenaires_ajoutes.exists()


def test_cafe_page_sends_invitations_and_shows_their_progress(
    client_salarie, centre, django_capture_on_commit_callbacks, time_machine
):
    from datetime import date

    from pytest_django.asserts import assertContains

    from tests.cafes.factories import CafeFactory, CafeSerieFactory
    from tests.partenariats.factories import ContactFactory, PartenaireFactory

    time_machine.move_to("2026-11-23 10:00+01:00", tick=False)
    serie = CafeSerieFactory(centre=centre, categories=["association"])
    ContactFactory(partenaire=PartenaireFactory(centre=centre, nom="Régie de quartier"))
    cafe = CafeFactory(serie=serie, centre=centre, date=date(2026, 12, 4))
    url = reverse("cafes:cafe_detail", args=[cafe.pk])
    assertContains(client_salarie.get(url), "Aucune invitation envoyée pour l'instant.")
    with django_capture_on_commit_callbacks(execute=True):
        client_salarie.post(reverse("cafes:invitations_envoyer", args=[cafe.pk]))
    response = client_salarie.get(url)
    assertContains(response, "1 sur 1 envoyées")
    assertContains(response, "Régie de quartier")

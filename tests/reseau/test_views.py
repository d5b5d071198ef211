import io
from urllib.parse import quote

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from courrier.models import Courriel
from reseau.enums import Role
from reseau.middleware import SESSION_KEY
from reseau.models import Membre
from tests.factories import CentreFactory, MembreFactory, UserFactory
from tests.partenariats.factories import LotDemandesFactory

pytestmark = pytest.mark.django_db


class TestAccueil:
    def test_shows_current_centre_and_role(self, client_salarie, centre):
        response = client_salarie.get(reverse("accueil"))
        assertContains(response, centre.nom)
        assertContains(response, "Salarié")

    def test_projet_social_ending_soon_is_announced(
        self, client, salarie_user, centre, time_machine
    ):
        time_machine.move_to("2026-10-01 10:00+02:00")
        centre.projet_social_debut = "2023-01-01"
        centre.projet_social_fin = "2026-12-31"
        centre.save()
        client.force_login(salarie_user)
        response = client.get(reverse("accueil"))
        assertContains(response, "arrive à échéance le 31 décembre 2026, dans 91 jours")

    def test_projet_social_expired(self, client, salarie_user, centre, time_machine):
        time_machine.move_to("2027-02-01 10:00+01:00")
        centre.projet_social_fin = "2026-12-31"
        centre.save()
        client.force_login(salarie_user)
        assertContains(client.get(reverse("accueil")), "n'est plus valide depuis")

    def test_coordinator_sees_the_centres_of_the_federation_only(
        self, client, coordinateur_user, centre, autre_centre
    ):
        ailleurs = CentreFactory(nom="Centre d'une autre fédération")
        client.force_login(coordinateur_user)
        response = client.get(reverse("accueil"))
        assertContains(response, centre.nom)
        assertContains(response, autre_centre.nom)
        assertNotContains(response, ailleurs.nom)
        assertContains(response, "jamais les données personnelles")

    def test_coordinator_is_told_what_is_there_and_which_social_project_expired(
        self, client, coordinateur_user, centre, autre_centre, time_machine
    ):
        time_machine.move_to("2027-02-01 10:00+01:00")
        centre.projet_social_fin = "2026-12-31"
        centre.save()
        autre_centre.projet_social_fin = "2028-06-30"
        autre_centre.save()
        client.force_login(coordinateur_user)
        response = client.get(reverse("accueil"))
        # No figures yet: the page says they come with the dashboards, and promises nothing.
        assertNotContains(response, "leurs chiffres")
        assertContains(response, "arriveront avec les tableaux de bord")
        html = response.content.decode()
        ligne_echue = html[html.index(centre.nom) : html.index("</tr>", html.index(centre.nom))]
        ligne_valide = html[
            html.index(autre_centre.nom) : html.index("</tr>", html.index(autre_centre.nom))
        ]
        assert "31 décembre 2026" in ligne_echue and "Échu" in ligne_echue
        assert "30 juin 2028" in ligne_valide and "Échu" not in ligne_valide

    def test_account_without_centre_is_told_what_to_do(self, client):
        client.force_login(UserFactory())
        assertContains(client.get(reverse("accueil")), "rattaché à aucun centre")

    def test_navigation_hides_what_the_role_cannot_use(self, client_lecture):
        response = client_lecture.get(reverse("accueil"))
        assertNotContains(response, reverse("reseau:membres"))
        assertNotContains(response, reverse("courrier:liste"))

    def test_navigation_for_admin(self, client_admin):
        response = client_admin.get(reverse("accueil"))
        assertContains(response, reverse("reseau:membres"))
        assertContains(response, reverse("courrier:liste"))


class TestChangerCentre:
    def test_switch_to_a_centre_of_mine(self, client, centre, autre_centre):
        user = MembreFactory(centre=centre).user
        MembreFactory(user=user, centre=autre_centre)
        client.force_login(user)
        response = client.post(
            reverse("reseau:changer_centre"), {"centre": autre_centre.pk}, follow=True
        )
        assert client.session[SESSION_KEY] == autre_centre.pk
        assertContains(
            response, f"Vous travaillez maintenant dans ce centre\u00a0: {autre_centre.nom}"
        )

    def test_cannot_switch_to_a_centre_i_do_not_belong_to(self, client_salarie, autre_centre):
        response = client_salarie.post(
            reverse("reseau:changer_centre"), {"centre": autre_centre.pk}
        )
        assert response.status_code == 404
        assert SESSION_KEY not in client_salarie.session

    def test_garbage_is_a_404_not_a_500(self, client_salarie):
        response = client_salarie.post(reverse("reseau:changer_centre"), {"centre": "abc"})
        assert response.status_code == 404

    def test_get_changes_nothing(self, client_salarie, centre):
        assert client_salarie.get(reverse("reseau:changer_centre")).status_code == 405

    def test_stale_session_falls_back_to_a_centre_of_mine(
        self, client_salarie, centre, autre_centre
    ):
        session = client_salarie.session
        session[SESSION_KEY] = autre_centre.pk
        session.save()
        assertContains(client_salarie.get(reverse("accueil")), centre.nom)


class TestMembres:
    def test_admin_sees_members_of_current_centre_only(self, client_admin, centre, autre_centre):
        ici = MembreFactory(centre=centre).user
        ailleurs = MembreFactory(centre=autre_centre).user
        response = client_admin.get(reverse("reseau:membres"))
        assertContains(response, ici.email)
        assertNotContains(response, ailleurs.email)

    @pytest.mark.parametrize("fixture", ["client_salarie", "client_lecture"])
    def test_only_admins_manage_members(self, request, fixture):
        client = request.getfixturevalue(fixture)
        assert client.get(reverse("reseau:membres")).status_code == 403
        assert client.post(reverse("reseau:inviter_membre"), {"email": "x@y.fr"}).status_code == 403

    def test_query_count_does_not_grow_with_members(
        self, client_admin, centre, django_assert_max_num_queries
    ):
        MembreFactory.create_batch(3, centre=centre)
        with django_assert_max_num_queries(8) as small:
            client_admin.get(reverse("reseau:membres"))
        MembreFactory.create_batch(30, centre=centre)
        with django_assert_max_num_queries(len(small.captured_queries)):
            client_admin.get(reverse("reseau:membres"))

    def test_invite(self, client_admin, centre):
        response = client_admin.post(
            reverse("reseau:inviter_membre"),
            {
                "email": "nouveau@exemple.fr",
                "role": Role.LECTURE,
                "first_name": "",
                "last_name": "",
            },
        )
        assertRedirects(response, reverse("reseau:membres"))
        assert Membre.objects.get(user__email="nouveau@exemple.fr").role == Role.LECTURE
        assert Courriel.objects.filter(destinataire="nouveau@exemple.fr").count() == 1

    def test_invite_with_bad_email_says_why_in_french(self, client_admin):
        response = client_admin.post(
            reverse("reseau:inviter_membre"), {"email": "pas-une-adresse", "role": "admin"}
        )
        assert response.status_code == 200
        assertContains(response, "Saisissez une adresse de courriel valide")

    def test_invite_someone_already_member(self, client_admin, salarie_user):
        response = client_admin.post(
            reverse("reseau:inviter_membre"), {"email": salarie_user.email.upper(), "role": "admin"}
        )
        assertContains(response, "déjà membre du centre")

    def test_change_role(self, client_admin, salarie_user):
        membre = Membre.objects.get(user=salarie_user)
        response = client_admin.post(
            reverse("reseau:changer_role", args=[membre.pk]), {"role": Role.ADMIN}, follow=True
        )
        membre.refresh_from_db()
        assert membre.role == Role.ADMIN
        assertContains(response, "est maintenant « Admin du centre »")

    def test_change_role_to_nonsense(self, client_admin, salarie_user):
        membre = Membre.objects.get(user=salarie_user)
        response = client_admin.post(
            reverse("reseau:changer_role", args=[membre.pk]), {"role": "roi"}, follow=True
        )
        membre.refresh_from_db()
        assert membre.role == Role.SALARIE
        assertContains(response, "Choisissez un rôle dans la liste")

    def test_last_admin_demoting_themself_is_refused_with_a_message(self, client_admin, admin_user):
        membre = Membre.objects.get(user=admin_user)
        response = client_admin.post(
            reverse("reseau:changer_role", args=[membre.pk]),
            {"role": Role.LECTURE},
            follow=True,
        )
        assertContains(response, "au moins un administrateur")
        membre.refresh_from_db()
        assert membre.role == Role.ADMIN

    def test_remove_asks_confirmation_then_removes(self, client_admin, salarie_user):
        membre = Membre.objects.get(user=salarie_user)
        url = reverse("reseau:retirer_membre", args=[membre.pk])
        assertContains(client_admin.get(url), "Retirer du centre")
        assert Membre.objects.filter(pk=membre.pk).exists()
        response = client_admin.post(url, follow=True)
        assertContains(response, "a été retiré du centre")
        assert not Membre.objects.filter(pk=membre.pk).exists()


class TestProfil:
    def test_update_names(self, client_lecture, lecture_user):
        response = client_lecture.post(
            reverse("profil"), {"first_name": "Odile", "last_name": "Martin"}, follow=True
        )
        assertContains(response, "Vos informations ont été enregistrées")
        lecture_user.refresh_from_db()
        assert lecture_user.get_full_name() == "Odile Martin"


class TestPages:
    def test_personal_data_page_is_public_and_french(self, client):
        assertContains(client.get(reverse("donnees_personnelles")), "RGPD")

    def test_404_is_french(self, client_salarie):
        response = client_salarie.get("/nulle-part/")
        assertContains(response, "Page introuvable", status_code=404)

    def test_logout_is_a_post(self, client_salarie):
        assert client_salarie.get(reverse("logout")).status_code == 405
        assertRedirects(client_salarie.post(reverse("logout")), reverse("login"))


def test_demo_is_idempotent(db):
    from django.core.management import call_command

    from reseau.models import Centre, User

    call_command("demo", stdout=io.StringIO())
    counts = (Centre.objects.count(), User.objects.count(), Membre.objects.count())
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert (Centre.objects.count(), User.objects.count(), Membre.objects.count()) == counts
    directrice = User.objects.get(email="directrice@montanou.demo")
    assert directrice.check_password("maillage-demo")
    assert directrice.membres.count() == 2
    assert "maillage-demo" in out.getvalue()


def test_403_is_french(client_lecture):
    response = client_lecture.get(reverse("reseau:membres"))
    assertContains(response, "Accès refusé", status_code=403)


def test_500_page_renders_without_request_or_database():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Une erreur est survenue" in html
    assert "<script" not in html


def test_first_visit_lands_in_the_centre_where_the_role_is_widest(client, centre, autre_centre):
    user = MembreFactory(centre=autre_centre, lecture=True).user
    MembreFactory(user=user, centre=centre, admin=True)
    client.force_login(user)
    response = client.get(reverse("accueil"))
    assert response.context["centre_courant"] == centre


def test_login_ignores_the_capitals_of_the_address(client, salarie_user):
    from tests.factories import MOT_DE_PASSE

    response = client.post(
        reverse("login"), {"username": f"  {salarie_user.email.upper()} ", "password": MOT_DE_PASSE}
    )
    assertRedirects(response, reverse("accueil"))


def test_a_progress_bar_polling_after_the_session_expired_sends_the_page_to_login(client, centre):
    lot = LotDemandesFactory(centre=centre, partenaires=[1, 2], total=2)
    page = reverse("partenariats:lot_detail", args=[lot.pk])
    suivi = reverse("partenariats:lot_progression", args=[lot.pk])
    connexion = f"{reverse('login')}?next={quote(page)}"

    # htmx would follow a plain redirect itself and put the login page inside the bar: it gets
    # an HX-Redirect instead, loads the login page whole, and comes back to the page after.
    response = client.get(
        suivi, headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{page}"}
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == connexion
    assert response.content == b""

    # Another site's address in the header is not a place to come back to: the fragment is.
    response = client.get(
        suivi, headers={"HX-Request": "true", "HX-Current-URL": "https://ailleurs.test/"}
    )
    assert response["HX-Redirect"] == f"{reverse('login')}?next={quote(suivi)}"

    # Without htmx, Django's redirect as before.
    assertRedirects(client.get(page), connexion, fetch_redirect_response=False)

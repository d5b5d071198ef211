"""On the day of a café: the feuille d'émargement (PDF) and the check-in screen (pointage)."""

import datetime
import subprocess
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cafes.enums import Reponse, StatutCafe
from cafes.models import Cafe, Invitation
from partenariats.enums import CategoriePartenaire
from partenariats.models import Contact, Partenaire
from tests.cafes.factories import CafeFactory, InvitationFactory
from tests.partenariats.factories import ContactFactory, PartenaireFactory

pytestmark = pytest.mark.django_db


def pdf_texte(contenu):
    resultat = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=contenu, capture_output=True, check=True
    )
    return resultat.stdout.decode()


@pytest.fixture
def cafe(centre):
    return CafeFactory(centre=centre, adresse="12 rue Lamartine, 47000 Agen")


def _inviter(cafe, *, organisation=None, reponse="", **contact):
    partenaire = organisation or PartenaireFactory(centre=cafe.centre)
    return InvitationFactory(
        cafe=cafe,
        contact=ContactFactory(partenaire=partenaire, **contact),
        reponse=reponse,
    )


class TestEmargement:
    def test_pdf_liste_les_attendus_par_organisation(self, client_lecture, cafe, autre_centre):
        caf = PartenaireFactory(centre=cafe.centre, nom="Caisse d'allocations familiales")
        mission = PartenaireFactory(centre=cafe.centre, nom="Mission locale de l'Agenais")
        _inviter(cafe, organisation=caf, reponse=Reponse.OUI, prenom="Awa", nom="Diallo")
        _inviter(cafe, organisation=caf, reponse=Reponse.PEUT_ETRE, prenom="Luc", nom="Bernard")
        _inviter(cafe, organisation=mission, reponse=Reponse.NON, prenom="Inès", nom="Refus")
        _inviter(cafe, organisation=mission, prenom="Paul", nom="Silence")
        autre_cafe = CafeFactory(centre=cafe.centre)
        _inviter(autre_cafe, reponse=Reponse.OUI, prenom="Zoé", nom="Ailleurs")
        _inviter(CafeFactory(centre=autre_centre), reponse=Reponse.OUI, prenom="Max", nom="Fumel")

        response = client_lecture.get(reverse("cafes:emargement", args=[cafe.pk]))

        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        disposition = response["Content-Disposition"]
        assert disposition.startswith("inline;")
        assert f"emargement-cafe-{cafe.centre.slug}-{cafe.date:%Y-%m-%d}.pdf" in disposition
        texte = pdf_texte(response.content)
        assert "Feuille d'émargement" in texte
        assert "Awa Diallo" in texte
        assert "Luc Bernard" in texte
        assert "allocations familiales" in texte
        assert "12 rue Lamartine" in texte
        assert "Personnes venues sans invitation" in texte
        assert "Page 1 sur 1" in texte
        for absent in ("Refus", "Silence", "Ailleurs", "Fumel", "Mission locale"):
            assert absent not in texte

    def test_longue_liste_sur_plusieurs_pages(self, client_lecture, cafe):
        organisation = PartenaireFactory(centre=cafe.centre, nom="Grande association")
        for _ in range(40):
            _inviter(cafe, organisation=organisation, reponse=Reponse.OUI)
        texte = pdf_texte(client_lecture.get(reverse("cafes:emargement", args=[cafe.pk])).content)
        assert "Page 2 sur" in texte
        # The table header is repeated on every page.
        assert texte.count("SIGNATURE") >= 3

    def test_cafe_d_un_autre_centre_404(self, client_lecture, autre_centre):
        cafe = CafeFactory(centre=autre_centre)
        response = client_lecture.get(reverse("cafes:emargement", args=[cafe.pk]))
        assert response.status_code == 404


class TestPointage:
    def test_page_groupee_attendus_d_abord(self, client_salarie, cafe):
        _inviter(cafe, reponse="", prenom="Paul", nom="Silence")
        oui = _inviter(cafe, reponse=Reponse.OUI, prenom="Awa", nom="Diallo")
        oui.present = True
        oui.save()
        response = client_salarie.get(reverse("cafes:pointage", args=[cafe.pk]) + "?avant=1")
        assert response.status_code == 200
        html = response.content.decode()
        assert html.index("Awa Diallo") < html.index("Paul Silence")
        assert f'id="invitation-{oui.pk}"' in html
        assert "1 présent, 1 organisation" in " ".join(html.split())

    def test_pointer_puis_annuler(self, client_salarie, cafe):
        invitation = _inviter(cafe, reponse=Reponse.OUI)
        url = reverse("cafes:presence", args=[cafe.pk])

        response = client_salarie.post(url, {"invitation": invitation.pk, "present": "1"})
        assert response.status_code == 302
        assert response["Location"] == (
            reverse("cafes:pointage", args=[cafe.pk]) + f"#invitation-{invitation.pk}"
        )
        invitation.refresh_from_db()
        assert invitation.present

        # A double tap changes nothing.
        client_salarie.post(url, {"invitation": invitation.pk, "present": "1"})
        invitation.refresh_from_db()
        assert invitation.present

        client_salarie.post(url, {"invitation": invitation.pk, "present": "0"})
        invitation.refresh_from_db()
        assert not invitation.present

    def test_le_premier_present_rend_le_cafe_tenu_le_jour_meme(self, client_salarie, cafe):
        invitation = _inviter(cafe, reponse=Reponse.OUI)
        url = reverse("cafes:presence", args=[cafe.pk])
        # The screen tried out the day before: the café is still to come.
        Cafe.objects.filter(pk=cafe.pk).update(date=timezone.localdate() + timedelta(days=1))
        client_salarie.post(url, {"invitation": invitation.pk, "present": "1"})
        cafe.refresh_from_db()
        assert cafe.statut == StatutCafe.PREVU

        Cafe.objects.filter(pk=cafe.pk).update(date=timezone.localdate())
        client_salarie.post(url, {"invitation": invitation.pk, "present": "1"})
        cafe.refresh_from_db()
        assert cafe.statut == StatutCafe.TENU

    def test_un_cafe_annule_reste_annule(self, client_salarie, cafe):
        Cafe.objects.filter(pk=cafe.pk).update(statut=StatutCafe.ANNULE, date=timezone.localdate())
        client_salarie.post(
            reverse("cafes:pointage", args=[cafe.pk]),
            {"prenom": "Léa", "nom": "Martin", "nouvelle_organisation": "Collectif Léo"},
        )
        assert Invitation.objects.get(cafe=cafe, contact__nom="Martin").present
        cafe.refresh_from_db()
        assert cafe.statut == StatutCafe.ANNULE

    def test_invitation_d_un_autre_cafe_404(self, client_salarie, cafe):
        autre = _inviter(CafeFactory(centre=cafe.centre), reponse=Reponse.OUI)
        response = client_salarie.post(
            reverse("cafes:presence", args=[cafe.pk]), {"invitation": autre.pk, "present": "1"}
        )
        assert response.status_code == 404
        autre.refresh_from_db()
        assert not autre.present

    def test_sans_invitation_choisie_revient_au_pointage(self, client_salarie, cafe):
        response = client_salarie.post(reverse("cafes:presence", args=[cafe.pk]), {})
        assert response.status_code == 302

    def test_lecture_ne_peut_pas_pointer(self, client_lecture, cafe):
        invitation = _inviter(cafe, reponse=Reponse.OUI)
        presence = client_lecture.post(
            reverse("cafes:presence", args=[cafe.pk]),
            {"invitation": invitation.pk, "present": "1"},
        )
        assert presence.status_code == 403
        ajout = client_lecture.post(
            reverse("cafes:pointage", args=[cafe.pk]),
            {"prenom": "A", "nom": "B", "nouvelle_organisation": "X"},
        )
        assert ajout.status_code == 403
        invitation.refresh_from_db()
        assert not invitation.present
        assert not Partenaire.objects.filter(nom="X").exists()

    def test_nombre_de_requetes_constant(self, client_salarie, cafe, django_assert_max_num_queries):
        """Session, user, membre, café, invitations, organisations of the form: the same
        six queries with 3 invitations or 20."""
        url = reverse("cafes:pointage", args=[cafe.pk])
        for _ in range(3):
            _inviter(cafe, reponse=Reponse.OUI)
        client_salarie.get(url + "?avant=1")  # session warmed up, check-in confirmed
        with django_assert_max_num_queries(6):
            assert client_salarie.get(url).status_code == 200
        for i in range(17):
            _inviter(cafe, reponse=Reponse.OUI if i % 2 else "")
        with django_assert_max_num_queries(6):
            response = client_salarie.get(url)
        assert response.status_code == 200
        assert response.content.decode().count('name="invitation"') == 20


class TestSansInvitation:
    def test_nouvelle_organisation(self, client_salarie, cafe):
        response = client_salarie.post(
            reverse("cafes:pointage", args=[cafe.pk]),
            {
                "prenom": "Nadia",
                "nom": "Benali",
                "nouvelle_organisation": "Jardins partagés du Pin",
                "email": "nadia@jardins.test",
                "fonction": "Animatrice",
            },
        )
        assert response.status_code == 302
        partenaire = Partenaire.objects.get(nom="Jardins partagés du Pin")
        assert partenaire.centre == cafe.centre
        assert partenaire.categorie == CategoriePartenaire.AUTRE
        contact = Contact.objects.get(partenaire=partenaire)
        assert (contact.prenom, contact.nom, contact.email, contact.fonction) == (
            "Nadia",
            "Benali",
            "nadia@jardins.test",
            "Animatrice",
        )
        assert contact.recoit_invitations_cafe
        invitation = Invitation.objects.get(cafe=cafe, contact=contact)
        assert invitation.sur_place and invitation.present
        assert response["Location"].endswith(f"#invitation-{invitation.pk}")

    def test_contact_existant_par_email(self, client_salarie, cafe):
        partenaire = PartenaireFactory(centre=cafe.centre)
        contact = ContactFactory(partenaire=partenaire, email="awa@caf.test")
        response = client_salarie.post(
            reverse("cafes:pointage", args=[cafe.pk]),
            {
                "prenom": "Awa",
                "nom": "Diallo",
                "partenaire": partenaire.pk,
                "email": "AWA@caf.test",
            },
        )
        assert response.status_code == 302
        assert Contact.objects.filter(partenaire=partenaire).count() == 1
        invitation = Invitation.objects.get(cafe=cafe)
        assert invitation.contact == contact
        assert invitation.present and invitation.sur_place

    def test_contact_existant_par_nom_deja_invite(self, client_salarie, cafe):
        partenaire = PartenaireFactory(centre=cafe.centre)
        invitation = _inviter(
            cafe, organisation=partenaire, reponse=Reponse.NON, prenom="Luc", nom="Bernard"
        )
        response = client_salarie.post(
            reverse("cafes:pointage", args=[cafe.pk]),
            {"prenom": "luc", "nom": "BERNARD", "partenaire": partenaire.pk},
        )
        assert response.status_code == 302
        assert Invitation.objects.filter(cafe=cafe).count() == 1
        invitation.refresh_from_db()
        assert invitation.present
        assert not invitation.sur_place

    def test_organisation_d_un_autre_centre_refusee(self, client_salarie, cafe, autre_centre):
        etranger = PartenaireFactory(centre=autre_centre)
        response = client_salarie.post(
            reverse("cafes:pointage", args=[cafe.pk]),
            {"prenom": "A", "nom": "B", "partenaire": etranger.pk},
        )
        assert response.status_code == 200
        assert "Choisissez une organisation de la liste." in response.content.decode()
        assert not Invitation.objects.exists()

    def test_messages_en_francais(self, client_salarie, cafe):
        response = client_salarie.post(
            reverse("cafes:pointage", args=[cafe.pk]), {"email": "pas-une-adresse"}
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "Indiquez le prénom." in html
        assert "Indiquez le nom." in html
        assert "Saisissez une adresse électronique valide." in html
        assert "tapez le nom d" in html
        assert not Contact.objects.exists()

    def test_deux_organisations_refusees(self, client_salarie, cafe):
        partenaire = PartenaireFactory(centre=cafe.centre)
        response = client_salarie.post(
            reverse("cafes:pointage", args=[cafe.pk]),
            {"prenom": "A", "nom": "B", "partenaire": partenaire.pk, "nouvelle_organisation": "Y"},
        )
        assert response.status_code == 200
        assert "pas les deux" in response.content.decode()


def test_liens_depuis_la_page_du_cafe(client_salarie, cafe):
    html = client_salarie.get(reverse("cafes:cafe_detail", args=[cafe.pk])).content.decode()
    assert reverse("cafes:emargement", args=[cafe.pk]) in html
    # The link names the screen it opens: the check-in screen is the pointage everywhere.
    lien = f'href="{reverse("cafes:pointage", args=[cafe.pk])}">Pointage des présences</a>'
    assert lien in html
    pointage = client_salarie.get(reverse("cafes:pointage", args=[cafe.pk]) + "?avant=1")
    assert '<h1 class="h3">Pointage des présences</h1>' in pointage.content.decode()
    assert "Accueil" not in pointage.content.decode().split("<main", 1)[1]


class TestPointageAvantLeJour:
    def test_before_the_day_the_screen_asks_first_once(self, client_salarie, cafe, time_machine):
        time_machine.move_to(datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC))
        url = reverse("cafes:pointage", args=[cafe.pk])
        page = client_salarie.get(url).content.decode()
        assert 'id="pointage-avant"' in page
        assert "Ajouter une personne venue sans invitation" not in page
        page = client_salarie.get(url + "?avant=1").content.decode()
        assert "Ajouter une personne venue sans invitation" in page
        # Confirmed for this café: the screen's redirects come back to the screen.
        assert "pointage-avant" not in client_salarie.get(url).content.decode()

    def test_on_the_day_no_question(self, client_salarie, cafe, time_machine):
        time_machine.move_to(
            datetime.datetime.combine(cafe.date, datetime.time(8, 0), tzinfo=datetime.UTC)
        )
        page = client_salarie.get(reverse("cafes:pointage", args=[cafe.pk])).content.decode()
        assert "pointage-avant" not in page

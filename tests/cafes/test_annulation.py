"""Cancelling a café, and holding a cancelled café after all: each has its own button, a
confirmation page saying how many people are emailed and showing the email, and a POST that
acts; the people already invited get an .ics that removes the event, then puts it back.
A new date, time or place asks the same way before it is saved (``TestModifier``)."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import (
    assertContains,
    assertNotContains,
    assertRedirects,
    assertTemplateUsed,
)

from cafes.enums import Reponse, StatutCafe
from cafes.jetons import lien_rsvp
from cafes.models import Cafe, Invitation
from cafes.services.cafes import cafe_annuler, cafe_maintenir
from cafes.services.invitations import invitations_expedier
from courrier.models import Courriel
from reseau.enums import AuditAction
from reseau.models import EntreeJournal
from tests.cafes.courriels import calendrier, html
from tests.cafes.factories import CafeFactory, CafeSerieFactory, InvitationFactory
from tests.partenariats.factories import ContactFactory, PartenaireFactory

pytestmark = pytest.mark.django_db

SITE_URL = "https://maillage.example.org"
MAINTENANT = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _contexte(settings, time_machine):
    settings.SITE_URL = SITE_URL
    time_machine.move_to(MAINTENANT, tick=False)


@pytest.fixture
def cafe(centre):
    serie = CafeSerieFactory(centre=centre, nom="Café partenaires de Montanou")
    return CafeFactory(
        centre=centre,
        serie=serie,
        date=datetime.date(2026, 12, 4),
        heure_debut=datetime.time(9, 0),
        heure_fin=datetime.time(10, 30),
        adresse="14 avenue de Montanou, 47000 Agen",
        statut=StatutCafe.INVITATIONS_ENVOYEES,
    )


@pytest.fixture
def invitations(cafe):
    """Awa said yes and Luc no, both emailed; Zoé was emailed and opted out since; Tom's
    invitation has not left yet."""
    mds = PartenaireFactory(centre=cafe.centre, nom="Maison des solidarités")

    def inviter(prenom, email, **kwargs):
        contact = ContactFactory(partenaire=mds, prenom=prenom, nom="Martin", email=email)
        return InvitationFactory(cafe=cafe, contact=contact, **kwargs)

    zoe = inviter("Zoé", "zoe@mds.test", envoyee=True)
    zoe.contact.desinscrit_le = MAINTENANT
    zoe.contact.save()
    return {
        "awa": inviter("Awa", "awa@mds.test", envoyee=True, reponse=Reponse.OUI),
        "luc": inviter("Luc", "luc@mds.test", envoyee=True, reponse=Reponse.NON),
        "zoe": zoe,
        "tom": inviter("Tom", "tom@mds.test"),
    }


def url_annuler(cafe):
    return reverse("cafes:cafe_annuler", args=[cafe.pk])


def url_maintenir(cafe):
    return reverse("cafes:cafe_maintenir", args=[cafe.pk])


def plat(response):
    """The page with its runs of ASCII whitespace as one space (no-break spaces kept)."""
    return re.sub(r"[ \t\n]+", " ", response.content.decode())


def poster(client, url, capture):
    with capture(execute=True):
        return client.post(url)


class TestAnnuler:
    def test_the_cafe_page_leads_to_the_confirmation(self, client_salarie, cafe):
        page = client_salarie.get(reverse("cafes:cafe_detail", args=[cafe.pk]))
        assertContains(page, f'href="{url_annuler(cafe)}"')
        assertNotContains(page, url_maintenir(cafe))

    def test_the_confirmation_counts_and_shows_the_email_and_changes_nothing(
        self, client_salarie, cafe, invitations
    ):
        response = client_salarie.get(url_annuler(cafe))
        assert response.status_code == 200
        page = plat(response)
        assert "2 personnes déjà invitées reçoivent le courriel ci-dessous" in page
        assert "retire le café de leur agenda" in page
        assert "Annulé : Café partenaires de Montanou du vendredi 4 décembre" in page
        assert "Bonjour Awa Martin," in page
        assert "Le café partenaires du vendredi 4 décembre 2026 est annulé." in page
        assertContains(response, 'method="post"')
        assertContains(response, "csrfmiddlewaretoken")
        cafe.refresh_from_db()
        assert (cafe.statut, cafe.sequence) == (StatutCafe.INVITATIONS_ENVOYEES, 0)
        assert not Courriel.objects.exists()
        assert not EntreeJournal.objects.exists()

    def test_nobody_invited_yet_nobody_emailed(self, client_salarie, cafe):
        response = client_salarie.get(url_annuler(cafe))
        assertContains(response, "Personne n'a encore reçu d'invitation\u00a0: aucun courriel")
        assert response.context["apercu"] is None

    def test_post_cancels_and_emails_the_cancellation(
        self,
        client_salarie,
        salarie_user,
        cafe,
        invitations,
        django_capture_on_commit_callbacks,
        mailoutbox,
    ):
        response = poster(client_salarie, url_annuler(cafe), django_capture_on_commit_callbacks)
        assertRedirects(
            response, reverse("cafes:cafe_detail", args=[cafe.pk]), fetch_redirect_response=False
        )
        cafe.refresh_from_db()
        assert (cafe.statut, cafe.sequence) == (StatutCafe.ANNULE, 1)
        assert sorted(m.to[0] for m in mailoutbox) == ["awa@mds.test", "luc@mds.test"]
        for message in mailoutbox:
            assert message.subject == "Annulé : Café partenaires de Montanou du vendredi 4 décembre"
            assert "est annulé" in message.body and "est annulé" in html(message)
            assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
            methode, cal, vevent = calendrier(message)
            assert methode == "CANCEL" and cal["METHOD"] == "CANCEL"
            assert vevent["STATUS"] == "CANCELLED"
            assert (vevent["UID"], vevent["SEQUENCE"]) == (f"{cafe.uid}@maillage", 1)
        entree = EntreeJournal.objects.get()
        assert (entree.action, entree.par, entree.centre) == (
            AuditAction.CAFE_ANNULE,
            salarie_user,
            cafe.centre,
        )
        assert entree.object_id == str(cafe.pk)
        # The answers stay, and the invitation not sent yet does not leave.
        assert Invitation.objects.get(pk=invitations["awa"].pk).reponse == Reponse.OUI
        with django_capture_on_commit_callbacks(execute=True):
            assert invitations_expedier(cafe_id=cafe.pk) == 0
        assert len(mailoutbox) == 2
        page = client_salarie.get(reverse("cafes:cafe_detail", args=[cafe.pk]))
        assertContains(page, "Le café est annulé.")
        assertContains(page, "2 personnes déjà invitées sont prévenues.")
        assertContains(page, f'href="{url_maintenir(cafe)}"')
        assertNotContains(page, f'href="{url_annuler(cafe)}"')

    def test_twice_sends_once(
        self, client_salarie, cafe, invitations, django_capture_on_commit_callbacks, mailoutbox
    ):
        poster(client_salarie, url_annuler(cafe), django_capture_on_commit_callbacks)
        poster(client_salarie, url_annuler(cafe), django_capture_on_commit_callbacks)
        assert cafe_annuler(cafe=cafe, par=None) == []
        assert len(mailoutbox) == 2
        assert EntreeJournal.objects.count() == 1
        cafe.refresh_from_db()
        assert cafe.sequence == 1
        # Once cancelled, the page leads back to the café.
        assertRedirects(
            client_salarie.get(url_annuler(cafe)),
            reverse("cafes:cafe_detail", args=[cafe.pk]),
            fetch_redirect_response=False,
        )

    def test_the_post_needs_csrf(self, salarie_user, cafe, invitations):
        client = Client(enforce_csrf_checks=True)
        client.force_login(salarie_user)
        assert client.post(url_annuler(cafe)).status_code == 403
        cafe.refresh_from_db()
        assert cafe.statut == StatutCafe.INVITATIONS_ENVOYEES

    def test_a_held_cafe_cannot_be_cancelled(
        self, client_salarie, cafe, invitations, django_capture_on_commit_callbacks, mailoutbox
    ):
        Cafe.objects.filter(pk=cafe.pk).update(statut=StatutCafe.TENU)
        page = client_salarie.get(reverse("cafes:cafe_detail", args=[cafe.pk]))
        assertNotContains(page, url_annuler(cafe))
        assert client_salarie.get(url_annuler(cafe)).status_code == 302
        poster(client_salarie, url_annuler(cafe), django_capture_on_commit_callbacks)
        cafe.refresh_from_db()
        assert (cafe.statut, cafe.sequence) == (StatutCafe.TENU, 0)
        assert mailoutbox == []

    def test_read_only_members_are_refused(self, client_lecture, cafe, invitations, mailoutbox):
        page = client_lecture.get(reverse("cafes:cafe_detail", args=[cafe.pk]))
        assertNotContains(page, url_annuler(cafe))
        assert client_lecture.get(url_annuler(cafe)).status_code == 403
        assert client_lecture.post(url_annuler(cafe)).status_code == 403
        cafe.refresh_from_db()
        assert cafe.statut == StatutCafe.INVITATIONS_ENVOYEES
        assert not Courriel.objects.exists()

    def test_a_cafe_of_another_centre_is_not_found(self, client_salarie, autre_centre):
        ailleurs = CafeFactory(centre=autre_centre)
        InvitationFactory(cafe=ailleurs, envoyee=True)
        assert client_salarie.get(url_annuler(ailleurs)).status_code == 404
        assert client_salarie.post(url_annuler(ailleurs)).status_code == 404
        ailleurs.refresh_from_db()
        assert ailleurs.statut == StatutCafe.PREVU
        assert not Courriel.objects.exists()


class TestMaintenir:
    @pytest.fixture
    def annule(self, cafe, invitations, django_capture_on_commit_callbacks, mailoutbox):
        with django_capture_on_commit_callbacks(execute=True):
            cafe_annuler(cafe=cafe, par=None)
        mailoutbox.clear()
        EntreeJournal.objects.all().delete()
        return cafe

    def test_the_confirmation_counts_and_shows_the_email(self, client_salarie, annule):
        page = client_salarie.get(reverse("cafes:cafe_detail", args=[annule.pk]))
        assertContains(page, f'href="{url_maintenir(annule)}"')
        response = client_salarie.get(url_maintenir(annule))
        assert response.status_code == 200
        page = plat(response)
        assert "2 personnes déjà invitées reçoivent le courriel ci-dessous" in page
        assert "remet le café dans leur agenda" in page
        assert "Maintenu\u00a0: Café partenaires de Montanou, vendredi 4 décembre" in page
        assert "Le café partenaires du vendredi 4 décembre 2026 a bien lieu." in page
        assert "Le café est maintenu" in page
        annule.refresh_from_db()
        assert annule.statut == StatutCafe.ANNULE

    def test_post_puts_the_event_back_in_calendars(
        self,
        client_salarie,
        salarie_user,
        annule,
        invitations,
        django_capture_on_commit_callbacks,
        mailoutbox,
    ):
        response = poster(client_salarie, url_maintenir(annule), django_capture_on_commit_callbacks)
        assert response.status_code == 302
        annule.refresh_from_db()
        assert (annule.statut, annule.sequence) == (StatutCafe.INVITATIONS_ENVOYEES, 2)
        mises_a_jour = [m for m in mailoutbox if m.subject.startswith("Maintenu")]
        assert sorted(m.to[0] for m in mises_a_jour) == ["awa@mds.test", "luc@mds.test"]
        for message in mises_a_jour:
            assert (
                message.subject
                == "Maintenu\u00a0: Café partenaires de Montanou, vendredi 4 décembre"
            )
            methode, cal, vevent = calendrier(message)
            assert methode == "REQUEST" and cal["METHOD"] == "REQUEST"
            assert vevent["STATUS"] == "CONFIRMED"
            # Same event, a higher SEQUENCE than the cancellation's: calendars restore it.
            assert (vevent["UID"], vevent["SEQUENCE"]) == (f"{annule.uid}@maillage", 2)
            assert vevent["LOCATION"] == "14 avenue de Montanou, 47000 Agen"
        awa = next(m for m in mises_a_jour if m.to == ["awa@mds.test"])
        assert lien_rsvp(invitations["awa"], Reponse.OUI) in awa.body
        assert "Votre réponse est conservée" in awa.body
        # Tom's invitation, which the cancellation held back, leaves as a first invitation.
        (invitation_tom,) = [m for m in mailoutbox if m.to == ["tom@mds.test"]]
        assert invitation_tom.subject.startswith("Invitation : ")
        assert calendrier(invitation_tom)[0] == "PUBLISH"
        assert len(mailoutbox) == 3
        entree = EntreeJournal.objects.get()
        assert (entree.action, entree.par) == (AuditAction.CAFE_MAINTENU, salarie_user)
        assert Invitation.objects.get(pk=invitations["awa"].pk).reponse == Reponse.OUI
        # Twice sends nothing more.
        poster(client_salarie, url_maintenir(annule), django_capture_on_commit_callbacks)
        assert cafe_maintenir(cafe=annule, par=None) == []
        assert len(mailoutbox) == 3

    def test_a_cafe_never_invited_to_is_planned_again_and_nobody_is_emailed(
        self, client_salarie, cafe, django_capture_on_commit_callbacks, mailoutbox
    ):
        Cafe.objects.filter(pk=cafe.pk).update(statut=StatutCafe.PREVU)
        poster(client_salarie, url_annuler(cafe), django_capture_on_commit_callbacks)
        assertContains(
            client_salarie.get(url_maintenir(cafe)), "Personne n'a encore reçu d'invitation"
        )
        poster(client_salarie, url_maintenir(cafe), django_capture_on_commit_callbacks)
        cafe.refresh_from_db()
        assert (cafe.statut, cafe.sequence) == (StatutCafe.PREVU, 2)
        assert mailoutbox == []

    def test_a_past_cafe_stays_cancelled(
        self, client_salarie, annule, django_capture_on_commit_callbacks, mailoutbox
    ):
        Cafe.objects.filter(pk=annule.pk).update(date=datetime.date(2026, 11, 20))
        response = poster(client_salarie, url_maintenir(annule), django_capture_on_commit_callbacks)
        assertContains(client_salarie.get(response["Location"]), "Ce café est passé")
        annule.refresh_from_db()
        assert (annule.statut, annule.sequence) == (StatutCafe.ANNULE, 1)
        assert mailoutbox == []

    def test_only_a_cancelled_cafe_is_held_back(self, client_salarie, cafe, invitations):
        assertRedirects(
            client_salarie.get(url_maintenir(cafe)),
            reverse("cafes:cafe_detail", args=[cafe.pk]),
            fetch_redirect_response=False,
        )
        client_salarie.post(url_maintenir(cafe))
        cafe.refresh_from_db()
        assert (cafe.statut, cafe.sequence) == (StatutCafe.INVITATIONS_ENVOYEES, 0)

    def test_read_only_members_are_refused(self, client_lecture, annule):
        page = client_lecture.get(reverse("cafes:cafe_detail", args=[annule.pk]))
        assertNotContains(page, url_maintenir(annule))
        assert client_lecture.get(url_maintenir(annule)).status_code == 403
        assert client_lecture.post(url_maintenir(annule)).status_code == 403
        annule.refresh_from_db()
        assert annule.statut == StatutCafe.ANNULE

    def test_a_cafe_of_another_centre_is_not_found(self, client_salarie, autre_centre):
        ailleurs = CafeFactory(centre=autre_centre, statut=StatutCafe.ANNULE)
        assert client_salarie.get(url_maintenir(ailleurs)).status_code == 404
        assert client_salarie.post(url_maintenir(ailleurs)).status_code == 404
        ailleurs.refresh_from_db()
        assert ailleurs.statut == StatutCafe.ANNULE


def url_modifier(cafe):
    return reverse("cafes:cafe_modifier", args=[cafe.pk])


def donnees_cafe(cafe, **champs):
    """The edit form of ``cafe`` as sent unchanged, but for ``champs``."""
    return {
        "date": cafe.date.isoformat(),
        "heure_debut": cafe.heure_debut.strftime("%H:%M"),
        "heure_fin": cafe.heure_fin.strftime("%H:%M"),
        "hote": "",
        "adresse": cafe.adresse,
        "type": cafe.type,
        "theme": "",
        "capacite": "",
        "statut": cafe.statut,
        **champs,
    }


class TestModifier:
    """A new date, time or place, once invitations went out, asks first."""

    NOUVEAU = {"heure_debut": "14:00", "heure_fin": "16:00", "adresse": "Mairie, 47000 Agen"}

    @pytest.fixture
    def modifier(self, client_salarie, cafe, django_capture_on_commit_callbacks):
        """Sends the edit form of ``cafe`` with ``champs`` changed; the emails leave."""

        def modifier(**champs):
            with django_capture_on_commit_callbacks(execute=True):
                return client_salarie.post(url_modifier(cafe), donnees_cafe(cafe, **champs))

        return modifier

    # (start, address, sequence) before and after the edit.
    AVANT = (datetime.time(9, 0), "14 avenue de Montanou, 47000 Agen", 0)
    APRES = (datetime.time(14, 0), "Mairie, 47000 Agen", 1)

    def enregistre(self, cafe):
        cafe.refresh_from_db()
        return (cafe.heure_debut, cafe.adresse, cafe.sequence)

    def test_the_first_post_shows_changes_count_and_email_and_saves_nothing(
        self, modifier, client_salarie, cafe, invitations, mailoutbox
    ):
        response = modifier(**self.NOUVEAU)
        assert response.status_code == 200
        assertTemplateUsed(response, "cafes/cafe_modifier_confirmer.html")
        page = plat(response)
        assert "2 personnes déjà invitées peuvent recevoir le courriel ci-dessous" in page
        assert [
            (c["libelle"], c["avant"], c["apres"]) for c in response.context["changements"]
        ] == [
            ("Début", "9\u00a0h", "14\u00a0h"),
            ("Fin", "10\u00a0h\u00a030", "16\u00a0h"),
            ("Adresse", "14 avenue de Montanou, 47000 Agen", "Mairie, 47000 Agen"),
        ]
        assert "14 avenue de Montanou, 47000 Agen → Mairie, 47000 Agen" in page
        # The email as it will read: the new values.
        assert "Changement\u00a0: Café partenaires de Montanou, vendredi 4 décembre" in page
        assert "Bonjour Awa Martin," in page
        assert "de 14\u00a0h à 16\u00a0h" in page
        # What changes, so that a partner need not compare with the first invitation.
        assert "Début\u00a0: 14\u00a0h (au lieu de 9\u00a0h)" in page
        assert "Enregistrer et prévenir les 2 personnes" in page
        assert "Enregistrer sans prévenir" in page
        # The values typed travel with the buttons.
        for nom, valeur in (("heure_debut", "14:00"), ("adresse", "Mairie, 47000 Agen")):
            champ = f'<input type="hidden" name="{nom}" value="{valeur}">'
            assertContains(response, champ, html=True)
        assertContains(response, "csrfmiddlewaretoken")
        assert self.enregistre(cafe) == self.AVANT
        assert not Courriel.objects.exists()
        assert mailoutbox == []

    def test_confirmed_it_saves_and_emails_those_already_invited(
        self, modifier, client_salarie, cafe, invitations, mailoutbox
    ):
        response = modifier(prevenir="oui", **self.NOUVEAU)
        assertRedirects(
            response, reverse("cafes:cafe_detail", args=[cafe.pk]), fetch_redirect_response=False
        )
        assert self.enregistre(cafe) == self.APRES
        assert Courriel.objects.count() == 2
        assert sorted(m.to[0] for m in mailoutbox) == ["awa@mds.test", "luc@mds.test"]
        for message in mailoutbox:
            assert message.subject.startswith("Changement\u00a0: ")
            assert calendrier(message)[2]["SEQUENCE"] == 1
            assert "- Adresse\u00a0: Mairie, 47000 Agen (au lieu de 14 avenue de Montanou, " in (
                message.body
            )
            html = message.alternatives[0][0]
            assert "Fin\u00a0: <strong>16\u00a0h</strong>" in html
        assertContains(
            client_salarie.get(response["Location"]), "2 personnes déjà invitées sont prévenues."
        )

    def test_without_notifying_it_saves_and_emails_no_one(
        self, modifier, client_salarie, cafe, invitations, mailoutbox
    ):
        response = modifier(prevenir="non", **self.NOUVEAU)
        assert response.status_code == 302
        # The sequence still moves on: a later .ics must replace what calendars hold.
        assert self.enregistre(cafe) == self.APRES
        assert not Courriel.objects.exists()
        assert mailoutbox == []
        page = client_salarie.get(response["Location"])
        assertContains(page, "Les personnes déjà invitées ne sont pas prévenues.")
        assertNotContains(page, "déjà invitées sont prévenues")

    def test_invalid_values_on_confirmation_show_the_form_with_its_errors(
        self, modifier, cafe, invitations, mailoutbox
    ):
        response = modifier(prevenir="oui", heure_debut="14:00", heure_fin="13:00")
        assert response.status_code == 200
        assertTemplateUsed(response, "cafes/cafe_form.html")
        assert response.context["form"].errors["heure_fin"] == [
            "L'heure de fin doit être après l'heure de début."
        ]
        assert self.enregistre(cafe) == self.AVANT
        assert mailoutbox == []

    def test_going_back_shows_the_form_with_the_values_typed(
        self, modifier, cafe, invitations, mailoutbox
    ):
        response = modifier(prevenir="revenir", **self.NOUVEAU)
        assert response.status_code == 200
        assertTemplateUsed(response, "cafes/cafe_form.html")
        assertContains(response, 'value="Mairie, 47000 Agen"')
        assertContains(response, 'value="14:00"')
        assert not response.context["form"].errors
        assert self.enregistre(cafe) == self.AVANT
        assert mailoutbox == []

    def test_a_change_no_one_hears_of_saves_at_once(self, modifier, cafe, invitations, mailoutbox):
        response = modifier(capacite="30")
        assert response.status_code == 302
        cafe.refresh_from_db()
        assert (cafe.capacite, cafe.sequence) == (30, 0)
        assert mailoutbox == []

    def test_before_any_invitation_is_sent_it_saves_at_once(self, modifier, cafe, mailoutbox):
        # Tom's invitation is made, not sent: it will carry the new details.
        InvitationFactory(cafe=cafe, contact=ContactFactory(centre=cafe.centre))
        response = modifier(**self.NOUVEAU)
        assert response.status_code == 302
        cafe.refresh_from_db()
        assert (cafe.heure_debut, cafe.sequence) == (datetime.time(14, 0), 1)
        assert mailoutbox == []

    def test_read_only_members_are_refused(self, client_lecture, cafe, invitations):
        donnees = donnees_cafe(cafe, prevenir="oui", **self.NOUVEAU)
        assert client_lecture.post(url_modifier(cafe), donnees).status_code == 403
        assert self.enregistre(cafe) == self.AVANT

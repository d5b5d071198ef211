"""Answering a café invitation through its personal link, sending a colleague instead,
asking for a new link, and unsubscribing (page and RFC 8058 one-click)."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from cafes import jetons
from cafes.enums import Reponse, StatutCafe
from cafes.models import Cafe, Invitation
from cafes.selectors import places_restantes
from cafes.services import rsvp
from courrier.models import Courriel
from partenariats.models import Contact
from reseau.jetons import JetonExpire, jeton_creer, jeton_verifier
from tests.cafes.courriels import calendrier
from tests.cafes.factories import CafeFactory, InvitationFactory
from tests.partenariats.factories import ContactFactory

SITE_URL = "https://maillage.example.org"
# Ten days before the café of CafeFactory's first date (Friday 1 January 2027, 9:00–10:30).
MAINTENANT = datetime.datetime(2026, 12, 22, 9, 30, tzinfo=datetime.UTC)
PARIS = datetime.timezone(datetime.timedelta(hours=1))  # Paris in January (CET)


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE_URL


@pytest.fixture(autouse=True)
def maintenant(time_machine):
    time_machine.move_to(MAINTENANT, tick=False)
    return MAINTENANT


@pytest.fixture
def cafe(centre):
    return CafeFactory(
        centre=centre,
        date=datetime.date(2027, 1, 8),
        heure_debut=datetime.time(9, 0),
        heure_fin=datetime.time(10, 30),
        adresse="Salle des fêtes, 2 place du Marché, 47000 Agen",
    )


@pytest.fixture
def invitation(cafe):
    return InvitationFactory(
        cafe=cafe, contact=ContactFactory(centre=cafe.centre, prenom="Awa", nom="Diallo")
    )


def url(invitation):
    return reverse("cafes:rsvp", args=[jetons.invitation_jeton(invitation)])


def contenu(response):
    html = response.content.decode()
    assert "!!MISSING" not in html
    return html[html.index("<main") : html.index("</main>")]


def repondre(client, invitation, reponse="oui", nb_personnes=2, commentaire=""):
    return client.post(
        url(invitation),
        {
            "action": "repondre",
            "reponse": reponse,
            "nb_personnes": nb_personnes,
            "commentaire": commentaire,
        },
    )


@pytest.mark.django_db
class TestJetons:
    def test_expires_at_the_end_of_the_cafe_paris_time(self, invitation, time_machine):
        jeton = jetons.invitation_jeton(invitation)
        assert jeton_verifier(jeton, usage=jetons.USAGE_RSVP) == invitation.pk
        fin = datetime.datetime(2027, 1, 8, 10, 30, tzinfo=PARIS)
        assert invitation.cafe.fin == fin
        time_machine.move_to(fin + datetime.timedelta(seconds=1))
        with pytest.raises(JetonExpire) as exc:
            jeton_verifier(jeton, usage=jetons.USAGE_RSVP)
        assert exc.value.expire_le == fin

    def test_a_token_shows_its_own_invitation_only(self, client, invitation, cafe):
        autre = InvitationFactory(
            cafe=CafeFactory(centre=cafe.centre, serie=cafe.serie, date=datetime.date(2027, 2, 5)),
            contact=ContactFactory(centre=cafe.centre, prenom="Jules", nom="Marchand"),
        )
        page = contenu(client.get(url(invitation)))
        assert "Awa Diallo" in page
        assert "Jules Marchand" not in page
        assert "Jules Marchand" in contenu(client.get(url(autre)))

    @pytest.mark.parametrize(
        "usage", [jetons.USAGE_DESINSCRIPTION, "partenariats.fiche", "cafes.autre"]
    )
    def test_a_token_for_another_usage_is_dead(self, client, invitation, usage):
        jeton = jeton_creer(
            usage=usage, pk=invitation.pk, expire_le=timezone.now() + datetime.timedelta(days=30)
        )
        response = client.get(reverse("cafes:rsvp", args=[jeton]))
        assertContains(response, "Ce lien ne fonctionne plus")
        assertNotContains(response, "Awa Diallo")

    def test_an_altered_token_is_dead(self, client, invitation):
        autre = InvitationFactory(cafe=invitation.cafe)
        jeton = jetons.invitation_jeton(invitation)
        charge, signature = jeton.split(":")
        faux = jetons.invitation_jeton(autre).split(":")[0] + ":" + signature
        for valeur in (faux, jeton[:-2], "x"):
            response = client.get(reverse("cafes:rsvp", args=[valeur]))
            assertContains(response, "Ce lien ne fonctionne plus")
            assertNotContains(response, str(autre.contact))

    def test_an_expired_token_is_dead(self, client, invitation, time_machine):
        lien = url(invitation)
        time_machine.move_to(datetime.datetime(2027, 1, 8, 10, 31, tzinfo=PARIS))
        response = client.get(lien)
        assertContains(response, "Ce lien ne fonctionne plus")
        response = repondre(client, invitation)
        assertContains(response, "Ce lien ne fonctionne plus")
        invitation.refresh_from_db()
        assert invitation.reponse == ""


@pytest.mark.django_db
class TestRepondre:
    def test_get_preselects_the_answer_and_records_nothing(self, client, invitation):
        response = client.get(url(invitation) + "?reponse=peut_etre")
        page = contenu(response)
        assert response["Cache-Control"].startswith("max-age=0")
        assert _coche(page, "peut_etre")
        assert not _coche(page, "oui")
        assert "Salle des fêtes, 2 place du Marché" in page
        assert "vendredi 8 janvier 2027" in page
        assert invitation.contact.partenaire.nom in page
        invitation.refresh_from_db()
        assert invitation.reponse == ""
        assert invitation.repondu_le is None

    def test_post_records_and_confirms(self, client, invitation, maintenant):
        response = repondre(client, invitation, "oui", 3, "Avec deux bénévoles.")
        assertRedirects(response, url(invitation), fetch_redirect_response=False)
        invitation.refresh_from_db()
        assert (invitation.reponse, invitation.nb_personnes) == (Reponse.OUI, 3)
        assert invitation.commentaire == "Avec deux bénévoles."
        assert invitation.repondu_le == maintenant
        page = contenu(Client().get(url(invitation)))
        assert "Votre réponse est enregistrée" in page
        assert "Je viens" in page
        assert "3 personnes" in page
        assert "Changer ma réponse" in page

    def test_post_needs_csrf(self, invitation):
        client = Client(enforce_csrf_checks=True)
        response = repondre(client, invitation)
        assert response.status_code == 403
        invitation.refresh_from_db()
        assert invitation.reponse == ""

    def test_invalid_number_of_people_is_refused(self, client, invitation):
        response = repondre(client, invitation, "oui", 11)
        assert response.status_code == 200
        assert "invalid-feedback" in contenu(response)
        invitation.refresh_from_db()
        assert invitation.reponse == ""

    def test_the_answer_can_change(self, client, invitation):
        repondre(client, invitation, "oui", 3)
        page = contenu(client.get(url(invitation) + "?modifier=1"))
        assert _coche(page, "oui")
        repondre(client, invitation, "non", 3)
        invitation.refresh_from_db()
        assert (invitation.reponse, invitation.nb_personnes) == (Reponse.NON, 1)
        assert Invitation.objects.filter(cafe=invitation.cafe).count() == 1

    def test_the_same_answer_twice_is_one_answer(self, client, invitation, time_machine):
        repondre(client, invitation, "oui", 2)
        invitation.refresh_from_db()
        premiere = invitation.repondu_le
        time_machine.shift(datetime.timedelta(minutes=1))
        repondre(client, invitation, "oui", 2)
        invitation.refresh_from_db()
        assert invitation.repondu_le == premiere
        assert Invitation.objects.count() == 1

    def test_closed_once_the_cafe_has_started(self, client, invitation, time_machine):
        lien = url(invitation)
        time_machine.move_to(datetime.datetime(2027, 1, 8, 9, 0, tzinfo=PARIS))
        assertContains(client.get(lien), "Les réponses sont closes")
        response = repondre(client, invitation)
        assertContains(response, "Les réponses sont closes")
        invitation.refresh_from_db()
        assert invitation.reponse == ""

    def test_cancelled_cafe(self, client, invitation):
        invitation.cafe.statut = StatutCafe.ANNULE
        invitation.cafe.save()
        assertContains(client.get(url(invitation)), "Ce café est annulé")
        repondre(client, invitation)
        invitation.refresh_from_db()
        assert invitation.reponse == ""


def _coche(page, valeur):
    """Whether the radio button of ``valeur`` is checked in ``page``."""
    debut = page.index(f'value="{valeur}"')
    balise = page[page.rindex("<input", 0, debut) : page.index(">", debut)]
    return "checked" in balise


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_posts_give_one_answer(centre):
    if connection.vendor != "postgresql":
        pytest.skip("Row locks need PostgreSQL.")
    invitation = InvitationFactory(cafe=CafeFactory(centre=centre, date=datetime.date(2027, 1, 8)))
    depart = threading.Barrier(2)
    erreurs = []

    def poster(reponse):
        try:
            depart.wait()
            response = repondre(Client(), invitation, reponse, 2)
            assert response.status_code == 302
        except Exception as exc:  # collected: an assertion in a thread would be lost
            erreurs.append(exc)
        finally:
            connection.close()

    fils = [threading.Thread(target=poster, args=(r,)) for r in ("oui", "peut_etre")]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join()
    assert erreurs == []
    assert Invitation.objects.filter(cafe=invitation.cafe).count() == 1
    invitation.refresh_from_db()
    assert invitation.reponse in (Reponse.OUI, Reponse.PEUT_ETRE)
    assert invitation.nb_personnes == 2


@pytest.mark.django_db
class TestCollegue:
    def inviter(self, client, invitation, **valeurs):
        donnees = {"prenom": "Léa", "nom": "Martin", "email": "lea.martin@partenaire.test"}
        donnees.update(valeurs)
        return client.post(
            url(invitation),
            {"action": "collegue", **{f"collegue-{k}": v for k, v in donnees.items()}},
        )

    def test_a_colleague_is_invited_instead(
        self, client, invitation, django_capture_on_commit_callbacks, mailoutbox
    ):
        repondre(client, invitation, "oui", 2)
        with django_capture_on_commit_callbacks(execute=True):
            response = self.inviter(client, invitation)
        assertRedirects(response, url(invitation), fetch_redirect_response=False)

        collegue = Contact.objects.get(email="lea.martin@partenaire.test")
        assert collegue.partenaire == invitation.contact.partenaire
        assert collegue.recoit_invitations_cafe
        # Added by a partner, not staff: marked for review.
        assert (collegue.propose_le, collegue.propose_par) == (MAINTENANT, invitation.contact)
        assert list(Contact.objects.proposes()) == [collegue]
        nouvelle = Invitation.objects.get(contact=collegue)
        assert nouvelle.cafe == invitation.cafe
        assert nouvelle.invitee_par == invitation
        invitation.refresh_from_db()
        assert invitation.reponse == Reponse.NON

        courriel = Courriel.objects.get()
        assert courriel.destinataire == "lea.martin@partenaire.test"
        assert nouvelle.courriel == courriel
        assert [m.to for m in mailoutbox] == [["lea.martin@partenaire.test"]]
        lien = SITE_URL + url(nouvelle)
        assert lien in courriel.corps_texte
        assert lien in courriel.corps_html
        assert "Salle des fêtes, 2 place du Marché" in courriel.corps_texte
        assert "9\u00a0h – 10\u00a0h\u00a030" in courriel.corps_texte
        assert "Awa Diallo" in courriel.corps_texte
        assert courriel.en_tetes["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "!!MISSING" not in courriel.corps_html + courriel.corps_texte + courriel.sujet
        # The same .ics as everyone's invitation: same event, same version.
        methode, _cal, vevent = calendrier(mailoutbox[0])
        assert methode == "PUBLISH"
        assert (vevent["UID"], vevent["SEQUENCE"]) == (
            f"{invitation.cafe.uid}@maillage",
            invitation.cafe.sequence,
        )

        page = contenu(client.get(url(invitation)))
        assert "Léa Martin" in page
        assert "Votre réponse est donc «\u00a0Je ne viens pas\u00a0»" in page

        # The same colleague again (double click): nothing more.
        with django_capture_on_commit_callbacks(execute=True):
            self.inviter(client, invitation)
        assert Courriel.objects.count() == 1
        assert Invitation.objects.count() == 2

    def test_an_existing_colleague_is_reused(self, client, invitation):
        existant = ContactFactory(
            partenaire=invitation.contact.partenaire, email="lea.martin@partenaire.test"
        )
        self.inviter(client, invitation, email="Lea.Martin@partenaire.test")
        assert Contact.objects.filter(email__iexact="lea.martin@partenaire.test").count() == 1
        assert Invitation.objects.get(contact=existant).invitee_par == invitation
        # A contact staff already had is not a proposal.
        existant.refresh_from_db()
        assert existant.propose_le is None

    def test_an_opted_out_address_is_refused_politely(self, client, invitation):
        ContactFactory(
            centre=invitation.cafe.centre, email="lea.martin@partenaire.test", desinscrit=True
        )
        response = self.inviter(client, invitation)
        assertContains(response, "a demandé à ne plus recevoir nos courriels")
        assert Invitation.objects.count() == 1
        assert not Courriel.objects.exists()
        invitation.refresh_from_db()
        assert invitation.reponse == ""

    def test_an_opt_out_at_another_centre_is_not_revealed(self, client, invitation):
        # Unsubscribing is from one centre's emails; another centre's list is not this
        # centre's business, nor the partner's to learn.
        ContactFactory(email="lea.martin@partenaire.test", desinscrit=True)
        response = self.inviter(client, invitation)
        assertNotContains(response, "ne plus recevoir", status_code=302)
        assert Invitation.objects.count() == 2

    def test_invalid_email_is_refused(self, client, invitation):
        response = self.inviter(client, invitation, email="pas-une-adresse")
        assert response.status_code == 200
        assert "invalid-feedback" in contenu(response)
        assert Invitation.objects.count() == 1


@pytest.mark.django_db
class TestNouveauLien:
    def test_dead_link_asks_the_centre_once(
        self,
        client,
        invitation,
        admin_user,
        salarie_user,
        time_machine,
        django_capture_on_commit_callbacks,
        mailoutbox,
    ):
        jeton = jeton_creer(
            usage=jetons.USAGE_RSVP,
            pk=invitation.pk,
            expire_le=timezone.now() - datetime.timedelta(days=1),
        )
        page = client.get(reverse("cafes:rsvp", args=[jeton]))
        lien = reverse("cafes:rsvp_nouveau_lien", args=[jeton])
        # The dead-link page all partners' links share, with the café's sentence and button.
        assertContains(page, "valables jusqu'à la fin du café")
        assertContains(page, f'action="{lien}"')
        with django_capture_on_commit_callbacks(execute=True):
            vrai = client.post(lien)
        assertContains(vrai, "l'équipe du centre est prévenue")
        assert [m.to for m in mailoutbox] == [[admin_user.email]]
        assert "Awa Diallo" in Courriel.objects.get().sujet

        with django_capture_on_commit_callbacks(execute=True):
            client.post(lien)
        assert len(mailoutbox) == 1

        faux = client.post(reverse("cafes:rsvp_nouveau_lien", args=[jeton[:-3]]))
        assert contenu(faux) == contenu(vrai)
        assert Courriel.objects.count() == 1

    def test_a_live_link_goes_back_to_the_page(self, client, invitation):
        response = client.post(reverse("cafes:rsvp_nouveau_lien", args=[_jeton(invitation)]))
        assertRedirects(response, url(invitation), fetch_redirect_response=False)
        assert not Courriel.objects.exists()


def _jeton(invitation):
    return jetons.invitation_jeton(invitation)


@pytest.mark.django_db
class TestDesinscription:
    @pytest.fixture
    def contact(self, centre):
        return ContactFactory(centre=centre, email="awa@partenaire.test")

    def test_get_shows_a_button_and_changes_nothing(self, client, contact):
        response = client.get(jetons.lien_desinscription(contact).removeprefix(SITE_URL))
        page = contenu(response)
        assert "Me désinscrire" in page
        assert "awa@partenaire.test" in page
        contact.refresh_from_db()
        assert contact.desinscrit_le is None

    def test_post_unsubscribes(self, client, contact, maintenant):
        response = client.post(jetons.lien_desinscription(contact).removeprefix(SITE_URL))
        assertContains(response, "Désinscription enregistrée")
        contact.refresh_from_db()
        assert contact.desinscrit_le == maintenant

    def test_one_click_post_without_csrf(self, contact, maintenant):
        client = Client(enforce_csrf_checks=True)
        response = client.post(
            jetons.lien_desinscription(contact).removeprefix(SITE_URL),
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 200
        contact.refresh_from_db()
        assert contact.desinscrit_le == maintenant

    def test_first_date_is_kept(self, client, contact, time_machine, maintenant):
        lien = jetons.lien_desinscription(contact).removeprefix(SITE_URL)
        client.post(lien)
        time_machine.shift(datetime.timedelta(days=3))
        client.post(lien)
        contact.refresh_from_db()
        assert contact.desinscrit_le == maintenant

    def test_bad_token_changes_nothing(self, client, contact):
        jeton = jetons.lien_desinscription(contact).rstrip("/").split("/")[-1]
        for valeur in (jeton[:-2], jetons.invitation_jeton(InvitationFactory(contact=contact))):
            response = client.post(reverse("cafes:desinscription", args=[valeur]))
            assertContains(response, "Ce lien ne fonctionne plus")
        contact.refresh_from_db()
        assert contact.desinscrit_le is None


@pytest.mark.django_db
class TestCapacite:
    @pytest.fixture
    def petit(self, cafe):
        Cafe.objects.filter(pk=cafe.pk).update(capacite=3)
        cafe.refresh_from_db()
        return cafe

    def test_yes_answers_fill_the_places_then_stop(self, petit):
        awa, karim, lea = (InvitationFactory(cafe=petit) for _ in range(3))
        rsvp.invitation_repondre(invitation=awa, reponse=Reponse.OUI, nb_personnes=2)

        with pytest.raises(ValidationError, match="Il ne reste qu'1 place"):
            rsvp.invitation_repondre(invitation=karim, reponse=Reponse.OUI, nb_personnes=2)
        rsvp.invitation_repondre(invitation=karim, reponse=Reponse.OUI, nb_personnes=1)
        assert places_restantes(petit) == 0
        with pytest.raises(ValidationError, match="complet"):
            rsvp.invitation_repondre(invitation=lea, reponse=Reponse.OUI, nb_personnes=1)
        # Maybe and no are always possible; a yes can shrink, or stay as it is.
        rsvp.invitation_repondre(invitation=lea, reponse=Reponse.PEUT_ETRE, nb_personnes=1)
        rsvp.invitation_repondre(invitation=awa, reponse=Reponse.OUI, nb_personnes=1)
        rsvp.invitation_repondre(invitation=lea, reponse=Reponse.OUI, nb_personnes=1)
        assert petit.invitations.places_reservees() == 3

    def test_the_page_says_how_many_places_are_left_and_refuses_too_many(self, client, petit):
        invitation = InvitationFactory(cafe=petit)
        InvitationFactory(cafe=petit, reponse=Reponse.OUI, nb_personnes=2)

        page = client.get(url(invitation), {"reponse": "oui"})
        assertContains(page, "Il reste 1 place.")
        response = repondre(client, invitation, "oui", nb_personnes=2)
        assert response.status_code == 200
        assertContains(response, "Il ne reste qu&#x27;1 place : indiquez au plus 1 personne.")
        invitation.refresh_from_db()
        assert invitation.reponse == ""

    def test_staff_see_the_places_taken(self, client_salarie, petit):
        InvitationFactory(cafe=petit, reponse=Reponse.OUI, nb_personnes=2)
        page = client_salarie.get(reverse("cafes:cafe_detail", args=[petit.pk]))
        assertContains(page, "2 places réservées sur 3")


@pytest.mark.django_db(transaction=True)
def test_two_people_cannot_take_the_last_place_together(centre):
    if connection.vendor != "postgresql":
        pytest.skip("Row locks need PostgreSQL.")
    cafe = CafeFactory(centre=centre, date=datetime.date(2027, 1, 8), capacite=1)
    invitations = [InvitationFactory(cafe=cafe) for _ in range(2)]
    depart = threading.Barrier(2)
    refus = []

    def poster(invitation):
        try:
            depart.wait()
            with scope(centre=centre):  # as each request's JetonMixin opens it
                rsvp.invitation_repondre(invitation=invitation, reponse=Reponse.OUI, nb_personnes=1)
        except ValidationError as exc:
            refus.append(exc)
        finally:
            connection.close()

    fils = [threading.Thread(target=poster, args=(i,)) for i in invitations]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join()
    assert len(refus) == 1
    assert Invitation.objects.filter(cafe=cafe, reponse=Reponse.OUI).count() == 1


@pytest.mark.django_db
class TestCommentaireSuitLaReponse:
    def test_the_comment_of_a_yes_does_not_stay_under_a_no(self, client, invitation):
        repondre(client, invitation, "oui", commentaire="Je viens avec deux bénévoles.")
        # The form comes back pre-filled; the partner only changes the answer.
        repondre(client, invitation, "non", commentaire="Je viens avec deux bénévoles.")
        invitation.refresh_from_db()
        assert (invitation.reponse, invitation.commentaire) == (Reponse.NON, "")

    def test_a_comment_written_for_the_new_answer_stays(self, client, invitation):
        repondre(client, invitation, "oui", commentaire="Je viens avec deux bénévoles.")
        repondre(client, invitation, "non", commentaire="Finalement en réunion.")
        invitation.refresh_from_db()
        assert invitation.commentaire == "Finalement en réunion."
        # Same answer, same comment kept as it is.
        repondre(client, invitation, "non", nb_personnes=1, commentaire="Finalement en réunion.")
        invitation.refresh_from_db()
        assert invitation.commentaire == "Finalement en réunion."

    def test_the_page_of_another_answer_is_not_prefilled_with_the_old_comment(
        self, client, invitation
    ):
        repondre(client, invitation, "oui", commentaire="Je viens avec deux bénévoles.")
        html = contenu(client.get(url(invitation) + "?reponse=non"))
        assert "Je viens avec deux bénévoles." not in html
        html = contenu(client.get(url(invitation) + "?modifier=1"))
        assert "Je viens avec deux bénévoles." in html


@pytest.mark.django_db
class TestReponseAConfirmer:
    def test_the_email_button_only_offers_the_answer(self, client, invitation):
        page = contenu(client.get(url(invitation) + "?reponse=oui"))
        assert "Votre réponse n'est pas encore enregistrée." in page
        assert page.count("Confirmer ma réponse") == 2  # the notice names the one button
        assert page.count('name="action" value="repondre"') == 1
        invitation.refresh_from_db()
        assert invitation.reponse == ""

    def test_no_notice_once_that_answer_is_recorded(self, client, invitation):
        repondre(client, invitation, "oui")
        page = contenu(client.get(url(invitation) + "?reponse=oui"))
        assert "pas encore enregistrée" not in page


@pytest.mark.django_db
class TestCollegueLimites:
    def inviter(self, client, invitation, email, **extra):
        donnees = {"prenom": "Léa", "nom": "Martin", "email": email}
        return client.post(
            url(invitation),
            {"action": "collegue", **{f"collegue-{k}": v for k, v in donnees.items()}},
            **extra,
        )

    def test_three_colleagues_at_most(self, client, invitation):
        for n in range(3):
            assert self.inviter(client, invitation, f"c{n}@partenaire.test").status_code == 302
        response = self.inviter(client, invitation, "c3@partenaire.test")
        assertContains(response, "Vous avez déjà invité 3 collègues à votre place")
        assert invitation.remplacants.count() == 3
        assert not Contact.objects.filter(email="c3@partenaire.test").exists()
        # The same colleague again is still harmless.
        assert self.inviter(client, invitation, "c0@partenaire.test").status_code == 302

    def test_tries_are_limited_per_link_and_per_address(self, client, invitation, monkeypatch):
        monkeypatch.setattr(rsvp, "ESSAIS_COLLEGUE_PAR_LIEN", 2)
        monkeypatch.setattr(rsvp, "ESSAIS_COLLEGUE_PAR_IP", 4)
        for _ in range(2):
            self.inviter(client, invitation, "pas-une-adresse")
        response = self.inviter(client, invitation, "lea@partenaire.test")
        assertContains(response, "essais en peu de temps")
        assert not Contact.objects.filter(email="lea@partenaire.test").exists()
        # Another link from the same address: one try left for the address, then none.
        autre = InvitationFactory(cafe=invitation.cafe)
        assert self.inviter(client, autre, "lea@partenaire.test").status_code == 302
        autre2 = InvitationFactory(cafe=invitation.cafe)
        response = self.inviter(client, autre2, "paul@partenaire.test")
        assertContains(response, "essais en peu de temps")
        # From another address, the second link still has tries.
        response = self.inviter(client, autre2, "paul@partenaire.test", REMOTE_ADDR="192.0.2.7")
        assert response.status_code == 302

    def test_a_failing_cache_does_not_stop_the_form(self, client, invitation, monkeypatch):
        def panne(*args, **kwargs):
            raise ConnectionError("Redis is down")

        monkeypatch.setattr(rsvp.cache, "add", panne)
        assert self.inviter(client, invitation, "lea@partenaire.test").status_code == 302
        assert Contact.objects.filter(email="lea@partenaire.test").exists()

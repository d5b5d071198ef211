"""Fiche update requests: sending (one partner, or a filtered list through Celery), the
partner's personal link, staff's review, the states, the timeline."""

import datetime
import re
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from courrier.models import AdresseEnEchec, Courriel
from partenariats.enums import StatutDemande
from partenariats.forms import CHAMPS_PARTENAIRE
from partenariats.models import DemandeMiseAJour, LotDemandes, Partenaire
from partenariats.selectors import destinataires_possibles, valeurs_fiche
from partenariats.services import demandes
from partenariats.services.demandes import demande_lien
from partenariats.tasks import envoyer_lot_demandes
from reseau.jetons import jeton_creer
from tests.factories import MembreFactory
from tests.partenariats.factories import (
    ContactFactory,
    DemandeMiseAJourFactory,
    LotDemandesFactory,
    PartenaireFactory,
)

pytestmark = pytest.mark.django_db

SITE_URL = "https://maillage.example.org"
MAINTENANT = datetime.datetime(2025, 3, 14, 9, 30, tzinfo=datetime.UTC)
HORAIRES = "Du lundi au vendredi, 9 h – 12 h et 14 h – 17 h"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE_URL


@pytest.fixture(autouse=True)
def maintenant(time_machine):
    # No test depends on today; the clock still ticks from there.
    time_machine.move_to(MAINTENANT)
    return MAINTENANT


@pytest.fixture
def partenaire(centre):
    return PartenaireFactory(
        centre=centre,
        nom="Maison des solidarités",
        horaires="Le lundi, 9 h – 12 h",
        telephone="05 53 11 22 33",
        email="accueil@mds.test",
        themes=["famille"],
    )


@pytest.fixture
def contact(partenaire):
    return ContactFactory(partenaire=partenaire, prenom="Awa", nom="Diallo", email="awa@mds.test")


def chemin(demande):
    return demande_lien(demande).removeprefix(SITE_URL)


def donnees(partenaire, **changements):
    """The fiche form's POST data as the partner finds it, with ``changements``."""
    data = {champ: getattr(partenaire, champ) for champ in CHAMPS_PARTENAIRE if champ != "themes"}
    data["themes"] = [t.slug for t in partenaire.themes.all()]
    data.update(changements)
    return data


def etat_fiche(partenaire):
    partenaire = Partenaire.objects.get(pk=partenaire.pk)
    return (
        valeurs_fiche(partenaire),
        partenaire.fiche_confirmee_le,
        partenaire.modifie_le,
        partenaire.history.count(),
    )


class TestEnvoiUnitaire:
    def test_goes_through_the_outbox_to_one_recipient_with_an_absolute_link(
        self,
        client_salarie,
        salarie_user,
        partenaire,
        contact,
        maintenant,
        django_capture_on_commit_callbacks,
        mailoutbox,
    ):
        url = reverse("partenariats:demande_creer", args=[partenaire.pk])
        with django_capture_on_commit_callbacks(execute=True):
            response = client_salarie.post(url, {"destinataire": f"contact-{contact.pk}"})
        assertRedirects(response, partenaire.get_absolute_url(), fetch_redirect_response=False)

        demande = DemandeMiseAJour.objects.get()
        assert demande.centre == partenaire.centre
        assert demande.statut == StatutDemande.ENVOYEE
        assert demande.contact == contact
        assert demande.destinataire == "awa@mds.test"
        assert demande.envoyee_par == salarie_user
        attendu = maintenant + datetime.timedelta(days=30)
        assert abs(demande.expire_le - attendu) < datetime.timedelta(seconds=5)

        courriel = Courriel.objects.get()
        assert demande.courriel == courriel
        assert courriel.objet == demande
        assert courriel.destinataire == "awa@mds.test"
        assert [m.to for m in mailoutbox] == [["awa@mds.test"]]
        assert "Maison des solidarités" in courriel.sujet
        assert "Bonjour Awa Diallo," in courriel.corps_texte

        liens = re.findall(r"https?://\S+/partenaires/fiche/\S+/", courriel.corps_texte)
        assert liens == [demande_lien(demande)]
        assert liens[0].startswith(f"{SITE_URL}/partenaires/fiche/")
        assert f'href="{liens[0]}"' in courriel.corps_html
        assert liens[0] in mailoutbox[0].body

    def test_the_partner_sees_the_centre_writing_and_can_answer_it(
        self,
        client_salarie,
        salarie_user,
        partenaire,
        contact,
        django_capture_on_commit_callbacks,
        mailoutbox,
        settings,
    ):
        settings.DEFAULT_FROM_EMAIL = "Maillage <ne-pas-repondre@maillage.test>"
        url = reverse("partenariats:demande_creer", args=[partenaire.pk])
        with django_capture_on_commit_callbacks(execute=True):
            client_salarie.post(url, {"destinataire": f"contact-{contact.pk}"})
        (message,) = mailoutbox
        assert message.from_email == f"{partenaire.centre.nom} <ne-pas-repondre@maillage.test>"
        # The centre has no address of its own: answers reach the member who asked.
        assert message.reply_to == [salarie_user.email]

        partenaire.centre.email = "accueil@montanou.test"
        partenaire.centre.save()
        DemandeMiseAJour.objects.all().delete()
        with django_capture_on_commit_callbacks(execute=True):
            client_salarie.post(url, {"destinataire": f"contact-{contact.pk}"})
        assert mailoutbox[-1].reply_to == ["accueil@montanou.test"]

    def test_recipients_are_reachable_contacts_and_the_partners_address(
        self, client_salarie, partenaire, contact
    ):
        ContactFactory(partenaire=partenaire, nom="Sans adresse", email="")
        ContactFactory(partenaire=partenaire, nom="Parti", email="parti@mds.test", desinscrit=True)
        ContactFactory(partenaire=partenaire, nom="Refusé", email="refuse@mds.test")
        AdresseEnEchec.objects.create(email="refuse@mds.test", raison="550 unknown user")
        response = client_salarie.get(reverse("partenariats:demande_creer", args=[partenaire.pk]))
        choix = response.context["form"].fields["destinataire"].choices
        assert [cle for cle, _libelle in choix] == [f"contact-{contact.pk}", "partenaire"]
        assertContains(response, "awa@mds.test")
        assertContains(response, "accueil@mds.test")
        assertNotContains(response, "parti@mds.test")
        assertNotContains(response, "refuse@mds.test")

    def test_partners_own_address(
        self, client_salarie, partenaire, django_capture_on_commit_callbacks, mailoutbox
    ):
        with django_capture_on_commit_callbacks(execute=True):
            client_salarie.post(
                reverse("partenariats:demande_creer", args=[partenaire.pk]),
                {"destinataire": "partenaire"},
            )
        demande = DemandeMiseAJour.objects.get()
        assert demande.contact is None
        assert [m.to for m in mailoutbox] == [["accueil@mds.test"]]
        assert "Bonjour," in mailoutbox[0].body

    def test_without_reachable_address_nothing_can_be_sent(self, client_salarie, centre):
        partenaire = PartenaireFactory(centre=centre)
        ContactFactory(partenaire=partenaire, email="a@b.test", desinscrit=True)
        url = reverse("partenariats:demande_creer", args=[partenaire.pk])
        assertContains(client_salarie.get(url), "aucune adresse électronique joignable")
        response = client_salarie.post(url, {"destinataire": "partenaire"})
        assert response.status_code == 200
        assert not DemandeMiseAJour.objects.exists()

    def test_archived_partner_gets_no_request(self, client_salarie, centre):
        partenaire = PartenaireFactory(centre=centre, archive=True, email="a@b.test")
        url = reverse("partenariats:demande_creer", args=[partenaire.pk])
        assertContains(client_salarie.get(url), "archivé")
        client_salarie.post(url, {"destinataire": "partenaire"})
        assert not DemandeMiseAJour.objects.exists()

    def test_warns_about_a_request_in_progress(self, client_salarie, partenaire, contact):
        DemandeMiseAJourFactory(centre=partenaire.centre, partenaire=partenaire)
        response = client_salarie.get(reverse("partenariats:demande_creer", args=[partenaire.pk]))
        assertContains(response, "déjà en cours")

    def test_partner_page_offers_the_request(self, client_salarie, partenaire):
        response = client_salarie.get(partenaire.get_absolute_url())
        assertContains(response, reverse("partenariats:demande_creer", args=[partenaire.pk]))
        assertContains(response, "Aucune demande envoyée.")


class TestLienDuPartenaire:
    @pytest.fixture
    def demande(self, partenaire, contact):
        return DemandeMiseAJourFactory(
            centre=partenaire.centre,
            partenaire=partenaire,
            contact=contact,
            destinataire=contact.email,
        )

    def test_get_shows_the_prefilled_fiche_and_changes_nothing_in_it(
        self, client, demande, partenaire, time_machine
    ):
        avant = etat_fiche(partenaire)
        response = client.get(chemin(demande))
        assert response.status_code == 200
        assertContains(response, "Votre fiche\u00a0: Maison des solidarités")
        assertContains(response, "Le lundi, 9 h – 12 h")
        assertContains(response, 'value="05 53 11 22 33"')
        assertContains(response, "csrfmiddlewaretoken")
        # The centre's own classification is not the partner's to change.
        assertNotContains(response, 'name="categorie"')
        assertNotContains(response, 'name="dans_livret"')
        assert etat_fiche(partenaire) == avant

        # Opening is recorded once: it is the only trace a GET leaves.
        demande.refresh_from_db()
        assert demande.statut == StatutDemande.OUVERTE
        ouverte_le = demande.ouverte_le
        assert ouverte_le is not None
        time_machine.shift(datetime.timedelta(hours=2))
        client.get(chemin(demande))
        demande.refresh_from_db()
        assert demande.ouverte_le == ouverte_le
        assert etat_fiche(partenaire) == avant

    def test_public_layout_has_no_staff_navigation(self, client, demande, centre):
        response = client.get(chemin(demande))
        assertContains(response, centre.nom)
        assertNotContains(response, "Navigation principale")
        assertNotContains(response, f'href="{reverse("partenariats:liste")}"')
        # Template comments never leak (a "{# #}" spanning lines would).
        assertNotContains(response, "{#")
        assertNotContains(response, "Se déconnecter")
        assertContains(response, '<meta name="robots" content="noindex, nofollow">', html=False)
        assert "no-store" in response["Cache-Control"]

    def test_post_stores_a_proposal_without_touching_the_fiche(
        self, client, demande, partenaire, maintenant
    ):
        avant = etat_fiche(partenaire)
        response = client.post(
            chemin(demande),
            donnees(
                partenaire,
                horaires=HORAIRES,
                themes=["famille", "logement"],
                # Not a field of the partner's form: ignored.
                categorie="ccas",
            ),
        )
        assertRedirects(response, chemin(demande), fetch_redirect_response=False)
        demande.refresh_from_db()
        assert demande.statut == StatutDemande.SOUMISE
        assert demande.soumise_le is not None
        assert demande.proposition == {"horaires": HORAIRES, "themes": ["famille", "logement"]}
        assert etat_fiche(partenaire) == avant

        merci = client.get(chemin(demande))
        assertContains(merci, "Merci, votre fiche est transmise")
        assertNotContains(merci, 'name="horaires"')

    def test_the_partner_chooses_which_contacts_the_booklet_prints(
        self, client, demande, partenaire, contact, salarie_user
    ):
        publie = ContactFactory(
            partenaire=partenaire, prenom="Léo", nom="Martin", publier_dans_livret=True
        )
        page = client.get(chemin(demande))
        assertContains(page, "Contacts publiés dans le livret")
        assertContains(page, f'value="{contact.pk}"')
        client.post(chemin(demande), donnees(partenaire, contacts_livret=[str(contact.pk)]))
        demande.refresh_from_db()
        assert demande.proposition == {"contacts_livret": [contact.pk]}
        contact.refresh_from_db()
        assert not contact.publier_dans_livret
        client.force_login(salarie_user)
        revue = client.get(reverse("partenariats:demande_detail", args=[demande.pk]))
        assertContains(revue, "Contacts publiés dans le livret")
        assertContains(revue, "Awa Diallo")
        assertContains(revue, "Léo Martin")

        demandes.demande_accepter(demande=demande, champs=["contacts_livret"], par=salarie_user)
        contact.refresh_from_db()
        publie.refresh_from_db()
        assert contact.publier_dans_livret and not publie.publier_dans_livret
        assert contact.history.latest("history_date").history_user == salarie_user
        demande.refresh_from_db()
        assert demande.valeurs_avant == {"contacts_livret": [publie.pk]}

    def test_post_validates_like_staff(self, client, demande, partenaire):
        response = client.post(chemin(demande), donnees(partenaire, siret="73282932000075"))
        assert response.status_code == 200
        assertContains(response, "Ce numéro SIRET n&#x27;existe pas")
        demande.refresh_from_db()
        assert demande.statut != StatutDemande.SOUMISE
        assert demande.proposition == {}

    def test_spaces_in_siret_are_cleaned_as_for_staff(self, client, demande, partenaire):
        client.post(chemin(demande), donnees(partenaire, siret="732 829 320 00074"))
        demande.refresh_from_db()
        assert demande.proposition == {"siret": "73282932000074"}

    def test_resubmitting_replaces_the_proposal_and_starts_from_it(
        self, client, demande, partenaire
    ):
        client.post(chemin(demande), donnees(partenaire, horaires=HORAIRES, telephone="0600"))
        modifier = client.get(chemin(demande) + "?modifier=1")
        assertContains(modifier, HORAIRES)
        assertContains(modifier, 'value="0600"')
        client.post(chemin(demande), donnees(partenaire, horaires=HORAIRES))
        demande.refresh_from_db()
        assert demande.proposition == {"horaires": HORAIRES}

    def test_unchanged_fiche_is_a_confirmation(self, client, demande, partenaire):
        client.post(chemin(demande), donnees(partenaire))
        demande.refresh_from_db()
        assert demande.statut == StatutDemande.SOUMISE
        assert demande.proposition == {}

    def test_csrf_is_required(self, demande, partenaire):
        client = Client(enforce_csrf_checks=True)
        response = client.post(chemin(demande), donnees(partenaire, horaires=HORAIRES))
        assert response.status_code == 403
        demande.refresh_from_db()
        assert demande.proposition == {}

    def test_expired_link_shows_a_friendly_page_and_accepts_nothing(
        self, client, demande, partenaire, time_machine
    ):
        time_machine.move_to(demande.expire_le + datetime.timedelta(seconds=1))
        response = client.get(chemin(demande))
        assert response.status_code == 200
        assertContains(response, "Ce lien ne fonctionne plus")
        assertContains(response, chemin(demande) + "nouveau-lien/")
        assertNotContains(response, 'name="horaires"')
        client.post(chemin(demande), donnees(partenaire, horaires=HORAIRES))
        demande.refresh_from_db()
        assert demande.statut == StatutDemande.ENVOYEE
        assert demande.ouverte_le is None
        assert demande.proposition == {}

    def test_a_submitted_answer_outlives_the_link(self, client, demande, partenaire, time_machine):
        client.post(chemin(demande), donnees(partenaire, horaires=HORAIRES))
        time_machine.move_to(demande.expire_le + datetime.timedelta(days=1))
        response = client.get(chemin(demande))
        assertContains(response, "Merci, votre fiche est transmise")
        assertNotContains(response, "Corriger ma fiche")
        client.post(chemin(demande), donnees(partenaire, horaires="Fermé"))
        demande.refresh_from_db()
        assert demande.proposition == {"horaires": HORAIRES}

    @pytest.mark.parametrize(
        "fabriquer",
        [
            lambda d: demande_lien(d).rsplit("/", 2)[1][:-2],
            lambda d: jeton_creer(usage="cafes.invitation", pk=d.pk, expire_le=d.expire_le),
            lambda d: "pas-un-jeton",
        ],
        ids=["tampered", "other-usage", "garbage"],
    )
    def test_bad_token_shows_the_same_page_and_names_no_partner(self, client, demande, fabriquer):
        jeton = fabriquer(demande)
        response = client.get(reverse("partenariats:fiche_publique", args=[jeton]))
        assert response.status_code == 200
        assertContains(response, "Ce lien ne fonctionne plus")
        assertNotContains(response, "Maison des solidarités")
        assertNotContains(response, demande.centre.nom)
        demande.refresh_from_db()
        assert demande.ouverte_le is None

    def test_each_link_opens_its_own_partner(self, client, demande):
        autre = DemandeMiseAJourFactory(centre=demande.centre)
        response = client.get(chemin(autre))
        assertContains(response, autre.partenaire.nom)
        assertNotContains(response, "Maison des solidarités")

    def test_handled_request_says_so(self, client, demande, salarie_user):
        demande.statut = StatutDemande.SOUMISE
        demande.save()
        demandes.demande_accepter(demande=demande, champs=[], par=salarie_user)
        response = client.get(chemin(demande))
        assertContains(response, "Cette demande est déjà traitée")
        assertNotContains(response, 'name="horaires"')
        response = client.post(chemin(demande), donnees(demande.partenaire, horaires=HORAIRES))
        assertContains(response, "Cette demande est déjà traitée")
        demande.refresh_from_db()
        assert demande.proposition == {}


class TestNouveauLien:
    @pytest.fixture
    def demande(self, partenaire, contact, salarie_user):
        return DemandeMiseAJourFactory(
            centre=partenaire.centre,
            partenaire=partenaire,
            destinataire=contact.email,
            envoyee_par=salarie_user,
            expiree=True,
        )

    def test_expired_link_notifies_the_centre_once(
        self,
        client,
        demande,
        admin_user,
        salarie_user,
        django_capture_on_commit_callbacks,
        mailoutbox,
    ):
        url = reverse("partenariats:fiche_nouveau_lien", args=[chemin(demande).split("/")[-2]])
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url)
        assertContains(response, "l'équipe du centre est prévenue")
        assert sorted(m.to[0] for m in mailoutbox) == sorted([admin_user.email, salarie_user.email])
        courriel = Courriel.objects.filter(destinataire=admin_user.email).get()
        assert "Maison des solidarités" in courriel.sujet
        assert (
            SITE_URL + reverse("partenariats:demande_creer", args=[demande.partenaire_id])
            in courriel.corps_texte
        )

        with django_capture_on_commit_callbacks(execute=True):
            client.post(url)
        assert len(mailoutbox) == 2

    def test_forged_token_sends_nothing_and_answers_alike(
        self, client, demande, admin_user, django_capture_on_commit_callbacks
    ):
        jeton = chemin(demande).split("/")[-2]
        with django_capture_on_commit_callbacks(execute=True):
            vrai = client.post(reverse("partenariats:fiche_nouveau_lien", args=[jeton]))
        Courriel.objects.all().delete()
        cache.clear()
        with django_capture_on_commit_callbacks(execute=True):
            faux = client.post(reverse("partenariats:fiche_nouveau_lien", args=[jeton[:-3]]))
        assert not Courriel.objects.exists()
        assert faux.status_code == vrai.status_code == 200

        def corps(response):
            html = response.content.decode()
            return html[html.index("<main") : html.index("</main>")]

        assert corps(faux) == corps(vrai)

    def test_a_live_link_just_goes_back_to_the_form(self, client, partenaire):
        demande = DemandeMiseAJourFactory(centre=partenaire.centre, partenaire=partenaire)
        jeton = chemin(demande).split("/")[-2]
        response = client.post(reverse("partenariats:fiche_nouveau_lien", args=[jeton]))
        assertRedirects(response, chemin(demande), fetch_redirect_response=False)
        assert not Courriel.objects.exists()

    def test_get_leads_to_the_link_page(self, client):
        response = client.get(reverse("partenariats:fiche_nouveau_lien", args=["x"]))
        assertRedirects(
            response,
            reverse("partenariats:fiche_publique", args=["x"]),
            fetch_redirect_response=False,
        )


class TestRevue:
    @pytest.fixture
    def demande(self, partenaire):
        return DemandeMiseAJourFactory(
            centre=partenaire.centre,
            partenaire=partenaire,
            soumise=True,
            proposition={
                "horaires": HORAIRES,
                "telephone": "05 53 99 99 99",
                "themes": ["famille", "logement"],
            },
        )

    def test_compares_field_by_field_with_a_checked_box_each(self, client_salarie, demande):
        response = client_salarie.get(reverse("partenariats:demande_detail", args=[demande.pk]))
        assertContains(response, "Le lundi, 9 h – 12 h")
        assertContains(response, HORAIRES)
        assertContains(response, "05 53 11 22 33")
        assertContains(response, "05 53 99 99 99")
        assertContains(response, "Famille, Logement")
        for champ in ("horaires", "telephone", "themes"):
            assertContains(
                response,
                f'<input class="form-check-input" type="checkbox" name="champs" '
                f'value="{champ}" id="champ-{champ}" checked>',
                html=True,
            )
        assertContains(response, '<label for="champ-horaires">Horaires d&#x27;ouverture</label>')

    def test_accept_applies_only_the_checked_fields(
        self, client_salarie, salarie_user, demande, partenaire, maintenant
    ):
        response = client_salarie.post(
            reverse("partenariats:demande_detail", args=[demande.pk]),
            {"champs": ["horaires", "themes"], "decision": "accepter"},
        )
        assertRedirects(response, reverse("partenariats:demande_detail", args=[demande.pk]))
        partenaire.refresh_from_db()
        assert partenaire.horaires == HORAIRES
        assert partenaire.telephone == "05 53 11 22 33"
        assert {t.slug for t in partenaire.themes.all()} == {"famille", "logement"}
        assert partenaire.fiche_confirmee_le == datetime.date(2025, 3, 14)
        dernier = partenaire.history.latest("history_date")
        assert dernier.history_user == salarie_user
        assert dernier.horaires == HORAIRES

        demande.refresh_from_db()
        assert demande.statut == StatutDemande.ACCEPTEE
        assert demande.champs_acceptes == ["horaires", "themes"]
        assert demande.traitee_par == salarie_user
        assert demande.traitee_le is not None

    def test_after_acceptance_the_review_shows_the_value_before_and_after(
        self, client_salarie, demande
    ):
        client_salarie.post(
            reverse("partenariats:demande_detail", args=[demande.pk]),
            {"champs": ["horaires", "telephone", "themes"], "decision": "accepter"},
        )
        demande.refresh_from_db()
        assert demande.valeurs_avant == {
            "horaires": "Le lundi, 9 h – 12 h",
            "telephone": "05 53 11 22 33",
            "themes": ["famille"],
        }
        response = client_salarie.get(reverse("partenariats:demande_detail", args=[demande.pk]))
        assertContains(response, "Le lundi, 9 h – 12 h")
        assertContains(response, "05 53 11 22 33")
        assertContains(response, "05 53 99 99 99")
        assertContains(response, "Famille, Logement")
        assertContains(response, "Valeur avant examen")
        assert (
            response.context["lignes"][0]["actuelle"] != response.context["lignes"][0]["proposee"]
        )

    def test_accepting_nothing_still_confirms_the_fiche(
        self, client_salarie, demande, partenaire, maintenant
    ):
        avant = valeurs_fiche(partenaire)
        client_salarie.post(
            reverse("partenariats:demande_detail", args=[demande.pk]), {"decision": "accepter"}
        )
        partenaire.refresh_from_db()
        assert valeurs_fiche(partenaire) == avant
        assert partenaire.fiche_confirmee_le == datetime.date(2025, 3, 14)
        demande.refresh_from_db()
        assert (demande.statut, demande.champs_acceptes) == (StatutDemande.ACCEPTEE, [])

    def test_reject_leaves_the_fiche_alone(self, client_salarie, salarie_user, demande, partenaire):
        avant = etat_fiche(partenaire)
        client_salarie.post(
            reverse("partenariats:demande_detail", args=[demande.pk]),
            {"champs": ["horaires"], "decision": "rejeter"},
        )
        assert etat_fiche(partenaire) == avant
        demande.refresh_from_db()
        assert demande.statut == StatutDemande.REJETEE
        assert demande.traitee_par == salarie_user

    def test_only_a_submitted_request_can_be_reviewed(self, client_salarie, partenaire):
        demande = DemandeMiseAJourFactory(centre=partenaire.centre, partenaire=partenaire)
        avant = etat_fiche(partenaire)
        response = client_salarie.post(
            reverse("partenariats:demande_detail", args=[demande.pk]),
            {"decision": "accepter"},
            follow=True,
        )
        assertContains(response, "n&#x27;attend pas d&#x27;examen")
        assert etat_fiche(partenaire) == avant
        demande.refresh_from_db()
        assert demande.statut == StatutDemande.ENVOYEE

    def test_service_records_the_author_without_a_request(self, demande, admin_user):
        demandes.demande_accepter(demande=demande, champs=["telephone"], par=admin_user)
        partenaire = Partenaire.objects.get(pk=demande.partenaire_id)
        assert partenaire.telephone == "05 53 99 99 99"
        assert partenaire.history.latest("history_date").history_user == admin_user

    def test_timeline_tells_the_story(self, client_salarie, salarie_user, partenaire, contact):
        demande = demandes.demande_envoyer(
            partenaire=partenaire,
            destinataire=destinataires_possibles(partenaire)[0],
            par=salarie_user,
        )
        demandes.demande_soumettre(
            demande=demande, valeurs={**valeurs_fiche(partenaire), "horaires": HORAIRES}
        )
        demandes.demande_accepter(demande=demande, champs=["horaires"], par=salarie_user)
        response = client_salarie.get(partenaire.get_absolute_url())
        assertContains(response, "Demande de mise à jour envoyée à awa@mds.test")
        assertContains(response, "Modifications proposées par le partenaire")
        assertContains(response, "Modifications acceptées")
        assertContains(response, escape(f"par {salarie_user}"))
        # The requests' section of the partner page.
        assertContains(response, reverse("partenariats:demande_detail", args=[demande.pk]))
        assertContains(response, "Acceptée")


class TestEtats:
    def test_states_including_the_derived_expired_one(self, centre, time_machine):
        time_machine.move_to(MAINTENANT)
        vivantes = {
            "envoyee": DemandeMiseAJourFactory(centre=centre),
            "ouverte": DemandeMiseAJourFactory(centre=centre, ouverte=True),
            "soumise": DemandeMiseAJourFactory(centre=centre, soumise=True),
            "acceptee": DemandeMiseAJourFactory(centre=centre, statut=StatutDemande.ACCEPTEE),
            "rejetee": DemandeMiseAJourFactory(centre=centre, statut=StatutDemande.REJETEE),
        }
        expirees = [
            DemandeMiseAJourFactory(centre=centre, expiree=True),
            DemandeMiseAJourFactory(centre=centre, ouverte=True, expiree=True),
        ]
        # Submitted in time: waits for staff whatever the link's date.
        soumise_expiree = DemandeMiseAJourFactory(centre=centre, soumise=True, expiree=True)
        for etat, demande in vivantes.items():
            assert demande.etat == etat
        assert [d.etat for d in expirees] == ["expiree", "expiree"]
        assert soumise_expiree.etat == "soumise"

        base = DemandeMiseAJour.objects.for_centre(centre)
        assert set(base.dans_etat("expiree")) == set(expirees)
        assert list(base.dans_etat("envoyee")) == [vivantes["envoyee"]]
        assert base.comptes_par_etat() == {
            "envoyee": 1,
            "ouverte": 1,
            "soumise": 2,
            "acceptee": 1,
            "rejetee": 1,
            "expiree": 2,
        }

        # In progress: waiting for the partner with a live link, or for staff.
        assert set(base.en_cours()) == {
            vivantes["envoyee"],
            vivantes["ouverte"],
            vivantes["soumise"],
            soumise_expiree,
        }
        assert set(base.a_examiner()) == {vivantes["soumise"], soumise_expiree}

        # Thirty days later, the live ones expire in turn.
        time_machine.move_to(MAINTENANT + datetime.timedelta(days=31))
        assert vivantes["envoyee"].etat == "expiree"
        assert vivantes["soumise"].etat == "soumise"
        assert set(base.en_cours()) == {vivantes["soumise"], soumise_expiree}
        assert set(base.dans_etat("expiree")) == {
            vivantes["envoyee"],
            vivantes["ouverte"],
            *expirees,
        }
        # A moment can be given, as for a report about another day.
        assert set(base.en_cours(maintenant=MAINTENANT)) == {
            vivantes["envoyee"],
            vivantes["ouverte"],
            vivantes["soumise"],
            soumise_expiree,
        }

    def test_list_filters_by_state(self, client_salarie, centre):
        expiree = DemandeMiseAJourFactory(centre=centre, expiree=True)
        soumise = DemandeMiseAJourFactory(centre=centre, soumise=True)
        url = reverse("partenariats:demandes")
        response = client_salarie.get(url, {"etat": "expiree"})
        assert list(response.context["demandes"]) == [expiree]
        assertContains(response, "Expirée")
        response = client_salarie.get(url, {"etat": "soumise"})
        assert list(response.context["demandes"]) == [soumise]
        response = client_salarie.get(url, {"etat": "n-importe-quoi"})
        assert set(response.context["demandes"]) == {expiree, soumise}
        response = client_salarie.get(url, {"partenaire": soumise.partenaire_id})
        assert list(response.context["demandes"]) == [soumise]

    def test_list_query_count_is_constant(
        self, client_salarie, centre, django_assert_max_num_queries
    ):
        url = reverse("partenariats:demandes")
        LotDemandesFactory(centre=centre)
        for _n in range(3):
            DemandeMiseAJourFactory(centre=centre, envoyee_par=MembreFactory(centre=centre).user)
        with django_assert_max_num_queries(12) as peu:
            client_salarie.get(url)
        for _n in range(20):
            DemandeMiseAJourFactory(
                centre=centre,
                soumise=True,
                envoyee_par=MembreFactory(centre=centre).user,
            )
            LotDemandesFactory(centre=centre)
        with django_assert_max_num_queries(len(peu.captured_queries)):
            response = client_salarie.get(url)
        assert len(response.context["demandes"]) == 23

    def test_another_centres_request_is_404(self, client_salarie, autre_centre):
        demande = DemandeMiseAJourFactory(centre=autre_centre, soumise=True)
        url = reverse("partenariats:demande_detail", args=[demande.pk])
        assert client_salarie.get(url).status_code == 404
        assert client_salarie.post(url, {"decision": "accepter"}).status_code == 404
        demande.refresh_from_db()
        assert demande.statut == StatutDemande.SOUMISE
        assert (
            demande not in client_salarie.get(reverse("partenariats:demandes")).context["demandes"]
        )

    @pytest.mark.parametrize(
        "url",
        [
            lambda d: reverse("partenariats:demandes"),
            lambda d: reverse("partenariats:demande_detail", args=[d.pk]),
            lambda d: reverse("partenariats:demande_creer", args=[d.partenaire_id]),
            lambda d: reverse("partenariats:lot_creer"),
            lambda d: reverse("partenariats:lot_detail", args=[d.lot_id]),
        ],
        ids=["liste", "detail", "creer", "lot_creer", "lot_detail"],
    )
    def test_read_only_role_is_403(self, client_lecture, centre, url):
        demande = DemandeMiseAJourFactory(
            centre=centre, soumise=True, lot=LotDemandesFactory(centre=centre)
        )
        assert client_lecture.get(url(demande)).status_code == 403
        assert client_lecture.post(url(demande), {"decision": "accepter"}).status_code == 403
        demande.refresh_from_db()
        assert demande.statut == StatutDemande.SOUMISE

    def test_read_only_role_sees_no_request_buttons(self, client_lecture, partenaire):
        response = client_lecture.get(partenaire.get_absolute_url())
        assertNotContains(response, reverse("partenariats:demande_creer", args=[partenaire.pk]))
        response = client_lecture.get(reverse("partenariats:liste"))
        assertNotContains(response, reverse("partenariats:lot_creer"))


class TestEnvoiGroupe:
    CRITERES = {"livret": "oui", "fiche": "a-confirmer"}

    @pytest.fixture
    def annuaire(self, centre, time_machine):
        """Five partners of the booklet with a fiche older than a year (three reachable),
        and two the filter leaves out."""
        time_machine.move_to(MAINTENANT)
        ancienne = datetime.date(2023, 6, 1)
        a = PartenaireFactory(centre=centre, nom="A - Amicale laïque", fiche_confirmee_le=ancienne)
        ContactFactory(partenaire=a, email="amicale@a.test")
        b = PartenaireFactory(centre=centre, nom="B - Bibliothèque", email="bib@b.test")
        c = PartenaireFactory(centre=centre, nom="C - CCAS")
        ContactFactory(partenaire=c, email="premier@c.test")
        ContactFactory(partenaire=c, email="second@c.test")
        d = PartenaireFactory(centre=centre, nom="D - Sans adresse")
        e = PartenaireFactory(centre=centre, nom="E - Désinscrit")
        ContactFactory(partenaire=e, email="parti@e.test", desinscrit=True)
        # Left out by the filter:
        PartenaireFactory(centre=centre, nom="F - Récente", fiche_confirmee_le=date_recente())
        PartenaireFactory(centre=centre, nom="G - Hors livret", dans_livret=False, email="g@g.t")
        return {"a": a, "b": b, "c": c, "d": d, "e": e}

    def envoyer(self, client, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                reverse("partenariats:lot_creer") + "?livret=oui&fiche=a-confirmer&page=2"
            )

    def envoyer_sans_tache(self, client):
        return client.post(reverse("partenariats:lot_creer") + "?livret=oui&fiche=a-confirmer")

    def test_directory_button_carries_the_filters(self, client_salarie, annuaire):
        response = client_salarie.get(reverse("partenariats:liste"), self.CRITERES)
        assertContains(
            response,
            reverse("partenariats:lot_creer") + "?livret=oui&amp;fiche=a-confirmer",
        )
        assertContains(response, reverse("partenariats:demandes"))

    def test_confirmation_counts_and_lists_the_skipped(self, client_salarie, annuaire):
        response = client_salarie.get(reverse("partenariats:lot_creer"), self.CRITERES)
        plan = response.context["plan"]
        assert [p.nom for p, _d in plan.envois] == [
            "A - Amicale laïque",
            "B - Bibliothèque",
            "C - CCAS",
        ]
        assert [d.adresse for _p, d in plan.envois] == [
            "amicale@a.test",
            "bib@b.test",
            "premier@c.test",
        ]
        assert [(p.nom, raison) for p, raison in plan.ignores] == [
            ("D - Sans adresse", "aucune adresse électronique joignable"),
            ("E - Désinscrit", "aucune adresse électronique joignable"),
        ]
        assertContains(response, "3 partenaires recevront une demande")
        assertContains(response, "2 partenaires ne recevront rien")
        assertContains(response, "D - Sans adresse")
        assertContains(response, "Envoyer 3 demandes")
        assert not LotDemandes.objects.exists()

    def test_sends_one_email_per_partner_and_finishes(
        self,
        client_salarie,
        salarie_user,
        annuaire,
        django_capture_on_commit_callbacks,
        mailoutbox,
    ):
        response = self.envoyer(client_salarie, django_capture_on_commit_callbacks)
        lot = LotDemandes.objects.get()
        assertRedirects(response, reverse("partenariats:lot_detail", args=[lot.pk]))
        assert lot.partenaires == [annuaire[k].pk for k in "abc"]
        assert lot.criteres == "livret=oui&fiche=a-confirmer"
        assert (lot.total, lot.traites) == (3, 3)
        assert lot.termine_le is not None
        assert lot.cree_par == salarie_user

        assert sorted(m.to[0] for m in mailoutbox) == [
            "amicale@a.test",
            "bib@b.test",
            "premier@c.test",
        ]
        assert Courriel.objects.count() == 3
        assert set(lot.demandes.values_list("partenaire__nom", flat=True)) == {
            "A - Amicale laïque",
            "B - Bibliothèque",
            "C - CCAS",
        }
        assert all(d.envoyee_par == salarie_user for d in lot.demandes.all())

        page = client_salarie.get(reverse("partenariats:lot_detail", args=[lot.pk]))
        assertContains(page, "3 demandes envoyées")
        assertNotContains(page, 'role="progressbar"')

    def test_running_the_task_again_emails_no_one_twice(
        self, client_salarie, annuaire, django_capture_on_commit_callbacks, mailoutbox
    ):
        self.envoyer(client_salarie, django_capture_on_commit_callbacks)
        lot = LotDemandes.objects.get()
        with django_capture_on_commit_callbacks(execute=True):
            envoyer_lot_demandes.delay(lot.pk)
            envoyer_lot_demandes.delay(lot.pk)
        # Even a run that lost track of its progress finds the requests already made.
        LotDemandes.objects.filter(pk=lot.pk).update(traites=0, termine_le=None)
        with django_capture_on_commit_callbacks(execute=True):
            envoyer_lot_demandes.delay(lot.pk)
        assert len(mailoutbox) == 3
        assert Courriel.objects.count() == 3
        assert DemandeMiseAJour.objects.count() == 3
        lot.refresh_from_db()
        assert (lot.traites, lot.termine_le is not None) == (3, True)

    def test_a_retry_after_a_crash_resumes_where_it_stopped(
        self, client_salarie, annuaire, django_capture_on_commit_callbacks, mailoutbox
    ):
        vrai = demandes.demande_envoyer
        appels = []

        def panne_au_deuxieme(**kwargs):
            appels.append(kwargs["partenaire"].nom)
            if len(appels) == 2:
                raise ConnectionError("database went away")
            return vrai(**kwargs)

        with django_capture_on_commit_callbacks(execute=False):
            self.envoyer_sans_tache(client_salarie)
        lot = LotDemandes.objects.get()
        # The worker runs the task; it dies at the second partner.
        with mock.patch.object(demandes, "demande_envoyer", side_effect=panne_au_deuxieme):
            with pytest.raises(ConnectionError):
                envoyer_lot_demandes.delay(lot.pk)
        lot.refresh_from_db()
        assert (lot.traites, lot.termine_le) == (1, None)
        # The first partner's step was committed with its email (sent in real life at that
        # commit; here the test's transaction holds it back).
        assert list(Courriel.objects.values_list("destinataire", flat=True)) == ["amicale@a.test"]

        with django_capture_on_commit_callbacks(execute=True):
            envoyer_lot_demandes.delay(lot.pk)
        assert sorted(Courriel.objects.values_list("destinataire", flat=True)) == [
            "amicale@a.test",
            "bib@b.test",
            "premier@c.test",
        ]
        assert sorted(m.to[0] for m in mailoutbox) == ["bib@b.test", "premier@c.test"]
        lot.refresh_from_db()
        assert lot.traites == 3 and lot.termine_le is not None

    def test_progress_advances_partner_by_partner(
        self, client_salarie, annuaire, django_capture_on_commit_callbacks
    ):
        vrai = demandes.demande_envoyer
        vus = []

        def espion(**kwargs):
            vus.append(LotDemandes.objects.values_list("traites", flat=True).get())
            return vrai(**kwargs)

        with mock.patch.object(demandes, "demande_envoyer", side_effect=espion):
            self.envoyer(client_salarie, django_capture_on_commit_callbacks)
        assert vus == [0, 1, 2]

    def test_partner_with_a_request_in_progress_is_skipped(
        self, client_salarie, annuaire, django_capture_on_commit_callbacks, mailoutbox
    ):
        DemandeMiseAJourFactory(centre=annuaire["a"].centre, partenaire=annuaire["a"])
        response = client_salarie.get(reverse("partenariats:lot_creer"), self.CRITERES)
        assert ("A - Amicale laïque", "une demande est déjà en cours") in [
            (p.nom, raison) for p, raison in response.context["plan"].ignores
        ]
        self.envoyer(client_salarie, django_capture_on_commit_callbacks)
        assert sorted(m.to[0] for m in mailoutbox) == ["bib@b.test", "premier@c.test"]

    def test_partner_that_lost_its_address_meanwhile_is_skipped(
        self, centre, salarie_user, annuaire, django_capture_on_commit_callbacks, mailoutbox
    ):
        with django_capture_on_commit_callbacks(execute=False):
            lot = demandes.lot_creer(
                centre=centre,
                partenaires=[annuaire[k].pk for k in "abd"],
                criteres="",
                par=salarie_user,
            )
        demandes.lot_traiter(lot_id=lot.pk)
        lot.refresh_from_db()
        assert (lot.traites, lot.total) == (3, 3)
        assert lot.demandes.count() == 2

    def test_progress_page_and_endpoint(self, client_salarie, centre):
        lot = LotDemandesFactory(centre=centre, partenaires=[1, 2, 3], total=3, traites=1)
        page = client_salarie.get(reverse("partenariats:lot_detail", args=[lot.pk]))
        assertContains(page, 'role="progressbar"')
        assertContains(page, 'aria-valuenow="1"')
        assertContains(page, 'aria-valuemax="3"')
        assertContains(page, "1 sur 3")
        suivi = reverse("partenariats:lot_progression", args=[lot.pk])
        assertContains(page, f'hx-get="{suivi}"')
        barre = client_salarie.get(suivi, headers={"HX-Request": "true"})
        assertContains(barre, 'aria-valuenow="1"')
        assertContains(barre, "1 sur 3")
        assertContains(barre, f'hx-get="{suivi}"')
        LotDemandes.objects.filter(pk=lot.pk).update(traites=3, termine_le=timezone.now())
        fini = client_salarie.get(suivi, headers={"HX-Request": "true"})
        assert fini["HX-Refresh"] == "true"

    def test_nothing_to_send_creates_no_lot(self, client_salarie, centre):
        PartenaireFactory(centre=centre)
        response = client_salarie.post(reverse("partenariats:lot_creer"), follow=True)
        assertContains(response, "Aucun partenaire à qui envoyer la demande.")
        assert not LotDemandes.objects.exists()

    def test_lost_lots_are_queued_again(
        self, centre, salarie_user, annuaire, time_machine, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False):
            lot = demandes.lot_creer(
                centre=centre, partenaires=[annuaire["a"].pk], criteres="", par=salarie_user
            )
        assert demandes.lots_bloques_reprendre() == []
        # Swept every minute: with the broker back, the emails leave within two minutes.
        time_machine.shift(datetime.timedelta(seconds=61))
        with django_capture_on_commit_callbacks(execute=True):
            assert demandes.lots_bloques_reprendre() == [lot.pk]
        lot.refresh_from_db()
        assert lot.termine_le is not None
        assert demandes.lots_bloques_reprendre() == []


def date_recente():
    return timezone.localdate() - datetime.timedelta(days=30)

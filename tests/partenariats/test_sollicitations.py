"""Requests received (source 05): the list by deadline and its figures, recording one (and its
sender's fiche when missing), deciding, accepting it as a partnership in one step."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from partenariats.enums import (
    Construction,
    DecisionSollicitation,
    Horizon,
    NatureSollicitation,
    NiveauImplication,
    StatutPartenariat,
    TypePartenariat,
)
from partenariats.models import Partenaire, Partenariat, Sollicitation
from partenariats.selectors_sollicitations import chiffres_sollicitations, sollicitation_origine
from partenariats.services.sollicitations import (
    sollicitation_accepter,
    sollicitation_creer,
    sollicitation_decider,
)
from tests.partenariats.factories import (
    PartenaireFactory,
    PartenariatFactory,
    SollicitationFactory,
)
from tests.partenariats.test_alertes import page_de

pytestmark = pytest.mark.django_db

AUJOURD_HUI = datetime.date(2026, 12, 1)
LISTE = reverse("partenariats:sollicitation_liste")
CREER = reverse("partenariats:sollicitation_creer")
RAISON = "Nous n'avons pas été associés à l'écriture du projet."


@pytest.fixture(autouse=True)
def _aujourd_hui(time_machine):
    time_machine.move_to("2026-12-01 10:00+01:00", tick=False)


@pytest.fixture
def mairie(centre):
    return PartenaireFactory(centre=centre, nom="Ville d'Agen — politique de la ville")


def jours(n):
    return AUJOURD_HUI + datetime.timedelta(days=n)


def donnees_creation(demandeur, **changements):
    return {
        "demandeur": demandeur.pk,
        "nature": NatureSollicitation.DOSSIER,
        "objet": "Figurer dans la fiche action « Parentalité et numérique »",
        "description": "",
        "recue_le": "2026-11-28",
        "echeance": "2026-12-12",
        "cle_creation": str(uuid.uuid4()),
        **changements,
    }


def donnees_acceptation(**changements):
    return {
        "objet": "Ateliers parents-enfants du contrat de ville",
        "type": TypePartenariat.PROJET,
        "niveau": NiveauImplication.ALLIE,
        "horizon": Horizon.COURT,
        "referent": "",
        "debut": "2026-12-01",
        "fin": "2027-06-30",
        "construction": Construction.DECLARE,
        "construction_commentaire": "",
        "raison": "",
        "decidee_le": "2026-12-01",
        **changements,
    }


class TestListe:
    def test_open_requests_by_deadline_overdue_and_near_flagged(self, client_lecture, centre):
        sans = SollicitationFactory(centre=centre, objet="Sans échéance", echeance=None)
        loin = SollicitationFactory(centre=centre, objet="Dans un mois", echeance=jours(30))
        proche = SollicitationFactory(centre=centre, objet="Dans dix jours", echeance=jours(10))
        retard = SollicitationFactory(
            centre=centre,
            objet="En retard",
            recue_le=jours(-30),
            echeance=jours(-2),
            decision=DecisionSollicitation.NEGOCIER,
        )
        SollicitationFactory(
            centre=centre, objet="Déjà déclinée", decision=DecisionSollicitation.DECLINER
        )

        response = client_lecture.get(LISTE)

        assert list(response.context["sollicitations"]) == [retard, proche, loin, sans]
        html = response.content.decode()
        assert html.index("En retard") < html.index("Dans dix jours") < html.index("Sans échéance")
        assertContains(response, "Dépassée", count=1)
        assertContains(response, "Bientôt", count=1)
        assertNotContains(response, "Déjà déclinée")
        # Read-only members see the list, not the button.
        assertNotContains(response, CREER)

    def test_the_decided_tab_shows_decided_requests_newest_decision_first(
        self, client_lecture, centre
    ):
        SollicitationFactory(centre=centre, objet="Encore à décider")
        ancienne = SollicitationFactory(
            centre=centre,
            decision=DecisionSollicitation.DECLINER,
            decidee_le=jours(-20),
            echeance=jours(-25),
        )
        recente = SollicitationFactory(
            centre=centre,
            decision=DecisionSollicitation.ACCEPTER,
            decidee_le=jours(-1),
            echeance=jours(-25),
        )

        response = client_lecture.get(LISTE, {"etat": "decidees"})

        assert list(response.context["sollicitations"]) == [recente, ancienne]
        # A decided request is not flagged, whatever its deadline.
        assertNotContains(response, "Dépassée")
        assert [(e, n) for e, _l, n in response.context["etats"]] == [
            ("a-traiter", 1),
            ("decidees", 2),
            ("toutes", 3),
        ]

    def test_an_unknown_tab_or_page_shows_the_default(self, client_lecture, centre):
        SollicitationFactory(centre=centre)
        response = client_lecture.get(LISTE, {"etat": "n-importe", "page": "99"})
        assert response.status_code == 200
        assert response.context["etat_actif"] == "a-traiter"

    def test_another_centres_requests_stay_out(self, client_lecture, centre, autre_centre):
        SollicitationFactory(centre=autre_centre, objet="Demande à Fumel")
        response = client_lecture.get(LISTE)
        assertNotContains(response, "Demande à Fumel")
        assert response.context["chiffres"].recues == 0

    def test_figures_at_the_top(self, client_lecture, centre):
        SollicitationFactory(centre=centre, recue_le=jours(-10))
        SollicitationFactory(
            centre=centre, recue_le=jours(-40), decision=DecisionSollicitation.DECLINER
        )
        PartenariatFactory(centre=centre, construction=Construction.DECLARE)
        PartenariatFactory(centre=centre, construction=Construction.CO_CONSTRUIT)
        PartenariatFactory(centre=centre, construction=Construction.REJOINT)
        PartenariatFactory(centre=centre, construction=Construction.CO_CONSTRUIT)

        response = client_lecture.get(LISTE)

        chiffres = response.context["chiffres"]
        assert (chiffres.annee, chiffres.recues, chiffres.declinees) == (2026, 2, 1)
        assertContains(response, "En 2026")
        assertContains(response, "25\u00a0% (1 sur 4 partenariats en cours dans l'année)")

    def test_query_count_does_not_grow_with_the_requests(
        self, client_lecture, centre, django_assert_max_num_queries
    ):
        SollicitationFactory.create_batch(3, centre=centre)
        with django_assert_max_num_queries(15) as petit:
            client_lecture.get(LISTE)
        SollicitationFactory.create_batch(
            40, centre=centre, decision=DecisionSollicitation.NEGOCIER
        )
        SollicitationFactory.create_batch(
            20, centre=centre, decision=DecisionSollicitation.DECLINER, decidee_le=jours(-3)
        )
        for etat in ("a-traiter", "decidees", "toutes"):
            with django_assert_max_num_queries(len(petit.captured_queries)):
                client_lecture.get(LISTE, {"etat": etat})


class TestChiffres:
    def test_requests_count_by_the_day_they_were_received(self, centre, autre_centre):
        SollicitationFactory(centre=centre, recue_le=datetime.date(2026, 1, 1))
        SollicitationFactory(
            centre=centre,
            recue_le=datetime.date(2026, 12, 31),
            decision=DecisionSollicitation.DECLINER,
            associe_conception=True,
        )
        SollicitationFactory(
            centre=centre,
            recue_le=datetime.date(2026, 6, 1),
            echeance=None,
            decision=DecisionSollicitation.ACCEPTER,
        )
        SollicitationFactory(centre=centre, recue_le=datetime.date(2025, 12, 31), echeance=None)
        SollicitationFactory(centre=autre_centre, recue_le=datetime.date(2026, 3, 1))

        chiffres = chiffres_sollicitations(centre, 2026)

        assert (
            chiffres.recues,
            chiffres.declinees,
            chiffres.acceptees,
            chiffres.sans_concertation,
        ) == (3, 1, 1, 2)
        assert chiffres_sollicitations(centre, 2025).recues == 1

    def test_share_of_partnerships_declared_without_consultation_in_force_that_year(
        self, centre, django_assert_num_queries
    ):
        def partenariat(debut, fin, construction=Construction.DECLARE, **extra):
            return PartenariatFactory(
                centre=centre, debut=debut, fin=fin, construction=construction, **extra
            )

        partenariat(datetime.date(2025, 3, 1), None)
        partenariat(None, None, Construction.REJOINT)
        partenariat(datetime.date(2026, 12, 31), None, Construction.CO_CONSTRUIT)
        partenariat(
            datetime.date(2024, 1, 1), datetime.date(2026, 1, 1), statut=StatutPartenariat.TERMINE
        )
        # Out of 2026: ended before it, or starts after it.
        partenariat(datetime.date(2024, 1, 1), datetime.date(2025, 12, 31))
        partenariat(datetime.date(2027, 1, 1), None)

        with django_assert_num_queries(2):
            chiffres = chiffres_sollicitations(centre, 2026)

        assert (chiffres.partenariats, chiffres.partenariats_declares) == (4, 2)
        assert chiffres.part_declares == 50

    def test_no_partnership_gives_no_share(self, centre):
        assert chiffres_sollicitations(centre, 2026).part_declares is None


class TestEnregistrer:
    def test_staff_record_a_request_it_starts_to_decide(
        self, client_salarie, salarie_user, centre, mairie
    ):
        response = client_salarie.post(CREER, donnees_creation(mairie, associe_conception="on"))

        sollicitation = Sollicitation.objects.get()
        assertRedirects(response, sollicitation.get_absolute_url())
        assert sollicitation.centre == centre
        assert sollicitation.demandeur == mairie
        assert sollicitation.decision == DecisionSollicitation.A_DECIDER
        assert sollicitation.associe_conception is True
        assert sollicitation.echeance == datetime.date(2026, 12, 12)
        assert sollicitation.history.get().history_user == salarie_user

    def test_the_same_form_sent_twice_records_one_request(self, client_salarie, mairie):
        donnees = donnees_creation(mairie)
        premiere = client_salarie.post(CREER, donnees)
        seconde = client_salarie.post(CREER, donnees)
        sollicitation = Sollicitation.objects.get()
        assert premiere["Location"] == seconde["Location"] == sollicitation.get_absolute_url()

    def test_the_form_says_what_is_wrong_in_french(self, client_salarie, mairie):
        response = client_salarie.post(
            CREER,
            donnees_creation(mairie, objet="", recue_le="2026-12-02", echeance="2026-11-01"),
        )
        assert response.status_code == 200
        erreurs = response.context["form"].errors
        assert erreurs["objet"] == ["Dites en une phrase ce qui est demandé."]
        assert erreurs["recue_le"] == ["Une demande reçue ne peut pas être datée de demain."]
        assert erreurs["echeance"] == ["La réponse ne peut pas être attendue avant la réception."]
        assert not Sollicitation.objects.exists()

    def test_a_partner_of_another_centre_cannot_be_the_sender(
        self, client_salarie, centre, autre_centre
    ):
        ailleurs = PartenaireFactory(centre=autre_centre)
        response = client_salarie.post(CREER, donnees_creation(ailleurs))
        assert "demandeur" in response.context["form"].errors
        assert not Sollicitation.objects.exists()

    def test_read_only_members_cannot_record(self, client_lecture, mairie):
        assert client_lecture.get(CREER).status_code == 403
        assert client_lecture.post(CREER, donnees_creation(mairie)).status_code == 403
        assert not Sollicitation.objects.exists()

    def test_a_missing_sender_is_created_on_the_way_and_comes_back_chosen(
        self, client_salarie, centre
    ):
        formulaire = client_salarie.get(CREER)
        lien = reverse("partenariats:creer") + "?suivant=%2Fdemandes-recues%2Fnouvelle%2F"
        assertContains(formulaire, lien.replace("&", "&amp;"))

        response = client_salarie.post(
            lien,
            {"nom": "Conseil citoyen de Montanou", "categorie": "association", "commune": ""},
        )

        partenaire = Partenaire.objects.get(nom="Conseil citoyen de Montanou")
        assertRedirects(response, f"{CREER}?partenaire={partenaire.pk}")
        retour = client_salarie.get(response["Location"])
        assert retour.context["form"]["demandeur"].value() == partenaire.pk

    @pytest.mark.parametrize("suivant", ["https://ailleurs.example/", "//ailleurs.example/"])
    def test_partner_creation_never_sends_to_another_site(self, client_salarie, suivant):
        response = client_salarie.post(
            reverse("partenariats:creer") + f"?suivant={suivant}",
            {"nom": "Conseil citoyen de Montanou", "categorie": "association"},
        )
        partenaire = Partenaire.objects.get(nom="Conseil citoyen de Montanou")
        assertRedirects(response, partenaire.get_absolute_url(), fetch_redirect_response=False)

    def test_edit_keeps_the_decision(self, client_salarie, centre, mairie):
        sollicitation = SollicitationFactory(
            centre=centre, decision=DecisionSollicitation.DECLINER, raison=RAISON
        )
        url = reverse("partenariats:sollicitation_modifier", args=[sollicitation.pk])
        donnees = donnees_creation(mairie, objet="Objet corrigé")
        del donnees["cle_creation"]

        response = client_salarie.post(url, donnees)

        assertRedirects(response, sollicitation.get_absolute_url())
        sollicitation.refresh_from_db()
        assert (sollicitation.objet, sollicitation.demandeur) == ("Objet corrigé", mairie)
        assert (sollicitation.decision, sollicitation.raison) == ("decliner", RAISON)

    def test_the_sender_of_a_request_turned_partnership_stays(self, client_salarie, centre, mairie):
        sollicitation = SollicitationFactory(centre=centre)
        sollicitation_accepter(sollicitation=sollicitation, par=None, **champs_partenariat())
        url = reverse("partenariats:sollicitation_modifier", args=[sollicitation.pk])
        donnees = donnees_creation(mairie)
        del donnees["cle_creation"]

        response = client_salarie.post(url, donnees)

        assert response.context["form"].errors["demandeur"] == [
            "Cette demande est devenue un partenariat avec ce demandeur\u00a0: il ne peut plus "
            "changer."
        ]
        sollicitation.refresh_from_db()
        assert sollicitation.demandeur != mairie
        assert sollicitation.partenariat.partenaire == sollicitation.demandeur


class TestDecider:
    def url(self, sollicitation):
        return reverse("partenariats:sollicitation_decider", args=[sollicitation.pk])

    def test_declining_needs_a_reason_and_records_who_and_when(
        self, client_salarie, salarie_user, centre
    ):
        sollicitation = SollicitationFactory(centre=centre)

        sans_raison = client_salarie.post(
            self.url(sollicitation),
            {"decision": "decliner", "raison": "  ", "decidee_le": "2026-12-01"},
        )
        assert sans_raison.context["form"].errors["raison"] == [
            "Indiquez la raison\u00a0: c'est ce que le centre répondra au demandeur."
        ]
        sollicitation.refresh_from_db()
        assert sollicitation.decision == DecisionSollicitation.A_DECIDER

        response = client_salarie.post(
            self.url(sollicitation),
            {"decision": "decliner", "raison": RAISON, "decidee_le": "2026-11-30"},
            follow=True,
        )

        assertRedirects(response, sollicitation.get_absolute_url())
        assertContains(response, "Demande déclinée. La raison est enregistrée.")
        assertContains(response, RAISON.replace("'", "&#x27;"))
        sollicitation.refresh_from_db()
        assert sollicitation.decision == DecisionSollicitation.DECLINER
        assert sollicitation.raison == RAISON
        assert sollicitation.decidee_le == datetime.date(2026, 11, 30)
        assert sollicitation.decidee_par == salarie_user
        assert sollicitation.history.first().history_user == salarie_user
        assert not Partenariat.objects.exists()

    def test_negotiating_needs_a_reason_too_and_keeps_the_request_open(
        self, client_salarie, centre
    ):
        sollicitation = SollicitationFactory(centre=centre)
        sans = client_salarie.post(
            self.url(sollicitation), {"decision": "negocier", "decidee_le": "2026-12-01"}
        )
        assert "raison" in sans.context["form"].errors

        client_salarie.post(
            self.url(sollicitation),
            {
                "decision": "negocier",
                "raison": "Nous voulons relire la fiche action avant.",
                "decidee_le": "2026-12-01",
            },
        )

        sollicitation.refresh_from_db()
        assert sollicitation.decision == DecisionSollicitation.NEGOCIER
        assert sollicitation in client_salarie.get(LISTE).context["sollicitations"]

    def test_accepting_is_not_a_decision_of_this_form(self, client_salarie, centre):
        sollicitation = SollicitationFactory(centre=centre)
        response = client_salarie.post(
            self.url(sollicitation),
            {"decision": "accepter", "raison": "Oui", "decidee_le": "2026-12-01"},
        )
        assert response.context["form"].errors["decision"] == [
            "Choisissez de négocier ou de décliner."
        ]
        assertContains(
            response, reverse("partenariats:sollicitation_accepter", args=[sollicitation.pk])
        )

    def test_a_decision_cannot_be_dated_tomorrow_nor_before_reception(self, client_salarie, centre):
        sollicitation = SollicitationFactory(centre=centre, recue_le=jours(-3))
        for date in ("2026-12-02", "2026-11-27"):
            response = client_salarie.post(
                self.url(sollicitation),
                {"decision": "decliner", "raison": RAISON, "decidee_le": date},
            )
            assert "decidee_le" in response.context["form"].errors
        sollicitation.refresh_from_db()
        assert sollicitation.decision == DecisionSollicitation.A_DECIDER

    def test_a_request_turned_partnership_is_not_declined(self, client_salarie, centre):
        sollicitation = SollicitationFactory(centre=centre)
        sollicitation_accepter(sollicitation=sollicitation, par=None, **champs_partenariat())

        page = client_salarie.get(self.url(sollicitation))
        envoi = client_salarie.post(
            self.url(sollicitation),
            {"decision": "decliner", "raison": RAISON, "decidee_le": "2026-12-01"},
        )

        assertRedirects(page, sollicitation.get_absolute_url())
        assertRedirects(envoi, sollicitation.get_absolute_url())
        sollicitation.refresh_from_db()
        assert sollicitation.decision == DecisionSollicitation.ACCEPTER

    def test_read_only_members_cannot_decide(self, client_lecture, centre):
        sollicitation = SollicitationFactory(centre=centre)
        response = client_lecture.post(
            self.url(sollicitation),
            {"decision": "decliner", "raison": RAISON, "decidee_le": "2026-12-01"},
        )
        assert response.status_code == 403
        sollicitation.refresh_from_db()
        assert sollicitation.decision == DecisionSollicitation.A_DECIDER

    def test_the_service_refuses_what_the_form_refuses(self, centre):
        sollicitation = SollicitationFactory(centre=centre)
        with pytest.raises(ValidationError, match="raison"):
            sollicitation_decider(
                sollicitation=sollicitation, decision="decliner", raison="", par=None
            )
        with pytest.raises(ValidationError, match="partenariat"):
            sollicitation_decider(
                sollicitation=sollicitation, decision="accepter", raison="Oui", par=None
            )


def champs_partenariat(**changements):
    return {
        "objet": "Ateliers parents-enfants",
        "type": TypePartenariat.PROJET,
        "niveau": NiveauImplication.ALLIE,
        "horizon": Horizon.COURT,
        "construction": Construction.DECLARE,
        **changements,
    }


class TestAccepter:
    def url(self, sollicitation):
        return reverse("partenariats:sollicitation_accepter", args=[sollicitation.pk])

    @pytest.mark.parametrize(
        ("nature", "associe", "type_", "niveau", "construction"),
        [
            ("instance", False, "concertation", "information", "declare"),
            ("dossier", False, "projet", "allie", "declare"),
            ("cosignature", True, "projet", "co_porteur", "co_construit"),
            ("autre", True, "action", "allie", "co_construit"),
        ],
    )
    def test_the_form_is_prefilled_from_the_request(
        self, client_salarie, salarie_user, centre, nature, associe, type_, niveau, construction
    ):
        sollicitation = SollicitationFactory(
            centre=centre, nature=nature, associe_conception=associe, objet="Siéger au COPIL"
        )
        form = client_salarie.get(self.url(sollicitation)).context["form"]
        valeurs = {nom: form[nom].value() for nom in ("objet", "type", "niveau", "construction")}
        assert valeurs == {
            "objet": "Siéger au COPIL",
            "type": type_,
            "niveau": niveau,
            "construction": construction,
        }
        assert form["referent"].value() == salarie_user.pk
        assert form["debut"].value() == AUJOURD_HUI

    def test_accepting_creates_the_partnership_and_keeps_the_link(
        self, client_salarie, salarie_user, centre, mairie
    ):
        sollicitation = SollicitationFactory(centre=centre, demandeur=mairie)

        response = client_salarie.post(
            self.url(sollicitation),
            donnees_acceptation(referent=salarie_user.pk, raison="Le projet nous concerne."),
            follow=True,
        )

        assertRedirects(response, sollicitation.get_absolute_url())
        partenariat = Partenariat.objects.get()
        assert partenariat.centre == centre
        assert partenariat.partenaire == mairie
        assert partenariat.type == TypePartenariat.PROJET
        assert partenariat.construction == Construction.DECLARE
        assert partenariat.referent == salarie_user
        assert partenariat.fin == datetime.date(2027, 6, 30)
        assert partenariat.history.get().history_user == salarie_user
        sollicitation.refresh_from_db()
        assert sollicitation.partenariat == partenariat
        assert sollicitation.decision == DecisionSollicitation.ACCEPTER
        assert sollicitation.raison == "Le projet nous concerne."
        assert sollicitation.decidee_par == salarie_user
        # The partnership's page, or its partner's until the partnerships' part of issue 10
        # brings it.
        assertContains(response, "Partenariat issu de la demande")
        page = page_de("partenariat_detail", partenariat.pk, mairie.get_absolute_url())
        assertContains(response, f'href="{page}"')
        assertNotContains(response, self.url(sollicitation))

    def test_a_double_submit_makes_one_partnership(self, client_salarie, centre):
        sollicitation = SollicitationFactory(centre=centre)
        donnees = donnees_acceptation()
        premiere = client_salarie.post(self.url(sollicitation), donnees)
        seconde = client_salarie.post(self.url(sollicitation), donnees)
        assert premiere["Location"] == seconde["Location"] == sollicitation.get_absolute_url()
        assert Partenariat.objects.count() == 1

    def test_the_service_called_twice_makes_one_partnership(self, centre):
        sollicitation = SollicitationFactory(centre=centre)
        premiere = sollicitation_accepter(
            sollicitation=sollicitation, par=None, **champs_partenariat()
        )
        # The caller still holds the request as read before the first call.
        seconde = sollicitation_accepter(
            sollicitation=sollicitation, par=None, **champs_partenariat()
        )
        assert premiere.partenariat_id == seconde.partenariat_id
        assert Partenariat.objects.count() == 1

    def test_an_end_before_the_start_is_refused_in_french_and_nothing_is_written(
        self, client_salarie, centre
    ):
        sollicitation = SollicitationFactory(centre=centre)
        response = client_salarie.post(
            self.url(sollicitation), donnees_acceptation(debut="2027-01-01", fin="2026-12-31")
        )
        assert response.context["form"].errors["fin"] == ["La fin ne peut pas précéder le début."]
        assert not Partenariat.objects.exists()
        sollicitation.refresh_from_db()
        assert sollicitation.decision == DecisionSollicitation.A_DECIDER

    def test_a_declined_request_can_still_be_accepted(self, client_salarie, centre):
        sollicitation = SollicitationFactory(centre=centre)
        sollicitation_decider(
            sollicitation=sollicitation, decision="decliner", raison=RAISON, par=None
        )
        client_salarie.post(self.url(sollicitation), donnees_acceptation())
        sollicitation.refresh_from_db()
        assert sollicitation.decision == DecisionSollicitation.ACCEPTER
        assert sollicitation.partenariat is not None

    def test_referent_is_a_staff_member_of_the_centre(
        self, client_salarie, centre, lecture_user, autre_centre
    ):
        from tests.factories import MembreFactory

        ailleurs = MembreFactory(centre=autre_centre).user
        sollicitation = SollicitationFactory(centre=centre)
        for user in (lecture_user, ailleurs):
            response = client_salarie.post(
                self.url(sollicitation), donnees_acceptation(referent=user.pk)
            )
            assert "referent" in response.context["form"].errors
        assert not Partenariat.objects.exists()

    def test_read_only_members_cannot_accept(self, client_lecture, centre):
        sollicitation = SollicitationFactory(centre=centre)
        assert (
            client_lecture.post(self.url(sollicitation), donnees_acceptation()).status_code == 403
        )
        assert not Partenariat.objects.exists()


class TestOrigine:
    def test_the_partnership_names_the_request_it_came_from(self, centre, mairie):
        sollicitation = SollicitationFactory(
            centre=centre, demandeur=mairie, objet="Siéger au COPIL", recue_le=jours(-10)
        )
        sollicitation = sollicitation_accepter(
            sollicitation=sollicitation, par=None, **champs_partenariat()
        )

        origine = sollicitation_origine(sollicitation.partenariat)
        html = render_to_string(
            "partenariats/_sollicitation_origine.html", {"sollicitation": origine}
        )

        assert origine == sollicitation
        assert f'href="{sollicitation.get_absolute_url()}"' in html
        assert "Issu d'une demande reçue le 21 novembre 2026\u00a0:" in html.replace("&#x27;", "'")
        assert "Siéger au COPIL" in html
        assert sollicitation_origine(PartenariatFactory(centre=centre)) is None
        assert (
            render_to_string(
                "partenariats/_sollicitation_origine.html", {"sollicitation": None}
            ).strip()
            == ""
        )

    def test_the_partner_timeline_shows_requests_and_decisions(
        self, client_lecture, salarie_user, centre, mairie
    ):
        sollicitation = sollicitation_creer(
            centre=centre,
            demandeur=mairie,
            par=salarie_user,
            nature=NatureSollicitation.INSTANCE,
            objet="Siéger au COPIL",
            recue_le=jours(-3),
        )
        sollicitation_decider(
            sollicitation=sollicitation, decision="decliner", raison=RAISON, par=salarie_user
        )

        response = client_lecture.get(mairie.get_absolute_url())

        assertContains(response, "Demande reçue enregistrée\u00a0: Siéger au COPIL")
        assertContains(response, "Demande reçue déclinée\u00a0: Siéger au COPIL")

    def test_the_partnership_page_shows_it(self, client_lecture, centre, mairie):
        sollicitation = sollicitation_accepter(
            sollicitation=SollicitationFactory(centre=centre, demandeur=mairie, objet="COPIL"),
            par=None,
            **champs_partenariat(),
        )
        page = client_lecture.get(sollicitation.partenariat.get_absolute_url())
        assertContains(page, f'href="{sollicitation.get_absolute_url()}"')
        assertContains(page, "Issu d'une demande reçue le")

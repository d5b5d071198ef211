"""What needs a centre's attention: the items (conventions and protocols ending, partnerships
past their end, requests due), the home page's list, and the admins' daily digest, sent once
per item and period."""

import datetime
import threading
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.urls import NoReverseMatch, reverse
from django_scopes import scope, scopes_disabled
from pytest_django.asserts import assertNotContains

from courrier.models import Courriel
from partenariats import tasks
from partenariats.alertes import GenreAlerte, alertes
from partenariats.enums import DecisionSollicitation, StatutConvention, StatutPartenariat
from partenariats.models import AlerteEnvoyee
from partenariats.services.alertes import alertes_envoyer
from reseau.enums import Role
from tests.factories import CentreFactory, MembreFactory
from tests.partenariats.factories import (
    ConventionFactory,
    PartenaireFactory,
    PartenariatFactory,
    ProtocoleOrientationFactory,
    SollicitationFactory,
)

pytestmark = pytest.mark.django_db

AUJOURD_HUI = datetime.date(2026, 12, 1)
SITE_URL = "https://maillage.example.org"


def jours(n):
    return AUJOURD_HUI + datetime.timedelta(days=n)


def page_de(nom, pk, repli):
    """The page ``partenariats:<nom>`` of ``pk`` once another part of issue 10 adds it (the
    partnerships', the conventions'), the ``repli`` path until then: these tests hold on either
    side of the merge."""
    try:
        return reverse(f"partenariats:{nom}", args=[pk])
    except NoReverseMatch:
        return repli


@pytest.fixture(autouse=True)
def _aujourd_hui(time_machine, settings):
    time_machine.move_to("2026-12-01 07:00+01:00", tick=False)
    settings.SITE_URL = SITE_URL


@pytest.fixture
def caf(centre):
    return PartenaireFactory(centre=centre, caf=True)


def une_de_chaque(centre, caf):
    """One item of each kind, due on different days."""
    return {
        "convention": ConventionFactory(
            centre=centre, financeur=caf, statut=StatutConvention.ACCORDEE, fin=jours(45)
        ),
        "protocole": ProtocoleOrientationFactory(centre=centre, valide_jusqu_au=jours(20)),
        "partenariat": PartenariatFactory(
            centre=centre, objet="Stages de judo", debut=jours(-300), fin=jours(-3)
        ),
        "sollicitation": SollicitationFactory(
            centre=centre, objet="Siéger au COPIL", echeance=jours(10)
        ),
    }


class TestItems:
    def test_one_item_of_each_kind_earliest_date_first(self, centre, caf):
        objets = une_de_chaque(centre, caf)

        items = alertes(centre, AUJOURD_HUI)

        assert [(a.genre, a.date) for a in items] == [
            (GenreAlerte.PARTENARIAT, jours(-3)),
            (GenreAlerte.SOLLICITATION, jours(10)),
            (GenreAlerte.PROTOCOLE, jours(20)),
            (GenreAlerte.CONVENTION, jours(45)),
        ]
        partenariat, sollicitation, protocole, convention = items
        assert convention.cle == f"convention:{objets['convention'].pk}:fin:2027-01-15"
        assert protocole.cle == f"protocole:{objets['protocole'].pk}:fin:2026-12-21"
        assert partenariat.cle == f"partenariat:{objets['partenariat'].pk}:fin:2026-11-28"
        assert (
            sollicitation.cle == f"sollicitation:{objets['sollicitation'].pk}:echeance:2026-12-11"
        )
        assert convention.libelle == (
            "Convention qui se termine le 15 janvier 2027\u00a0: Caisse d'allocations familiales "
            "de Lot-et-Garonne — Prestation de service animation globale"
        )
        assert sollicitation.libelle.startswith("Réponse attendue avant le 11 décembre 2026\u00a0:")
        assert partenariat.libelle.startswith(
            "Partenariat terminé le 28 novembre 2026 mais toujours indiqué actif\u00a0:"
        )
        assert sollicitation.url == objets["sollicitation"].get_absolute_url()
        # The partnerships' and conventions' own pages come with other parts of issue 10:
        # until then, the partner's page.
        assert convention.url == page_de(
            "convention_detail", objets["convention"].pk, caf.get_absolute_url()
        )
        assert partenariat.url == page_de(
            "partenariat_detail",
            objets["partenariat"].pk,
            objets["partenariat"].partenaire.get_absolute_url(),
        )
        assert protocole.url == page_de(
            "partenariat_detail",
            objets["protocole"].partenariat_id,
            objets["protocole"].partenariat.partenaire.get_absolute_url(),
        )

    def test_conventions_granted_or_signed_ending_within_60_days(self, centre, caf):
        def convention(fin, statut=StatutConvention.SIGNEE):
            return ConventionFactory(
                centre=centre, financeur=caf, statut=statut, fin=fin, debut=jours(-400)
            )

        dedans = [convention(AUJOURD_HUI), convention(jours(60))]
        convention(jours(61))
        convention(jours(-1))
        convention(jours(10), StatutConvention.DEMANDEE)
        convention(jours(10), StatutConvention.SOLDEE)
        convention(jours(10), StatutConvention.REFUSEE)

        assert [a.cle.split(":")[1] for a in alertes(centre, AUJOURD_HUI)] == [
            str(c.pk) for c in dedans
        ]

    def test_protocols_valid_until_within_60_days_of_live_partnerships(self, centre):
        dedans = ProtocoleOrientationFactory(centre=centre, valide_jusqu_au=jours(60))
        ProtocoleOrientationFactory(centre=centre, valide_jusqu_au=jours(61))
        ProtocoleOrientationFactory(centre=centre, valide_jusqu_au=None)
        ProtocoleOrientationFactory(
            centre=centre,
            valide_jusqu_au=jours(5),
            partenariat__statut=StatutPartenariat.TERMINE,
        )

        assert [a.cle for a in alertes(centre, AUJOURD_HUI)] == [
            f"protocole:{dedans.pk}:fin:2027-01-30"
        ]

    def test_partnerships_past_their_end_still_active(self, centre):
        dedans = PartenariatFactory(centre=centre, fin=jours(-1))
        PartenariatFactory(centre=centre, fin=AUJOURD_HUI)
        PartenariatFactory(centre=centre, fin=None)
        PartenariatFactory(centre=centre, fin=jours(-10), statut=StatutPartenariat.TERMINE)
        PartenariatFactory(centre=centre, fin=jours(-10), statut=StatutPartenariat.EN_PAUSE)

        assert [a.cle for a in alertes(centre, AUJOURD_HUI)] == [
            f"partenariat:{dedans.pk}:fin:2026-11-30"
        ]

    def test_open_requests_due_within_14_days_or_overdue(self, centre):
        retard = SollicitationFactory(
            centre=centre, recue_le=jours(-30), echeance=jours(-5), objet="En retard"
        )
        limite = SollicitationFactory(
            centre=centre, echeance=jours(14), decision=DecisionSollicitation.NEGOCIER
        )
        SollicitationFactory(centre=centre, echeance=jours(15))
        SollicitationFactory(centre=centre, echeance=None)
        SollicitationFactory(
            centre=centre, echeance=jours(3), decision=DecisionSollicitation.DECLINER
        )
        SollicitationFactory(
            centre=centre, echeance=jours(3), decision=DecisionSollicitation.ACCEPTER
        )

        items = alertes(centre, AUJOURD_HUI)

        assert [a.cle.split(":")[1] for a in items] == [str(retard.pk), str(limite.pk)]
        assert items[0].libelle.startswith("Réponse attendue depuis le 26 novembre 2026\u00a0:")

    def test_another_centre_items_stay_out(self, centre, autre_centre):
        SollicitationFactory(centre=autre_centre, echeance=jours(2))
        PartenariatFactory(centre=autre_centre, fin=jours(-2))
        assert alertes(centre, AUJOURD_HUI) == []

    def test_four_queries_whatever_the_number_of_items(
        self, centre, caf, django_assert_num_queries
    ):
        for _ in range(3):
            une_de_chaque(centre, caf)
        with django_assert_num_queries(4):
            assert len(alertes(centre, AUJOURD_HUI)) == 12


class TestAccueil:
    def test_staff_see_the_items_in_the_home_pages_list(self, client_salarie, centre, caf):
        objets = une_de_chaque(centre, caf)

        response = client_salarie.get("/")

        html = response.content.decode()
        a_venir = html[html.index("À venir") :]
        # One list: the items are lines of the "À venir" list, next to the other reminders.
        liste = a_venir[a_venir.index("<ul") : a_venir.index("</ul>")]
        for texte in (
            "Réponse attendue avant le 11 décembre 2026\u00a0: ",
            "Convention qui se termine le 15 janvier 2027",
            "Protocole d'orientation valable jusqu'au 21 décembre 2026",
            "Partenariat terminé le 28 novembre 2026",
            "projet social",
        ):
            assert texte.replace("'", "&#x27;") in liste
        assert f'href="{objets["sollicitation"].get_absolute_url()}">Voir la demande</a>' in liste

    def test_read_only_members_do_not_get_them(self, client_lecture, centre, caf):
        une_de_chaque(centre, caf)
        response = client_lecture.get("/")
        assertNotContains(response, "Voir la demande")

    def test_the_home_page_query_count_does_not_grow(
        self, client_salarie, centre, caf, django_assert_max_num_queries
    ):
        une_de_chaque(centre, caf)
        with django_assert_max_num_queries(30) as petit:
            client_salarie.get("/")
        for _ in range(5):
            une_de_chaque(centre, caf)
        with django_assert_max_num_queries(len(petit.captured_queries)):
            client_salarie.get("/")


@pytest.fixture
def admins(centre):
    centre.email = "accueil@montanou.test"
    centre.save()
    return [
        MembreFactory(centre=centre, role=Role.ADMIN, user__first_name="Nadia").user,
        MembreFactory(centre=centre, role=Role.ADMIN, user__first_name="Paul").user,
    ]


def envoyer(centre, jour=AUJOURD_HUI):
    with scope(centre=centre.pk):
        return alertes_envoyer(centre=centre, aujourd_hui=jour)


class TestRecapitulatif:
    def test_each_admin_gets_one_digest_in_french_with_absolute_links(
        self, centre, caf, admins, salarie_user, django_capture_on_commit_callbacks, mailoutbox
    ):
        objets = une_de_chaque(centre, caf)

        with django_capture_on_commit_callbacks(execute=True):
            assert envoyer(centre) == 2

        assert sorted(m.to[0] for m in mailoutbox) == sorted(u.email for u in admins)
        message = next(m for m in mailoutbox if m.to == [admins[0].email])
        assert message.subject == "Maillage\u00a0: 4 points d'attention pour le centre"
        assert message.from_email.startswith(f'"{centre.nom}"') or centre.nom in message.from_email
        assert message.reply_to == ["accueil@montanou.test"]
        assert message.body.startswith("Bonjour Nadia,")
        lien = f"{SITE_URL}{objets['sollicitation'].get_absolute_url()}"
        assert lien in message.body
        html, type_ = message.alternatives[0]
        assert type_ == "text/html"
        assert f'href="{lien}"' in html
        for titre in (
            "Conventions qui se terminent bientôt",
            "Protocoles d'orientation à renouveler",
            "Partenariats arrivés à leur date de fin",
            "Demandes reçues qui attendent une réponse",
        ):
            assert titre in message.body
        assert set(AlerteEnvoyee.objects.values_list("cle", flat=True)) == {
            a.cle for a in alertes(centre, AUJOURD_HUI)
        }

    def test_a_second_run_the_same_day_or_the_next_sends_nothing_new(
        self, centre, caf, admins, mailoutbox, django_capture_on_commit_callbacks
    ):
        une_de_chaque(centre, caf)
        with django_capture_on_commit_callbacks(execute=True):
            envoyer(centre)
            assert envoyer(centre) == 0
            assert envoyer(centre, jours(1)) == 0
            assert envoyer(centre, jours(7)) == 0
        assert len(mailoutbox) == 2
        assert Courriel.objects.count() == 2

    def test_an_item_comes_back_when_its_date_changes_and_new_ones_come_alone(
        self, centre, caf, admins, mailoutbox, django_capture_on_commit_callbacks
    ):
        objets = une_de_chaque(centre, caf)
        with django_capture_on_commit_callbacks(execute=True):
            envoyer(centre)
        mailoutbox.clear()

        # The requester grants a few more days; a new request arrives.
        sollicitation = objets["sollicitation"]
        sollicitation.echeance = jours(12)
        sollicitation.save()
        SollicitationFactory(centre=centre, objet="Cosigner le projet jeunesse", echeance=jours(5))
        with django_capture_on_commit_callbacks(execute=True):
            assert envoyer(centre, jours(1)) == 2

        message = mailoutbox[0]
        assert message.subject == "Maillage\u00a0: 2 points d'attention pour le centre"
        assert "Cosigner le projet jeunesse" in message.body
        assert "Réponse attendue avant le 13 décembre 2026" in message.body
        assert "Convention qui se termine" not in message.body
        assert "3 autres points, déjà signalés, restent à traiter." in message.body

    def test_nothing_to_tell_sends_nothing(self, centre, admins, mailoutbox):
        assert envoyer(centre) == 0
        assert not AlerteEnvoyee.objects.exists()

    def test_only_admins_and_items_wait_for_one(
        self, centre, caf, salarie_user, mailoutbox, django_capture_on_commit_callbacks
    ):
        une_de_chaque(centre, caf)
        with django_capture_on_commit_callbacks(execute=True):
            assert envoyer(centre) == 0
        assert not AlerteEnvoyee.objects.exists()

        admin = MembreFactory(centre=centre, role=Role.ADMIN).user
        with django_capture_on_commit_callbacks(execute=True):
            assert envoyer(centre, jours(1)) == 1
        assert [m.to for m in mailoutbox] == [[admin.email]]

    def test_the_periodic_task_opens_each_centres_scope(
        self, centre, caf, admins, mailoutbox, django_capture_on_commit_callbacks
    ):
        une_de_chaque(centre, caf)
        fumel = CentreFactory(nom="Centre social de Fumel")
        admin_fumel = MembreFactory(centre=fumel, role=Role.ADMIN).user
        SollicitationFactory(centre=fumel, echeance=jours(1), objet="Demande à Fumel")
        CentreFactory(nom="Centre sans rien")

        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.envoyer_alertes() == 3

        a_fumel = [m for m in mailoutbox if m.to == [admin_fumel.email]]
        assert len(a_fumel) == 1
        assert "Demande à Fumel" in a_fumel[0].body
        assert all("Demande à Fumel" not in m.body for m in mailoutbox if m not in a_fumel)
        assert tasks.envoyer_alertes() == 0

    def test_one_centre_failing_leaves_the_others_their_digest(
        self, centre, caf, admins, mailoutbox, django_capture_on_commit_callbacks
    ):
        une_de_chaque(centre, caf)
        autre = CentreFactory()
        MembreFactory(centre=autre, role=Role.ADMIN)
        SollicitationFactory(centre=autre, echeance=jours(1))
        vrai = alertes_envoyer

        def capricieux(*, centre, **kwargs):
            if centre.pk == autre.pk:
                raise RuntimeError("panne")
            return vrai(centre=centre, **kwargs)

        with (
            mock.patch.object(tasks, "alertes_envoyer", capricieux),
            django_capture_on_commit_callbacks(execute=True),
        ):
            assert tasks.envoyer_alertes() == 2
        assert len(mailoutbox) == 2

    def test_the_digest_is_scheduled_daily(self):
        entree = settings.CELERY_BEAT_SCHEDULE["partenariats-alertes"]
        assert entree["task"] == "partenariats.tasks.envoyer_alertes"
        assert entree["schedule"].hour == {7}


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_one_digest(centre, caf, admins):
    une_de_chaque(centre, caf)
    depart = threading.Barrier(2)
    resultats = []

    def run():
        try:
            depart.wait()
            with scopes_disabled():
                resultats.append(envoyer(centre))
        finally:
            connection.close()

    fils = [threading.Thread(target=run) for _ in range(2)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join()

    assert sorted(resultats) == [0, 2]
    assert Courriel.objects.count() == 2
    assert AlerteEnvoyee.objects.count() == 4

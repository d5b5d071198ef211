import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from courrier.enums import StatutCourriel
from courrier.models import Courriel
from reseau.enums import AuditAction
from reseau.models import EntreeJournal
from tests.courrier.factories import AdresseEnEchecFactory, CourrielFactory, PieceJointeFactory
from tests.courrier.outils import MAINTENANT

LISTE = reverse("courrier:liste")

# Session, user, membres (middleware); count, page, counts per status.
LISTE_QUERY_BUDGET = 6


def _ids(response):
    return [courriel.pk for courriel in response.context["courriels"]]


class TestListe:
    def test_lists_the_centres_emails_most_recent_first(self, client_salarie, centre):
        with time_machine.travel(MAINTENANT - datetime.timedelta(days=2), tick=False):
            ancien = CourrielFactory(centre=centre, envoye=True)
        with time_machine.travel(MAINTENANT, tick=False):
            recent = CourrielFactory(centre=centre, echec=True)
        autre = CourrielFactory(sujet="Courriel d'un autre centre")

        response = client_salarie.get(LISTE)

        assert response.status_code == 200
        assert _ids(response) == [recent.pk, ancien.pk]
        assertContains(response, recent.sujet)
        assertContains(response, "550 5.1.1 No such user")
        assertNotContains(response, autre.sujet)

    def test_filters_by_status_in_the_url_and_counts_each_status(self, client_salarie, centre):
        echecs = CourrielFactory.create_batch(2, centre=centre, echec=True)
        CourrielFactory.create_batch(3, centre=centre, envoye=True)
        CourrielFactory(centre=centre)
        CourrielFactory(echec=True)  # another centre: counted nowhere

        response = client_salarie.get(LISTE, {"statut": StatutCourriel.ECHEC})

        assert sorted(_ids(response)) == sorted(c.pk for c in echecs)
        comptes = {statut.value: nombre for statut, nombre in response.context["statuts"]}
        assert comptes == {"en_attente": 1, "envoi": 0, "envoye": 3, "echec": 2, "annule": 0}
        assert response.context["total"] == 6
        # The current filter is told by text (aria-current), not only by colour.
        assertContains(
            response,
            '<a class="nav-link active" aria-current="page" href="?statut=echec">'
            'Échec <span class="badge text-bg-light">2</span></a>',
            html=True,
        )
        assertContains(response, '<option value="echec" selected>Échec</option>', html=True)

    def test_searches_recipient_or_subject(self, client_salarie, centre):
        trouve = CourrielFactory(centre=centre, destinataire="lucie@asso-jardins.fr")
        CourrielFactory(centre=centre, destinataire="autre@exemple.fr")

        response = client_salarie.get(LISTE, {"recherche": "jardins"})

        assert _ids(response) == [trouve.pk]

    def test_paginates_by_50_and_keeps_the_filter(self, client_salarie, centre):
        CourrielFactory.create_batch(51, centre=centre, echec=True)

        premiere = client_salarie.get(LISTE, {"statut": "echec"})
        seconde = client_salarie.get(LISTE, {"statut": "echec", "page": 2})

        assert len(_ids(premiere)) == 50
        assert len(_ids(seconde)) == 1
        assertContains(premiere, 'href="?statut=echec&amp;page=2"')

    @pytest.mark.parametrize("nombre", [5, 50])
    def test_query_count_does_not_grow_with_rows(
        self, client_salarie, centre, django_assert_max_num_queries, nombre
    ):
        for courriel in CourrielFactory.create_batch(nombre, centre=centre, echec=True):
            PieceJointeFactory(courriel=courriel)

        with django_assert_max_num_queries(LISTE_QUERY_BUDGET):
            response = client_salarie.get(LISTE)

        assert len(_ids(response)) == nombre

    def test_read_only_members_are_refused(self, client_lecture):
        assert client_lecture.get(LISTE).status_code == 403


class TestDetail:
    def test_shows_headers_status_error_and_both_bodies_safely(self, client_salarie, centre):
        courriel = CourrielFactory(
            centre=centre,
            echec=True,
            message_id="<123.abc@maillage.example.org>",
            en_tetes={"List-Unsubscribe": "<https://maillage.example.org/desinscription/x/>"},
            corps_texte="Bonjour Lucie,\nÀ jeudi.\n",
            corps_html='<p>Bonjour</p><script>alert("x")</script>',
            objet=centre,
        )
        PieceJointeFactory(courriel=courriel, nom="convention.pdf", contenu=b"x" * 2048)

        response = client_salarie.get(reverse("courrier:detail", args=[courriel.pk]))

        assert response.status_code == 200
        for texte in (
            courriel.destinataire,
            courriel.sujet,
            "Échec",
            "550 5.1.1 No such user",
            "&lt;123.abc@maillage.example.org&gt;",
            "List-Unsubscribe",
            "Bonjour Lucie,\nÀ jeudi.",
            "convention.pdf",
            "2,0",  # Ko, French format
        ):
            assertContains(response, texte)
        # The HTML body appears as escaped source and in a sandboxed frame, never as markup.
        assertNotContains(response, '<script>alert("x")</script>')
        assertContains(response, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;")
        apercu = reverse("courrier:apercu", args=[courriel.pk])
        assert re.search(
            rf'<iframe[^>]*\ssandbox=""[^>]*\ssrc="{apercu}"', response.content.decode()
        )
        assertContains(response, reverse("courrier:relancer", args=[courriel.pk]))

    def test_no_resend_button_for_a_sent_email(self, client_salarie, centre):
        courriel = CourrielFactory(centre=centre, envoye=True)

        response = client_salarie.get(reverse("courrier:detail", args=[courriel.pk]))

        assertNotContains(response, reverse("courrier:relancer", args=[courriel.pk]))

    def test_preview_serves_the_html_body_under_a_sandbox_policy(self, client_salarie, centre):
        courriel = CourrielFactory(centre=centre, corps_html="<p>Bonjour</p>")

        response = client_salarie.get(reverse("courrier:apercu", args=[courriel.pk]))

        assert response.content == b"<p>Bonjour</p>"
        politique = response["Content-Security-Policy"]
        assert "sandbox" in politique
        assert "default-src 'none'" in politique
        assert "script-src" not in politique
        assert "frame-ancestors 'self'" in politique
        assert response["X-Frame-Options"] == "SAMEORIGIN"

    @pytest.mark.parametrize("vue", ["courrier:detail", "courrier:apercu"])
    def test_email_of_another_centre_is_not_found(self, client_salarie, vue):
        courriel = CourrielFactory()

        assert client_salarie.get(reverse(vue, args=[courriel.pk])).status_code == 404

    def test_read_only_members_are_refused(self, client_lecture, centre):
        courriel = CourrielFactory(centre=centre)

        response = client_lecture.get(reverse("courrier:detail", args=[courriel.pk]))

        assert response.status_code == 403


class TestRelancer:
    def test_post_queues_a_failed_email_again_and_audits_it(
        self, client_salarie, salarie_user, centre, django_capture_on_commit_callbacks, mailoutbox
    ):
        courriel = CourrielFactory(centre=centre, echec=True, derniere_erreur="421 Trop d'essais")
        url = reverse("courrier:relancer", args=[courriel.pk])

        with django_capture_on_commit_callbacks(execute=True):
            response = client_salarie.post(url, follow=True)

        assert response.redirect_chain == [(reverse("courrier:detail", args=[courriel.pk]), 302)]
        assertContains(response, "est de nouveau dans la file d&#x27;envoi")
        courriel.refresh_from_db()
        assert courriel.statut == StatutCourriel.ENVOYE
        assert [m.to for m in mailoutbox] == [[courriel.destinataire]]
        entree = EntreeJournal.objects.get(action=AuditAction.COURRIEL_RELANCE)
        assert (entree.par, entree.centre, entree.object_id) == (
            salarie_user,
            centre,
            str(courriel.pk),
        )

    def test_suppressed_address_gives_an_error_message(self, client_salarie, centre):
        courriel = CourrielFactory(centre=centre, echec=True)
        AdresseEnEchecFactory(email=courriel.destinataire)

        response = client_salarie.post(
            reverse("courrier:relancer", args=[courriel.pk]), follow=True
        )

        assertContains(response, "figure dans la liste des adresses en échec")
        assertContains(response, 'class="alert alert-danger"')
        assert Courriel.objects.get(pk=courriel.pk).statut == StatutCourriel.ECHEC
        assert not EntreeJournal.objects.exists()

    def test_get_is_not_allowed(self, client_salarie, centre):
        courriel = CourrielFactory(centre=centre, echec=True)

        response = client_salarie.get(reverse("courrier:relancer", args=[courriel.pk]))

        assert response.status_code == 405
        assert Courriel.objects.get(pk=courriel.pk).statut == StatutCourriel.ECHEC

    def test_email_of_another_centre_is_not_found(self, client_salarie):
        courriel = CourrielFactory(echec=True)

        response = client_salarie.post(reverse("courrier:relancer", args=[courriel.pk]))

        assert response.status_code == 404
        assert Courriel.objects.get(pk=courriel.pk).statut == StatutCourriel.ECHEC

    def test_read_only_members_are_refused(self, client_lecture, centre):
        courriel = CourrielFactory(centre=centre, echec=True)

        response = client_lecture.post(reverse("courrier:relancer", args=[courriel.pk]))

        assert response.status_code == 403
        assert Courriel.objects.get(pk=courriel.pk).statut == StatutCourriel.ECHEC

    def test_csrf_token_is_required(self, client, salarie_user, centre):
        from django.test import Client

        csrf_client = Client(enforce_csrf_checks=True)
        csrf_client.force_login(salarie_user)
        courriel = CourrielFactory(centre=centre, echec=True)

        response = csrf_client.post(reverse("courrier:relancer", args=[courriel.pk]))

        assert response.status_code == 403
        assert Courriel.objects.get(pk=courriel.pk).statut == StatutCourriel.ECHEC

"""Partnerships and orientation protocols: services, pages, filters, permissions, uploads, the
partner's page and timeline, the directory's filter, the demo (issue 10)."""

import io
import subprocess
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from partenariats.enums import (
    Construction,
    Horizon,
    NiveauImplication,
    StatutPartenariat,
    TypePartenariat,
)
from partenariats.models import Partenariat, ProtocoleOrientation
from partenariats.selectors import partenaire_chronologie
from partenariats.selectors_liens import historique_partenariat
from partenariats.services.liens import (
    partenariat_creer,
    partenariat_modifier,
    partenariat_supprimer,
    protocole_enregistrer,
)
from reseau.enums import Role
from tests.factories import MembreFactory, UserFactory
from tests.partenariats.factories import (
    PDF_MINIMAL,
    ContactFactory,
    PartenaireFactory,
    PartenariatFactory,
    ProtocoleOrientationFactory,
)

pytestmark = pytest.mark.django_db

AUJOURD_HUI = date(2026, 12, 1)
LISTE = reverse("partenariats:partenariat_liste")
CREER = reverse("partenariats:partenariat_creer")


@pytest.fixture(autouse=True)
def _aujourd_hui(time_machine):
    time_machine.move_to("2026-12-01 10:00+01:00", tick=False)


def _donnees(partenaire, **autres):
    """What the partnership form posts."""
    return {
        "partenaire": partenaire.pk,
        "type": TypePartenariat.ACTION,
        "objet": "Stages sportifs des vacances",
        "description": "",
        "niveau": NiveauImplication.ALLIE,
        "horizon": Horizon.COURT,
        "statut": StatutPartenariat.ACTIF,
        "debut": "2026-12-15",
        "fin": "2027-06-30",
        "referent": "",
        "construction": Construction.CO_CONSTRUIT,
        "construction_commentaire": "",
        **autres,
    }


def _champs(**autres):
    return {
        "type": TypePartenariat.ACTION,
        "niveau": NiveauImplication.ALLIE,
        "horizon": Horizon.COURT,
        "objet": "Stages sportifs des vacances",
        "construction": Construction.CO_CONSTRUIT,
        **autres,
    }


def _pdf(nom="protocole.pdf", contenu=PDF_MINIMAL):
    return SimpleUploadedFile(nom, contenu, content_type="application/pdf")


class TestServices:
    def test_creer_records_the_author_in_the_history(self, centre, salarie_user):
        partenaire = PartenaireFactory(centre=centre)
        partenariat = partenariat_creer(
            centre=centre,
            partenaire=partenaire,
            par=salarie_user,
            referent=salarie_user,
            debut=date(2026, 1, 5),
            **_champs(),
        )
        record = partenariat.history.get()
        assert record.history_type == "+"
        assert record.history_user == salarie_user
        assert partenariat.statut == StatutPartenariat.ACTIF

    def test_creer_refuses_a_partner_of_another_centre(self, centre, autre_centre, admin_user):
        ailleurs = PartenaireFactory(centre=autre_centre)
        with pytest.raises(ValidationError) as erreur:
            partenariat_creer(centre=centre, partenaire=ailleurs, par=admin_user, **_champs())
        assert "partenaire" in erreur.value.message_dict
        assert not Partenariat.objects.exists()

    def test_creer_refuses_a_referent_who_is_not_a_member(self, centre, autre_centre, admin_user):
        etranger = MembreFactory(centre=autre_centre).user
        with pytest.raises(ValidationError) as erreur:
            partenariat_creer(
                centre=centre,
                partenaire=PartenaireFactory(centre=centre),
                par=admin_user,
                referent=etranger,
                **_champs(),
            )
        assert erreur.value.message_dict["referent"] == ["Le référent doit être membre du centre."]

    def test_dates_must_follow_each_other(self, centre, admin_user):
        with pytest.raises(ValidationError) as erreur:
            partenariat_creer(
                centre=centre,
                partenaire=PartenaireFactory(centre=centre),
                par=admin_user,
                debut=date(2026, 6, 1),
                fin=date(2026, 5, 31),
                **_champs(),
            )
        assert erreur.value.message_dict["fin"] == [
            "La date de fin doit être le jour du début ou après."
        ]

    def test_modifier_keeps_what_is_not_given_and_tells_the_status_change(
        self, centre, admin_user, salarie_user
    ):
        partenariat = PartenariatFactory(centre=centre, objet="Immeuble en fête")
        partenariat_modifier(
            partenariat=partenariat,
            par=salarie_user,
            statut=StatutPartenariat.TERMINE,
            niveau=NiveauImplication.CO_PORTEUR,
        )
        partenariat.refresh_from_db()
        assert partenariat.statut == StatutPartenariat.TERMINE
        assert partenariat.objet == "Immeuble en fête"
        evenement = historique_partenariat(partenariat)[0]
        assert evenement.libelle == (
            "Partenariat d'action «\u00a0Immeuble en fête\u00a0»\u00a0: Actif → Terminé"
        )
        assert evenement.details == "Niveau d'implication"
        assert evenement.auteur == str(salarie_user)

    def test_supprimer_takes_the_protocol_and_the_timeline_keeps_both(self, centre, admin_user):
        protocole = ProtocoleOrientationFactory(centre=centre)
        partenariat = protocole.partenariat
        partenaire = partenariat.partenaire
        partenariat_supprimer(partenariat=partenariat, par=admin_user)
        assert not Partenariat.objects.exists()
        assert not ProtocoleOrientation.objects.exists()
        libelles = [e.libelle for e in partenaire_chronologie(partenaire)]
        assert (
            "Partenariat d'orientation supprimé\u00a0: "
            "Orientation des familles vers les ateliers du centre"
        ) in libelles
        suppression = next(e for e in partenaire_chronologie(partenaire) if "supprimé" in e.libelle)
        assert suppression.auteur == str(admin_user)

    def test_protocole_only_for_an_orientation_partnership(self, centre, admin_user):
        action = PartenariatFactory(centre=centre, type=TypePartenariat.ACTION)
        with pytest.raises(ValidationError, match="Seul un partenariat d'orientation"):
            protocole_enregistrer(partenariat=action, par=admin_user, signe_le=AUJOURD_HUI)

    def test_protocole_refuses_another_partners_contact(self, centre, admin_user):
        partenariat = PartenariatFactory(centre=centre, type=TypePartenariat.ORIENTATION)
        autre = ContactFactory(centre=centre)
        with pytest.raises(ValidationError) as erreur:
            protocole_enregistrer(
                partenariat=partenariat,
                par=admin_user,
                signe_le=AUJOURD_HUI,
                prescripteurs=[autre],
            )
        assert "prescripteurs" in erreur.value.message_dict

    def test_protocole_created_then_updated_keeps_its_document(self, centre, admin_user):
        partenariat = PartenariatFactory(centre=centre, type=TypePartenariat.ORIENTATION)
        prescriptrice = ContactFactory(partenaire=partenariat.partenaire)
        protocole = protocole_enregistrer(
            partenariat=partenariat,
            par=admin_user,
            signe_le=date(2026, 1, 15),
            document=_pdf("C:\\Documents\\Protocole signé.pdf"),
            prescripteurs=[prescriptrice],
        )
        assert protocole.document_nom == "Protocole signé.pdf"
        chemin = protocole.document.name
        assert chemin.startswith("protocoles/") and "sign" not in chemin
        protocole = protocole_enregistrer(
            partenariat=partenariat, par=admin_user, signe_le=date(2026, 2, 1)
        )
        assert protocole.document.name == chemin
        assert list(protocole.prescripteurs.all()) == [prescriptrice]
        assert protocole.history.first().history_user == admin_user


class TestListe:
    def test_lecture_reads_the_partnerships_of_its_centre_only(
        self, client_lecture, centre, autre_centre
    ):
        ici = PartenariatFactory(centre=centre, objet="Stages de rugby")
        PartenariatFactory(centre=autre_centre, objet="Jardins partagés")
        response = client_lecture.get(LISTE)
        assert list(response.context["partenariats"]) == [ici]
        assertContains(response, "1 partenariat")
        assertNotContains(response, "Jardins partagés")
        assertNotContains(response, "Nouveau partenariat")

    def test_ended_ones_are_hidden_unless_asked(self, client_lecture, centre):
        actif = PartenariatFactory(centre=centre)
        termine = PartenariatFactory(centre=centre, statut=StatutPartenariat.TERMINE)
        assert list(client_lecture.get(LISTE).context["partenariats"]) == [actif]
        response = client_lecture.get(LISTE, {"statut": "termine"})
        assert list(response.context["partenariats"]) == [termine]
        response = client_lecture.get(LISTE, {"statut": "tous"})
        assert set(response.context["partenariats"]) == {actif, termine}

    def test_filters_combine(self, client_lecture, centre, lecture_user):
        referente = MembreFactory(centre=centre, user=UserFactory(), role=Role.SALARIE).user
        declare = {
            "type": TypePartenariat.CONCERTATION,
            "niveau": NiveauImplication.INFORMATION,
            "horizon": Horizon.LONG,
            "construction": Construction.DECLARE,
            "referent": referente,
        }
        vise = PartenariatFactory(centre=centre, fin=date(2027, 2, 1), **declare)
        PartenariatFactory(centre=centre, type=TypePartenariat.CONCERTATION)
        PartenariatFactory(centre=centre, fin=date(2027, 6, 1), **declare)
        response = client_lecture.get(
            LISTE,
            {
                "type": "concertation",
                "niveau": "information",
                "horizon": "long",
                "construction": "declare",
                "referent": referente.pk,
                "fin_proche": "on",
            },
        )
        assert list(response.context["partenariats"]) == [vise]
        assertContains(response, "déclaré sans consultation")

    def test_link_of_the_frise_filters_by_level_and_horizon(self, client_lecture, centre):
        court = PartenariatFactory(
            centre=centre, niveau=NiveauImplication.CO_PORTEUR, horizon=Horizon.COURT
        )
        PartenariatFactory(centre=centre, niveau=NiveauImplication.CO_PORTEUR, horizon=Horizon.LONG)
        response = client_lecture.get(LISTE + "?niveau=co_porteur&horizon=court")
        assert list(response.context["partenariats"]) == [court]

    def test_ends_within_90_days(self, client_lecture, centre):
        bientot = PartenariatFactory(centre=centre, fin=date(2027, 2, 28))
        PartenariatFactory(centre=centre, fin=date(2027, 3, 2))
        PartenariatFactory(centre=centre, fin=date(2026, 11, 30), debut=date(2026, 1, 1))
        PartenariatFactory(centre=centre, fin=None)
        response = client_lecture.get(LISTE, {"fin_proche": "on"})
        assert list(response.context["partenariats"]) == [bientot]
        assertContains(response, "se termine bientôt")

    def test_flags_an_active_one_past_its_end_and_shows_french_dates(self, client_lecture, centre):
        PartenariatFactory(centre=centre, debut=date(2026, 1, 5), fin=date(2026, 11, 1))
        response = client_lecture.get(LISTE)
        assertContains(response, "du 05/01/2026 au 01/11/2026")
        assertContains(response, "fin dépassée, toujours actif")
        detail = client_lecture.get(response.context["partenariats"][0].get_absolute_url())
        assertContains(detail, "du 5 janvier 2026 au 1er novembre 2026")
        assertContains(detail, "terminez-le ou prolongez-le")

    def test_counts_by_type(self, client_lecture, centre):
        PartenariatFactory.create_batch(2, centre=centre, type=TypePartenariat.ORIENTATION)
        PartenariatFactory(centre=centre, type=TypePartenariat.PROJET)
        response = client_lecture.get(LISTE)
        assert response.context["par_type"] == [
            ("orientation", "Orientation", 2),
            ("projet", "Projet", 1),
        ]
        assertContains(response, "3 partenariats")

    def test_an_unknown_value_is_said_and_ignored(self, client_lecture, centre):
        PartenariatFactory(centre=centre)
        response = client_lecture.get(LISTE, {"type": "amitie", "page": "9"})
        assert len(response.context["partenariats"]) == 1
        avertissements = response.context["valeurs_ignorees"]
        assert any("Filtre «\u00a0Type\u00a0»" in a for a in avertissements)
        assert any("La page «\u00a09\u00a0» n'existe pas" in a for a in avertissements)

    def test_pages_of_fifty(self, client_lecture, centre):
        PartenariatFactory.create_batch(51, centre=centre)
        response = client_lecture.get(LISTE, {"type": "action"})
        assert len(response.context["partenariats"]) == 50
        assertContains(response, "Page 1 sur 2")
        assertContains(response, "type=action&amp;page=2")

    def test_query_count_is_constant(self, client_lecture, centre, django_assert_max_num_queries):
        referent = MembreFactory(centre=centre, role=Role.SALARIE).user
        PartenariatFactory.create_batch(3, centre=centre, referent=referent)
        with django_assert_max_num_queries(12) as peu:
            client_lecture.get(LISTE)
        PartenariatFactory.create_batch(
            40, centre=centre, referent=referent, type=TypePartenariat.PROJET
        )
        with django_assert_max_num_queries(len(peu.captured_queries)):
            client_lecture.get(LISTE)


class TestCreer:
    def test_the_partner_page_link_preselects_the_partner(self, client_salarie, centre):
        partenaire = PartenaireFactory(centre=centre, nom="Judo club agenais")
        page = client_salarie.get(partenaire.get_absolute_url())
        lien = f"{CREER}?partenaire={partenaire.pk}"
        assertContains(page, "Ajouter un partenariat")
        assertContains(page, lien.replace("&", "&amp;"))
        response = client_salarie.get(lien)
        assert response.context["form"]["partenaire"].value() == partenaire.pk

    def test_whoever_records_it_is_its_referent_until_someone_else_is_chosen(
        self, client_salarie, salarie_user
    ):
        response = client_salarie.get(CREER)
        assert response.context["form"]["referent"].value() == salarie_user.pk

    def test_another_centres_partner_is_not_preselected_nor_offered(
        self, client_salarie, centre, autre_centre
    ):
        ailleurs = PartenaireFactory(centre=autre_centre)
        response = client_salarie.get(CREER, {"partenaire": ailleurs.pk})
        assert response.context["form"]["partenaire"].value() is None
        response = client_salarie.post(CREER, _donnees(ailleurs))
        assert "partenaire" in response.context["form"].errors
        assert not Partenariat.objects.exists()

    def test_creates_with_the_history_author(self, client_salarie, centre, salarie_user):
        partenaire = PartenaireFactory(centre=centre)
        response = client_salarie.post(
            CREER,
            _donnees(
                partenaire,
                referent=salarie_user.pk,
                construction=Construction.DECLARE,
                construction_commentaire="Découvert dans une fiche action.",
            ),
        )
        partenariat = Partenariat.objects.get()
        assertRedirects(response, partenariat.get_absolute_url())
        assert partenariat.referent == salarie_user
        assert partenariat.construction_commentaire == "Découvert dans une fiche action."
        assert partenariat.history.get().history_user == salarie_user
        # The partner's timeline says it.
        page = client_salarie.get(partenaire.get_absolute_url())
        assertContains(page, "Partenariat d&#x27;action créé\u00a0: Stages sportifs des vacances")

    def test_the_referent_is_a_member_of_the_centre(self, client_salarie, centre, autre_centre):
        etranger = MembreFactory(centre=autre_centre).user
        partenaire = PartenaireFactory(centre=centre)
        response = client_salarie.get(CREER)
        choix = [str(c[0]) for c in response.context["form"].fields["referent"].choices]
        assert str(etranger.pk) not in choix
        response = client_salarie.post(CREER, _donnees(partenaire, referent=etranger.pk))
        assert "referent" in response.context["form"].errors
        assert not Partenariat.objects.exists()

    def test_end_before_start_is_said_in_french_and_keeps_the_values(self, client_salarie, centre):
        partenaire = PartenaireFactory(centre=centre)
        response = client_salarie.post(
            CREER, _donnees(partenaire, debut="2027-01-10", fin="2026-12-31")
        )
        assert response.status_code == 200
        assert response.context["form"].errors["fin"] == [
            "La date de fin doit être le jour du début ou après."
        ]
        assertContains(response, 'value="Stages sportifs des vacances"')
        assert not Partenariat.objects.exists()

    def test_lecture_cannot_create(self, client_lecture, centre):
        partenaire = PartenaireFactory(centre=centre)
        assert client_lecture.get(CREER).status_code == 403
        assert client_lecture.post(CREER, _donnees(partenaire)).status_code == 403
        assert not Partenariat.objects.exists()
        assertNotContains(client_lecture.get(partenaire.get_absolute_url()), CREER)


class TestDetailModifierSupprimer:
    def test_lecture_reads_but_does_not_change(self, client_lecture, centre):
        partenariat = PartenariatFactory(centre=centre)
        response = client_lecture.get(partenariat.get_absolute_url())
        assertContains(response, partenariat.objet)
        assertNotContains(response, "Modifier")
        for nom in ("partenariat_modifier", "partenariat_supprimer", "protocole_modifier"):
            url = reverse(f"partenariats:{nom}", args=[partenariat.pk])
            assert client_lecture.get(url).status_code == 403
            assert client_lecture.post(url).status_code == 403
        assert Partenariat.objects.filter(pk=partenariat.pk).exists()

    def test_another_centre_is_404(self, client_admin, centre, autre_centre):
        ailleurs = PartenariatFactory(centre=autre_centre)
        assert client_admin.get(ailleurs.get_absolute_url()).status_code == 404
        url = reverse("partenariats:partenariat_modifier", args=[ailleurs.pk])
        assert client_admin.post(url, _donnees(ailleurs.partenaire)).status_code == 404

    def test_modifier(self, client_salarie, centre, salarie_user):
        partenariat = PartenariatFactory(centre=centre)
        url = reverse("partenariats:partenariat_modifier", args=[partenariat.pk])
        response = client_salarie.post(
            url, _donnees(partenariat.partenaire, statut=StatutPartenariat.EN_PAUSE)
        )
        assertRedirects(response, partenariat.get_absolute_url())
        partenariat.refresh_from_db()
        assert partenariat.statut == StatutPartenariat.EN_PAUSE
        page = client_salarie.get(partenariat.get_absolute_url())
        assertContains(page, "Actif → En pause")

    def test_an_archived_partner_stays_offered_to_its_partnership(self, client_salarie, centre):
        partenariat = PartenariatFactory(
            centre=centre, partenaire=PartenaireFactory(centre=centre, archive_=True)
        )
        url = reverse("partenariats:partenariat_modifier", args=[partenariat.pk])
        response = client_salarie.post(url, _donnees(partenariat.partenaire, objet="Nouvel objet"))
        assertRedirects(response, partenariat.get_absolute_url())
        assert client_salarie.get(CREER).context["form"].fields["partenaire"].queryset.count() == 0

    def test_supprimer_asks_then_deletes(self, client_salarie, centre):
        protocole = ProtocoleOrientationFactory(centre=centre)
        partenariat = protocole.partenariat
        url = reverse("partenariats:partenariat_supprimer", args=[partenariat.pk])
        page = client_salarie.get(url)
        assertContains(page, "Son protocole d'orientation est supprimé avec lui.")
        assertContains(page, 'name="csrfmiddlewaretoken"')
        assert Partenariat.objects.exists()
        response = client_salarie.post(url)
        assertRedirects(response, partenariat.partenaire.get_absolute_url() + "#partenariats")
        assert not Partenariat.objects.exists()


class TestProtocole:
    def _url(self, partenariat):
        return reverse("partenariats:protocole_modifier", args=[partenariat.pk])

    def _donnees(self, **autres):
        return {"signe_le": "2026-11-20", "valide_jusqu_au": "2029-11-19", **autres}

    def test_another_type_has_no_protocol(self, client_salarie, centre):
        action = PartenariatFactory(centre=centre)
        response = client_salarie.get(self._url(action), follow=True)
        assertRedirects(response, action.get_absolute_url())
        assertContains(response, "Seul un partenariat d")
        assertNotContains(response, "Protocole d'orientation</h2>")

    def test_create_with_a_pdf_and_the_partners_contacts_only(
        self, client_salarie, centre, salarie_user
    ):
        partenariat = PartenariatFactory(centre=centre, type=TypePartenariat.ORIENTATION)
        aurelie = ContactFactory(partenaire=partenariat.partenaire, prenom="Aurélie")
        autre = ContactFactory(centre=centre, prenom="Gaspard")
        page = client_salarie.get(self._url(partenariat))
        assertContains(page, "Aurélie")
        assertNotContains(page, "Gaspard")
        response = client_salarie.post(
            self._url(partenariat),
            self._donnees(document=_pdf("Protocole CMS.pdf"), prescripteurs=[aurelie.pk]),
        )
        assertRedirects(response, partenariat.get_absolute_url() + "#protocole")
        protocole = ProtocoleOrientation.objects.get()
        assert protocole.signe_le == date(2026, 11, 20)
        assert protocole.document_nom == "Protocole CMS.pdf"
        assert list(protocole.prescripteurs.all()) == [aurelie]
        assert protocole.history.get().history_user == salarie_user
        response = client_salarie.post(
            self._url(partenariat), self._donnees(prescripteurs=[autre.pk])
        )
        assert "prescripteurs" in response.context["form"].errors
        assert list(protocole.prescripteurs.all()) == [aurelie]

    def test_a_new_protocol_starts_from_the_contacts_marked_as_prescribers(
        self, client_salarie, centre
    ):
        partenariat = PartenariatFactory(centre=centre, type=TypePartenariat.ORIENTATION)
        marque = ContactFactory(partenaire=partenariat.partenaire, prescripteur=True)
        ContactFactory(partenaire=partenariat.partenaire, prescripteur=False)
        response = client_salarie.get(self._url(partenariat))
        assert response.context["form"]["prescripteurs"].value() == [marque.pk]
        assertContains(response, f"{marque} (Conseillère en économie sociale et familiale)")

    def test_a_file_renamed_pdf_is_refused_in_french(self, client_salarie, centre):
        partenariat = PartenariatFactory(centre=centre, type=TypePartenariat.ORIENTATION)
        faux = SimpleUploadedFile("protocole.pdf", b"PK\x03\x04 un tableur", "application/pdf")
        response = client_salarie.post(self._url(partenariat), self._donnees(document=faux))
        assert response.status_code == 200
        (erreur,) = response.context["form"].errors["document"]
        assert erreur.startswith("Ce fichier n'est pas un PDF lisible")
        assert not ProtocoleOrientation.objects.exists()

    def test_a_30_mb_file_is_refused_in_french(self, client_salarie, centre):
        partenariat = PartenariatFactory(centre=centre, type=TypePartenariat.ORIENTATION)
        lourd = _pdf("scan.pdf", b"%PDF-1.4\n" + b"0" * (30 * 1024 * 1024))
        response = client_salarie.post(self._url(partenariat), self._donnees(document=lourd))
        assert response.status_code == 200
        (erreur,) = response.context["form"].errors["document"]
        assert erreur == "Ce fichier pèse 30,0\u00a0Mio\u00a0; la limite est de 10,0\u00a0Mio."
        assert not ProtocoleOrientation.objects.exists()

    def test_validity_before_signature(self, client_salarie, centre):
        partenariat = PartenariatFactory(centre=centre, type=TypePartenariat.ORIENTATION)
        response = client_salarie.post(
            self._url(partenariat), self._donnees(valide_jusqu_au="2026-01-01")
        )
        assert response.context["form"].errors["valide_jusqu_au"] == [
            "La fin de validité doit être le jour de la signature ou après."
        ]

    def test_the_document_is_served_to_members_only(
        self, client, centre, autre_centre, lecture_user
    ):
        protocole = ProtocoleOrientationFactory(centre=centre, document_nom="Protocole CMS.pdf")
        url = reverse("partenariats:protocole_document", args=[protocole.pk])
        assert client.get(url).status_code == 302  # the login page
        client.force_login(MembreFactory(centre=autre_centre).user)
        assert client.get(url).status_code == 404
        client.force_login(lecture_user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert 'filename="Protocole CMS.pdf"' in response["Content-Disposition"]
        assert b"".join(response.streaming_content) == PDF_MINIMAL
        page = client.get(protocole.partenariat.get_absolute_url())
        assertContains(page, url)

    def test_no_document_is_a_404(self, client_lecture, centre):
        protocole = ProtocoleOrientationFactory(centre=centre, document="", document_nom="")
        url = reverse("partenariats:protocole_document", args=[protocole.pk])
        assert client_lecture.get(url).status_code == 404


class TestFichePartenaire:
    def test_lists_its_partnerships_ended_last(self, client_lecture, centre):
        partenaire = PartenaireFactory(centre=centre)
        fini = PartenariatFactory(
            centre=centre,
            partenaire=partenaire,
            statut=StatutPartenariat.TERMINE,
            type=TypePartenariat.ACTION,
            objet="Ancien stage",
        )
        encours = PartenariatFactory(
            centre=centre,
            partenaire=partenaire,
            type=TypePartenariat.PROJET,
            objet="Projet alimentation",
        )
        PartenariatFactory(centre=centre, objet="Chez un autre partenaire")
        response = client_lecture.get(partenaire.get_absolute_url())
        assert list(response.context["partenariats"]) == [encours, fini]
        assertNotContains(response, "Chez un autre partenaire")

    def test_query_count_does_not_grow_with_its_partnerships(
        self, client_lecture, centre, django_assert_max_num_queries
    ):
        partenaire = PartenaireFactory(centre=centre)
        PartenariatFactory(centre=centre, partenaire=partenaire)
        with django_assert_max_num_queries(30) as peu:
            client_lecture.get(partenaire.get_absolute_url())
        for _ in range(6):
            partenariat = PartenariatFactory(
                centre=centre, partenaire=partenaire, type=TypePartenariat.ORIENTATION
            )
            ProtocoleOrientationFactory(partenariat=partenariat)
            partenariat_modifier(
                partenariat=partenariat, par=None, statut=StatutPartenariat.EN_PAUSE
            )
        with django_assert_max_num_queries(len(peu.captured_queries)):
            client_lecture.get(partenaire.get_absolute_url())


class TestAnnuaire:
    def test_filter_has_a_partnership_of_type(self, client_lecture, centre):
        orientation = PartenaireFactory(centre=centre, nom="Centre médico-social")
        PartenariatFactory(centre=centre, partenaire=orientation, type="orientation")
        fini = PartenaireFactory(centre=centre, nom="Collège Jasmin")
        PartenariatFactory(
            centre=centre, partenaire=fini, type="orientation", statut=StatutPartenariat.TERMINE
        )
        aucun = PartenaireFactory(centre=centre, nom="Boulangerie du Pin")
        url = reverse("partenariats:liste")
        response = client_lecture.get(url, {"partenariat": "orientation"})
        assert list(response.context["partenaires"]) == [orientation]
        response = client_lecture.get(url, {"partenariat": "aucun"})
        assert list(response.context["partenaires"]) == [aucun, fini]


class TestDemo:
    def test_demo_covers_every_case_and_loads_twice(self, settings):
        call_command("demo", stdout=io.StringIO())
        call_command("demo", stdout=io.StringIO())
        montanou = Partenariat.objects.filter(centre__slug="montanou")
        assert 13 <= montanou.count() <= 17
        for champ, enum in [
            ("type", TypePartenariat),
            ("niveau", NiveauImplication),
            ("horizon", Horizon),
            ("construction", Construction),
        ]:
            assert set(montanou.values_list(champ, flat=True)) == set(enum.values), champ
        declares = montanou.filter(construction=Construction.DECLARE)
        assert declares.count() == 2
        assert all(p.construction_commentaire for p in declares)
        assert montanou.filter(fin__gte=AUJOURD_HUI, fin__lte=date(2027, 1, 30)).exists()
        assert montanou.echus().count() == 1
        assert set(montanou.exclude(referent=None).values_list("referent__email", flat=True)) == {
            "directrice@montanou.demo",
            "animateur@montanou.demo",
        }
        assert Partenariat.objects.filter(centre__slug="tapie").count() == 1
        protocole = ProtocoleOrientation.objects.get()
        assert protocole.prescripteurs.count() == 2
        with protocole.document.open("rb") as fichier:
            contenu = fichier.read()
        texte = subprocess.run(
            ["pdftotext", "-", "-"],
            input=contenu,
            capture_output=True,
            check=True,
        ).stdout.decode()
        assert "Protocole d'orientation" in texte
        assert "Aurélie Marty" in texte

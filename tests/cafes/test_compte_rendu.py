import datetime
import subprocess

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from cafes.compte_rendu import compte_rendu_pdf
from cafes.enums import Reponse
from cafes.models import CompteRendu, Invitation, NoteTourDeTable
from cafes.selectors import cafe_chiffres, serie_chiffres_partenaires
from cafes.services.compte_rendu import compte_rendu_assembler, compte_rendu_envoyer
from cafes.templatetags import cafes_chiffres
from courrier.models import Courriel
from tests.cafes.concurrence import en_meme_temps
from tests.cafes.factories import CafeFactory, CafeSerieFactory, InvitationFactory
from tests.partenariats.factories import ContactFactory, PartenaireFactory

pytestmark = pytest.mark.django_db

MAINTENANT = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _horloge():
    with time_machine.travel(MAINTENANT, tick=False):
        yield


@pytest.fixture
def serie(centre):
    return CafeSerieFactory(centre=centre, nom="Café partenaires de Montanou")


@pytest.fixture
def mds(centre):
    return PartenaireFactory(centre=centre, nom="Maison des solidarités")


@pytest.fixture
def regie(centre):
    return PartenaireFactory(centre=centre, nom="Régie de quartier")


@pytest.fixture
def plie(centre):
    return PartenaireFactory(centre=centre, nom="PLIE")


def inviter(cafe, partenaire, **kwargs):
    contact = ContactFactory(partenaire=partenaire, **kwargs.pop("contact", {}))
    return InvitationFactory(cafe=cafe, contact=contact, **kwargs)


@pytest.fixture
def cafe(centre, serie, mds, regie, plie):
    cafe = CafeFactory(
        centre=centre,
        serie=serie,
        date=datetime.date(2026, 11, 6),
        heure_debut=datetime.time(9, 0),
        heure_fin=datetime.time(10, 30),
        hote=regie,
        adresse="3 rue Montesquieu, 47000 Agen",
    )
    inviter(cafe, mds, present=True, reponse=Reponse.OUI)
    inviter(cafe, regie, present=True, reponse=Reponse.OUI)
    inviter(cafe, plie, reponse=Reponse.NON)
    return cafe


class TestTourDeTable:
    def test_one_field_per_organisation_present_or_noted(self, client_salarie, cafe, plie):
        reponse = client_salarie.get(reverse("cafes:tour_de_table", args=[cafe.pk]))
        assert reponse.status_code == 200
        champs = list(reponse.context["form"].fields)
        assert len(champs) == 2
        assert f"note_{plie.pk}" not in champs
        NoteTourDeTable.objects.create(cafe=cafe, partenaire=plie, texte="Excusé")
        reponse = client_salarie.get(reverse("cafes:tour_de_table", args=[cafe.pk]))
        assert f"note_{plie.pk}" in reponse.context["form"].fields

    def test_saved_updated_and_emptied_in_one_post(self, client_salarie, cafe, mds, regie):
        url = reverse("cafes:tour_de_table", args=[cafe.pk])
        reponse = client_salarie.post(
            url, {f"note_{mds.pk}": "Permanence logement le mardi", f"note_{regie.pk}": ""}
        )
        assert reponse.status_code == 302
        assert list(cafe.notes.values_list("partenaire_id", "texte")) == [
            (mds.pk, "Permanence logement le mardi")
        ]
        client_salarie.post(
            url, {f"note_{mds.pk}": "Permanence le jeudi", f"note_{regie.pk}": "Recrute"}
        )
        assert dict(cafe.notes.values_list("partenaire_id", "texte")) == {
            mds.pk: "Permanence le jeudi",
            regie.pk: "Recrute",
        }
        reponse = client_salarie.post(
            url, {f"note_{mds.pk}": "  ", f"note_{regie.pk}": "Recrute"}, follow=True
        )
        assert list(cafe.notes.values_list("partenaire_id", flat=True)) == [regie.pk]
        assert "Le tour de table est enregistré." in reponse.content.decode()

    def test_lecture_cannot_write(self, client_lecture, cafe, mds):
        url = reverse("cafes:tour_de_table", args=[cafe.pk])
        assert client_lecture.get(url).status_code == 403
        assert client_lecture.post(url, {f"note_{mds.pk}": "x"}).status_code == 403
        assert not cafe.notes.exists()


class TestCompteRendu:
    def test_assembled_from_the_tour_de_table(self, cafe, mds, regie):
        NoteTourDeTable.objects.create(cafe=cafe, partenaire=regie, texte="Recrute deux ETP")
        NoteTourDeTable.objects.create(cafe=cafe, partenaire=mds, texte="Permanence logement")
        compte_rendu, cree = compte_rendu_assembler(cafe=cafe)
        assert cree
        texte = compte_rendu.texte
        assert (
            "Café partenaires de Montanou — vendredi 6 novembre 2026, 9\u00a0h – 10\u00a0h\u00a030"
            in texte
        )
        assert "Accueil\u00a0: Régie de quartier, 3 rue Montesquieu, 47000 Agen" in texte
        assert "Présents : 2 organisations (Maison des solidarités, Régie de quartier)" in texte
        assert texte.endswith(
            "Maison des solidarités — Permanence logement\n\nRégie de quartier — Recrute deux ETP"
        )
        assert "PLIE" not in texte
        # Assembling again never overwrites edited minutes.
        compte_rendu.texte = "Modifié"
        compte_rendu.save()
        assert compte_rendu_assembler(cafe=cafe) == (compte_rendu, False)
        compte_rendu.refresh_from_db()
        assert compte_rendu.texte == "Modifié"

    def test_assemble_button_then_edit(self, client_salarie, cafe):
        url = reverse("cafes:compte_rendu", args=[cafe.pk])
        assert "Assembler depuis le tour de table" in client_salarie.get(url).content.decode()
        client_salarie.post(reverse("cafes:compte_rendu_assembler", args=[cafe.pk]))
        assert CompteRendu.objects.filter(cafe=cafe).exists()
        reponse = client_salarie.post(url, {"texte": "Nouveau texte\n\nDeuxième"})
        assert reponse.status_code == 302
        assert CompteRendu.objects.get(cafe=cafe).texte.replace("\r", "") == (
            "Nouveau texte\n\nDeuxième"
        )

    def test_lecture_reads_but_cannot_write(self, client_lecture, cafe):
        CompteRendu.objects.create(cafe=cafe, texte="Lu par <b>tous</b>")
        url = reverse("cafes:compte_rendu", args=[cafe.pk])
        reponse = client_lecture.get(url)
        assert reponse.status_code == 200
        assert "Lu par &lt;b&gt;tous&lt;/b&gt;" in reponse.content.decode()
        assert client_lecture.post(url, {"texte": "x"}).status_code == 403
        for nom in ("compte_rendu_assembler", "compte_rendu_envoyer"):
            assert client_lecture.post(reverse(f"cafes:{nom}", args=[cafe.pk])).status_code == 403
        assert CompteRendu.objects.get(cafe=cafe).texte == "Lu par <b>tous</b>"
        assert not Courriel.objects.exists()

    def test_pdf_text(self, client_lecture, cafe, tmp_path):
        CompteRendu.objects.create(
            cafe=cafe, texte="Maison des solidarités — <img src='file:///etc/passwd'> logement"
        )
        reponse = client_lecture.get(reverse("cafes:compte_rendu_pdf", args=[cafe.pk]))
        assert reponse.status_code == 200
        assert reponse["Content-Type"] == "application/pdf"
        assert "compte-rendu-cafe-2026-11-06.pdf" in reponse["Content-Disposition"]
        fichier = tmp_path / "cr.pdf"
        fichier.write_bytes(reponse.content)
        texte = subprocess.run(
            ["pdftotext", "-layout", str(fichier), "-"], capture_output=True, check=True, text=True
        ).stdout
        assert "Café partenaires de Montanou" in texte
        assert "<img src='file:///etc/passwd'> logement" in texte
        assert "root:" not in texte


class TestEnvoi:
    def test_one_email_per_reachable_invitee_with_pdf_and_never_twice(
        self, client_salarie, cafe, mds, settings
    ):
        desinscrit = inviter(cafe, mds, contact={"desinscrit": True})
        CompteRendu.objects.create(cafe=cafe, texte="Premier paragraphe\n\nSecond <paragraphe>")
        url = reverse("cafes:compte_rendu_envoyer", args=[cafe.pk])
        assert client_salarie.post(url).status_code == 302
        courriels = list(Courriel.objects.order_by("pk"))
        assert len(courriels) == 3
        destinataires = {c.destinataire for c in courriels}
        assert desinscrit.contact.email not in destinataires
        assert destinataires == {
            i.contact.email for i in cafe.invitations.exclude(pk=desinscrit.pk)
        }
        for courriel in courriels:
            assert "List-Unsubscribe" in courriel.en_tetes
            assert courriel.objet.cafe_id == cafe.pk
            assert "<p>Second &lt;paragraphe&gt;</p>" in courriel.corps_html
            assert "Second <paragraphe>" in courriel.corps_texte
            assert "Compte rendu" in courriel.sujet
            (piece,) = courriel.pieces_jointes.all()
            assert piece.type_mime == "application/pdf"
            assert bytes(piece.contenu).startswith(b"%PDF")
        assert CompteRendu.objects.get(cafe=cafe).envoye_le is not None
        assert set(
            Invitation.objects.filter(compte_rendu_envoye_le=MAINTENANT).values_list(
                "pk", flat=True
            )
        ) == {c.object_id for c in courriels}
        desinscrit.refresh_from_db()
        assert desinscrit.compte_rendu_envoye_le is None
        # Sending again reaches only the new invitee.
        nouveau = inviter(cafe, mds)
        client_salarie.post(url)
        assert Courriel.objects.count() == 4
        assert Courriel.objects.latest("pk").destinataire == nouveau.contact.email
        assert compte_rendu_envoyer(cafe=cafe, par=None) == 0
        assert Courriel.objects.count() == 4

    def test_pdf_renders_alone(self, cafe):
        compte_rendu = CompteRendu.objects.create(cafe=cafe, texte="x")
        assert compte_rendu_pdf(compte_rendu).startswith(b"%PDF")

    def test_nothing_to_send_without_minutes(self, client_salarie, cafe):
        reponse = client_salarie.post(
            reverse("cafes:compte_rendu_envoyer", args=[cafe.pk]), follow=True
        )
        assert "pas encore de compte rendu" in reponse.content.decode()
        assert not Courriel.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_once_send_the_minutes_once(cafe, mailoutbox):
    CompteRendu.objects.create(cafe=cafe, texte="Premier paragraphe")

    def envoyer():
        with scope(centre=cafe.centre_id):  # as each request opens it
            return compte_rendu_envoyer(cafe=cafe, par=None)

    assert sorted(en_meme_temps(envoyer, envoyer)) == [0, 3]
    assert Courriel.objects.count() == 3
    assert len(mailoutbox) == 3
    assert not cafe.invitations.filter(compte_rendu_envoye_le__isnull=True).exists()


class TestChiffres:
    def test_exact_figures(self, centre, serie, cafe, mds, regie, plie):
        suivant = CafeFactory(centre=centre, serie=serie, date=datetime.date(2026, 11, 20))
        inviter(suivant, mds, present=True, reponse=Reponse.OUI)  # second time: not new
        inviter(suivant, mds, present=True)  # same organisation twice
        inviter(suivant, plie, present=True, reponse=Reponse.PEUT_ETRE)  # first time: new
        inviter(suivant, regie, reponse=Reponse.OUI)
        inviter(suivant, regie, sur_place=True, present=True)  # walk-in, not invited
        # Another series does not count for "new".
        autre = CafeFactory(centre=centre, date=datetime.date(2026, 10, 2))
        inviter(autre, plie, present=True)

        assert cafe_chiffres(cafe) == {
            "invites": 3,
            "oui": 2,
            "presents": 2,
            "organisations": 2,
            "nouvelles": 2,
        }
        assert cafe_chiffres(suivant) == {
            "invites": 4,
            "oui": 2,
            "presents": 4,
            "organisations": 3,
            "nouvelles": 1,
        }
        assert serie_chiffres_partenaires(serie, 2026) == [
            {
                "contact__partenaire_id": mds.pk,
                "nom": mds.nom,
                "invites": 2,
                "venus": 2,
                "taux": 100,
            },
            {
                "contact__partenaire_id": plie.pk,
                "nom": "PLIE",
                "invites": 2,
                "venus": 1,
                "taux": 50,
            },
            {
                "contact__partenaire_id": regie.pk,
                "nom": regie.nom,
                "invites": 2,
                "venus": 2,
                "taux": 100,
            },
        ]
        assert serie_chiffres_partenaires(serie, 2025) == []

    def test_empty_cafe(self, centre):
        assert cafe_chiffres(CafeFactory(centre=centre)) == {
            "invites": 0,
            "oui": 0,
            "presents": 0,
            "organisations": 0,
            "nouvelles": 0,
        }

    def test_shown_on_the_cafe_page(self, client_lecture, cafe):
        reponse = client_lecture.get(reverse("cafes:cafe_detail", args=[cafe.pk]))
        contenu = reponse.content.decode()
        assert "Nouvelles organisations" in contenu
        assert reverse("cafes:compte_rendu", args=[cafe.pk]) in contenu

    def _cafes(self, centre, serie, partenaires, n, debut):
        for i in range(n):
            c = CafeFactory(centre=centre, serie=serie, date=debut + datetime.timedelta(days=7 * i))
            for p in partenaires:
                inviter(c, p, present=bool(i % 2))

    def test_constant_queries_on_the_series_page(self, client_lecture, centre, serie, mds, plie):
        url = reverse("cafes:serie_detail", args=[serie.pk])
        self._cafes(centre, serie, [mds, plie], 3, datetime.date(2026, 1, 9))
        with CaptureQueriesContext(connection) as peu:
            reponse = client_lecture.get(url)
        assert "Participation des partenaires en 2026" in reponse.content.decode()
        assert len(reponse.context["chiffres"]["cafes"]) == 3
        self._cafes(centre, serie, [mds, plie], 9, datetime.date(2026, 4, 3))
        with CaptureQueriesContext(connection) as beaucoup:
            reponse = client_lecture.get(url)
        assert len(reponse.context["chiffres"]["cafes"]) == 12
        chiffres = {p["nom"]: p for p in reponse.context["chiffres"]["partenaires"]}
        assert chiffres["PLIE"]["invites"] == 12
        assert chiffres["PLIE"]["venus"] == 5
        assert len(beaucoup) == len(peu)

    def test_many_partners_are_shown_a_page_at_a_time(
        self, client_lecture, centre, serie, monkeypatch
    ):
        monkeypatch.setattr(cafes_chiffres, "PARTENAIRES_PAR_PAGE", 2)
        partenaires = [PartenaireFactory(centre=centre, nom=f"Association {n}") for n in range(3)]
        self._cafes(centre, serie, partenaires, 1, datetime.date(2026, 1, 9))
        url = reverse("cafes:serie_detail", args=[serie.pk])

        reponse = client_lecture.get(url)
        assert [p["nom"] for p in reponse.context["chiffres"]["partenaires"]] == [
            "Association 0",
            "Association 1",
        ]
        assert 'href="?partenaires=2#chiffres"' in reponse.content.decode()
        reponse = client_lecture.get(url, {"partenaires": 2})
        assert [p["nom"] for p in reponse.context["chiffres"]["partenaires"]] == ["Association 2"]


class TestConfirmationDuCompteRendu:
    def test_get_counts_and_shows_the_email_and_sends_nothing(self, client_salarie, cafe):
        CompteRendu.objects.create(cafe=cafe, texte="Ce qui s'est dit")
        url = reverse("cafes:compte_rendu_envoyer", args=[cafe.pk])
        page = client_salarie.get(url).content.decode()
        assert "3 personnes reçoivent le courriel ci-dessous" in page
        assert "Ce qui s&#x27;est dit" in page or "Ce qui s'est dit" in page
        assert "avant-le-jour" not in page  # the café is over
        assert not Courriel.objects.exists()
        lien = client_salarie.get(reverse("cafes:compte_rendu", args=[cafe.pk])).content.decode()
        assert f'href="{url}"' in lien

    def test_before_the_cafes_day_it_warns_and_asks_again(self, client_salarie, cafe):
        cafe.date = datetime.date(2026, 12, 4)
        cafe.save()
        CompteRendu.objects.create(cafe=cafe, texte="Écrit d'avance")
        url = reverse("cafes:compte_rendu_envoyer", args=[cafe.pk])
        page = client_salarie.get(url).content.decode()
        assert 'id="avant-le-jour"' in page
        assert "Le café n'a pas encore eu lieu" in page
        # A POST without the confirmation (an older page, a double submit) sends nothing.
        reponse = client_salarie.post(url)
        assert reponse["Location"] == url
        assert not Courriel.objects.exists()
        client_salarie.post(url, {"avant_le_jour": "1"})
        assert Courriel.objects.count() == 3

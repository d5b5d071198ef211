"""Funding agreements (source 02): the service, the list with its totals per year and per
funder, the form and its amounts per year, the signed document, who may do what, the pages of
other parts that show them, and the demo."""

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.template import Context, Template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from commun.montants import lire_montant
from partenariats.enums import StatutConvention
from partenariats.models import Convention, MontantConvention
from partenariats.selectors import partenaire_chronologie
from partenariats.selectors_conventions import (
    Totaux,
    conventions_du_projet,
    totaux_conventions,
)
from partenariats.services.conventions import (
    convention_creer,
    convention_modifier,
    convention_supprimer,
)
from reseau.models import Centre
from tests.partenariats.factories import (
    PDF_MINIMAL,
    ConventionFactory,
    MontantConventionFactory,
    PartenaireFactory,
    ProjetFactory,
)

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
LISTE = reverse("partenariats:convention_liste")
CREER = reverse("partenariats:convention_creer")


def euros(texte):
    """ "12 500,00 €" as the pages write it: no-break spaces."""
    return texte.replace(" ", NBSP)


def convention(centre, montants=(), **champs):
    """An agreement of ``centre`` with ``montants`` {year: "amount"}."""
    objet = ConventionFactory(centre=centre, **champs)
    for annee, montant in dict(montants).items():
        MontantConventionFactory(convention=objet, annee=annee, montant=Decimal(montant))
    return objet


# --- Amounts, the French way --------------------------------------------------------------


class TestEuros:
    @pytest.mark.parametrize(
        ("valeur", "attendu"),
        [
            (0, "0,00 €"),
            (1234.5, "1 234,50 €"),
            (1234567.89, "1 234 567,89 €"),
            (Decimal("1234567.89"), "1 234 567,89 €"),
            (Decimal("12500"), "12 500,00 €"),
            ("70", "70,00 €"),
        ],
    )
    def test_writes_euros_with_cents_and_no_break_spaces(self, valeur, attendu):
        rendu = Template("{{ valeur|euros }}").render(Context({"valeur": valeur}))
        # Thousands and "€" are tied to the number: an amount never breaks across lines.
        assert rendu == euros(attendu)
        assert " " not in rendu

    @pytest.mark.parametrize("valeur", [None, "", "pas un nombre"])
    def test_nothing_for_no_amount(self, valeur):
        assert Template("{{ valeur|euros }}").render(Context({"valeur": valeur})) == ""


class TestLireMontant:
    @pytest.mark.parametrize(
        ("saisie", "attendu"),
        [
            ("12 500,50", "12500.50"),
            ("12500.5", "12500.5"),
            ("12 500 €", "12500"),
            ("12\u202f500,00\u00a0€", "12500.00"),
            ("1.250,00", "1250.00"),
            ("12.500", "12500"),
            ("1 234 567,89", "1234567.89"),
            ("0", "0"),
            (" 7,5 ", "7.5"),
        ],
    )
    def test_reads_what_people_type(self, saisie, attendu):
        assert lire_montant(saisie) == Decimal(attendu)

    @pytest.mark.parametrize(
        ("saisie", "message"),
        [
            ("douze mille", "Écrivez un montant en chiffres, sans lettres"),
            ("12 500 euros", "sans lettres"),
            ("12e3", "sans lettres"),
            ("1 25", "en chiffres"),
            ("12,5,0", "en chiffres"),
            # A comma is the decimal point: three decimals are refused, not guessed.
            ("12,500", "Deux chiffres au plus après la virgule"),
            ("١٢", "en chiffres"),
        ],
    )
    def test_refuses_the_rest_in_french(self, saisie, message):
        with pytest.raises(ValidationError) as erreur:
            lire_montant(saisie)
        assert message in erreur.value.messages[0]


# --- Services -------------------------------------------------------------------------------


def _champs(centre, **autres):
    return {
        "financeur": PartenaireFactory(centre=centre, caf=True),
        "objet": "Prestation de service animation globale",
        "statut": StatutConvention.SIGNEE,
        "debut": date(2026, 1, 1),
        "fin": date(2028, 12, 31),
        **autres,
    }


class TestServices:
    def test_create_with_amounts_per_year(self, centre):
        objet = convention_creer(
            centre=centre,
            montants=[(2026, Decimal("12500.50")), (2027, Decimal("13000"))],
            **_champs(centre),
        )
        assert list(objet.montants.values_list("annee", "montant")) == [
            (2026, Decimal("12500.50")),
            (2027, Decimal("13000.00")),
        ]

    @pytest.mark.parametrize(
        ("montants", "message"),
        [
            ([(2026, Decimal(1)), (2026, Decimal(2))], "L'année 2026 figure deux fois"),
            ([(2029, Decimal(1))], "L'année 2029 est hors des dates de la convention"),
            ([(2025, Decimal(1))], "(2026 à 2028)"),
            ([(2026, Decimal("-1"))], "2026"),
        ],
    )
    def test_amounts_are_checked_and_nothing_is_written(self, centre, montants, message):
        with pytest.raises(ValidationError) as erreur:
            convention_creer(centre=centre, montants=montants, **_champs(centre))
        assert message in " ".join(erreur.value.message_dict["montants"])
        assert not Convention.objects.exists()

    def test_the_end_cannot_precede_the_start(self, centre):
        with pytest.raises(ValidationError) as erreur:
            convention_creer(centre=centre, **_champs(centre, fin=date(2025, 12, 31)))
        assert erreur.value.message_dict["fin"] == ["La fin ne peut pas précéder le début."]

    def test_funder_and_project_of_another_centre_are_refused(self, centre, autre_centre):
        with pytest.raises(ValidationError) as erreur:
            convention_creer(
                centre=centre,
                **_champs(centre, financeur=PartenaireFactory(centre=autre_centre)),
            )
        assert "financeur" in erreur.value.message_dict
        with pytest.raises(ValidationError) as erreur:
            convention_creer(
                centre=centre, **_champs(centre, projet=ProjetFactory(centre=autre_centre))
            )
        assert "projet" in erreur.value.message_dict

    def test_modify_replaces_the_amounts(self, centre):
        objet = convention(centre, {2026: "1000", 2027: "2000", 2028: "3000"})
        convention_modifier(
            convention=objet,
            montants=[(2026, Decimal("1000")), (2027, Decimal("2500.25"))],
            objet="Animation globale et coordination",
        )
        objet.refresh_from_db()
        assert objet.objet == "Animation globale et coordination"
        assert list(objet.montants.values_list("annee", "montant")) == [
            (2026, Decimal("1000.00")),
            (2027, Decimal("2500.25")),
        ]

    def test_new_dates_must_still_hold_the_recorded_years(self, centre):
        objet = convention(centre, {2026: "1000", 2028: "3000"})
        with pytest.raises(ValidationError) as erreur:
            convention_modifier(convention=objet, fin=date(2027, 12, 31))
        assert "L'année 2028 est hors des dates" in erreur.value.message_dict["montants"][0]
        objet.refresh_from_db()
        assert objet.fin == date(2028, 12, 31)

    def test_document_stored_replaced_removed_and_deleted_after_commit(
        self, centre, settings, django_capture_on_commit_callbacks
    ):
        media = Path(settings.MEDIA_ROOT)
        objet = convention_creer(
            centre=centre,
            document=SimpleUploadedFile("Convention CAF 2026.pdf", PDF_MINIMAL),
            **_champs(centre),
        )
        premier = objet.document.name
        assert objet.document_nom == "Convention CAF 2026.pdf"
        # Stored under a random name that says nothing of the agreement.
        assert premier.startswith("conventions/") and "CAF" not in premier
        assert (media / premier).exists()

        with django_capture_on_commit_callbacks(execute=True):
            objet = convention_modifier(
                convention=objet, document=SimpleUploadedFile("v2.pdf", PDF_MINIMAL)
            )
        assert objet.document_nom == "v2.pdf"
        assert not (media / premier).exists()
        second = objet.document.name

        with django_capture_on_commit_callbacks(execute=True):
            objet = convention_modifier(convention=objet, retirer_document=True)
        assert not objet.document and objet.document_nom == ""
        assert not (media / second).exists()

    def test_a_document_that_is_not_a_pdf_is_refused(self, centre):
        with pytest.raises(ValidationError):
            convention_creer(
                centre=centre,
                document=SimpleUploadedFile("convention.pdf", b"MZ\x90 not a pdf"),
                **_champs(centre),
            )
        assert not Convention.objects.exists()

    def test_delete_removes_amounts_and_document(
        self, centre, settings, django_capture_on_commit_callbacks
    ):
        objet = convention_creer(
            centre=centre,
            montants=[(2026, Decimal(1))],
            document=SimpleUploadedFile("c.pdf", PDF_MINIMAL),
            **_champs(centre),
        )
        chemin = Path(settings.MEDIA_ROOT) / objet.document.name
        with django_capture_on_commit_callbacks(execute=True):
            convention_supprimer(convention=objet)
        assert not Convention.objects.exists()
        assert not MontantConvention.objects.exists()
        assert not chemin.exists()


# --- Totals ---------------------------------------------------------------------------------


class TestTotaux:
    def test_per_funder_and_per_year_refused_left_out(self, centre):
        caf = PartenaireFactory(centre=centre, caf=True)
        ville = PartenaireFactory(centre=centre, nom="Ville d'Agen — politique de la ville")
        convention(centre, {2026: "1000", 2027: "2000"}, financeur=caf)
        convention(centre, {2027: "500.50"}, financeur=caf, objet="Fonds publics et territoires")
        convention(centre, {2026: "300"}, financeur=ville, debut=date(2026, 1, 1))
        convention(
            centre,
            {2026: "99999"},
            financeur=ville,
            objet="Refusée",
            statut=StatutConvention.REFUSEE,
        )
        totaux = totaux_conventions(Convention.objects.for_centre(centre))
        assert totaux.annees == [2026, 2027]
        assert [(ligne.nom, ligne.montants, ligne.total) for ligne in totaux.lignes] == [
            (caf.nom, [Decimal("1000"), Decimal("2500.50")], Decimal("3500.50")),
            (ville.nom, [Decimal("300"), None], Decimal("300")),
        ]
        assert totaux.par_annee == [Decimal("1300"), Decimal("2500.50")]
        assert totaux.total == Decimal("3800.50")

        annee = totaux_conventions(Convention.objects.for_centre(centre), annee=2027)
        assert annee.annees == [2027]
        assert annee.total == Decimal("2500.50")

    def test_no_amount_no_total(self):
        totaux = Totaux.depuis([])
        assert (totaux.annees, totaux.lignes, totaux.total) == ([], [], 0)

    def test_a_project_funded_by_two_funders(self, centre):
        projet = ProjetFactory(centre=centre, titre="Bien dans son assiette")
        caf = PartenaireFactory(centre=centre, caf=True)
        ville = PartenaireFactory(centre=centre, nom="Ville d'Agen")
        convention(centre, {2026: "8000", 2027: "8500"}, financeur=caf, projet=projet)
        convention(centre, {2026: "6000"}, financeur=ville, projet=projet)
        convention(
            centre,
            {2026: "4200"},
            financeur=ville,
            projet=projet,
            objet="Refusée",
            statut=StatutConvention.REFUSEE,
        )
        convention(centre, {2026: "70000"}, financeur=caf)  # not this project's
        financement = conventions_du_projet(projet)
        assert len(financement.conventions) == 3
        assert financement.nb_refusees == 1
        assert financement.totaux.total == Decimal("22500")
        assert [ligne.total for ligne in financement.totaux.lignes] == [
            Decimal("16500"),
            Decimal("6000"),
        ]


# --- The list -------------------------------------------------------------------------------


class TestListe:
    def test_shows_each_agreement_its_years_and_the_totals(self, client_lecture, centre):
        caf = PartenaireFactory(centre=centre, caf=True)
        convention(centre, {2026: "12500", 2027: "13000.5"}, financeur=caf)
        convention(
            centre,
            {2026: "4200"},
            objet="Appel à projets prévention",
            statut=StatutConvention.REFUSEE,
            financeur=PartenaireFactory(centre=centre, nom="CPAM"),
        )
        response = client_lecture.get(LISTE)
        assertContains(response, "2 conventions")
        assertContains(response, f"2027{NBSP}: {euros('13 000,50 €')}")
        assertContains(response, euros("25 500,50 €"))
        # The refused request is listed, struck out, and left out of the totals, which says so.
        assertContains(response, f"<del>{euros('4 200,00 €')}</del>", html=True)
        assertContains(response, "Les demandes refusées ne comptent pas dans les totaux")
        totaux = response.context["totaux"]
        assert totaux.total == Decimal("25500.50")
        assert [ligne.sigle for ligne in totaux.lignes] == ["CAF"]
        assertContains(response, "Total par année")
        # Reading only: no button to write.
        assertNotContains(response, CREER)

    def test_empty(self, client_lecture):
        response = client_lecture.get(LISTE)
        assertContains(response, "Aucune convention pour l")
        assertNotContains(response, "Totaux")

    def test_filters(self, client_lecture, centre):
        caf = PartenaireFactory(centre=centre, caf=True)
        ville = PartenaireFactory(centre=centre, nom="Ville d'Agen")
        projet = ProjetFactory(centre=centre)
        a = convention(centre, {2026: "1"}, financeur=caf, objet="A")
        b = convention(
            centre,
            {2024: "2"},
            financeur=ville,
            objet="B",
            projet=projet,
            debut=date(2024, 1, 1),
            fin=date(2024, 12, 31),
            statut=StatutConvention.SOLDEE,
        )

        def objets(**filtres):
            response = client_lecture.get(LISTE, filtres)
            return [c.objet for c in response.context["conventions"]]

        assert objets(financeur=caf.pk) == [a.objet]
        assert objets(statut="soldee") == [b.objet]
        assert objets(projet=projet.pk) == [b.objet]
        assert objets(annee=2027) == [a.objet]
        assert objets(annee=2024) == [b.objet]
        assert objets(annee=2024, financeur=caf.pk) == []
        # The year's totals count only that year's amounts.
        response = client_lecture.get(LISTE, {"annee": 2026})
        assert response.context["totaux"].annees == [2026]

    def test_a_value_that_no_longer_exists_is_dropped_and_said(self, client_lecture, centre):
        convention(centre, {2026: "1"})
        response = client_lecture.get(LISTE, {"financeur": 999999, "annee": "1990"})
        assert len(response.context["conventions"]) == 1
        assertContains(response, f"Filtre «{NBSP}Financeur{NBSP}»")

    def test_another_centres_agreements_are_not_listed(self, client_lecture, autre_centre):
        convention(autre_centre, {2026: "1"}, objet="Chez les autres")
        assertNotContains(client_lecture.get(LISTE), "Chez les autres")

    def test_query_count_is_constant(self, client_lecture, centre, django_assert_max_num_queries):
        def ajouter(nombre):
            for _n in range(nombre):
                convention(
                    centre,
                    {2026: "100", 2027: "200", 2028: "300"},
                    financeur=PartenaireFactory(centre=centre),
                    projet=ProjetFactory(centre=centre),
                )

        ajouter(3)
        with django_assert_max_num_queries(15) as petit:
            client_lecture.get(LISTE, {"statut": "signee"})
        ajouter(60)
        with django_assert_max_num_queries(len(petit.captured_queries)):
            response = client_lecture.get(LISTE, {"statut": "signee"})
        assert len(response.context["conventions"]) == 50
        assert response.context["totaux"].total == Decimal(63 * 600)
        assertContains(response, "Page 1 sur 2")


# --- The form -------------------------------------------------------------------------------


def _donnees(financeur, lignes=(), **autres):
    """The form's POST data, ``lignes`` the amounts' rows [(year, amount)] as typed."""
    donnees = {
        "financeur": financeur.pk,
        "objet": "Prestation de service animation globale",
        "projet": "",
        "reference": "AGC-2026-0147",
        "statut": StatutConvention.SIGNEE,
        "debut": "2026-01-01",
        "fin": "2028-12-31",
        "notes": "",
        "montants-TOTAL_FORMS": len(lignes),
        "montants-INITIAL_FORMS": 0,
    }
    for n, (annee, montant) in enumerate(lignes):
        donnees[f"montants-{n}-annee"] = annee
        donnees[f"montants-{n}-montant"] = montant
    donnees.update(autres)
    return donnees


class TestFormulaire:
    def test_create_with_three_years(self, client_salarie, centre):
        caf = PartenaireFactory(centre=centre, caf=True)
        response = client_salarie.post(
            CREER,
            _donnees(caf, [("2026", "12 500,50"), ("2027", "12500.5"), ("2028", "13 000 €")]),
        )
        objet = Convention.objects.get()
        assertRedirects(response, objet.get_absolute_url(), fetch_redirect_response=False)
        assert objet.financeur == caf and objet.centre == centre
        assert list(objet.montants.values_list("montant", flat=True)) == [
            Decimal("12500.50"),
            Decimal("12500.50"),
            Decimal("13000.00"),
        ]
        detail = client_salarie.get(objet.get_absolute_url())
        assertContains(detail, "Convention enregistrée")
        assertContains(detail, euros("38 001,00 €"))

    def test_an_empty_row_is_ignored(self, client_salarie, centre):
        caf = PartenaireFactory(centre=centre, caf=True)
        client_salarie.post(CREER, _donnees(caf, [("2026", "100"), ("", "")]))
        assert Convention.objects.get().montants.count() == 1

    @pytest.mark.parametrize(
        ("lignes", "message"),
        [
            (
                [("2026", "100"), ("2026", "200")],
                "L'année 2026 figure déjà plus haut : une seule ligne par année.",
            ),
            ([("2029", "100")], "L'année 2029 est hors des dates de la convention (2026 à 2028)."),
            ([("2026", "douze mille")], "Écrivez un montant en chiffres, sans lettres"),
            ([("2026", "")], "Indiquez le montant de cette année."),
            ([("", "100")], "Indiquez l'année de ce montant."),
            ([("2026", "-5")], "supérieure ou égale à 0"),
        ],
    )
    def test_wrong_amounts_say_why_and_keep_what_was_typed(
        self, client_salarie, centre, lignes, message
    ):
        caf = PartenaireFactory(centre=centre, caf=True)
        response = client_salarie.post(CREER, _donnees(caf, lignes, objet="Ce qui a été tapé"))
        assert response.status_code == 200
        assertContains(response, escape(message.replace(" :", f"{NBSP}:")))
        assertContains(response, "La convention n'est pas encore enregistrée")
        assertContains(response, 'value="Ce qui a été tapé"')
        assert not Convention.objects.exists()

    def test_dates_in_the_wrong_order(self, client_salarie, centre):
        caf = PartenaireFactory(centre=centre, caf=True)
        response = client_salarie.post(CREER, _donnees(caf, fin="2025-01-01"))
        assertContains(response, "La fin ne peut pas précéder le début.")

    def test_a_funder_of_another_centre_is_not_a_choice(self, client_salarie, autre_centre):
        autre = PartenaireFactory(centre=autre_centre)
        response = client_salarie.post(CREER, _donnees(autre))
        assert response.status_code == 200
        assert "financeur" in response.context["form"].errors
        assert not Convention.objects.exists()

    def test_add_a_year_saves_nothing_and_proposes_the_next_one(self, client_salarie, centre):
        caf = PartenaireFactory(centre=centre, caf=True)
        response = client_salarie.post(
            CREER, _donnees(caf, [("2026", "12 500,50")], ajouter_annee="1")
        )
        assert not Convention.objects.exists()
        formset = response.context["formset"]
        assert [f.initial for f in formset.forms] == [
            {"annee": "2026", "montant": "12 500,50"},
            {"annee": "2027", "montant": ""},
        ]
        # What was typed is kept, no error shown yet, and the new row has the focus.
        assertContains(response, 'value="AGC-2026-0147"')
        assertNotContains(response, "pas encore enregistrée")
        assertContains(response, 'name="montants-1-annee" value="2027"')
        assert "autofocus" in formset.forms[1].fields["annee"].widget.attrs

    def test_the_first_year_added_is_the_start_year(self, client_salarie, centre):
        caf = PartenaireFactory(centre=centre, caf=True)
        response = client_salarie.post(CREER, _donnees(caf, ajouter_annee="1"))
        assert response.context["formset"].forms[0].initial["annee"] == "2026"

    def test_remove_a_year(self, client_salarie, centre):
        caf = PartenaireFactory(centre=centre, caf=True)
        response = client_salarie.post(
            CREER,
            _donnees(caf, [("2026", "1"), ("2027", "2"), ("2028", "3")], retirer_annee="1"),
        )
        assert [f.initial["annee"] for f in response.context["formset"].forms] == [
            "2026",
            "2028",
        ]
        assert not Convention.objects.exists()

    def test_create_from_a_project_or_a_funder(self, client_salarie, centre):
        projet = ProjetFactory(centre=centre)
        caf = PartenaireFactory(centre=centre, caf=True)
        response = client_salarie.get(CREER, {"projet": projet.pk, "financeur": caf.pk})
        form = response.context["form"]
        assert form["projet"].value() == str(projet.pk)
        assert form["financeur"].value() == str(caf.pk)
        # Cancelling leads back to the funder (the projects' pages are another part's).
        assert response.context["retour"] in (
            reverse("partenariats:detail", args=[caf.pk]),
            f"/projets/{projet.pk}/",
        )

    def test_edit_shows_the_amounts_and_saves_the_changes(self, client_salarie, centre):
        objet = convention(centre, {2026: "12500.5", 2027: "100"})
        url = reverse("partenariats:convention_modifier", args=[objet.pk])
        response = client_salarie.get(url)
        assertContains(response, 'value="12 500,50"')
        response = client_salarie.post(
            url,
            _donnees(
                objet.financeur,
                [("2026", "12 600"), ("2028", "1,5")],
                **{"montants-INITIAL_FORMS": 2},
            ),
        )
        assertRedirects(response, objet.get_absolute_url())
        assert list(objet.montants.values_list("annee", "montant")) == [
            (2026, Decimal("12600.00")),
            (2028, Decimal("1.50")),
        ]

    def test_an_archived_funder_stays_on_its_agreement(self, client_salarie, centre):
        ancien = PartenaireFactory(centre=centre, archive=True)
        objet = convention(centre, financeur=ancien)
        url = reverse("partenariats:convention_modifier", args=[objet.pk])
        assert ancien in client_salarie.get(url).context["form"].fields["financeur"].queryset
        assert ancien not in client_salarie.get(CREER).context["form"].fields["financeur"].queryset


class TestDocument:
    def test_upload_then_open(self, client_salarie, centre, lecture_user, client):
        caf = PartenaireFactory(centre=centre, caf=True)
        client_salarie.post(
            CREER,
            _donnees(caf, document=SimpleUploadedFile("Convention signée.pdf", PDF_MINIMAL)),
        )
        objet = Convention.objects.get()
        url = reverse("partenariats:convention_document", args=[objet.pk])
        assertContains(client_salarie.get(objet.get_absolute_url()), url)
        # Every member of the centre opens it, reading only included.
        client.force_login(lecture_user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "Convention%20sign%C3%A9e.pdf" in response["Content-Disposition"]
        assert b"".join(response.streaming_content) == PDF_MINIMAL
        response.close()

    def test_a_renamed_file_is_refused_in_french(self, client_salarie, centre):
        caf = PartenaireFactory(centre=centre, caf=True)
        faux = SimpleUploadedFile("convention.pdf", b"MZ\x90\x00 un programme, pas un PDF")
        response = client_salarie.post(CREER, _donnees(caf, document=faux))
        assertContains(response, "Ce fichier n&#x27;est pas un PDF lisible")
        assert not Convention.objects.exists()

    def test_a_30_mb_file_is_refused_in_french(self, client_salarie, centre):
        caf = PartenaireFactory(centre=centre, caf=True)
        gros = SimpleUploadedFile("convention.pdf", PDF_MINIMAL + b"0" * (30 * 1024 * 1024))
        response = client_salarie.post(CREER, _donnees(caf, document=gros))
        assertContains(response, f"Ce fichier pèse 30,0{NBSP}Mio")
        assertContains(response, "la limite est de 10,0")
        assert not Convention.objects.exists()

    def test_new_and_remove_at_once(self, client_salarie, centre):
        objet = convention(centre, document=SimpleUploadedFile("a.pdf", PDF_MINIMAL))
        response = client_salarie.post(
            reverse("partenariats:convention_modifier", args=[objet.pk]),
            _donnees(
                objet.financeur,
                document=SimpleUploadedFile("b.pdf", PDF_MINIMAL),
                retirer_document="on",
            ),
        )
        assertContains(response, "Déposez un nouveau document ou retirez celui enregistré")

    def test_no_document_leads_back_to_the_agreement(self, client_lecture, centre):
        objet = convention(centre)
        response = client_lecture.get(
            reverse("partenariats:convention_document", args=[objet.pk]), follow=True
        )
        assertRedirects(response, objet.get_absolute_url())
        assertContains(response, "Aucun document n&#x27;est enregistré pour cette convention.")


class TestAcces:
    def test_reading_only_reads(self, client_lecture, centre):
        objet = convention(centre)
        assert client_lecture.get(objet.get_absolute_url()).status_code == 200
        for url in (
            CREER,
            reverse("partenariats:convention_modifier", args=[objet.pk]),
            reverse("partenariats:convention_supprimer", args=[objet.pk]),
        ):
            assert client_lecture.get(url).status_code == 403
            assert client_lecture.post(url).status_code == 403
        assert Convention.objects.filter(pk=objet.pk).exists()

    @pytest.mark.parametrize(
        "nom",
        ["convention_detail", "convention_modifier", "convention_supprimer", "convention_document"],
    )
    def test_another_centres_agreement_is_a_404(self, client_admin, autre_centre, nom):
        objet = convention(autre_centre, document=SimpleUploadedFile("a.pdf", PDF_MINIMAL))
        url = reverse(f"partenariats:{nom}", args=[objet.pk])
        assert client_admin.get(url).status_code == 404
        assert client_admin.post(url).status_code in (404, 405)
        assert Convention.objects.filter(pk=objet.pk).exists()

    def test_delete_asks_then_deletes(self, client_salarie, centre):
        objet = convention(centre, {2026: "1000", 2027: "2000"})
        url = reverse("partenariats:convention_supprimer", args=[objet.pk])
        response = client_salarie.get(url)
        assertContains(response, "2 années enregistrées, pour un total de")
        assertContains(response, euros("3 000,00 €"))
        assert Convention.objects.exists()
        assertRedirects(client_salarie.post(url), LISTE)
        assert not Convention.objects.exists()


# --- The pages of other parts ---------------------------------------------------------------


class TestAutresPages:
    def test_a_funders_page_lists_its_agreements(
        self, client_lecture, centre, django_assert_max_num_queries
    ):
        caf = PartenaireFactory(centre=centre, caf=True)
        convention(centre, {2026: "1000"}, financeur=caf, objet="Animation globale")
        with django_assert_max_num_queries(30) as petit:
            response = client_lecture.get(caf.get_absolute_url())
        assertContains(response, "Conventions de financement")
        assertContains(response, "Animation globale")
        assertContains(response, euros("1 000,00 €"))
        assertContains(response, f"{LISTE}?financeur={caf.pk}")
        # Its timeline says when the agreement was recorded.
        assertContains(response, "Convention enregistrée (signée)")
        for n in range(12):
            convention(centre, {2026: "1", 2027: "2"}, financeur=caf, objet=f"Autre {n}")
        with django_assert_max_num_queries(len(petit.captured_queries)):
            response = client_lecture.get(caf.get_absolute_url())
        assertContains(response, "Voir les 13 conventions dans la liste")

    def test_a_partner_without_agreement(self, client_salarie, centre):
        partenaire = PartenaireFactory(centre=centre)
        response = client_salarie.get(partenaire.get_absolute_url())
        assertContains(response, "Aucune convention de financement avec ce partenaire.")
        assertContains(response, f"{CREER}?financeur={partenaire.pk}")

    def test_the_funders_timeline(self, centre):
        caf = PartenaireFactory(centre=centre, caf=True)
        objet = convention_creer(
            centre=centre,
            **{**_champs(centre), "financeur": caf, "statut": StatutConvention.DEMANDEE},
        )
        convention_modifier(convention=objet, statut=StatutConvention.ACCORDEE)
        libelles = [e.libelle for e in partenaire_chronologie(caf)]
        assert f"Convention modifiée (accordée){NBSP}: {objet.objet}" in libelles
        assert f"Convention enregistrée (demandée){NBSP}: {objet.objet}" in libelles

    def test_the_projects_include(self, centre, salarie_user, rf):
        projet = ProjetFactory(centre=centre)
        caf = PartenaireFactory(centre=centre, caf=True)
        convention(centre, {2026: "8000", 2027: "8500"}, financeur=caf, projet=projet)
        convention(
            centre,
            {2026: "4200"},
            projet=projet,
            objet="Refusée",
            statut=StatutConvention.REFUSEE,
            financeur=PartenaireFactory(centre=centre, nom="CPAM"),
        )
        html = render_to_string(
            "partenariats/projets/_conventions.html",
            {"projet": projet, "membre_courant": salarie_user.membres.get()},
            request=rf.get("/"),
        )
        assert "Financements" in html
        assert f"{CREER}?projet={projet.pk}" in html
        assert euros("16 500,00 €") in html
        assert f"<del>{euros('4 200,00 €')}</del>" in html
        assert "Les demandes refusées ne comptent pas dans les totaux." in html

    def test_the_projects_include_without_agreement(self, centre, lecture_user, rf):
        html = render_to_string(
            "partenariats/projets/_conventions.html",
            {"projet": ProjetFactory(centre=centre), "membre_courant": lecture_user.membres.get()},
            request=rf.get("/"),
        )
        assert "Aucune convention ne finance ce projet" in html
        assert CREER not in html


# --- The demo -------------------------------------------------------------------------------


def test_demo_is_filled_and_idempotent(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    call_command("demo", stdout=io.StringIO())
    call_command("demo", stdout=io.StringIO())
    montanou = Centre.objects.get(slug="montanou")
    conventions = Convention.objects.for_centre(montanou)
    assert conventions.count() == 5
    projets = set(conventions.exclude(projet=None).values_list("projet__titre", flat=True))
    assert projets == {"Bien dans son assiette, bien dans ses baskets"}
    du_projet = conventions.filter(projet__isnull=False).comptees()
    assert du_projet.count() == 3
    assert len(set(du_projet.values_list("financeur", flat=True))) == 2
    assert conventions.filter(statut=StatutConvention.REFUSEE).count() == 1
    animation = conventions.get(objet="Prestation de service animation globale")
    assert animation.montants.count() == 4
    with animation.document.open("rb") as document:
        assert document.read(5) == b"%PDF-"
    assert all(c.montants.count() >= 1 for c in conventions)


def test_the_project_page_lists_the_agreements_that_fund_it(client_lecture, centre):
    projet = ProjetFactory(centre=centre, titre="Bien dans son assiette")
    convention = ConventionFactory(centre=centre, projet=projet, objet="Volet alimentation")
    MontantConventionFactory(convention=convention, annee=2026, montant=Decimal("8000"))
    response = client_lecture.get(reverse("partenariats:projet_detail", args=[projet.pk]))
    assertContains(response, "Financements")
    assertContains(response, "Volet alimentation")
    assertContains(response, "8\u00a0000,00\u00a0€")

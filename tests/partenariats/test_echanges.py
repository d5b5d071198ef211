"""Export of the filtered directory (CSV, Excel) and import of partners with preview and
all-or-nothing confirmation."""

import csv
import io
import os
import re
import time
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from partenariats.echanges import analyse, lecture
from partenariats.echanges.colonnes import (
    COLONNES_CONTACT,
    COLONNES_PARTENAIRE,
    entete_contact,
    normaliser,
)
from partenariats.echanges.export import CONTENT_TYPE_XLSX
from partenariats.enums import CategoriePartenaire, Civilite
from partenariats.models import Contact, Partenaire
from partenariats.services.importation import DOSSIER_DEPOTS, DUREE_DEPOT, depot_enregistrer
from reseau.enums import Role
from reseau.middleware import SESSION_KEY
from tests.factories import MembreFactory
from tests.partenariats.factories import ContactFactory, PartenaireFactory

pytestmark = pytest.mark.django_db

EXPORT = reverse("partenariats:export")
IMPORT = reverse("partenariats:import")
CONFIRMER = reverse("partenariats:import_confirmer")

ENTETES_PARTENAIRE = [entete for _champ, entete in COLONNES_PARTENAIRE]

# SQLite (the zero-service first run) has no accent-insensitive search, folds only ASCII case
# and batches inserts differently: these checks are PostgreSQL's, as in production and CI.
postgres_seulement = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL behaviour (accents, case, batching)"
)


def lire_csv(response):
    contenu = b"".join(response.streaming_content)
    assert contenu.startswith(b"\xef\xbb\xbf"), "French Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(contenu.decode("utf-8-sig")), delimiter=";"))


def lire_xlsx(contenu):
    classeur = load_workbook(io.BytesIO(contenu))
    return {
        feuille.title: [list(ligne) for ligne in feuille.iter_rows(values_only=True)]
        for feuille in classeur.worksheets
    }


def fichier_csv(lignes, *, encodage="utf-8-sig", separateur=";"):
    tampon = io.StringIO()
    csv.writer(tampon, delimiter=separateur, lineterminator="\r\n").writerows(lignes)
    return tampon.getvalue().encode(encodage)


def fichier_xlsx(feuilles):
    classeur = Workbook()
    classeur.remove(classeur.active)
    for titre, lignes in feuilles.items():
        feuille = classeur.create_sheet(titre)
        for ligne in lignes:
            feuille.append(ligne)
    tampon = io.BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()


def classeur_bombe(dimension, lignes_vides):
    """A .xlsx of a header and ``lignes_vides`` empty rows, declaring ``dimension``."""
    modele = fichier_xlsx({"Partenaires": [["nom", "catégorie"]]})
    tampon = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(modele)) as source,
        zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bombe,
    ):
        for info in source.infolist():
            contenu = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                texte = contenu.decode()
                texte = re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{dimension}"', texte)
                texte = texte.replace("</sheetData>", "<row/>" * lignes_vides + "</sheetData>")
                contenu = texte.encode()
            bombe.writestr(info.filename, contenu)
    return tampon.getvalue()


# The fingerprint of each preview, by reference: what staff saw, which confirming sends back.
EMPREINTES = {}
NB = "\u00a0"


def deposer(client, contenu, nom="partenaires.csv"):
    response = client.post(IMPORT, {"fichier": SimpleUploadedFile(nom, contenu)})
    if response.context and response.context.get("reference"):
        EMPREINTES[response.context["reference"]] = response.context["empreinte"]
    return response


def confirmer(client, reference):
    response = client.post(
        CONFIRMER, {"reference": reference, "empreinte": EMPREINTES.get(reference, "")}
    )
    if response.context and response.context.get("reference"):
        EMPREINTES[response.context["reference"]] = response.context["empreinte"]
    return response


def depots(settings):
    dossier = settings.MEDIA_ROOT / DOSSIER_DEPOTS
    return sorted(dossier.iterdir()) if dossier.exists() else []


@pytest.fixture
def annuaire(centre):
    """A centre's directory as staff would have it: themes, contacts, an archived partner."""
    caf = PartenaireFactory(
        centre=centre,
        caf=True,
        siret="53446498700021",
        commune="Agen",
        email="accueil@caf47.test",
        site_web="https://caf.test",
        themes=["logement", "famille"],
        fiche_confirmee_le=date(2025, 3, 14),
    )
    ContactFactory(
        partenaire=caf,
        civilite=Civilite.MADAME,
        prenom="Claire",
        nom="Durand",
        fonction="Responsable d'accueil",
        email="claire.durand@caf47.test",
        telephone="05 53 00 00 10",
        prescripteur=True,
    )
    ContactFactory(
        partenaire=caf,
        civilite=Civilite.MONSIEUR,
        prenom="Ali",
        nom="Benali",
        email="",
        recoit_invitations_cafe=False,
    )
    lilas = PartenaireFactory(
        centre=centre,
        nom="Les Lilas",
        categorie=CategoriePartenaire.ASSOCIATION,
        code_postal="47520",
        commune="Le Passage",
        themes=["jeunesse"],
        dans_livret=False,
    )
    vieux = PartenaireFactory(centre=centre, nom="Ancien club", archive_=True)
    return {"caf": caf, "lilas": lilas, "archive": vieux}


class TestExport:
    def test_csv_lists_the_directory_with_french_headers(
        self, client_lecture, centre, annuaire, time_machine
    ):
        time_machine.move_to("2026-05-04 10:00+02:00")
        response = client_lecture.get(EXPORT, {"format": "csv"})

        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert (
            response["Content-Disposition"]
            == f'attachment; filename="partenaires-{centre.slug}-2026-05-04.csv"'
        )
        lignes = lire_csv(response)
        assert lignes[0] == [
            *ENTETES_PARTENAIRE,
            "Identifiant",
            *[entete_contact(entete) for _champ, entete in COLONNES_CONTACT],
            "Contact identifiant",
        ]
        assert lignes[0][:4] == ["Nom", "Sigle", "Catégorie", "SIRET"]
        rangees = [dict(zip(lignes[0], ligne, strict=True)) for ligne in lignes[1:]]
        # One row per contact, the partner's columns repeated; one row for a partner without.
        assert [(r["Nom"], r["Contact nom"]) for r in rangees] == [
            ("Caisse d'allocations familiales de Lot-et-Garonne", "Benali"),
            ("Caisse d'allocations familiales de Lot-et-Garonne", "Durand"),
            ("Les Lilas", ""),
        ]
        par_nom = {r["Nom"]: r for r in rangees}
        # Active partners only, as the directory shows by default.
        assert set(par_nom) == {"Caisse d'allocations familiales de Lot-et-Garonne", "Les Lilas"}
        caf = par_nom["Caisse d'allocations familiales de Lot-et-Garonne"]
        assert caf["Identifiant"] == str(annuaire["caf"].pk)
        assert caf["Sigle"] == "CAF"
        assert caf["Catégorie"] == "CAF, MSA et autres organismes de sécurité sociale"
        assert caf["SIRET"] == "53446498700021"
        assert caf["Thèmes"] == "Logement, Famille"
        assert caf["Dans le livret"] == "oui"
        assert caf["Archivé"] == "non"
        assert caf["Fiche confirmée le"] == "14/03/2025"
        claire = rangees[1]
        assert claire["Contact email"] == "claire.durand@caf47.test"
        assert claire["Contact fonction"] == "Responsable d'accueil"
        assert claire["Contact identifiant"] == str(annuaire["caf"].contacts.get(nom="Durand").pk)
        assert par_nom["Les Lilas"]["Dans le livret"] == "non"
        assert par_nom["Les Lilas"]["Fiche confirmée le"] == ""

    def test_xlsx_has_a_partners_sheet_and_a_contacts_sheet(self, client_salarie, annuaire):
        response = client_salarie.get(EXPORT, {"format": "xlsx"})

        assert response.status_code == 200
        assert response["Content-Type"] == CONTENT_TYPE_XLSX
        assert response["Content-Disposition"].endswith('.xlsx"')
        feuilles = lire_xlsx(response.content)
        assert list(feuilles) == ["Partenaires", "Contacts"]
        partenaires = feuilles["Partenaires"]
        assert partenaires[0] == [*ENTETES_PARTENAIRE, "Identifiant"]
        caf = dict(zip(partenaires[0], partenaires[1], strict=True))
        assert caf["Identifiant"] == annuaire["caf"].pk
        assert caf["Nom"] == "Caisse d'allocations familiales de Lot-et-Garonne"
        assert caf["Thèmes"] == "Logement, Famille"
        assert caf["Fiche confirmée le"].date() == date(2025, 3, 14)
        assert [ligne[0] for ligne in partenaires[1:]] == [
            "Caisse d'allocations familiales de Lot-et-Garonne",
            "Les Lilas",
        ]
        contacts = feuilles["Contacts"]
        assert contacts[0][:4] == ["Partenaire", "Civilité", "Prénom", "Nom"]
        assert [ligne[:4] for ligne in contacts[1:]] == [
            ["Caisse d'allocations familiales de Lot-et-Garonne", "Monsieur", "Ali", "Benali"],
            ["Caisse d'allocations familiales de Lot-et-Garonne", "Madame", "Claire", "Durand"],
        ]
        assert contacts[0][-2:] == ["Identifiant", "Identifiant partenaire"]
        claire = dict(zip(contacts[0], contacts[2], strict=True))
        assert claire["Identifiant partenaire"] == annuaire["caf"].pk
        assert claire["Identifiant"] == annuaire["caf"].contacts.get(nom="Durand").pk
        assert claire["Email"] == "claire.durand@caf47.test"
        assert claire["Invitations cafés"] == "oui"
        assert claire["Prescripteur"] == "oui"

    def test_follows_the_filters_on_every_page(self, client_salarie, centre):
        PartenaireFactory.create_batch(60, centre=centre, categorie=CategoriePartenaire.SANTE)
        PartenaireFactory.create_batch(3, centre=centre, categorie=CategoriePartenaire.CCAS)
        PartenaireFactory(centre=centre, categorie=CategoriePartenaire.SANTE, archive=True)

        lignes = lire_csv(client_salarie.get(EXPORT, {"format": "csv", "categorie": "sante"}))
        assert len(lignes) == 1 + 60
        assert {ligne[2] for ligne in lignes[1:]} == {"Santé"}

        avec_archives = {"format": "xlsx", "categorie": "sante", "statut": "tous"}
        feuilles = lire_xlsx(client_salarie.get(EXPORT, avec_archives).content)
        assert len(feuilles["Partenaires"]) == 1 + 61

    @postgres_seulement
    def test_search_and_sort_of_the_directory_apply(self, client_salarie, centre):
        PartenaireFactory(centre=centre, nom="Zèbre solidaire", commune="Agen")
        PartenaireFactory(centre=centre, nom="Atelier vélo", commune="Nérac")
        PartenaireFactory(centre=centre, nom="Bibliothèque", commune="Agen")

        lignes = lire_csv(client_salarie.get(EXPORT, {"commune": "Agen", "tri": "-nom"}))
        assert [ligne[0] for ligne in lignes[1:]] == ["Zèbre solidaire", "Bibliothèque"]
        # Full-text search, ranked as in the directory ("velo" finds "vélo").
        lignes = lire_csv(client_salarie.get(EXPORT, {"q": "velo"}))
        assert [ligne[0] for ligne in lignes[1:]] == ["Atelier vélo"]

    def test_never_exports_another_centre(self, client_salarie, centre, autre_centre):
        PartenaireFactory(centre=centre, nom="Chez nous")
        ailleurs = PartenaireFactory(centre=autre_centre, nom="Chez les voisins")
        ContactFactory(partenaire=ailleurs, nom="Voisin")

        lignes = lire_csv(client_salarie.get(EXPORT))
        assert [ligne[0] for ligne in lignes[1:]] == ["Chez nous"]
        feuilles = lire_xlsx(client_salarie.get(EXPORT, {"format": "xlsx"}).content)
        assert [ligne[0] for ligne in feuilles["Partenaires"][1:]] == ["Chez nous"]
        assert feuilles["Contacts"][1:] == []

    def test_cells_cannot_run_as_formulas(self, client_salarie, centre):
        piege = PartenaireFactory(
            centre=centre,
            nom='=HYPERLINK("http://pirate.test";"Cliquez")',
            sigle="@SOMME(A1)",
            telephone="+33 5 53 00 00 00",
            missions="-2+3",
            publics="Tout public = bienvenue",
        )
        ContactFactory(partenaire=piege, prenom="", nom="=1+1", fonction="+Directrice")

        ligne = lire_csv(client_salarie.get(EXPORT))[1]
        assert ligne[0] == '\'=HYPERLINK("http://pirate.test";"Cliquez")'
        assert ligne[1] == "'@SOMME(A1)"
        assert ligne[8] == "'+33 5 53 00 00 00"
        assert ligne[11] == "'-2+3"
        assert ligne[12] == "Tout public = bienvenue"
        contact = dict(zip(lire_csv(client_salarie.get(EXPORT))[0], ligne, strict=True))
        assert (contact["Contact nom"], contact["Contact fonction"]) == ("'=1+1", "'+Directrice")

        classeur = load_workbook(io.BytesIO(client_salarie.get(EXPORT, {"format": "xlsx"}).content))
        nom = classeur["Partenaires"]["A2"]
        assert nom.value == '=HYPERLINK("http://pirate.test";"Cliquez")'
        assert nom.data_type == "s", "a formula cell would run when the file is opened"
        assert nom.quotePrefix
        contact = classeur["Contacts"]["D2"]
        assert (contact.value, contact.data_type, contact.quotePrefix) == ("=1+1", "s", True)

    def test_query_count_does_not_grow_with_the_directory(self, client_salarie, centre):
        def exporter(nb):
            Partenaire.objects.all().delete()
            for partenaire in PartenaireFactory.create_batch(
                nb, centre=centre, themes=["logement", "sante"]
            ):
                ContactFactory.create_batch(2, partenaire=partenaire)
            comptes = []
            for format_ in ("csv", "xlsx"):
                with CaptureQueriesContext(connection) as requetes:
                    response = client_salarie.get(EXPORT, {"format": format_})
                    if format_ == "csv":
                        # One row per contact.
                        assert len(lire_csv(response)) == 2 * nb + 1
                    else:
                        assert len(lire_xlsx(response.content)["Partenaires"]) == nb + 1
                comptes.append(len(requetes))
            return comptes

        petit, grand = exporter(5), exporter(50)
        assert petit == grand
        assert max(grand) <= 12

    def test_query_budget(self, client_salarie, centre, django_assert_max_num_queries):
        for partenaire in PartenaireFactory.create_batch(50, centre=centre, themes=["sante"]):
            ContactFactory(partenaire=partenaire)
        with django_assert_max_num_queries(12):
            lire_csv(client_salarie.get(EXPORT))
        with django_assert_max_num_queries(12):
            client_salarie.get(EXPORT, {"format": "xlsx"})

    def test_unknown_format_is_not_found(self, client_salarie):
        assert client_salarie.get(EXPORT, {"format": "pdf"}).status_code == 404

    def test_directory_links_carry_the_filters(self, client_salarie, centre):
        PartenaireFactory(centre=centre, categorie=CategoriePartenaire.SANTE)
        response = client_salarie.get(reverse("partenariats:liste"), {"categorie": "sante"})
        assertContains(response, f"{EXPORT}?format=xlsx&amp;categorie=sante")
        assertContains(response, f"{EXPORT}?format=csv&amp;categorie=sante")
        assertContains(response, f'href="{IMPORT}"')

    def test_import_link_is_for_staff_who_can_edit(self, client_lecture, centre):
        PartenaireFactory(centre=centre)
        response = client_lecture.get(reverse("partenariats:liste"))
        assertContains(response, f"{EXPORT}?format=csv")
        assertNotContains(response, f'href="{IMPORT}"')


def ligne_partenaire(**valeurs):
    """A row of ENTETES_IMPORT, values named by header (capitals and accents ignored)."""
    valeurs = {normaliser(entete): valeur for entete, valeur in valeurs.items()}
    return [valeurs.get(normaliser(entete), "") for entete in ENTETES_IMPORT]


CONTACT = ["contact prénom", "contact nom", "contact fonction", "contact email"]
ENTETES_IMPORT = ENTETES_PARTENAIRE + CONTACT


def fichier_valide():
    return fichier_csv(
        [
            ENTETES_IMPORT,
            ligne_partenaire(
                nom="Maison des solidarités",
                **{"catégorie": "Services du Conseil départemental"},
                SIRET="471 000 125 45003",
                commune="Agen",
                **{"code postal": "47000", "thèmes": "Accès aux droits, Famille"},
                **{"contact prénom": "Léa", "contact nom": "Roux", "contact email": "lea@mds.test"},
            ),
            ligne_partenaire(
                nom="Maison des solidarités",
                **{"contact prénom": "Paul", "contact nom": "Petit", "contact fonction": "CESF"},
            ),
            ligne_partenaire(nom="Club de foot", **{"catégorie": "sport_culture"}),
        ]
    )


class TestImportApercu:
    def test_a_valid_file_is_previewed_and_nothing_is_written(
        self, client_salarie, centre, settings
    ):
        response = deposer(client_salarie, fichier_valide())

        assert response.status_code == 200
        assertContains(response, "2 partenaires seront créés")
        assertContains(response, "2 contacts seront ajoutés")
        assertContains(response, "Maison des solidarités")
        assertContains(response, "Léa Roux")
        assertContains(response, "Paul Petit")
        assertContains(response, "Accès aux droits")
        assertContains(response, "Club de foot")
        assertContains(response, "Confirmer l'import")
        assert response.context["reference"]
        assert not Partenaire.objects.exists()
        assert not Contact.objects.exists()
        assert len(depots(settings)) == 1

    def test_confirming_imports_partners_contacts_and_themes(
        self, client_salarie, salarie_user, centre, settings
    ):
        reference = deposer(client_salarie, fichier_valide()).context["reference"]

        response = confirmer(client_salarie, reference)

        assertRedirects(response, reverse("partenariats:liste"), fetch_redirect_response=False)
        suite = client_salarie.get(response["Location"])
        assertContains(suite, "Import terminé : 2 partenaires créés ; 2 contacts ajoutés.")
        mds = Partenaire.objects.get(nom="Maison des solidarités")
        assert mds.centre == centre
        assert mds.categorie == CategoriePartenaire.DEPARTEMENT
        assert mds.siret == "47100012545003"
        assert mds.dans_livret is True
        assert mds.archive is False
        assert set(mds.themes.values_list("slug", flat=True)) == {"acces-aux-droits", "famille"}
        lea, paul = mds.contacts.order_by("prenom")
        assert (lea.email, lea.recoit_invitations_cafe) == ("lea@mds.test", True)
        assert (paul.fonction, paul.email, paul.recoit_invitations_cafe) == ("CESF", "", False)
        foot = Partenaire.objects.get(nom="Club de foot")
        assert foot.categorie == CategoriePartenaire.SPORT_CULTURE
        assert not foot.contacts.exists()
        creation = mds.history.get()
        assert creation.history_type == "+"
        assert creation.history_user == salarie_user
        assert creation.history_change_reason == "Import : partenaires.csv"
        assert lea.history.get().history_user == salarie_user
        assert depots(settings) == [], "the kept file is deleted once imported"

    def test_one_invalid_row_imports_nothing(self, client_salarie, settings):
        contenu = fichier_csv(
            [
                ENTETES_IMPORT,
                ligne_partenaire(nom="Valide", **{"catégorie": "Association"}),
                ligne_partenaire(
                    nom="Mauvais SIRET", **{"catégorie": "Association"}, SIRET="12345678901234"
                ),
                ligne_partenaire(
                    nom="Sans catégorie",
                    **{"code postal": "470", "thèmes": "Logement, Pétanque"},
                    **{"contact prénom": "Zoé", "contact email": "pas-une-adresse"},
                ),
            ]
        )
        response = deposer(client_salarie, contenu)

        assertContains(response, "Le fichier comporte 6 erreurs : rien ne sera importé.")
        erreurs = [(e.ligne, e.colonne, e.message) for e in response.context["analyse"].erreurs]
        assert erreurs == [
            (
                3,
                "SIRET",
                "Ce numéro SIRET n'existe pas : un chiffre est sans doute mal recopié.",
            ),
            (4, "Catégorie", "Ce champ est obligatoire."),
            (4, "Code postal", "Un code postal compte 5 chiffres."),
            (4, "Thèmes", "Sélectionnez un choix valide. Pétanque n’en fait pas partie."),
            (4, "contact nom", "Ce champ est obligatoire."),
            (4, "contact email", "Saisissez une adresse de courriel valide."),
        ]
        assertContains(response, "Ligne 3")
        assertContains(response, "<strong>SIRET</strong>", html=False)
        assertNotContains(response, 'name="reference"')
        assertNotContains(response, CONFIRMER)
        assert depots(settings) == [], "an invalid file is not kept"
        assert not Partenaire.objects.exists()

    def test_confirming_a_file_that_became_invalid_imports_nothing(
        self, client_salarie, monkeypatch, settings
    ):
        contenu = fichier_csv([["nom", "catégorie", "archivé"], ["Club", "Autre", "oui"]])
        reference = deposer(client_salarie, contenu).context["reference"]
        # Whatever changed in between (themes, rules), the confirmation checks the file again.
        monkeypatch.setattr(analyse, "OUI", set())

        response = confirmer(client_salarie, reference)

        assertContains(response, "Le fichier comporte 1 erreur : rien ne sera importé.")
        assertNotContains(response, CONFIRMER)
        assert not Partenaire.objects.exists()
        assert depots(settings) == []

    def test_windows_1252_csv_with_commas(self, client_salarie):
        contenu = fichier_csv(
            [
                ["Nom", "Catégorie", "Commune", "Thèmes"],
                ["Régie de quartier", "Association", "Sainte-Livrade-sur-Lot", "Insertion"],
                ["Crèche « Les Petits Pas »", "Autre", "Nérac", "Petite enfance"],
            ],
            encodage="cp1252",
            separateur=",",
        )
        reference = deposer(client_salarie, contenu).context["reference"]
        confirmer(client_salarie, reference)

        assert sorted(Partenaire.objects.values_list("nom", "commune")) == [
            ("Crèche « Les Petits Pas »", "Nérac"),
            ("Régie de quartier", "Sainte-Livrade-sur-Lot"),
        ]

    def test_excel_separator_hint(self, client_salarie):
        contenu = b'sep=,\r\nnom,cat\xc3\xa9gorie,commune\r\nClub,Autre,"Agen, centre"\r\n'
        response = deposer(client_salarie, contenu)
        lu = response.context["analyse"].partenaires[0]
        assert (lu.ligne, lu.partenaire.commune) == (2, "Agen, centre")

    def test_utf8_without_bom(self, client_salarie):
        contenu = fichier_csv(
            [["nom", "catégorie"], ["Éveil musical", "Association"]], encodage="utf-8"
        )
        confirmer(client_salarie, deposer(client_salarie, contenu).context["reference"])
        assert Partenaire.objects.get().nom == "Éveil musical"

    def test_headers_ignore_case_accents_and_unknown_columns(self, client_salarie):
        contenu = fichier_csv(
            [
                ["NOM", "Categorie", "Code Postal", "THEMES", "E-mail", "Remarques internes"],
                ["Centre de santé", "SANTÉ", "47000", "sante", "accueil@cds.test", "à revoir"],
            ]
        )
        response = deposer(client_salarie, contenu)

        assert response.context["analyse"].colonnes_ignorees == ["Remarques internes"]
        assertContains(response, "Remarques internes")
        confirmer(client_salarie, response.context["reference"])
        partenaire = Partenaire.objects.get()
        assert (partenaire.categorie, partenaire.code_postal, partenaire.email) == (
            "sante",
            "47000",
            "accueil@cds.test",
        )
        assert [t.slug for t in partenaire.themes.all()] == ["sante"]

    def test_xlsx_with_numbers_dates_and_a_contacts_sheet(self, client_salarie):
        contenu = fichier_xlsx(
            {
                "Partenaires": [
                    ["nom", "catégorie", "SIRET", "code postal", "téléphone", "fiche confirmée le"],
                    [
                        "Mairie d'Ambérieu",
                        "Collectivité, mairie",
                        21010004600007,
                        1500,
                        553000000,
                        date(2025, 1, 31),
                    ],
                    ["Épicerie solidaire", "Association", None, 47000, None, None],
                ],  # fmt: skip
                "Contacts": [
                    ["partenaire", "prénom", "nom", "email", "prescripteur"],
                    ["Mairie d'Ambérieu", "Inès", "Lopez", "ines@mairie.test", "oui"],
                    ["Épicerie solidaire", "Marc", "Roy", None, None],
                ],
            }
        )
        response = deposer(client_salarie, contenu, "annuaire.xlsx")
        assertContains(response, "Inès Lopez")
        confirmer(client_salarie, response.context["reference"])

        mairie = Partenaire.objects.get(nom="Mairie d'Ambérieu")
        assert (mairie.siret, mairie.code_postal, mairie.telephone) == (
            "21010004600007",
            "01500",
            "0553000000",
        )
        assert mairie.fiche_confirmee_le == date(2025, 1, 31)
        ines = mairie.contacts.get()
        assert (ines.prenom, ines.prescripteur, ines.recoit_invitations_cafe) == (
            "Inès",
            True,
            True,
        )
        assert Contact.objects.get(nom="Roy").partenaire.nom == "Épicerie solidaire"

    def test_contacts_sheet_naming_an_unknown_partner(self, client_salarie):
        contenu = fichier_xlsx(
            {
                "Partenaires": [["nom", "catégorie"], ["Épicerie", "Association"]],
                "Contacts": [["partenaire", "nom"], ["Epicerie solidaire", "Roy"]],
            }
        )
        response = deposer(client_salarie, contenu, "annuaire.xlsx")
        assertContains(response, "Ligne 2 (feuille Contacts)")
        assertContains(
            response, "Aucun partenaire « Epicerie solidaire » dans la feuille des partenaires."
        )

    def test_a_partner_repeated_with_other_values_is_an_error(self, client_salarie):
        contenu = fichier_csv(
            [
                ["nom", "catégorie", "commune", "téléphone", "contact nom"],
                [
                    "Mission locale",
                    "Emploi et formation (Mission locale, PLIE, France Travail)",
                    "Agen",
                    "05 53 00 00 00",
                    "Roux",
                ],
                ["mission  locale", "", "", "05 53 11 11 11", "Petit"],
            ]  # fmt: skip
        )
        erreurs = deposer(client_salarie, contenu).context["analyse"].erreurs
        assert [(e.ligne, e.colonne) for e in erreurs] == [(3, "téléphone")]
        assert "figure déjà ligne 2 avec une autre valeur (« 05 53 00 00 00 »)" in (
            erreurs[0].message
        )

    def test_two_partners_of_one_name_in_two_communes(self, client_salarie, centre):
        """Same name, another commune (or SIRET): another organisation, not an error."""
        emploi = "Emploi et formation (Mission locale, PLIE, France Travail)"
        contenu = fichier_csv(
            [
                ["nom", "catégorie", "commune", "contact nom"],
                ["Mission locale", emploi, "Agen", "Roux"],
                ["Mission locale", emploi, "Nérac", "Petit"],
                ["Mission locale", "", "Nérac", "Martin"],
            ]
        )
        response = deposer(client_salarie, contenu)
        analyse = response.context["analyse"]
        assert analyse.erreurs == []
        assert [
            (lu.partenaire.commune, [c.contact.nom for c in lu.contacts])
            for lu in analyse.partenaires
        ] == [("Agen", ["Roux"]), ("Nérac", ["Petit", "Martin"])]
        confirmer(client_salarie, response.context["reference"])
        assert Partenaire.objects.filter(centre=centre, nom="Mission locale").count() == 2

    def test_a_contact_row_that_could_be_either_partner_is_an_error(self, client_salarie):
        emploi = "Emploi et formation (Mission locale, PLIE, France Travail)"
        contenu = fichier_csv(
            [
                ["nom", "catégorie", "commune", "contact nom"],
                ["Mission locale", emploi, "Agen", "Roux"],
                ["Mission locale", emploi, "Nérac", "Petit"],
                ["Mission locale", "", "", "Martin"],
            ]
        )
        erreurs = deposer(client_salarie, contenu).context["analyse"].erreurs
        assert [(e.ligne, e.colonne) for e in erreurs] == [(4, "nom")]
        assert "Plusieurs partenaires portent ce nom" in erreurs[0].message

    def test_contact_row_without_partner_name(self, client_salarie):
        contenu = fichier_csv(
            [["nom", "catégorie", "contact nom"], ["Mairie", "Autre", "Roux"], ["", "", "Petit"]]
        )
        erreurs = deposer(client_salarie, contenu).context["analyse"].erreurs
        assert [(e.ligne, e.colonne) for e in erreurs] == [(3, "nom")]

    def test_yes_no_columns_are_checked(self, client_salarie):
        contenu = fichier_csv([["nom", "catégorie", "dans le livret"], ["Club", "Autre", "bof"]])
        response = deposer(client_salarie, contenu)
        assertContains(
            response, "« bof » n&#x27;est pas une réponse attendue : écrivez oui ou non."
        )

    def test_missing_name_column(self, client_salarie):
        response = deposer(client_salarie, fichier_csv([["raison", "commune"], ["X", "Agen"]]))
        assertContains(response, "La colonne « nom » est introuvable")
        assert "reference" not in response.context

    def test_empty_file(self, client_salarie):
        response = deposer(client_salarie, fichier_csv([["nom", "catégorie"]]))
        assertContains(response, "Le fichier ne contient aucune ligne de partenaire.")

    @pytest.mark.parametrize(
        ("nom", "contenu", "message"),
        [
            ("annuaire.pdf", b"%PDF-1.4", "Format non pris en charge"),
            ("annuaire.xls", b"\xd0\xcf\x11\xe0", "Les classeurs Excel 97-2003 (.xls)"),
            ("annuaire.ods", b"PK\x03\x04", "Les classeurs LibreOffice (.ods)"),
            ("annuaire.xlsx", b"nom;categorie\r\n", "Ce classeur Excel est illisible"),
            ("annuaire.xlsx", b"PK\x03\x04abime", "Ce classeur Excel est illisible"),
            ("annuaire.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "n'est pas un fichier texte CSV"),
            ("annuaire.csv", b"nom\r\n\x81\x8d\x8f", "L'encodage de ce fichier CSV"),
        ],
    )
    def test_unreadable_files_are_explained(self, client_salarie, nom, contenu, message):
        response = deposer(client_salarie, contenu, nom)
        assert response.status_code == 200
        assertContains(response, message.replace("'", "&#x27;"))
        assert not Partenaire.objects.exists()

    def test_a_csv_named_xlsx_or_the_reverse_is_read_by_its_content(self, client_salarie):
        classeur = fichier_xlsx({"Feuil1": [["nom", "catégorie"], ["Club", "Autre"]]})
        response = deposer(client_salarie, classeur, "annuaire.csv")
        assert response.context["analyse"].valide

    def test_file_too_large(self, client_salarie, monkeypatch):
        monkeypatch.setattr("partenariats.forms_echanges.TAILLE_MAX_FICHIER", 100)
        response = deposer(client_salarie, fichier_csv([["nom"], ["x" * 200]]))
        assertContains(response, "la limite est de 100")

    def test_too_many_rows(self, client_salarie, monkeypatch):
        monkeypatch.setattr(lecture, "MAX_LIGNES", 3)
        lignes = [["nom", "catégorie"]] + [[f"P{n}", "Autre"] for n in range(5)]
        response = deposer(client_salarie, fichier_csv(lignes))
        assertContains(response, "Le fichier compte plus de 3 lignes")

    @pytest.mark.parametrize("dimension", ["A1:B1", "A1:B13000000"])
    def test_a_sheet_of_millions_of_empty_rows_is_refused_quickly(self, client_salarie, dimension):
        # A few kilobytes on disk; read row by row before, it took a web worker for a minute.
        debut = time.monotonic()
        response = deposer(client_salarie, classeur_bombe(dimension, 2_000_000), "bombe.xlsx")
        assert time.monotonic() - debut < 2
        assertContains(response, "Le fichier compte plus de 5000 lignes")

    def test_rows_thousands_of_cells_wide_are_refused(self, monkeypatch):
        monkeypatch.setattr(lecture, "MAX_CELLULES", 10_000)
        ligne = ["x"] * 2_000
        classeur = fichier_xlsx({"Partenaires": [["nom", "catégorie"]] + [ligne] * 6})
        with pytest.raises(lecture.FichierIllisible, match="trop long à lire"):
            lecture.lire_fichier(classeur, "large.xlsx")

    def test_an_export_of_two_thousand_partners_and_their_contacts_reads_back(self):
        """The limits stop bombs, not a real directory's export."""
        partenaires = [[f"h{n}" for n in range(21)]] + [
            [f"Association {n}", "S", "Association", "12345678901234", "W1", "3 rue des Lilas",
             "47000", "Agen", "05 53 00 00 00", "a@b.fr", "https://x.fr", "Missions " * 20,
             "Publics", "Services", "Horaires", "Territoire", "Famille", "oui", "non", None, n]
            for n in range(2000)
        ]  # fmt: skip
        contacts = [[f"h{n}" for n in range(13)]] + [
            [f"Association {n}", "Madame", "Marie", "Martin", "Directrice", "m@b.fr",
             "05 53 00 00 01", "oui", "non", "oui", None, n, n]
            for n in range(2000)
        ]  # fmt: skip
        classeur = fichier_xlsx({"Partenaires": partenaires, "Contacts": contacts})
        feuille_partenaires, feuille_contacts = lecture.lire_fichier(classeur, "export.xlsx")
        assert (len(feuille_partenaires.lignes), len(feuille_contacts.lignes)) == (2001, 2001)

    def test_reading_a_workbook_stops_at_its_deadline(self, monkeypatch):
        monkeypatch.setattr(lecture, "MAX_LIGNES", 10_000_000)
        monkeypatch.setattr(lecture, "DUREE_MAX_LECTURE", 0)
        with pytest.raises(lecture.FichierIllisible, match="trop long à lire"):
            lecture.lire_fichier(classeur_bombe("A1:B1", 1000), "bombe.xlsx")

    @postgres_seulement
    def test_duplicates_are_flagged_but_importable(self, client_salarie, centre):
        existant = PartenaireFactory(centre=centre, nom="Association Les Lilas", commune="Agen")
        autre = PartenaireFactory(
            centre=centre, nom="Autre chose", siret="73282932000074", commune="Pau"
        )
        mjc = PartenaireFactory(
            centre=centre, nom="Maison des jeunes et de la culture", commune="Nérac"
        )
        contenu = fichier_csv(
            [
                ["nom", "catégorie", "commune", "SIRET"],
                ["Les Lilas", "Association", "agen", ""],
                ["Nouvelle structure", "Association", "Nérac", "73282932000074"],
                ["Jardin partagé", "Association", "Nérac", ""],
                ["Association Jardin partagé", "Association", "Nérac", ""],
                ["Sans rapport", "Association", "Agen", ""],
                ["Maison des jeune et de la culture", "Association", "NÉRAC", ""],
            ]
        )
        response = deposer(client_salarie, contenu)

        lus = {lu.partenaire.nom: lu for lu in response.context["analyse"].partenaires}
        assert lus["Les Lilas"].doublons == [existant]
        # The same SIRET is the same organisation: that row updates its fiche.
        assert lus["Nouvelle structure"].existant == autre
        assert lus["Nouvelle structure"].doublons == []
        assert [lu.ligne for lu in lus["Jardin partagé"].doublons_fichier] == [5]
        assert [lu.ligne for lu in lus["Association Jardin partagé"].doublons_fichier] == [4]
        assert not lus["Sans rapport"].doublons and not lus["Sans rapport"].doublons_fichier
        assert lus["Maison des jeune et de la culture"].doublons == [mjc]
        assertContains(response, "4 nouveaux partenaires ressemblent à des fiches existantes")
        assertContains(response, f'href="{existant.get_absolute_url()}"')
        assertContains(response, "ressemble à la ligne 5 du fichier")

        confirmer(client_salarie, response.context["reference"])
        assert Partenaire.objects.filter(centre=centre).count() == 3 + 5
        autre.refresh_from_db()
        assert (autre.nom, autre.commune) == ("Nouvelle structure", "Nérac")

    def test_duplicates_in_another_centre_do_not_count(self, client_salarie, autre_centre):
        PartenaireFactory(centre=autre_centre, nom="Les Lilas", commune="Agen")
        contenu = fichier_csv([["nom", "catégorie", "commune"], ["Les Lilas", "Autre", "Agen"]])
        assert deposer(client_salarie, contenu).context["analyse"].nb_doublons == 0

    def test_the_template_imports_as_it_is(self, client_salarie):
        modele = client_salarie.get(reverse("partenariats:import_modele"))
        assert modele["Content-Type"] == CONTENT_TYPE_XLSX
        feuilles = lire_xlsx(modele.content)
        assert list(feuilles) == ["Partenaires", "Aide"]
        assert feuilles["Partenaires"][0][:3] == ["Nom", "Sigle", "Catégorie"]
        assert "Contact prénom" in feuilles["Partenaires"][0]
        assert ["Logement"] in feuilles["Aide"]

        response = deposer(client_salarie, modele.content, "modele-import-partenaires.xlsx")
        assert response.context["analyse"].erreurs == []
        confirmer(client_salarie, response.context["reference"])
        partenaire = Partenaire.objects.get()
        assert partenaire.nom == "Association Les Lilas"
        assert partenaire.contacts.get().nom == "Martin"

    def test_import_page(self, client_salarie):
        response = client_salarie.get(IMPORT)
        assertContains(response, 'enctype="multipart/form-data"')
        assertContains(response, reverse("partenariats:import_modele"))
        assertContains(response, "Services du Conseil départemental")
        assertContains(response, "<code>Contact prénom</code>", html=False)

    @postgres_seulement
    def test_a_large_file_costs_a_few_queries(self, client_salarie, centre):
        # Partners in the same commune: each row is compared with them, in memory.
        PartenaireFactory.create_batch(30, centre=centre, commune="Agen")
        lignes = [["nom", "catégorie", "commune", "thèmes", "contact nom", "contact email"]]
        for n in range(300):
            lignes.append([f"Partenaire {n}", "Association", "Agen", "Santé, Emploi", f"N{n}", ""])
            lignes.append([f"Partenaire {n}", "", "", "", f"M{n}", f"m{n}@p.test"])
        with CaptureQueriesContext(connection) as apercu:
            reference = deposer(client_salarie, fichier_csv(lignes)).context["reference"]
        with CaptureQueriesContext(connection) as import_:
            confirmer(client_salarie, reference)
        assert Partenaire.objects.count() == 30 + 300
        assert Contact.objects.count() == 600
        assert Partenaire.themes.through.objects.count() == 600
        assert len(apercu) <= 10
        assert len(import_) <= 25


class TestImportAcces:
    def test_read_only_members_cannot_import(self, client_lecture, lecture_user, centre):
        assert client_lecture.get(IMPORT).status_code == 403
        assert deposer(client_lecture, fichier_valide()).status_code == 403
        assert client_lecture.get(reverse("partenariats:import_modele")).status_code == 403
        reference = depot_enregistrer(
            contenu=fichier_valide(), nom_fichier="x.csv", centre=centre, user=lecture_user
        )
        assert confirmer(client_lecture, reference).status_code == 403
        assert not Partenaire.objects.exists()

    def test_a_kept_file_is_only_for_its_user_and_centre(
        self, client_salarie, centre, autre_centre, settings
    ):
        reference = deposer(client_salarie, fichier_valide()).context["reference"]

        collegue = Client()
        collegue.force_login(MembreFactory(centre=centre, role=Role.ADMIN).user)
        response = confirmer(collegue, reference)
        assertRedirects(response, IMPORT, fetch_redirect_response=False)
        assertContains(collegue.get(IMPORT), "Ce fichier n&#x27;est plus disponible")

        voisin = Client()
        voisin.force_login(MembreFactory(centre=autre_centre, role=Role.ADMIN).user)
        confirmer(voisin, reference)

        assert not Partenaire.objects.exists()
        assert len(depots(settings)) == 1, "a refused attempt leaves the file to its owner"
        confirmer(client_salarie, reference)
        assert Partenaire.objects.filter(centre=centre).count() == 2

    def test_the_same_user_in_another_centre_cannot_use_it(
        self, client_salarie, salarie_user, centre, autre_centre
    ):
        reference = deposer(client_salarie, fichier_valide()).context["reference"]
        MembreFactory(user=salarie_user, centre=autre_centre, role=Role.ADMIN)
        session = client_salarie.session
        session[SESSION_KEY] = autre_centre.pk
        session.save()

        confirmer(client_salarie, reference)

        assert not Partenaire.objects.exists()

    def test_a_forged_or_expired_reference_does_nothing(self, client_salarie, time_machine):
        time_machine.move_to("2026-05-04 10:00+02:00", tick=False)
        reference = deposer(client_salarie, fichier_valide()).context["reference"]
        assertRedirects(
            confirmer(client_salarie, reference + "x"), IMPORT, fetch_redirect_response=False
        )
        assertRedirects(
            confirmer(client_salarie, "../../etc/passwd"), IMPORT, fetch_redirect_response=False
        )

        time_machine.shift(DUREE_DEPOT + timedelta(minutes=1))
        assertRedirects(confirmer(client_salarie, reference), IMPORT, fetch_redirect_response=False)
        assert not Partenaire.objects.exists()

    def test_confirming_twice_imports_once(self, client_salarie):
        reference = deposer(client_salarie, fichier_valide()).context["reference"]
        confirmer(client_salarie, reference)
        response = confirmer(client_salarie, reference)
        assertRedirects(response, IMPORT, fetch_redirect_response=False)
        assert Partenaire.objects.count() == 2

    def test_old_unconfirmed_files_are_removed(self, client_salarie, settings):
        deposer(client_salarie, fichier_valide())
        ancien = depots(settings)[0]
        vieux = (ancien.stat().st_mtime) - DUREE_DEPOT.total_seconds() - 3600
        os.utime(ancien, (vieux, vieux))
        deposer(client_salarie, fichier_valide())
        assert ancien not in depots(settings)
        assert len(depots(settings)) == 1


class TestAllerRetour:
    """An export, imported into another centre, gives the same directory back."""

    CHAMPS = [
        "nom", "sigle", "categorie", "siret", "rna", "adresse", "code_postal", "commune",
        "telephone", "email", "site_web", "missions", "publics", "services", "horaires",
        "territoire", "dans_livret", "archive", "fiche_confirmee_le",
    ]  # fmt: skip
    CHAMPS_CONTACT = [
        "civilite", "prenom", "nom", "fonction", "email", "telephone",
        "recoit_invitations_cafe", "prescripteur", "publier_dans_livret",
    ]  # fmt: skip

    def photo(self, centre, contacts=True):
        partenaires = []
        for partenaire in Partenaire.objects.for_centre(centre).order_by("nom"):
            valeurs = {champ: getattr(partenaire, champ) for champ in self.CHAMPS}
            valeurs["themes"] = sorted(t.slug for t in partenaire.themes.all())
            if contacts:
                valeurs["contacts"] = sorted(
                    tuple(getattr(c, champ) for champ in self.CHAMPS_CONTACT)
                    + (c.desinscrit_le is not None,)
                    for c in partenaire.contacts.all()
                )
            partenaires.append(valeurs)
        return partenaires

    def importer_ailleurs(self, client, user, autre_centre, contenu, nom):
        MembreFactory(user=user, centre=autre_centre, role=Role.SALARIE)
        session = client.session
        session[SESSION_KEY] = autre_centre.pk
        session.save()
        response = deposer(client, contenu, nom)
        assert response.context["analyse"].erreurs == []
        confirmer(client, response.context["reference"])

    @pytest.fixture
    def annuaire_complet(self, centre, annuaire):
        PartenaireFactory(
            centre=centre,
            nom="=Formule piégée",
            rna="W471000123",
            telephone="+33 5 53 00 00 00",
            missions="Deux lignes :\naccueil et orientation",
            site_web="https://exemple.test/page",
        )
        ContactFactory(partenaire=annuaire["lilas"], desinscrit=True, prescripteur=True)
        ContactFactory(partenaire=annuaire["lilas"], nom="Publiée", publier_dans_livret=True)
        return annuaire

    def test_xlsx_round_trip_with_contacts(
        self, client_salarie, salarie_user, centre, autre_centre, annuaire_complet
    ):
        export = client_salarie.get(EXPORT, {"format": "xlsx", "statut": "tous"}).content
        self.importer_ailleurs(client_salarie, salarie_user, autre_centre, export, "export.xlsx")

        assert len(self.photo(autre_centre)) == 4
        assert self.photo(autre_centre) == self.photo(centre)

    def test_csv_round_trip_of_partners(
        self, client_salarie, salarie_user, centre, autre_centre, annuaire_complet
    ):
        export = b"".join(client_salarie.get(EXPORT, {"statut": "tous"}).streaming_content)
        self.importer_ailleurs(client_salarie, salarie_user, autre_centre, export, "export.csv")

        # The identifiers are this centre's: elsewhere they find nothing, every row is new.
        assert self.photo(autre_centre) == self.photo(centre)
        assert Contact.objects.filter(partenaire__centre=autre_centre).count() == 4


def exporter_xlsx(client):
    return lire_xlsx(client.get(EXPORT, {"format": "xlsx", "statut": "tous"}).content)


def en_dicts(lignes):
    return [dict(zip(lignes[0], ligne, strict=True)) for ligne in lignes[1:]]


def en_lignes(dicts):
    entetes = list(dicts[0])
    return [entetes, *[[d.get(e) for e in entetes] for d in dicts]]


class TestMiseAJourParFichier:
    """Export, edit in a spreadsheet, import back: the fiches it came from are updated."""

    def modifier_et_deposer(self, client, modifier, nom="annuaire.xlsx"):
        feuilles = exporter_xlsx(client)
        partenaires = en_dicts(feuilles["Partenaires"])
        contacts = en_dicts(feuilles["Contacts"])
        modifier(partenaires, contacts)
        self.contenu = fichier_xlsx(
            {"Partenaires": en_lignes(partenaires), "Contacts": en_lignes(contacts)}
        )
        return deposer(client, self.contenu, nom)

    def test_an_unchanged_export_changes_nothing(self, client_salarie, annuaire):
        response = self.modifier_et_deposer(client_salarie, lambda p, c: None)

        analyse = response.context["analyse"]
        assert analyse.valide and not analyse.a_faire
        assert len(analyse.inchanges) == 3
        assertContains(response, f"Ce fichier ne change rien{NB}:")
        assertNotContains(response, "Confirmer l'import")
        assert response.context["reference"] == ""

    def test_edits_update_the_fiches_and_contacts_they_came_from(
        self, client_salarie, salarie_user, centre, annuaire
    ):
        caf, lilas = annuaire["caf"], annuaire["lilas"]
        durand = caf.contacts.get(nom="Durand")
        historique_lilas = lilas.history.count()

        def modifier(partenaires, contacts):
            fiche = next(p for p in partenaires if p["Identifiant"] == caf.pk)
            fiche["Téléphone"] = "05 53 99 99 99"
            fiche["Sigle"] = None
            fiche["Thèmes"] = "Logement"
            # A renamed partner is still the same fiche: the identifier says so.
            fiche["Nom"] = "CAF de Lot-et-Garonne"
            claire = next(c for c in contacts if c["Identifiant"] == durand.pk)
            claire["Fonction"] = "Directrice"
            contacts.append(
                {"Partenaire": "Les Lilas", "Nom": "Nouveau", "Email": "nouveau@lilas.test"}
            )
            partenaires.append({"Nom": "Épicerie solidaire", "Catégorie": "Association"})

        response = self.modifier_et_deposer(client_salarie, modifier)

        analyse = response.context["analyse"]
        assert analyse.erreurs == []
        assert [lu.partenaire.nom for lu in analyse.crees] == ["Épicerie solidaire"]
        assert [lu.existant for lu in analyse.mis_a_jour] == [caf, lilas]
        (maj_caf,) = [lu for lu in analyse.mis_a_jour if lu.existant == caf]
        assert maj_caf.reconnu_par == "identifiant"
        assert [(c.libelle, c.avant, c.apres) for c in maj_caf.changements] == [
            ("Nom", "Caisse d'allocations familiales de Lot-et-Garonne", "CAF de Lot-et-Garonne"),
            ("Sigle", "CAF", ""),
            ("Téléphone", caf.telephone, "05 53 99 99 99"),
            ("Thèmes", "Logement, Famille", "Logement"),
        ]
        assert [
            (c.libelle, c.avant, c.apres) for c in maj_caf.contacts_modifies[0].changements
        ] == [("Fonction", "Responsable d'accueil", "Directrice")]
        assertContains(response, "1 partenaire sera créé")
        assertContains(response, "2 fiches seront mises à jour")
        assertContains(response, "1 contact sera ajouté")
        assertContains(response, "1 contact sera modifié")
        assertContains(response, "1 fiche du fichier est déjà à jour")
        assertContains(response, f"reconnue par{NB}: identifiant")
        assertContains(response, "<del>Responsable d&#x27;accueil</del>", html=False)
        assertContains(response, "<ins>Directrice</ins>", html=False)
        assert Partenaire.objects.filter(centre=centre).count() == 3, "nothing before confirming"

        suite = client_salarie.get(
            confirmer(client_salarie, response.context["reference"])["Location"]
        )
        bilan = f"1 partenaire créé, 2 mis à jour{NB}; 1 contact ajouté, 1 modifié."
        assertContains(suite, f"Import terminé{NB}: {bilan}")
        caf.refresh_from_db()
        assert (caf.nom, caf.sigle, caf.telephone) == (
            "CAF de Lot-et-Garonne",
            "",
            "05 53 99 99 99",
        )
        assert caf.nom_tri == "caf de lot-et-garonne"
        assert [t.slug for t in caf.themes.all()] == ["logement"]
        assert caf.email == "accueil@caf47.test", "an unchanged cell keeps its value"
        assert caf.fiche_confirmee_le == date(2025, 3, 14)
        durand.refresh_from_db()
        assert durand.fonction == "Directrice"
        assert caf.contacts.count() == 2
        assert [c.nom for c in lilas.contacts.all()] == ["Nouveau"]
        assert Partenaire.objects.filter(centre=centre).count() == 4
        record = caf.history.first()
        assert (record.history_type, record.history_user, record.history_change_reason) == (
            "~",
            salarie_user,
            f"Import{NB}: annuaire.xlsx",
        )
        assert durand.history.first().history_change_reason == f"Import{NB}: annuaire.xlsx"
        # Les Lilas gained a contact; its fiche itself did not change.
        assert lilas.history.count() == historique_lilas

        # The same file again: everything is already there, nobody is added twice (the new
        # partner, without identifier, is found by its name).
        encore = deposer(client_salarie, self.contenu, "annuaire.xlsx").context["analyse"]
        assert encore.valide and not encore.a_faire
        assert [lu.reconnu_par for lu in encore.partenaires][-1] == "nom"

    def test_the_csv_export_round_trips_with_its_contacts(self, client_salarie, annuaire):
        caf = annuaire["caf"]
        lignes = lire_csv(client_salarie.get(EXPORT, {"statut": "tous"}))
        entetes = lignes[0]
        for ligne in lignes[1:]:
            if ligne[entetes.index("Contact nom")] == "Benali":
                ligne[entetes.index("Contact email")] = "ali.benali@caf47.test"
        contenu = fichier_csv(lignes)
        response = deposer(client_salarie, contenu, "annuaire.csv")
        analyse = response.context["analyse"]
        assert analyse.erreurs == []
        assert [lu.existant for lu in analyse.mis_a_jour] == [caf]
        assert analyse.nb_contacts == 0 and analyse.nb_contacts_modifies == 1
        confirmer(client_salarie, response.context["reference"])
        assert caf.contacts.get(nom="Benali").email == "ali.benali@caf47.test"
        assert Contact.objects.count() == 2

    def test_an_emptied_cell_empties_the_field_of_an_identified_fiche(
        self, client_salarie, annuaire
    ):
        def modifier(partenaires, contacts):
            next(p for p in partenaires if p["Nom"] == "Les Lilas")["Code postal"] = None

        response = self.modifier_et_deposer(client_salarie, modifier)
        confirmer(client_salarie, response.context["reference"])
        annuaire["lilas"].refresh_from_db()
        assert annuaire["lilas"].code_postal == ""

    def test_a_file_from_elsewhere_completes_fiches_found_by_siret_or_name(
        self, client_salarie, annuaire
    ):
        caf, lilas = annuaire["caf"], annuaire["lilas"]
        contenu = fichier_csv(
            [
                [
                    "nom",
                    "catégorie",
                    "SIRET",
                    "commune",
                    "téléphone",
                    "contact nom",
                    "contact email",
                ],
                ["CAF 47", "", "534 464 987 00021", "", "05 53 11 11 11", "", ""],
                ["les lilas", "", "", "", "", "Durand", "claire@lilas.test"],
            ]  # fmt: skip
        )
        response = deposer(client_salarie, contenu)
        analyse = response.context["analyse"]
        assert analyse.erreurs == []
        assert [(lu.existant, lu.reconnu_par) for lu in analyse.partenaires] == [
            (caf, "siret"),
            (lilas, "nom"),
        ]
        confirmer(client_salarie, response.context["reference"])
        caf.refresh_from_db()
        # Empty cells of a row found by SIRET or name keep what the fiche says.
        assert (caf.nom, caf.categorie, caf.commune, caf.telephone) == (
            "CAF 47",
            CategoriePartenaire.SECURITE_SOCIALE,
            "Agen",
            "05 53 11 11 11",
        )
        lilas.refresh_from_db()
        assert (lilas.nom, lilas.code_postal) == ("les lilas", "47520")
        assert [c.email for c in lilas.contacts.all()] == ["claire@lilas.test"]

    def test_an_opt_out_is_never_lifted_by_a_file(self, client_salarie, annuaire):
        desinscrit = ContactFactory(
            partenaire=annuaire["lilas"], nom="Parti", email="parti@lilas.test", desinscrit=True
        )

        def modifier(partenaires, contacts):
            ligne = next(c for c in contacts if c["Identifiant"] == desinscrit.pk)
            ligne["Désinscrit le"] = None
            ligne["Invitations cafés"] = "oui"

        response = self.modifier_et_deposer(client_salarie, modifier)
        if response.context["reference"]:
            confirmer(client_salarie, response.context["reference"])
        desinscrit.refresh_from_db()
        assert desinscrit.desinscrit_le is not None

    def test_a_fiche_edited_after_the_preview_is_shown_again(self, client_salarie, annuaire):
        caf = annuaire["caf"]

        def modifier(partenaires, contacts):
            next(p for p in partenaires if p["Identifiant"] == caf.pk)["Sigle"] = "CAF 47"

        response = self.modifier_et_deposer(client_salarie, modifier)
        Partenaire.objects.filter(pk=caf.pk).update(commune="Boé")

        suite = confirmer(client_salarie, response.context["reference"])
        assert suite.status_code == 200
        assertContains(suite, "L&#x27;annuaire a changé depuis l&#x27;aperçu")
        caf.refresh_from_db()
        assert (caf.sigle, caf.commune) == ("CAF", "Boé"), "nothing written unseen"
        # The new preview shows the commune going back to the file's value.
        (maj,) = suite.context["analyse"].mis_a_jour
        assert [c.champ for c in maj.changements] == ["sigle", "commune"]
        confirmer(client_salarie, suite.context["reference"])
        caf.refresh_from_db()
        assert (caf.sigle, caf.commune) == ("CAF 47", "Agen")

    def test_another_centres_identifier_touches_nothing_there(
        self, client_salarie, centre, autre_centre
    ):
        ailleurs = PartenaireFactory(centre=autre_centre, nom="Chez les voisins")
        contenu = fichier_csv(
            [["Nom", "Catégorie", "Identifiant"], ["Pirate", "Association", str(ailleurs.pk)]]
        )
        response = deposer(client_salarie, contenu)
        (lu,) = response.context["analyse"].partenaires
        assert lu.existant is None
        confirmer(client_salarie, response.context["reference"])
        ailleurs.refresh_from_db()
        assert ailleurs.nom == "Chez les voisins"
        assert Partenaire.objects.filter(centre=centre, nom="Pirate").exists()

    def test_an_identifier_that_is_not_one_is_an_error(self, client_salarie):
        contenu = fichier_csv([["Nom", "Catégorie", "Identifiant"], ["Club", "Association", "12a"]])
        (erreur,) = deposer(client_salarie, contenu).context["analyse"].erreurs
        assert (erreur.ligne, erreur.colonne) == (2, "Identifiant")
        assert "n'est pas un identifiant Maillage" in erreur.message

    def test_two_rows_may_not_update_one_fiche(self, client_salarie, annuaire):
        caf = annuaire["caf"]
        contenu = fichier_csv(
            [
                ["Nom", "Catégorie", "SIRET", "Identifiant"],
                ["CAF", "Autre", "", str(caf.pk)],
                ["CAF bis", "Autre", "53446498700021", ""],
            ]
        )
        erreurs = deposer(client_salarie, contenu).context["analyse"].erreurs
        assert [(e.ligne, e.colonne) for e in erreurs] == [(3, "Nom")]
        assert "désignent la même fiche" in erreurs[0].message

    def test_a_large_update_costs_a_few_queries(self, client_salarie, centre):
        for partenaire in PartenaireFactory.create_batch(60, centre=centre, themes=["sante"]):
            ContactFactory(partenaire=partenaire)

        def modifier(partenaires, contacts):
            for ligne in partenaires:
                ligne["Téléphone"] = "05 53 00 00 01"
                ligne["Thèmes"] = "Logement"
            for ligne in contacts:
                ligne["Fonction"] = "Accueil"

        with CaptureQueriesContext(connection) as apercu:
            response = self.modifier_et_deposer(client_salarie, modifier)
        with CaptureQueriesContext(connection) as import_:
            confirmer(client_salarie, response.context["reference"])
        assert len(response.context["analyse"].mis_a_jour) == 60
        assert set(Partenaire.objects.values_list("telephone", flat=True)) == {"05 53 00 00 01"}
        assert set(Contact.objects.values_list("fonction", flat=True)) == {"Accueil"}
        assert len(apercu) <= 20
        assert len(import_) <= 30


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_export_and_import_in_the_browser(page, live_server, salarie_user, centre, tmp_path):
    from axe_playwright_python.sync_playwright import Axe
    from django.conf import settings as django_settings
    from playwright.sync_api import expect

    def sans_violation_grave():
        resultats = Axe().run(page, options={"resultTypes": ["violations"]})
        graves = [
            (v["id"], [n["html"][:120] for n in v["nodes"]])
            for v in resultats.response["violations"]
            if v["impact"] in {"serious", "critical"}
        ]
        assert graves == [], page.url

    PartenaireFactory(centre=centre, nom="Régie de quartier")
    client = Client()
    client.force_login(salarie_user)
    page.context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto("/partenaires/")

    page.get_by_role("button", name="Exporter").click()
    with page.expect_download() as telechargement:
        page.get_by_role("link", name="CSV, avec les contacts").click()
    assert telechargement.value.suggested_filename.startswith(f"partenaires-{centre.slug}-")
    assert "Régie de quartier" in Path(telechargement.value.path()).read_text("utf-8-sig")

    page.get_by_role("link", name="Importer", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Importer des partenaires")
    sans_violation_grave()

    invalide = tmp_path / "invalide.csv"
    invalide.write_bytes(fichier_csv([["nom", "catégorie"], ["Club", "Pétanque"]]))
    page.get_by_label("Fichier à importer").set_input_files(invalide)
    page.get_by_role("button", name="Voir l'aperçu").click()
    expect(page.get_by_text("Le fichier comporte 1 erreur : rien ne sera importé.")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Importer"))).to_have_count(0)
    sans_violation_grave()

    valide = tmp_path / "partenaires.csv"
    # No theme in this file: a transactional test finds the themes seeded by migration only
    # when it runs first (each one empties the database when it ends).
    valide.write_bytes(
        fichier_csv(
            [
                ["Nom", "Catégorie", "Contact prénom", "Contact nom"],
                ["Maison des solidarités", "Services du Conseil départemental", "Léa", "Roux"],
                ["Maison des solidarités", "", "Paul", "Petit"],
                ["Club de foot", "Club sportif ou culturel", "", ""],
            ]
        )
    )
    page.get_by_label("Fichier à importer").set_input_files(valide)
    page.get_by_role("button", name="Voir l'aperçu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aperçu de l'import")
    sans_violation_grave()
    page.get_by_role("button", name="Confirmer l'import").click()

    expect(
        page.get_by_text(f"Import terminé{NB}: 2 partenaires créés{NB}; 2 contacts ajoutés.")
    ).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="3 partenaires")).to_be_visible()

    # The round trip: export, change a cell in a spreadsheet, import back.
    page.get_by_role("button", name="Exporter").click()
    with page.expect_download() as telechargement:
        page.get_by_role("link", name="CSV, avec les contacts").click()
    lignes = list(
        csv.reader(
            io.StringIO(Path(telechargement.value.path()).read_text("utf-8-sig")), delimiter=";"
        )
    )
    colonne = lignes[0].index("Téléphone")
    for ligne in lignes[1:]:
        if ligne[0] == "Maison des solidarités":
            ligne[colonne] = "05 53 77 77 77"
    modifie = tmp_path / "annuaire-modifie.csv"
    modifie.write_bytes(fichier_csv(lignes))
    page.get_by_role("link", name="Importer", exact=True).click()
    page.get_by_label("Fichier à importer").set_input_files(modifie)
    page.get_by_role("button", name="Voir l'aperçu").click()
    expect(page.get_by_text("1 fiche sera mise à jour")).to_be_visible()
    expect(page.get_by_text("2 fiches du fichier sont déjà à jour")).to_be_visible()
    changement = page.locator("#fiches-mises-a-jour .changements-import li")
    expect(changement).to_have_text(re.compile(r"Téléphone.*\(vide\).*05.53.77.77.77", re.S))
    sans_violation_grave()
    page.get_by_role("button", name="Confirmer l'import").click()
    expect(page.get_by_text(f"Import terminé{NB}: 1 partenaire mis à jour.")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="3 partenaires")).to_be_visible()
    page.get_by_role("link", name="Maison des solidarités").click()
    expect(page.get_by_role("link", name=re.compile("05.53.77.77.77"))).to_be_visible()

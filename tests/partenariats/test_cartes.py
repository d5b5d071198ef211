"""The frise des partenariats and the carte du maillage: the layout (pure functions, no
database), the aggregated reads, the pages, their tables and PDFs."""

import itertools
import re
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from commun.polices import largeur_texte, lignes, raccourcir
from partenariats import cartes
from partenariats.enums import (
    Horizon,
    NiveauImplication,
    RoleRaci,
    StatutPartenariat,
    TypePartenariat,
)
from partenariats.selectors_cartes import (
    LUES_PAR_CASE,
    SOMMETS_PAR_ANNEAU,
    carte_du_centre,
    frise_du_centre,
)
from tests.cafes.factories import CafeFactory, CafeSerieFactory, InvitationFactory
from tests.partenariats.factories import (
    ContactFactory,
    PartenaireFactory,
    PartenariatFactory,
    ParticipationProjetFactory,
    ProjetFactory,
)

SVG = "{http://www.w3.org/2000/svg}"
NOMS = [
    "Mairie d'Agen",
    "Caisse d'allocations familiales de Lot-et-Garonne",
    "CCAS",
    "Association des parents d'élèves de l'école élémentaire Jean-Jaurès de Montanou",
    "Pharmacie du Pin",
    "Mission locale de l'Agenais, de l'Albret et du Confluent",
    "Judo club agenais",
]


def _entree(n, sigle=""):
    return cartes.Entree(pk=n, nom=f"{NOMS[n % len(NOMS)]} {n}", url=f"/p/{n}/", sigle=sigle)


def _chevauchements(boites):
    return [(a, b) for a, b in itertools.combinations(boites, 2) if a.chevauche(b)]


# --- Measuring text -------------------------------------------------------------------------


def test_text_is_measured_in_the_drawings_font():
    assert largeur_texte("", 14) == 0
    assert largeur_texte("iiii", 14) < largeur_texte("MMMM", 14)
    assert largeur_texte("Agen", 28) == pytest.approx(2 * largeur_texte("Agen", 14))
    assert largeur_texte("Agen", 14, 600) > largeur_texte("Agen", 14)


def test_a_long_name_is_cut_to_fit_with_an_ellipsis():
    nom = NOMS[3]
    court = raccourcir(nom, 150, 14)
    assert court.endswith("…") and court[:-1] in nom
    assert largeur_texte(court, 14) <= 150
    assert raccourcir("CCAS", 150, 14) == "CCAS"


def test_lines_break_at_spaces_and_the_last_one_is_cut():
    resultat = lignes(NOMS[3], 120, 13, nb_max=2)
    assert len(resultat) == 2
    assert resultat[-1].endswith("…")
    assert all(largeur_texte(ligne, 13) <= 120 for ligne in resultat)
    assert lignes("Centre social de Montanou", 200, 14) == ["Centre social de Montanou"]


# --- The frise's layout ---------------------------------------------------------------------


def _cases(repartition):
    """{(niveau, horizon): Case} with ``repartition[i]`` partners in the i-th cell."""
    cases, n = {}, 0
    for (niveau, horizon), total in zip(
        itertools.product(NiveauImplication, Horizon), repartition, strict=True
    ):
        entrees = [_entree(n + k, sigle="ASSO" if k % 4 == 0 else "") for k in range(total)]
        cases[niveau.value, horizon.value] = cartes.Case(
            niveau.value,
            horizon.value,
            entrees[: cartes.PUCES_PAR_CASE],
            total,
            f"/partenariats/?niveau={niveau.value}&horizon={horizon.value}",
        )
        n += total
    return cases


# 60 partners, one cell much fuller than the others.
SOIXANTE = [3, 4, 2, 6, 9, 5, 4, 7, 20]


def test_frise_of_sixty_partners_has_no_overlapping_chip():
    frise = cartes.frise_disposer(_cases(SOIXANTE))
    puces = frise.puces
    assert len([p for p in puces if p.entree]) == 60
    assert _chevauchements([p.boite for p in puces]) == []
    for ligne in frise.lignes:
        # A line is as tall as its fullest cell, and every chip stays inside its cell.
        assert {case.boite.hauteur for case in ligne.cases} == {ligne.boite.hauteur}
        for case in ligne.cases:
            assert all(case.boite.contient(p.boite) for p in case.puces)
            assert all(p.texte_x + largeur_texte(p.texte, 14) <= p.boite.droite for p in case.puces)
    hauts = [ligne.boite for ligne in frise.lignes]
    assert all(a.bas <= b.y for a, b in itertools.pairwise(hauts))
    assert frise.hauteur >= hauts[-1].bas
    assert frise.largeur >= max(p.boite.droite for p in puces)


def test_frise_cell_grows_to_fit_and_caps_its_chips():
    frise = cartes.frise_disposer(_cases([0, 0, 0, 0, 0, 0, 0, 0, 45]))
    derniere = frise.lignes[-1].cases[-1]
    partenaires = [p for p in derniere.puces if p.entree]
    autres = [p for p in derniere.puces if not p.entree]
    assert len(partenaires) == cartes.PUCES_PAR_CASE
    assert [a.texte for a in autres] == ["+ 25 autres"]
    assert autres[0].url == "/partenariats/?niveau=information&horizon=long"
    # A click on any chip leads somewhere: 20 partners and their cell's list.
    assert [z.url for z in frise.zones][-1] == autres[0].url
    assert len(frise.zones) == 21
    assert frise.zones[-1].titre == "+ 25 autres — Information, Long terme"
    assert derniere.boite.hauteur > cartes.CASE_HAUTEUR_MIN * 3
    # The empty lines keep their minimum height.
    assert frise.lignes[0].boite.hauteur < derniere.boite.hauteur


def test_a_frise_too_tall_for_a_page_prints_line_by_line():
    assert cartes.frise_disposer(_cases([2] * 9)).tient_sur_une_page
    frise = cartes.frise_disposer(_cases([20] * 9))
    assert not frise.tient_sur_une_page
    largeurs = set()
    for (entete, tranche), ligne in zip(frise.tranches, frise.lignes, strict=True):
        assert tranche.boite.contient(ligne.boite)
        assert entete.boite.bas <= frise.lignes[0].boite.y
        # All at one width (mm), each fits under the title.
        largeurs |= {entete.largeur, tranche.largeur}
        assert (entete.unite, tranche.unite) == ("mm", "mm")
        assert entete.hauteur + tranche.hauteur <= cartes.PAGE_HAUTEUR + 1e-6
    assert len(largeurs) == 1 and largeurs.pop() <= cartes.PAGE_LARGEUR


def test_frise_uses_the_acronym_of_a_name_too_long_for_its_cell():
    entree = cartes.Entree(pk=1, nom=NOMS[3] * 2, url="/p/1/", sigle="APE")
    sans_sigle = cartes.Entree(pk=2, nom=NOMS[3] * 2, url="/p/2/")
    case = cartes.Case("allie", "court", [entree, sans_sigle], 2)
    frise = cartes.frise_disposer({("allie", "court"): case})
    puces = frise.lignes[1].cases[0].puces
    assert puces[0].texte == "APE"
    assert puces[1].texte.endswith("…")
    assert puces[1].boite.largeur <= cartes.COLONNE_LARGEUR - 2 * cartes.CASE_MARGE


# --- The carte's layout ---------------------------------------------------------------------


def _anneaux(effectifs, scores=(1, 3, 12)):
    anneaux, n = [], 0
    for anneau, total in enumerate(effectifs):
        sommets = [
            cartes.Sommet(
                _entree(n + k, sigle="MSA" if k % 5 == 0 else ""),
                anneau,
                list(TypePartenariat)[k % 4].value,
                scores[k % len(scores)],
            )
            for k in range(min(total, SOMMETS_PAR_ANNEAU))
        ]
        anneaux.append((sommets, total, f"/partenariats/?niveau={n}"))
        n += total
    return anneaux


def test_carte_of_sixty_partners_draws_them_all_without_overlap():
    carte = cartes.carte_disposer("Centre social de Montanou", _anneaux([10, 20, 30]))
    assert [len(a.noeuds) for a in carte.anneaux] == [10, 20, 30]
    assert [a.autres for a in carte.anneaux] == [None, None, None]
    assert [z.boite for z in carte.zones] == [n.boite for n in carte.noeuds]
    assert _chevauchements(carte.boites) == []
    cadre = cartes.Boite(0, 0, carte.largeur, carte.hauteur)
    assert all(cadre.contient(boite) for boite in carte.boites)
    for anneau in carte.anneaux:
        for noeud in anneau.noeuds:
            assert noeud.boite.contient(noeud.etiquette_boite)
            distance = ((noeud.x - carte.cx) ** 2 + (noeud.y - carte.cy) ** 2) ** 0.5
            assert distance == pytest.approx(anneau.rayon)


def test_a_crowded_ring_draws_what_fits_and_links_to_the_others():
    carte = cartes.carte_disposer("Centre social de Montanou", _anneaux([40, 300, 1200]))
    assert _chevauchements(carte.boites) == []
    for anneau, total in zip(carte.anneaux, [40, 300, 1200], strict=True):
        assert 0 < len(anneau.noeuds) < total
        assert anneau.nb_autres == total - len(anneau.noeuds)
        assert anneau.autres.texte == f"+ {anneau.nb_autres} autres"
        assert anneau.autres.url.startswith("/partenariats/?niveau=")
    # Most connected first: the drawn ones are the first of each ring's list.
    sommets = _anneaux([40, 300, 1200])[2][0]
    assert [n.sommet for n in carte.anneaux[2].noeuds] == sommets[: len(carte.anneaux[2].noeuds)]


def test_an_empty_carte_has_its_centre_and_rings_only():
    carte = cartes.carte_disposer("Centre social de Montanou", _anneaux([0, 0, 0]))
    assert carte.noeuds == []
    assert [a.autres for a in carte.anneaux] == [None, None, None]
    assert [texte for texte, _y in carte.centre_lignes] == ["Centre social de", "Montanou"]


def test_node_size_grows_with_what_is_shared_up_to_a_cap():
    rayons = [cartes.rayon_noeud(score) for score in range(1, 20)]
    assert rayons == sorted(rayons)
    assert rayons[0] == cartes.NOEUD_RAYON_MIN
    assert max(rayons) == cartes.NOEUD_RAYON_MAX == cartes.rayon_noeud(cartes.SCORE_MAX)


def test_each_type_has_its_own_letter_and_colour():
    assert len({cartes.lettre_type(t) for t in TypePartenariat}) == 4
    assert len(set(cartes.COULEURS_TYPES.values())) == 4


# --- The reads ------------------------------------------------------------------------------


def _venu_aux_cafes(centre, partenaire, presences):
    """One café of the centre per item of ``presences``, the partner's contact checked in at
    those that say True."""
    contact = ContactFactory(partenaire=partenaire)
    serie = CafeSerieFactory(centre=centre)
    for present in presences:
        InvitationFactory(
            cafe=CafeFactory(centre=centre, serie=serie), contact=contact, present=present
        )


@pytest.mark.django_db
def test_frise_rows_one_chip_per_partner_and_cell(centre, autre_centre):
    mairie = PartenaireFactory(centre=centre, nom="Mairie d'Agen")
    for type_ in (TypePartenariat.ACTION, TypePartenariat.CONCERTATION):
        PartenariatFactory(
            centre=centre, partenaire=mairie, niveau="allie", horizon="court", type=type_
        )
    PartenariatFactory(centre=centre, partenaire=mairie, niveau="co_porteur", horizon="long")
    PartenariatFactory(
        centre=centre, niveau="allie", horizon="court", statut=StatutPartenariat.TERMINE
    )
    PartenariatFactory(centre=autre_centre, niveau="allie", horizon="court")

    cases = frise_du_centre(centre)
    assert set(cases) == {("allie", "court"), ("co_porteur", "long")}
    (entree,) = cases["allie", "court"].entrees
    assert (entree.nom, entree.url) == ("Mairie d'Agen", f"/partenaires/{mairie.pk}/")
    assert entree.details == "2 partenariats"
    assert cases["allie", "court"].total == 1
    assert cases["co_porteur", "long"].entrees[0].details.startswith("Action\u00a0: ")


@pytest.mark.django_db
def test_frise_cell_reads_its_newest_partners_and_counts_the_others(centre):
    for n in range(25):
        PartenariatFactory(
            centre=centre, partenaire__nom=f"Club {n:02d}", niveau="information", horizon="moyen"
        )
    case = frise_du_centre(centre)["information", "moyen"]
    # The partners of the newest partnerships, in alphabetical order.
    assert [e.nom for e in case.entrees] == [f"Club {n:02d}" for n in range(5, 25)]
    assert (case.total, case.nb_autres) == (25, 5)
    assert case.url_autres == "/partenariats/?niveau=information&horizon=moyen"


@pytest.mark.django_db
def test_a_partner_with_many_partnerships_in_a_cell_leaves_the_count_right(centre):
    """The newest rows of a cell may all be one partner's: the cell then shows fewer chips,
    and says how many partners it has besides."""
    for n in range(5):
        PartenariatFactory(
            centre=centre, niveau="allie", horizon="long", partenaire__nom=f"Club {n}"
        )
    mairie = PartenaireFactory(centre=centre, nom="Mairie d'Agen")
    PartenariatFactory.create_batch(
        LUES_PAR_CASE + 5, centre=centre, partenaire=mairie, niveau="allie", horizon="long"
    )
    case = frise_du_centre(centre)["allie", "long"]
    assert [(e.nom, e.details) for e in case.entrees] == [
        ("Mairie d'Agen", f"{LUES_PAR_CASE + 5} partenariats")
    ]
    assert (case.total, case.nb_autres) == (6, 5)


@pytest.mark.django_db
def test_carte_ring_is_the_closest_level_and_size_counts_projects_and_cafes(centre):
    caf = PartenaireFactory(centre=centre, nom="CAF de Lot-et-Garonne", sigle="CAF")
    PartenariatFactory(centre=centre, partenaire=caf, niveau="information", type="concertation")
    PartenariatFactory(centre=centre, partenaire=caf, niveau="allie", type="projet")
    ParticipationProjetFactory(projet__centre=centre, partenaire=caf)
    _venu_aux_cafes(centre, caf, [True, True, False])
    PartenariatFactory(centre=centre, niveau="information", partenaire__nom="Boulangerie du Pin")

    co_porteurs, allies, information = carte_du_centre(centre)
    assert co_porteurs == ([], 0, "/partenariats/?niveau=co_porteur")
    (sommet,) = allies[0]
    lien = sommet.donnees
    assert (sommet.type, sommet.anneau) == ("projet", 1)
    assert (lien.nb_partenariats, lien.nb_projets, lien.comptes) == (2, 1, [("Cafés", 2)])
    assert sommet.score == 5
    assert [t for t, _n in lien.types] == [TypePartenariat.PROJET, TypePartenariat.CONCERTATION]
    assert [s.entree.nom for s in information[0]] == ["Boulangerie du Pin"]
    assert information[1] == 1


@pytest.mark.django_db
def test_a_partner_climbs_into_a_full_ring_through_its_cafes(centre):
    """The database ranks by partnerships; cafés come on top afterwards, and a partner that
    came to many is read even from outside the database's first ones."""
    for n in range(SOMMETS_PAR_ANNEAU + 5):
        PartenariatFactory(centre=centre, niveau="information", partenaire__nom=f"Asso {n:03d}")
    habitue = PartenaireFactory(centre=centre, nom="Zèbre habitué")
    PartenariatFactory(centre=centre, partenaire=habitue, niveau="information")
    _venu_aux_cafes(centre, habitue, [True, True, True])
    sommets, total, _url = carte_du_centre(centre)[2]
    assert total == SOMMETS_PAR_ANNEAU + 6
    assert len(sommets) == SOMMETS_PAR_ANNEAU
    assert sommets[0].entree.nom == "Zèbre habitué"


# --- The pages ------------------------------------------------------------------------------


class _Liens(HTMLParser):
    """The links of a page, split between those of the drawing (the <svg> laid over it) and
    those outside."""

    def __init__(self):
        super().__init__()
        self.dessin, self.tableau, self._svg, self._lien = [], [], 0, None

    def handle_starttag(self, tag, attrs):
        if tag == "svg":
            self._svg += 1
        href = dict(attrs).get("href") or ""
        if tag == "a" and re.match(r"/partenaires/\d|/partenariats/\?", href):
            self._lien = href

    def handle_endtag(self, tag):
        if tag == "svg":
            self._svg -= 1
        if tag == "a" and self._lien:
            (self.dessin if self._svg else self.tableau).append(self._lien)
            self._lien = None


def _liens(html):
    lecteur = _Liens()
    lecteur.feed(html)
    return lecteur


def _dessin(html):
    """The page's drawing, parsed as XML (it must be well-formed SVG): a picture with no link,
    under a layer of links hidden from assistive technologies and out of the tab order (the
    table holds the same links for them)."""
    motif = r"<svg xmlns=\"http://www.w3.org/2000/svg\"\s+class=\"dessin(?: |-liens).*?</svg>"
    image, liens = (ET.fromstring(source) for source in re.findall(motif, html, re.S))
    assert image.get("class").startswith("dessin ")
    assert list(image.iter(f"{SVG}a")) == []
    assert (liens.get("class"), liens.get("aria-hidden")) == ("dessin-liens", "true")
    assert {a.get("tabindex") for a in liens.iter(f"{SVG}a")} == {"-1"}
    assert liens.get("viewBox") == image.get("viewBox")
    return image


def _le_dessin_est_accessible(svg):
    assert svg.get("role") == "img"
    titre, description = svg.get("aria-labelledby").split()
    assert svg.find(f"{SVG}title").get("id") == titre
    assert svg.find(f"{SVG}desc").get("id") == description
    assert svg.find(f"{SVG}desc").text.strip()


def _partenariats(centre, nombre):
    niveaux, horizons, types = list(NiveauImplication), list(Horizon), list(TypePartenariat)
    for n in range(nombre):
        PartenariatFactory(
            centre=centre,
            partenaire__nom=f"Partenaire {n:03d}",
            niveau=niveaux[n % 3],
            horizon=horizons[(n // 3) % 3],
            type=types[n % 4],
        )


@pytest.mark.django_db
class TestFrise:
    url = reverse("partenariats:frise")

    def test_chips_link_to_partners_and_the_table_holds_the_same(self, client_lecture, centre):
        _partenariats(centre, 30)
        for n in range(25):
            PartenariatFactory(
                centre=centre, niveau="co_porteur", horizon="court", partenaire__nom=f"Zeta {n}"
            )
        response = client_lecture.get(self.url)
        html = response.content.decode()
        assert response.status_code == 200
        svg = _dessin(html)
        _le_dessin_est_accessible(svg)
        assert (
            svg.find(f"{SVG}title").text
            == "Frise des partenariats\u00a0: Centre social de Montanou"
        )
        liens = _liens(html)
        assert sorted(liens.dessin) == sorted(liens.tableau)
        # 26 partners in eight cells, and 29 in the first: 20 drawn, 9 counted.
        assert len([u for u in liens.dessin if u.startswith("/partenaires/")]) == 26 + 20
        assert "/partenariats/?niveau=co_porteur&amp;horizon=court" in html
        assert "+ 9 autres" in html
        # The partner's name is in the chip and its tooltip.
        assert "<title>Partenaire 001 — Action\u00a0: Stages sportifs" in html

    def test_query_count_does_not_grow_with_partnerships(
        self, client_lecture, centre, django_assert_max_num_queries
    ):
        _partenariats(centre, 10)
        # One query per cell of the frise on SQLite, one for them all elsewhere.
        with django_assert_max_num_queries(16) as petit:
            client_lecture.get(self.url)
        _partenariats(centre, 90)
        with django_assert_max_num_queries(len(petit.captured_queries)):
            response = client_lecture.get(self.url)
        assert len(_liens(response.content.decode()).dessin) == 100

    def test_empty_frise_says_so(self, client_lecture):
        response = client_lecture.get(self.url)
        assert "Aucun partenariat en cours" in response.content.decode()
        assert "<svg" not in response.content.decode().split("<main")[1]

    def test_a_tall_frise_goes_over_several_pages(self, client_lecture, centre):
        _partenariats(centre, 120)
        # Printing the page gives it line by line too.
        html = client_lecture.get(self.url).content.decode()
        assert html.count('class="dessin-tranche"') == 6
        response = client_lecture.get(reverse("partenariats:frise_pdf"))
        texte = _texte_pdf(response.content)
        # One page per line of the frise, then the table.
        pages = int(re.search(r"Pages:\s+(\d+)", _infos_pdf(response.content)).group(1))
        assert pages >= 4
        assert "Partenaire 000" in texte and "Partenaire 119" in texte

    def test_pdf_is_the_frise_on_a4_landscape(self, client_lecture, centre):
        _partenariats(centre, 12)
        response = client_lecture.get(reverse("partenariats:frise_pdf"))
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith(
            'attachment; filename="frise-partenariats-'
        )
        texte = _texte_pdf(response.content)
        assert "Frise des partenariats" in texte
        assert "Partenaire 000" in texte and "Partenaire 011" in texte
        assert "Court terme" in texte and "Long terme" in texte
        assert "841.89 x 595.276 pts (A4)" in _infos_pdf(response.content)


@pytest.mark.django_db
class TestFriseProjet:
    def test_project_partners_by_level_and_horizon(self, client_lecture, centre):
        projet = ProjetFactory(centre=centre, titre="Bien dans son assiette, bien dans ses baskets")
        ParticipationProjetFactory(
            projet=projet,
            partenaire__nom="CODES",
            niveau="co_porteur",
            horizon="court",
            role=RoleRaci.RESPONSABLE,
        )
        ParticipationProjetFactory(
            projet=projet, partenaire__nom="Restos bébés", niveau="information", horizon="long"
        )
        autre = ParticipationProjetFactory(projet__centre=centre, partenaire__nom="Autre projet")
        response = client_lecture.get(reverse("partenariats:frise_projet", args=[projet.pk]))
        html = response.content.decode()
        assert response.status_code == 200
        _le_dessin_est_accessible(_dessin(html))
        assert "Frise\u00a0: Bien dans son assiette, bien dans ses baskets" in html
        assert "Rôle\u00a0: Responsable" in html
        assert autre.partenaire.nom not in html
        liens = _liens(html)
        assert sorted(liens.dessin) == sorted(liens.tableau)
        assert len(liens.dessin) == 2

    def test_a_crowded_cell_says_how_many_others(self, client_lecture, centre):
        projet = ProjetFactory(centre=centre)
        for _n in range(23):
            ParticipationProjetFactory(projet=projet, niveau="allie", horizon="moyen")
        html = client_lecture.get(
            reverse("partenariats:frise_projet", args=[projet.pk])
        ).content.decode()
        assert html.count("+ 3 autres") >= 2
        assert html.split('id="tableau-frise"')[1].count("+ 3 autres") == 1
        assert f'href="/projets/{projet.pk}/#partenaires"' in html

    def test_query_count_does_not_grow_with_partners(
        self, client_lecture, centre, django_assert_max_num_queries
    ):
        projet = ProjetFactory(centre=centre)
        ParticipationProjetFactory.create_batch(3, projet=projet)
        url = reverse("partenariats:frise_projet", args=[projet.pk])
        with django_assert_max_num_queries(8) as petit:
            client_lecture.get(url)
        ParticipationProjetFactory.create_batch(30, projet=projet)
        with django_assert_max_num_queries(len(petit.captured_queries)):
            client_lecture.get(url)

    def test_another_centres_project_is_not_found(self, client_lecture, autre_centre):
        projet = ProjetFactory(centre=autre_centre)
        ParticipationProjetFactory(projet=projet)
        for nom in ("frise_projet", "frise_projet_pdf"):
            assert (
                client_lecture.get(reverse(f"partenariats:{nom}", args=[projet.pk])).status_code
                == 404
            )

    def test_pdf(self, client_lecture, centre):
        projet = ProjetFactory(centre=centre, titre="Jardins partagés")
        ParticipationProjetFactory(projet=projet, partenaire__nom="Régie de quartier")
        response = client_lecture.get(reverse("partenariats:frise_projet_pdf", args=[projet.pk]))
        assert response["Content-Disposition"].startswith(
            'attachment; filename="frise-jardins-partages-'
        )
        texte = _texte_pdf(response.content)
        assert "Frise : Jardins partagés" in texte.replace("\u00a0", " ")
        assert "Régie de quartier" in texte


@pytest.mark.django_db
class TestCarte:
    url = reverse("partenariats:carte")

    def test_nodes_link_to_partners_and_the_table_holds_the_same(self, client_lecture, centre):
        _partenariats(centre, 45)
        response = client_lecture.get(self.url)
        html = response.content.decode()
        svg = _dessin(html)
        _le_dessin_est_accessible(svg)
        liens = _liens(html)
        assert sorted(liens.dessin) == sorted(liens.tableau)
        assert len(liens.dessin) == 45
        # Colour is not the only cue: each node carries its type's letter, and the legend
        # and the table name the types.
        lettres = {t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "lettre"}
        assert lettres == {"O", "A", "P", "C"}
        assert "Partenariat\u00a0: Concertation" in html
        assert "Co-porteur" in html and "15 partenaires" in html

    def test_a_crowded_ring_links_to_the_others(self, client_lecture, centre):
        for n in range(70):
            PartenariatFactory(centre=centre, niveau="co_porteur", partenaire__nom=f"Asso {n:02d}")
        html = client_lecture.get(self.url).content.decode()
        liens = _liens(html)
        assert sorted(liens.dessin) == sorted(liens.tableau)
        assert "/partenariats/?niveau=co_porteur" in liens.dessin
        dessines = len([u for u in liens.dessin if u.startswith("/partenaires/")])
        assert f"+ {70 - dessines} autres" in html

    def test_query_count_does_not_grow_with_partnerships(
        self, client_lecture, centre, django_assert_max_num_queries
    ):
        _partenariats(centre, 10)
        ParticipationProjetFactory(projet__centre=centre)
        with django_assert_max_num_queries(10) as petit:
            client_lecture.get(self.url)
        _partenariats(centre, 90)
        with django_assert_max_num_queries(len(petit.captured_queries)):
            client_lecture.get(self.url)

    def test_pdf(self, client_lecture, centre):
        _partenariats(centre, 6)
        response = client_lecture.get(reverse("partenariats:carte_pdf"))
        texte = _texte_pdf(response.content)
        assert "Carte du maillage" in texte
        assert "Partenaire 005" in texte
        assert "Légende" in texte
        assert "841.89 x 595.276 pts (A4)" in _infos_pdf(response.content)


@pytest.mark.django_db
@pytest.mark.parametrize("nom", ["frise", "frise_pdf", "carte", "carte_pdf"])
def test_read_only_members_may_see_them(client_lecture, centre, nom):
    _partenariats(centre, 3)
    assert client_lecture.get(reverse(f"partenariats:{nom}")).status_code == 200


def _texte_pdf(contenu):
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=contenu, capture_output=True, check=True
    ).stdout.decode()


def _infos_pdf(contenu):
    return subprocess.run(
        ["pdfinfo", "-"], input=contenu, capture_output=True, check=True
    ).stdout.decode()

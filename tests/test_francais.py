"""French as it is written (STYLE.md), checked on what people read: every page the demo's
accounts reach from the home page, every email the apps write, the PDFs those pages link to.

The demo is loaded into the test database; a crawler follows the same-site links of each
account (and, anonymously, the personal links the emails carry); each text is searched for the
faults issue 9 lists: "de" or "pour" in front of a name without its article ("la fiche de
Agen Habitat", "pour Centre social…"), "de" before a vowel, "..." for "…", an ordinary space
after "«", a second apostrophe (the UI writes the typewriter one, as everyone types names in;
only the booklet's print typography, ``partenariats.livret.typographie``, curls them), "1
décembre" for "1er décembre".

Spaces before ": ; ? ! »" and inside "9 h 30" are checked in the sources instead (every
template and every string of the apps' code): on a page they sit next to what partners typed
in their fiche ("Missions : …", "8 h 30"), which is theirs to write.
"""

import io
import re
import subprocess
import tokenize
from datetime import date, datetime
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from urllib.parse import parse_qs, urldefrag, urljoin, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from cafes import emails as emails_cafes
from cafes.ics import cafe_ics
from cafes.models import Cafe, CompteRendu
from cafes.services.invitations import invitations_preparer
from commun.dates import date_fr
from courrier.models import Courriel
from partenariats import emails as emails_partenariats
from partenariats.alertes import alertes
from partenariats.models import Partenaire
from partenariats.selectors import Destinataire
from partenariats.services.demandes import demande_envoyer
from reseau import emails as emails_reseau
from reseau.demo import COMPTES
from reseau.models import Centre, Membre, User

# Pages per account, and pages of one shape (the same path but for its numbers, the same
# query parameters): forty partners' fiches say what three of them say, and the cap keeps the
# test under a minute while every kind of page is read.
PLAFOND = 150
PAR_FORME = 3
# URLs whose GET changes nothing worth reading, or leaves the session (logging out).
EXCLUS = re.compile(r"^/(admin/|static/|media/|compte/deconnexion|i18n/)")

# The words a centre or a partner's name starts with when it has no article of its own, and
# the demo's people ("par Nadia Belkacem" is right, "Rôle de Odette Lagarde" is not).
ORGANISATIONS = (
    r"(?:Centre|Association|Agen|Régie|Médiathèque|Mission|Maison|Caisse|CAF|CCAS|CPAM|"
    r"Café|Secours|Restos|Pôle|France|Habitat)"
)
NOMS = rf"(?:{ORGANISATIONS}|Odette|Nadia|Julien|Claire|Admin)"
FAUTES = {
    "« de » devant une voyelle": re.compile(r"\b[Dd]e [AEIOUYÉÈÊÂÎÔaeiouyéèêâîô]"),
    "« de » ou « pour » devant un nom sans article": re.compile(rf"\b(?:[Dd]e|pour) {NOMS}\b"),
    "« par » devant un nom d'organisation sans article": re.compile(rf"\bpar {ORGANISATIONS}\b"),
    "« ... » au lieu de « … »": re.compile(r"\.\.\."),
    "espace ordinaire après «": re.compile(r"« "),
    "apostrophe typographique": re.compile(r"’"),
    "« 1 » pour le premier du mois": re.compile(
        r"\b1 (?:janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|"
        r"novembre|décembre)\b"
    ),
    "écriture inclusive (une tournure sans genre à la place)": re.compile(r"\w·\w"),
    "titre de calendrier redoublé": re.compile(r"Café partenaires — Café partenaires"),
}


class _Texte(HTMLParser):
    """The text a reader sees (and the attributes read aloud or shown on hover), and the links."""

    LUS = {"title", "aria-label", "placeholder", "alt", "content"}
    CACHES = {"script", "style"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.morceaux, self.liens, self._cache = [], [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.CACHES:
            self._cache += 1
        if tag == "a" and attrs.get("href"):
            self.liens.append(attrs["href"])
        if tag == "meta" and attrs.get("name") not in {"description"}:
            attrs.pop("content", None)
        for nom in self.LUS & attrs.keys():
            if attrs[nom]:
                self.morceaux.append(attrs[nom])

    def handle_endtag(self, tag):
        if tag in self.CACHES:
            self._cache -= 1

    def handle_data(self, data):
        if not self._cache:
            self.morceaux.append(data)


def _lire_html(html):
    lecteur = _Texte()
    lecteur.feed(html)
    # A line of text as a reader sees it: the template's line breaks and indents are spaces.
    texte = re.sub(r"[ \t\r\n]+", " ", "\n".join(lecteur.morceaux))
    return texte, lecteur.liens


def _texte_pdf(contenu):
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=contenu, capture_output=True, check=True
    ).stdout.decode()


def _fautes(texte):
    trouvees = []
    for nom, motif in FAUTES.items():
        for m in motif.finditer(texte):
            trouvees.append(f"{nom}: …{texte[max(0, m.start() - 40) : m.end() + 30]}…")
    return trouvees


def _explorer(client, depart, textes, plafond=PLAFOND):
    """Follows the same-site links from ``depart``; adds {url: text} for each page or PDF."""
    a_voir, vues, formes = list(depart), set(), {}
    while a_voir and len(vues) < plafond:
        url = a_voir.pop(0)
        if url in vues or EXCLUS.match(url):
            continue
        morceaux = urlsplit(url)
        forme = (re.sub(r"\d+", "N", morceaux.path), tuple(sorted(parse_qs(morceaux.query))))
        if formes.get(forme, 0) >= PAR_FORME:
            continue
        formes[forme] = formes.get(forme, 0) + 1
        vues.add(url)
        reponse = client.get(url, follow=True)
        # A stored file (a bilan's photo or document) is streamed from its open file: reading
        # it to the end closes it, as a server does once it is sent.
        contenu = reponse.getvalue() if reponse.streaming else reponse.content
        if reponse.status_code != 200:
            continue
        type_ = reponse.get("Content-Type", "")
        if type_.startswith("application/pdf"):
            # pdftotext writes a non-breaking space as a space: the sources say which it is.
            textes[url] = _texte_pdf(contenu).replace("« ", "«\u00a0")
            continue
        if not type_.startswith("text/html"):
            continue
        texte, liens = _lire_html(contenu.decode())
        textes[url] = texte
        for lien in liens:
            lien = urldefrag(urljoin(url, lien)).url
            morceaux = urlsplit(lien)
            if morceaux.scheme not in {"", "http", "https"}:
                continue
            if morceaux.netloc not in {"", "testserver", urlsplit(settings.SITE_URL).netloc}:
                continue
            chemin = morceaux.path + (f"?{morceaux.query}" if morceaux.query else "")
            if chemin not in vues:
                a_voir.append(chemin)


def _courriels(textes):
    """Writes one email of each kind about the demo's objects; returns the outbox rows."""
    cafe = Cafe.objects.filter(date__gte=timezone.localdate()).order_by("date").first()
    invitations_preparer(cafe=cafe)
    invitations = list(cafe.invitations.select_related("contact__partenaire")[:1])
    emails_cafes.invitations(cafe=cafe, invitations=invitations)
    textes["invitation.ics"] = cafe_ics(cafe, method="PUBLISH").decode()
    emails_cafes.rappels(cafe=cafe, invitations=invitations)
    emails_cafes.modifications(cafe=cafe, invitations=invitations)
    emails_cafes.annulations(cafe=cafe, invitations=invitations)
    emails_cafes.maintiens(cafe=cafe, invitations=invitations)
    emails_cafes.invitation_collegue(invitation=invitations[0], par=invitations[0].contact)
    emails_cafes.nouveau_lien(invitation=invitations[0], adresses=["directrice@montanou.demo"])
    compte_rendu = CompteRendu.objects.select_related("cafe").first()
    emails_cafes.comptes_rendus(
        compte_rendu=compte_rendu,
        invitations=list(compte_rendu.cafe.invitations.all()[:1]),
        pdf=("compte-rendu.pdf", b"%PDF-1.4"),
    )

    directrice = User.objects.get(email="directrice@montanou.demo")
    partenaire = Partenaire.objects.filter(contacts__email__gt="").first()
    contact = partenaire.contacts.exclude(email="").first()
    demande = demande_envoyer(
        partenaire=partenaire,
        destinataire=Destinataire(cle="c", adresse=contact.email, contact=contact),
        par=directrice,
    )
    emails_partenariats.demande_fiche_nouveau_lien(demande=demande, destinataire=directrice.email)
    montanou = Centre.objects.get(slug="montanou")
    emails_partenariats.alertes_recapitulatif(
        centre=montanou,
        destinataire=directrice,
        alertes=alertes(montanou, timezone.localdate()),
        deja_signalees=1,
    )
    membre = Membre.objects.select_related("user", "centre").get(
        user__email="animateur@montanou.demo"
    )
    emails_reseau.invitation_envoyer(
        membre=membre, invite_par=directrice, nouveau=True, lien="https://exemple.fr/lien"
    )
    emails_reseau.reinitialisation_envoyer(user=directrice, lien="https://exemple.fr/lien")
    return list(Courriel.objects.all())


@pytest.fixture
def demo(db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    call_command("demo", stdout=StringIO())


@pytest.mark.django_db
def test_pages_emails_and_pdfs_of_the_demo_write_french(demo, client):
    textes = {}
    for courriel in _courriels(textes):
        textes[f"courriel (sujet) {courriel.sujet}"] = courriel.sujet
        textes[f"courriel (texte) {courriel.sujet}"] = courriel.corps_texte
        texte_html, liens = _lire_html(courriel.corps_html)
        textes[f"courriel (HTML) {courriel.sujet}"] = texte_html
        # The personal links an email carries lead to the partners' public pages.
        publics = [lien for lien in liens if lien.startswith(settings.SITE_URL)]
        _explorer(client, [lien[len(settings.SITE_URL) :] for lien in publics], textes, 20)

    for email, _description in COMPTES:
        client.force_login(User.objects.get(email=email))
        _explorer(client, ["/"], textes)
        client.logout()
    _explorer(client, [reverse("login"), reverse("donnees_personnelles")], textes, 10)

    # The crawl reached what issue 9 quotes: the members' roles, a contact's removal, a
    # partner's public fiche and answer page (through an email's link), a PDF, the calendar.
    lus = "\n".join(textes)
    for attendu in [
        reverse("reseau:membres"),
        "/supprimer/",
        "/partenaires/fiche/",
        "/cafes/reponse/",
        "emargement.pdf",
        "invitation.ics",
    ]:
        assert attendu in lus
    assert len(textes) > 100
    fautes = {}
    for url, texte in textes.items():
        for faute in _fautes(texte):
            fautes.setdefault(faute, url)
    # One line per fault, with the first page that shows it: pages of one kind say the same.
    assert not fautes, f"{len(fautes)} fautes :\n" + "\n".join(
        f"{url} — {faute}" for faute, url in sorted(fautes.items())
    )


RACINE = Path(__file__).resolve().parent.parent
APPS = ["cafes", "commun", "courrier", "partenariats", "reseau", "templates", "maillage"]
# What a reader sees of a template: neither its tags (but the strings they translate) nor its
# scripts and styles.
BALISES = re.compile(
    r"(\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}|<script.*?</script>|<style.*?</style>)", re.S
)
TRADUIRE = re.compile(r"\{%\s*(?:translate|trans)\s+(\"[^\"]*\"|'[^']*')")
ESPACE_AVANT = re.compile(r"(?<=\S) [:;?!»](?=[\s\"'<.,)]|$)")


def _textes_des_gabarits():
    for chemin in sorted(RACINE.glob("*/templates/**/*")) + sorted(RACINE.glob("templates/**/*")):
        if chemin.suffix not in {".html", ".txt"} or "tests" in chemin.parts:
            continue
        morceaux = BALISES.split(chemin.read_text())
        for n, morceau in enumerate(morceaux):
            if n % 2 == 0:
                # After a tag, the text starts next to something printed: "{{ x }} :".
                yield chemin, ("x" + morceau) if n else morceau
            elif m := TRADUIRE.match(morceau):
                yield chemin, m.group(1)


def _textes_du_code():
    for app in APPS:
        for chemin in sorted((RACINE / app).rglob("*.py")):
            if {"migrations", "management"} & set(chemin.parts) or "demo" in (
                chemin.stem,
                chemin.parent.name,
            ):
                continue
            source = chemin.read_text()
            for jeton in tokenize.generate_tokens(io.StringIO(source).readline):
                if jeton.type != tokenize.STRING:
                    continue
                # Docstrings are English, for developers.
                if jeton.string.lstrip("rbfuRBFU").startswith(('"""', "'''")):
                    continue
                yield chemin, jeton.string


def test_the_sources_put_a_non_breaking_space_before_high_punctuation():
    """Every template and every string of the code (models' labels and help texts, enums'
    choices included): U+00A0 before ": ; ? ! »" and after "«",
    "…" for "...", no "présent·e" (wording without gender instead), one apostrophe (the
    booklet's print templates curl theirs)."""
    fautes = []
    for chemin, texte in [*_textes_des_gabarits(), *_textes_du_code()]:
        nom = str(chemin.relative_to(RACINE))
        motifs = (ESPACE_AVANT, re.compile(r"« "), re.compile(r"\.\.\."), re.compile(r"\w·\w"))
        for motif in motifs:
            fautes += [
                f"{nom}: …{texte[max(0, m.start() - 30) : m.end() + 10]}…"
                for m in motif.finditer(texte)
            ]
        if (
            "’" in texte
            and "pdf/livret" not in nom
            and "pdf/_fiche" not in nom
            and nom != "partenariats/livret.py"
        ):
            fautes.append(f"{nom}: apostrophe typographique")
    assert not fautes, "\n".join(fautes)


@pytest.mark.parametrize(
    "valeur, format_, attendu",
    [
        (date(2026, 12, 1), "j F Y", "1er décembre 2026"),
        (date(2026, 12, 1), "l j F", "mardi 1er décembre"),
        (datetime(2026, 12, 1, 9, 5), "j F Y à H:i", "1er décembre 2026 à 09:05"),
        (date(2026, 12, 11), "j F Y", "11 décembre 2026"),
        (date(2026, 12, 21), "j F Y", "21 décembre 2026"),
        (date(2026, 12, 1), "d/m/Y", "01/12/2026"),
    ],
)
def test_the_first_day_of_a_month_is_the_1er(valeur, format_, attendu):
    gabarit = Template("{{ valeur|date:format_ }}")
    assert gabarit.render(Context({"valeur": valeur, "format_": format_})) == attendu


def test_code_writes_the_1er_too():
    assert date_fr(date(2026, 5, 1), "l j F Y") == "vendredi 1er mai 2026"
    assert date_fr(date(2026, 5, 11), "l j F Y") == "lundi 11 mai 2026"


def test_a_phone_number_stays_on_one_line():
    gabarit = Template("{{ numero|telephone }}")
    assert (
        gabarit.render(Context({"numero": "05 53 66 12 00"}))
        == "05\u00a053\u00a066\u00a012\u00a000"
    )
    assert gabarit.render(Context({"numero": ""})) == ""

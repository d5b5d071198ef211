"""Every page of the demo that each demo account reaches from the navigation.

The crawl goes through Django's test client: it starts at the home page, follows same-site
links found in the pages (``<a href>``) and keeps the HTML pages that answer 200. Links are
safe to follow: no view acts on GET. To stay fast, it keeps at most ``PAR_VUE`` URLs of one
view (a second partner's page says little more than the first) and ``PAR_COMPTE`` in all.
"""

import io
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve

from partenariats.enums import StatutLivret
from partenariats.models import Livret
from reseau.demo import COMPTES
from reseau.models import Centre, User

PAR_VUE = 2
PAR_COMPTE = 150
# Django's own admin is not ours to fix; the files are not pages.
PREFIXES_IGNORES = ("/admin/", "/static/", "/media/")


class _Liens(HTMLParser):
    def __init__(self):
        super().__init__()
        self.liens = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.liens.append(href)


def demo_charger():
    """The demo, plus the rows it has not made yet: booklets (a minute-long job), so that
    their list is checked too."""
    call_command("demo", stdout=io.StringIO())
    montanou = Centre.objects.get(slug="montanou")
    directrice = User.objects.get(email=COMPTES[0][0])
    for statut in StatutLivret:
        Livret.objects.create(
            centre=montanou,
            statut=statut,
            cree_par=directrice,
            nb_partenaires=38 if statut == StatutLivret.PRET else 0,
            nb_pages=52 if statut == StatutLivret.PRET else 0,
            fichier="livrets/livret.pdf" if statut == StatutLivret.PRET else "",
        )


def comptes_demo():
    """Each demo account, and None for a visitor, with the page each one starts from."""
    comptes = [(User.objects.get(email=email), "/") for email, _description in COMPTES]
    return [*comptes, (None, "/compte/connexion/")]


def pages(user, depart="/"):
    """[(url, html)] of the pages ``user`` (None: a visitor) reaches from ``depart``."""
    client = Client()
    if user is not None:
        client.force_login(user)
    a_voir, vues, trouvees, par_vue = [depart], set(), [], {}
    while a_voir and len(trouvees) < PAR_COMPTE:
        url = a_voir.pop(0)
        if url in vues:
            continue
        vues.add(url)
        try:
            vue = resolve(urlsplit(url).path).view_name
        except Resolver404:
            continue
        if par_vue.get(vue, 0) >= PAR_VUE:
            continue
        reponse = client.get(url)
        if reponse.streaming:
            # A stored file (a bilan's photo) is streamed from its open file: reading it to
            # the end closes it, as a server does once it is sent.
            reponse.getvalue()
        if reponse.status_code != 200 or not reponse["Content-Type"].startswith("text/html"):
            continue
        par_vue[vue] = par_vue.get(vue, 0) + 1
        html = reponse.content.decode()
        trouvees.append((url, html))
        parseur = _Liens()
        parseur.feed(html)
        for href in parseur.liens:
            lien = urlsplit(urljoin(url, href))
            if lien.scheme not in ("", "http") or lien.netloc not in ("", "testserver"):
                continue
            if lien.path.startswith(PREFIXES_IGNORES):
                continue
            suivante = lien.path + (f"?{lien.query}" if lien.query else "")
            if suivante not in vues:
                a_voir.append(suivante)
    return trouvees

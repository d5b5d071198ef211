"""Staff pages of the livret des partenaires: ask for one, follow its making, download it.

Every member may see and download the centre's booklets; making one needs the staff role.
The PDF is never served from MEDIA_URL: only ``LivretTelechargerView`` reads it, scoped to the
current centre like every other view.
"""

import io
from datetime import timedelta

from django import forms
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, ListView
from django.views.generic.detail import SingleObjectMixin

from commun.progression import progression_reponse
from partenariats.enums import RegroupementLivret, StatutLivret
from partenariats.livret import nom_de_fichier
from partenariats.models import Livret, Partenaire
from partenariats.services.livret import DELAI_BLOCAGE, livret_demander
from reseau.access import CentreMixin
from reseau.enums import Role

# Seconds between two updates of the progress page: htmx polls the bar that often
# (includes/barre_progression.html), a browser without JavaScript reloads the page.
RAFRAICHISSEMENT = 2


class LivretForm(forms.Form):
    regroupement = forms.ChoiceField(
        label=_("Classer les partenaires"),
        choices=RegroupementLivret.choices,
        initial=RegroupementLivret.CATEGORIE,
        widget=forms.RadioSelect,
        help_text=_(
            "Par thème, un partenaire qui agit dans plusieurs domaines figure sous chacun "
            "de ses thèmes."
        ),
    )


class LivretListeView(CentreMixin, ListView):
    """The centre's booklets, newest first, and the form that asks for a new one (POST)."""

    model = Livret
    template_name = "partenariats/livret_liste.html"
    context_object_name = "livrets"
    paginate_by = 20

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST":
            self.min_role = Role.SALARIE
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().select_related("cree_par").order_by("-cree_le", "-pk")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            form=kwargs.pop("form", None) or LivretForm(),
            nb_partenaires_livret=Partenaire.objects.for_centre(self.centre).du_livret().count(),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        form = LivretForm(request.POST)
        if not form.is_valid():
            self.object_list = self.get_queryset()
            return self.render_to_response(self.get_context_data(form=form))
        livret = livret_demander(
            centre=self.centre, regroupement=form.cleaned_data["regroupement"], par=request.user
        )
        return HttpResponseRedirect(reverse("partenariats:livret_detail", args=[livret.pk]))


class LivretDetailView(CentreMixin, DetailView):
    """One booklet: its progress while it is made (polled by htmx on this URL, or the page
    reloads itself without JavaScript), then the link."""

    model = Livret
    template_name = "partenariats/livret_detail.html"
    context_object_name = "livret"

    def get_queryset(self):
        return super().get_queryset().select_related("cree_par")

    def get_context_data(self, **kwargs):
        livret = self.object
        en_cours = livret.statut in (StatutLivret.EN_ATTENTE, StatutLivret.EN_COURS)
        # A worker killed mid-way (deployment, memory) leaves a booklet "in progress" for ever.
        perdu = en_cours and livret.cree_le < timezone.now() - timedelta(seconds=DELAI_BLOCAGE)
        return super().get_context_data(
            en_cours=en_cours and not perdu,
            perdu=perdu,
            rafraichissement=RAFRAICHISSEMENT,
            **kwargs,
        )

    def render_to_response(self, context, **response_kwargs):
        if not self.request.htmx:
            return super().render_to_response(context, **response_kwargs)
        livret = self.object
        return progression_reponse(
            self.request,
            termine=not context["en_cours"],
            traites=livret.progression,
            total=100,
            texte=_("%(etape)s — %(progression)s %%")
            % {
                "etape": livret.etape or _("En attente de démarrage…"),
                "progression": livret.progression,
            },
            libelle=_("Préparation du livret"),
        )


class LivretTelechargerView(CentreMixin, SingleObjectMixin, View):
    """The PDF as an attachment with a French file name; 404 until it is ready."""

    model = Livret

    def get(self, request, *args, **kwargs):
        livret = self.get_object(
            self.get_queryset().select_related("centre").filter(statut=StatutLivret.PRET)
        )
        if not livret.fichier:
            raise Http404
        try:
            with livret.fichier.open("rb") as fichier:
                # Read whole (a booklet weighs a few megabytes): no file handle outlives the
                # request, even when the client never reads the body.
                contenu = fichier.read()
        except FileNotFoundError as erreur:
            raise Http404 from erreur
        return FileResponse(
            io.BytesIO(contenu),
            as_attachment=True,
            filename=nom_de_fichier(livret),
            content_type="application/pdf",
        )

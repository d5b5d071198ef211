from itertools import groupby

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Min, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import CreateView, DetailView, ListView, UpdateView, View
from django.views.generic.detail import SingleObjectMixin

from cafes import emails
from cafes.calendrier import heure
from cafes.enums import StatutCafe
from cafes.forms import CafeForm, HoteForm, OrganisationForm, ProgrammerForm, SerieForm
from cafes.models import Cafe, CafeSerie
from cafes.selectors import (
    ORGANISATIONS_PAR_PAGE,
    cafe_cercle,
    cafe_destinataires,
    destinataires,
    hote_suivant,
    invitations_contexte,
    serie_cercle,
)
from cafes.services.cafes import (
    cafe_annuler,
    cafe_creer,
    cafe_maintenir,
    cafe_modifier,
    cafe_organisation_inviter,
    changements_lisibles,
    changements_pratiques,
)
from cafes.services.series import (
    cafes_generer,
    hote_ajouter,
    hote_deplacer,
    hote_retirer,
    serie_creer,
    serie_modifier,
)
from commun.dates import date_fr
from reseau.access import CentreMixin
from reseau.enums import Role
from reseau.pagination import page_de


def regle_en_mots(serie):
    """ "le premier vendredi du mois, 9 h – 10 h 30"."""
    return _("le %(rang)s %(jour)s du mois, %(debut)s – %(fin)s") % {
        "rang": serie.get_rang_display(),
        "jour": serie.get_jour_display(),
        "debut": heure(serie.heure_debut),
        "fin": heure(serie.heure_fin),
    }


class SerieListView(CentreMixin, ListView):
    model = CafeSerie
    template_name = "cafes/serie_liste.html"
    context_object_name = "series"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .annotate(
                prochain_cafe=Min("cafes__date", filter=Q(cafes__date__gte=timezone.localdate()))
            )
            .order_by("nom")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for serie in context["series"]:
            serie.regle = regle_en_mots(serie)
        return context


class SerieFormMixin(CentreMixin):
    min_role = Role.SALARIE
    model = CafeSerie
    form_class = SerieForm
    template_name = "cafes/serie_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "centre": self.centre}

    def get_success_url(self):
        return reverse("cafes:serie_detail", args=[self.object.pk])

    def form_valid(self, form):
        try:
            self.object = self.enregistrer(form.cleaned_data)
        except ValidationError as erreur:
            form.add_error(None, erreur)
            return self.form_invalid(form)
        messages.success(self.request, self.message % {"nom": self.object})
        return HttpResponseRedirect(self.get_success_url())


class SerieCreateView(SerieFormMixin, CreateView):
    message = gettext_lazy("La série %(nom)s est créée.")

    def enregistrer(self, champs):
        return serie_creer(centre=self.centre, **champs)


class SerieUpdateView(SerieFormMixin, UpdateView):
    message = gettext_lazy("La série %(nom)s est enregistrée.")

    def enregistrer(self, champs):
        return serie_modifier(serie=self.object, **champs)


class SerieDetailView(CentreMixin, DetailView):
    model = CafeSerie
    template_name = "cafes/serie_detail.html"
    context_object_name = "serie"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        serie = self.object
        aujourdhui = timezone.localdate()
        cafes = list(serie.cafes.select_related("hote", "theme").order_by("date"))
        suivant = hote_suivant(serie, avant=None)
        prochains = [cafe for cafe in cafes if cafe.date >= aujourdhui]
        # The circle of the next café, or the series' own when none is programmed.
        cercle = cafe_cercle(prochains[0]) if prochains else serie_cercle(serie)
        context.update(
            regle=regle_en_mots(serie),
            hotes=serie.hotes.select_related("partenaire").order_by("ordre", "pk"),
            hote_suivant=suivant,
            cafes_a_venir=prochains,
            cafes_passes=[cafe for cafe in reversed(cafes) if cafe.date < aujourdhui],
            nb_organisations=cercle.count(),
            nb_contacts=destinataires(cercle).count(),
            hote_form=kwargs.get("hote_form") or HoteForm(serie=serie),
            programmer_form=kwargs.get("programmer_form")
            or ProgrammerForm(serie=serie, a_partir_de=aujourdhui),
        )
        return context


class SerieActionMixin(CentreMixin, SingleObjectMixin):
    """A POST on a series' page; answers with the series page."""

    min_role = Role.SALARIE
    model = CafeSerie
    http_method_names = ["post"]

    def redirection(self, ancre=""):
        return HttpResponseRedirect(reverse("cafes:serie_detail", args=[self.object.pk]) + ancre)

    def page_avec(self, **formulaires):
        vue = SerieDetailView(request=self.request, kwargs=self.kwargs, object=self.object)
        vue.centre = self.centre
        context = vue.get_context_data(**formulaires)
        return vue.render_to_response(context, status=200)


class HoteAjouterView(SerieActionMixin, View):
    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = HoteForm(request.POST, serie=self.object)
        if form.is_valid():
            try:
                hote_ajouter(serie=self.object, **form.cleaned_data)
            except ValidationError as erreur:
                form.add_error("partenaire", erreur)
        if not form.is_valid():
            return self.page_avec(hote_form=form)
        messages.success(
            request,
            _("%(nom)s rejoint les hôtes de la série.") % {"nom": form.cleaned_data["partenaire"]},
        )
        return self.redirection("#hotes")


class HoteActionView(SerieActionMixin, View):
    """Removes a host or moves it one place up or down in the rotation."""

    action = None

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        hote = (
            self.object.hotes.select_related("partenaire")
            .filter(
                pk=request.POST.get("hote") if str(request.POST.get("hote", "")).isdigit() else None
            )
            .first()
        )
        if hote is None:
            messages.error(request, _("Cet hôte ne fait plus partie de la série."))
            return self.redirection("#hotes")
        if self.action == "retirer":
            hote_retirer(hote=hote)
            messages.success(
                request, _("%(nom)s ne fait plus partie des hôtes.") % {"nom": hote.partenaire}
            )
        else:
            hote_deplacer(hote=hote, sens=-1 if self.action == "monter" else 1)
        return self.redirection("#hotes")


class ProgrammerView(SerieActionMixin, View):
    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = ProgrammerForm(request.POST, serie=self.object, a_partir_de=timezone.localdate())
        if not form.is_valid():
            return self.page_avec(programmer_form=form)
        nb_mois = form.cleaned_data["nb_mois"]
        programme = cafes_generer(
            serie=self.object,
            a_partir_de=timezone.localdate(),
            nb_mois=nb_mois,
            exclues=form.cleaned_data["exclues"],
        )
        # What was done, then each date of the rule left out and why, ticked dates beyond
        # the months chosen included: staff should not have to compare lists to find out.
        nb = len(programme.crees)
        if nb:
            messages.success(
                request,
                ngettext(
                    "%(nb)d café programmé : %(dates)s.", "%(nb)d cafés programmés : %(dates)s.", nb
                )
                % {
                    "nb": nb,
                    "dates": ", ".join(date_fr(c.date, "l j F Y") for c in programme.crees),
                },
            )
        else:
            messages.info(request, _("Aucun café programmé."))
        for jour, raison in programme.ecartees:
            messages.warning(
                request,
                _("%(date)s non programmé : %(raison)s.")
                % {"date": capfirst(date_fr(jour, "l j F Y")), "raison": raison},
            )
        # Ticked dates beyond the months chosen (all are ticked at first): one line for all.
        regle = {jour for jour, _raison in programme.ecartees} | {c.date for c in programme.crees}
        au_dela = [jour for jour in form.cleaned_data["dates"] if jour not in regle]
        if au_dela:
            messages.info(
                request,
                ngettext(
                    "%(nb)d date cochée au-delà des %(mois)d mois choisis n'est pas programmée.",
                    "%(nb)d dates cochées au-delà des %(mois)d mois choisis ne sont pas "
                    "programmées.",
                    len(au_dela),
                )
                % {"nb": len(au_dela), "mois": nb_mois},
            )
        return self.redirection("#cafes")


def _personnes_prevenues(request, courriels):
    if courriels:
        messages.info(
            request,
            ngettext(
                "%(nb)d personne déjà invitée est prévenue.",
                "%(nb)d personnes déjà invitées sont prévenues.",
                len(courriels),
            )
            % {"nb": len(courriels)},
        )


class CafeFormMixin(CentreMixin):
    min_role = Role.SALARIE
    model = Cafe
    form_class = CafeForm
    template_name = "cafes/cafe_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "serie": self.serie}

    def form_valid(self, form):
        try:
            courriels = self.enregistrer(form.cleaned_data)
        except ValidationError as erreur:
            form.add_error(None, erreur)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Le café du %(date)s est enregistré.") % {"date": f"{self.object.date:%d/%m/%Y}"},
        )
        _personnes_prevenues(self.request, courriels)
        return HttpResponseRedirect(self.get_success_url())

    def get_success_url(self):
        return reverse("cafes:cafe_detail", args=[self.object.pk])

    def get_context_data(self, **kwargs):
        return super().get_context_data(serie=self.serie, **kwargs)


class CafeCreateView(CafeFormMixin, CreateView):
    url_object_model = CafeSerie

    def dispatch(self, request, *args, **kwargs):
        membre = getattr(request, "membre", None)
        if membre is not None:
            self.serie = get_object_or_404(
                CafeSerie.objects.for_centre(membre.centre), pk=kwargs["pk"]
            )
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        suivant = hote_suivant(self.serie)
        return {
            "heure_debut": self.serie.heure_debut,
            "heure_fin": self.serie.heure_fin,
            "hote": suivant.partenaire if suivant else None,
            "adresse": suivant.adresse if suivant else "",
        }

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Cafe(centre=self.centre, serie=self.serie)
        return kwargs

    def enregistrer(self, champs):
        self.object = cafe_creer(serie=self.serie, **champs)
        return []


class CafeUpdateView(CafeFormMixin, UpdateView):
    """A new date, time or place for a café whose invitations went out asks first: the
    valid form leads to a page saying how many people will be emailed, what changes and the
    email itself, and saves nothing. Its buttons send the values again (hidden fields,
    validated again) with ``prevenir``: "oui" saves and emails, "non" saves only, "revenir"
    shows the form with the values typed. Other edits save at once."""

    def get_queryset(self):
        return super().get_queryset().select_related("serie")

    def get_object(self, queryset=None):
        cafe = super().get_object(queryset)
        self.serie = cafe.serie
        return cafe

    def form_valid(self, form):
        choix = self.request.POST.get("prevenir")
        if choix == "revenir":
            return self.render_to_response(self.get_context_data(form=form))
        if choix not in ("oui", "non"):
            confirmation = self._confirmation(form)
            if confirmation is not None:
                return confirmation
        self.prevenir = choix != "non"
        reponse = super().form_valid(form)
        if choix == "non" and reponse.status_code == 302:
            messages.info(self.request, _("Les personnes déjà invitées ne sont pas prévenues."))
        return reponse

    def _confirmation(self, form):
        """The page that asks, or None when nobody already invited would hear of the edit."""
        # As saved: validating the form wrote the new values on self.object.
        avant = self.get_queryset().select_related("hote", "centre").get(pk=self.object.pk)
        changements = changements_pratiques(avant, form.cleaned_data)
        if not changements:
            return None
        a_prevenir = avant.invitations.a_prevenir().select_related("contact__partenaire")
        exemple = a_prevenir.order_by("pk").first()
        if exemple is None:
            return None
        lisibles = changements_lisibles(changements)
        # The email as it will read: the new values, on the café not saved yet.
        apres = form.instance
        apres.centre = avant.centre
        return render(
            self.request,
            "cafes/cafe_modifier_confirmer.html",
            {
                "cafe": avant,
                "form": form,
                "changements": lisibles,
                "nb_prevenus": a_prevenir.count(),
                "exemple": exemple,
                "apercu": emails.modification_apercu(
                    cafe=apres, invitation=exemple, changements=lisibles
                ),
            },
        )

    def enregistrer(self, champs):
        """People already invited hear of a new date, time or place (``cafe_modifier``),
        unless staff chose otherwise on the confirmation page."""
        return cafe_modifier(
            cafe=self.object, par=self.request.user, prevenir=self.prevenir, **champs
        )


class CafeDetailView(CentreMixin, DetailView):
    model = Cafe
    template_name = "cafes/cafe_detail.html"
    context_object_name = "cafe"

    def get_queryset(self):
        return super().get_queryset().select_related("serie", "hote", "theme")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cafe = self.object
        # A page of organisations at a time: the page stays as quick with 500 as with 20.
        cercle = page_de(
            self.request, cafe_cercle(cafe), par_page=ORGANISATIONS_PAR_PAGE, ancre="cercle"
        )
        a_inviter = cafe_destinataires(cafe)
        contacts = a_inviter.filter(partenaire__in=[p.pk for p in cercle])
        par_organisation = {
            pk: list(groupe) for pk, groupe in groupby(contacts, key=lambda c: c.partenaire_id)
        }
        context.update(
            cercle=cercle,
            organisations=[(p, par_organisation.get(p.pk, [])) for p in cercle],
            nb_organisations=cercle.paginator.count,
            nb_contacts=a_inviter.count(),
            retirees=cafe.partenaires_retires.order_by("nom"),
            places_reservees=(
                cafe.invitations.places_reservees() if cafe.capacite is not None else None
            ),
            ajout_form=kwargs.get("ajout_form") or OrganisationForm(centre=cafe.centre),
            **invitations_contexte(self.request, cafe),
        )
        return context


class CafeCercleView(CentreMixin, SingleObjectMixin, View):
    """Adds an organisation to this café only, or takes one out of it."""

    min_role = Role.SALARIE
    model = Cafe
    http_method_names = ["post"]
    action = None

    def post(self, request, *args, **kwargs):
        cafe = self.get_object()
        form = OrganisationForm(request.POST, centre=cafe.centre)
        if not form.is_valid():
            messages.error(request, _("Choisissez une organisation de la liste."))
            return HttpResponseRedirect(reverse("cafes:cafe_detail", args=[cafe.pk]))
        partenaire = form.cleaned_data["partenaire"]
        invitee = self.action == "ajouter"
        cafe_organisation_inviter(cafe=cafe, partenaire=partenaire, invitee=invitee)
        if invitee:
            message = _("%(nom)s est invité à ce café.")
        else:
            message = _("%(nom)s n'est plus invité à ce café.")
        messages.success(request, message % {"nom": partenaire})
        return HttpResponseRedirect(reverse("cafes:cafe_detail", args=[cafe.pk]) + "#cercle")


class CafeStatutView(CentreMixin, SingleObjectMixin, View):
    """Cancelling the café, or holding a cancelled café after all: GET shows what will happen
    (how many people are emailed, and the email itself), the POST of its button does it."""

    min_role = Role.SALARIE
    model = Cafe
    template_name = "cafes/cafe_statut.html"
    # Set by the subclasses.
    depuis = ()  # statuses from which the action applies
    service = None
    apercu = None
    message_fait = ""
    message_impossible = ""

    def get_queryset(self):
        return super().get_queryset().select_related("serie", "centre", "hote", "theme")

    def _possible(self, cafe):
        if cafe.statut in self.depuis:
            return True
        messages.info(self.request, self.message_impossible)
        return False

    def get(self, request, *args, **kwargs):
        cafe = self.get_object()
        if not self._possible(cafe):
            return HttpResponseRedirect(reverse("cafes:cafe_detail", args=[cafe.pk]))
        a_prevenir = cafe.invitations.a_prevenir().select_related("contact__partenaire")
        premiere = a_prevenir.order_by("pk").first()
        return render(
            request,
            self.template_name,
            {
                "cafe": cafe,
                "maintenir": cafe.statut == StatutCafe.ANNULE,
                "nb_prevenus": a_prevenir.count(),
                "exemple": premiere,
                "apercu": self.apercu(cafe=cafe, invitation=premiere) if premiere else None,
            },
        )

    def post(self, request, *args, **kwargs):
        cafe = self.get_object()
        if self._possible(cafe):
            try:
                courriels = self.service(cafe=cafe, par=request.user)
            except ValidationError as erreur:
                for message in erreur.messages:
                    messages.error(request, message)
            else:
                messages.success(request, self.message_fait)
                _personnes_prevenues(request, courriels)
        return HttpResponseRedirect(reverse("cafes:cafe_detail", args=[cafe.pk]))


class CafeAnnulerView(CafeStatutView):
    depuis = (StatutCafe.PREVU, StatutCafe.INVITATIONS_ENVOYEES)
    service = staticmethod(cafe_annuler)
    apercu = staticmethod(emails.annulation_apercu)
    message_fait = gettext_lazy("Le café est annulé.")
    message_impossible = gettext_lazy("Ce café ne peut pas être annulé.")


class CafeMaintenirView(CafeStatutView):
    depuis = (StatutCafe.ANNULE,)
    service = staticmethod(cafe_maintenir)
    apercu = staticmethod(emails.maintien_apercu)
    message_fait = gettext_lazy("Le café est maintenu.")
    message_impossible = gettext_lazy("Ce café n'est pas annulé.")

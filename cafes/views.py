from itertools import groupby

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import Min, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import CreateView, DetailView, ListView, UpdateView, View
from django.views.generic.detail import SingleObjectMixin

from cafes.calendrier import heure
from cafes.enums import StatutCafe
from cafes.forms import CafeForm, HoteForm, OrganisationForm, ProgrammerForm, SerieForm
from cafes.invitations import cafe_annuler, cafe_modifier_notifier
from cafes.models import Cafe, CafeSerie, HoteSerie
from cafes.rsvp import places_reservees
from cafes.selectors import cafe_cercle, cafe_destinataires
from cafes.services import cafes_generer, hote_suivant
from cafes.views_invitations import ORGANISATIONS_PAR_PAGE, invitations_contexte
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


class SerieCreateView(SerieFormMixin, CreateView):
    def form_valid(self, form):
        form.instance.centre = self.centre
        response = super().form_valid(form)
        messages.success(self.request, _("La série %(nom)s est créée.") % {"nom": self.object})
        return response


class SerieUpdateView(SerieFormMixin, UpdateView):
    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request, _("La série %(nom)s est enregistrée.") % {"nom": self.object}
        )
        return response


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
        nb_organisations = nb_contacts = 0
        if prochains:
            nb_organisations = cafe_cercle(prochains[0]).count()
            nb_contacts = cafe_destinataires(prochains[0]).count()
        else:
            apercu = Cafe(centre=serie.centre, serie=serie)
            nb_organisations, nb_contacts = _compter_cercle_serie(apercu)
        context.update(
            regle=regle_en_mots(serie),
            hotes=serie.hotes.select_related("partenaire").order_by("ordre", "pk"),
            hote_suivant=suivant,
            cafes_a_venir=prochains,
            cafes_passes=[cafe for cafe in reversed(cafes) if cafe.date < aujourdhui],
            nb_organisations=nb_organisations,
            nb_contacts=nb_contacts,
            hote_form=kwargs.get("hote_form") or HoteForm(serie=serie),
            programmer_form=kwargs.get("programmer_form")
            or ProgrammerForm(serie=serie, a_partir_de=aujourdhui),
        )
        return context


def _compter_cercle_serie(cafe):
    """The circle of a café not yet saved: the series' circle, without additions or removals."""
    from partenariats.models import Contact, Partenaire

    serie = cafe.serie
    condition = Q(pk__in=serie.partenaires.values("pk")) | Q(themes__in=serie.themes.all())
    if serie.categories:
        condition |= Q(categorie__in=serie.categories)
    cercle = Partenaire.objects.for_centre(serie.centre).actifs().filter(condition).distinct()
    contacts = Contact.objects.joignables().filter(
        recoit_invitations_cafe=True, partenaire__in=cercle
    )
    return cercle.count(), contacts.count()


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
        if not form.is_valid():
            return self.page_avec(hote_form=form)
        dernier = self.object.hotes.order_by("-ordre").values_list("ordre", flat=True).first()
        HoteSerie.objects.create(
            serie=self.object,
            partenaire=form.cleaned_data["partenaire"],
            adresse=form.cleaned_data["adresse"],
            ordre=0 if dernier is None else dernier + 1,
        )
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
            hote.delete()
            messages.success(
                request, _("%(nom)s ne fait plus partie des hôtes.") % {"nom": hote.partenaire}
            )
        else:
            self._deplacer(hote, -1 if self.action == "monter" else 1)
        return self.redirection("#hotes")

    @transaction.atomic
    def _deplacer(self, hote, sens):
        hotes = list(self.object.hotes.select_for_update().order_by("ordre", "pk"))
        i = next(i for i, h in enumerate(hotes) if h.pk == hote.pk)
        j = i + sens
        if 0 <= j < len(hotes):
            hotes[i], hotes[j] = hotes[j], hotes[i]
        for ordre, h in enumerate(hotes):
            if h.ordre != ordre:
                HoteSerie.objects.filter(pk=h.pk).update(ordre=ordre)


class ProgrammerView(SerieActionMixin, View):
    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = ProgrammerForm(request.POST, serie=self.object, a_partir_de=timezone.localdate())
        if not form.is_valid():
            return self.page_avec(programmer_form=form)
        crees = cafes_generer(
            serie=self.object,
            a_partir_de=timezone.localdate(),
            nb_mois=form.cleaned_data["nb_mois"],
            exclues=form.cleaned_data["exclues"],
        )
        nb = len(crees)
        messages.success(
            request,
            ngettext("%(nb)d café programmé.", "%(nb)d cafés programmés.", nb) % {"nb": nb},
        )
        return self.redirection("#cafes")


# A change of these is news for the people already invited (a new .ics replaces the old one).
CHAMPS_PRATIQUES = {"date", "heure_debut", "heure_fin", "hote", "adresse"}


class CafeFormMixin(CentreMixin):
    min_role = Role.SALARIE
    model = Cafe
    form_class = CafeForm
    template_name = "cafes/cafe_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "serie": self.serie}

    def form_valid(self, form):
        try:
            with transaction.atomic():
                response = super().form_valid(form)
                self.apres_enregistrement(form)
        except IntegrityError:
            # Two people saving the same date at the same moment.
            form.add_error("date", _("La série a déjà un café à cette date."))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Le café du %(date)s est enregistré.") % {"date": f"{self.object.date:%d/%m/%Y}"},
        )
        return response

    def apres_enregistrement(self, form):
        pass

    def get_success_url(self):
        return reverse("cafes:cafe_detail", args=[self.object.pk])

    def get_context_data(self, **kwargs):
        return super().get_context_data(serie=self.serie, **kwargs)


class CafeCreateView(CafeFormMixin, CreateView):
    url_object_model = CafeSerie

    def dispatch(self, request, *args, **kwargs):
        membership = getattr(request, "membership", None)
        if membership is not None:
            self.serie = get_object_or_404(
                CafeSerie.objects.for_centre(membership.centre), pk=kwargs["pk"]
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


class CafeUpdateView(CafeFormMixin, UpdateView):
    def get_queryset(self):
        return super().get_queryset().select_related("serie")

    def get_object(self, queryset=None):
        cafe = super().get_object(queryset)
        self.serie = cafe.serie
        return cafe

    def form_valid(self, form):
        self.statut_avant = form.initial["statut"]
        self.annulation = (
            form.cleaned_data["statut"] == StatutCafe.ANNULE
            and self.statut_avant != StatutCafe.ANNULE
        )
        if self.annulation:
            # cafe_annuler sets the status itself, and tells the people already invited.
            form.instance.statut = self.statut_avant
        return super().form_valid(form)

    def apres_enregistrement(self, form):
        """People already invited hear of a cancellation or of a new date, time or place."""
        if self.annulation:
            courriels = cafe_annuler(cafe=self.object, par=self.request.user)
        elif self.statut_avant != StatutCafe.ANNULE and CHAMPS_PRATIQUES & set(form.changed_data):
            courriels = cafe_modifier_notifier(cafe=self.object, par=self.request.user)
        else:
            return
        if courriels:
            messages.info(
                self.request,
                ngettext(
                    "%(nb)d personne déjà invitée est prévenue.",
                    "%(nb)d personnes déjà invitées sont prévenues.",
                    len(courriels),
                )
                % {"nb": len(courriels)},
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
        destinataires = cafe_destinataires(cafe)
        contacts = destinataires.filter(partenaire__in=[p.pk for p in cercle])
        par_organisation = {
            pk: list(groupe) for pk, groupe in groupby(contacts, key=lambda c: c.partenaire_id)
        }
        context.update(
            cercle=cercle,
            organisations=[(p, par_organisation.get(p.pk, [])) for p in cercle],
            nb_organisations=cercle.paginator.count,
            nb_contacts=destinataires.count(),
            retirees=cafe.partenaires_retires.order_by("nom"),
            places_reservees=places_reservees(cafe) if cafe.capacite is not None else None,
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
        if self.action == "ajouter":
            cafe.partenaires_retires.remove(partenaire)
            cafe.partenaires_ajoutes.add(partenaire)
            message = _("%(nom)s est invité à ce café.")
        else:
            cafe.partenaires_ajoutes.remove(partenaire)
            cafe.partenaires_retires.add(partenaire)
            message = _("%(nom)s n'est plus invité à ce café.")
        messages.success(request, message % {"nom": partenaire})
        return HttpResponseRedirect(reverse("cafes:cafe_detail", args=[cafe.pk]) + "#cercle")

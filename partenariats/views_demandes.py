"""Fiche update requests: staff's pages (send, follow, review) and the partner's pages
(reached through a personal link, without an account)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, FormView, ListView
from django.views.generic.detail import SingleObjectMixin

from commun.progression import progression_reponse
from courrier.services import mise_en_file_suivie
from partenariats.enums import ETATS_DEMANDE, TRAITEES, StatutDemande
from partenariats.filters import directory_filter
from partenariats.forms import CHAMPS_PROPOSABLES, CONTACTS_LIVRET
from partenariats.forms_demandes import DemandeEnvoiForm, FichePartenaireForm, RevueDemandeForm
from partenariats.models import DemandeMiseAJour, LotDemandes, Partenaire, Theme
from partenariats.selectors import (
    destinataires_possibles,
    libelle_champ,
    libelles_champs,
    plan_envoi,
    valeurs_fiche,
)
from partenariats.services import demandes
from reseau.access import CentreMixin, JetonMixin
from reseau.enums import Role

# --- Staff ----------------------------------------------------------------------------------


class DemandeCreerView(CentreMixin, FormView):
    """One request to one partner, to the address staff choose."""

    min_role = Role.SALARIE
    url_object_model = Partenaire
    form_class = DemandeEnvoiForm
    template_name = "partenariats/demande_creer.html"

    @cached_property
    def partenaire(self):
        return get_object_or_404(
            Partenaire.objects.for_centre(self.centre).select_related("centre"),
            pk=self.kwargs["pk"],
        )

    @cached_property
    def destinataires(self):
        return [] if self.partenaire.archive else destinataires_possibles(self.partenaire)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "destinataires": self.destinataires}

    def get_context_data(self, **kwargs):
        en_cours = (
            DemandeMiseAJour.objects.for_centre(self.centre)
            .en_cours()
            .filter(partenaire=self.partenaire)
            .order_by("-cree_le")
        )
        return super().get_context_data(
            partenaire=self.partenaire,
            en_cours=list(en_cours),
            duree_validite=demandes.DUREE_VALIDITE.days,
            **kwargs,
        )

    def form_valid(self, form):
        if not self.destinataires:
            return self.form_invalid(form)
        demande = demandes.demande_envoyer(
            partenaire=self.partenaire,
            destinataire=form.cleaned_data["destinataire"],
            par=self.request.user,
        )
        messages.success(
            self.request,
            _(
                "La demande de mise à jour est envoyée à %(adresse)s ; le lien vaut jusqu'au "
                "%(date)s."
            )
            % {
                "adresse": demande.destinataire,
                "date": formats.date_format(timezone.localtime(demande.expire_le), "j F Y"),
            },
        )
        return redirect(self.partenaire.get_absolute_url())


class LotCreerView(CentreMixin, View):
    """The directory's "request updates" button: a confirmation page (GET) saying who will be
    written to and who is skipped, then the grouped send (POST). The directory's query string
    travels in the URL of both, so that both see exactly the partners the list showed."""

    min_role = Role.SALARIE
    template_name = "partenariats/demande_lot_confirmer.html"

    def _criteres(self):
        query = self.request.GET.copy()
        query.pop("page", None)
        return query.urlencode()

    def _plan(self):
        partenaires = directory_filter(self.request, self.centre).qs.only(
            "pk", "centre_id", "nom", "sigle", "email", "archive"
        )
        return plan_envoi(partenaires)

    def get(self, request):
        return render(
            request,
            self.template_name,
            {
                "plan": self._plan(),
                "criteres": self._criteres(),
                "duree_validite": demandes.DUREE_VALIDITE.days,
            },
        )

    def post(self, request):
        plan = self._plan()
        try:
            with mise_en_file_suivie() as suivi:
                lot = demandes.lot_creer(
                    centre=self.centre,
                    partenaires=[partenaire.pk for partenaire, _d in plan.envois],
                    criteres=self._criteres(),
                    par=request.user,
                )
        except ValidationError as erreur:
            for message in erreur.messages:
                messages.error(request, message)
            return redirect(request.get_full_path())
        if suivi.refusees:
            # The lot is recorded; the sweeper queues it once the broker is back.
            messages.warning(
                request,
                _(
                    "Les demandes sont enregistrées, mais le service d'envoi ne répond pas : "
                    "elles partiront dès que le service d'envoi sera rétabli."
                ),
            )
        return redirect("partenariats:lot_detail", pk=lot.pk)


class LotDetailView(CentreMixin, DetailView):
    """A grouped send: its progress while the task runs, then its requests."""

    min_role = Role.SALARIE
    model = LotDemandes
    template_name = "partenariats/demande_lot.html"
    context_object_name = "lot"

    def get_queryset(self):
        return super().get_queryset().select_related("cree_par")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        lot = self.object
        if lot.termine_le:
            liste = list(lot.demandes.select_related("partenaire").order_by("partenaire__nom"))
            avec_demande = {demande.partenaire_id for demande in liste}
            context["demandes"] = liste
            context["sans_demande"] = Partenaire.objects.for_centre(self.centre).filter(
                pk__in=[pk for pk in lot.partenaires if pk not in avec_demande]
            )
        return context


class LotProgressionView(CentreMixin, SingleObjectMixin, View):
    """The progress of a grouped send, polled by htmx (``includes/progression.html``)."""

    min_role = Role.SALARIE
    model = LotDemandes

    def get(self, request, *args, **kwargs):
        lot = self.get_object(self.get_queryset().only("traites", "total", "termine_le"))
        return progression_reponse(
            request,
            termine=lot.termine_le is not None,
            traites=lot.traites,
            total=lot.total,
            texte=_("%(traites)s sur %(total)s") % {"traites": lot.traites, "total": lot.total},
            libelle=_("Partenaires traités"),
        )


class DemandeListView(CentreMixin, ListView):
    """The centre's requests, newest first, filtered by state (and by partner) in the URL."""

    min_role = Role.SALARIE
    model = DemandeMiseAJour
    template_name = "partenariats/demande_liste.html"
    context_object_name = "demandes"
    paginate_by = 50

    @cached_property
    def etat(self):
        etat = self.request.GET.get("etat", "")
        return etat if etat in dict(ETATS_DEMANDE) else ""

    @cached_property
    def partenaire(self):
        pk = self.request.GET.get("partenaire", "")
        if not pk.isdigit():
            return None
        return Partenaire.objects.for_centre(self.centre).filter(pk=pk).first()

    def _base(self):
        queryset = DemandeMiseAJour.objects.for_centre(self.centre)
        if self.partenaire is not None:
            queryset = queryset.filter(partenaire=self.partenaire)
        return queryset

    def get_queryset(self):
        queryset = self._base().select_related("partenaire", "envoyee_par")
        if self.etat:
            queryset = queryset.dans_etat(self.etat)
        return queryset.order_by("-cree_le", "-pk")

    def get_context_data(self, **kwargs):
        comptes = self._base().comptes_par_etat()
        return super().get_context_data(
            etats=[(etat, libelle, comptes[etat]) for etat, libelle in ETATS_DEMANDE],
            total=sum(comptes.values()),
            etat_actif=self.etat,
            partenaire=self.partenaire,
            lots=LotDemandes.objects.for_centre(self.centre).order_by("-cree_le")[:5],
            **kwargs,
        )


class DemandeDetailView(CentreMixin, DetailView):
    """A request, and for a submitted one the review: current and proposed values side by
    side, one checkbox per field, accept the checked ones or reject everything."""

    min_role = Role.SALARIE
    model = DemandeMiseAJour
    template_name = "partenariats/demande_detail.html"
    context_object_name = "demande"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("partenaire", "envoyee_par", "traitee_par", "lot", "courriel")
        )

    def _lignes(self, demande):
        proposition = demande.proposition
        if not proposition:
            return []
        # Once accepted, the fiche holds the new values: compare with those kept at acceptance.
        actuelles = valeurs_fiche(demande.partenaire) | demande.valeurs_avant
        libelles = dict(Theme.objects.values_list("slug", "libelle"))

        noms_contacts = {c.pk: str(c) for c in demande.partenaire.contacts.all()}

        def affichage(champ, valeur):
            if champ == "themes":
                return ", ".join(libelles.get(slug, slug) for slug in valeur)
            if champ == CONTACTS_LIVRET:
                return ", ".join(noms_contacts.get(pk, "—") for pk in valeur)
            return valeur

        return [
            {
                "champ": champ,
                "libelle": libelle_champ(champ),
                "actuelle": affichage(champ, actuelles[champ]),
                "proposee": affichage(champ, proposition[champ]),
                "identique": actuelles[champ] == proposition[champ],
                "acceptee": champ in demande.champs_acceptes,
            }
            for champ in CHAMPS_PROPOSABLES
            if champ in proposition
        ]

    def get_context_data(self, **kwargs):
        demande = self.object
        return super().get_context_data(
            etat=demande.etat,
            lignes=self._lignes(demande),
            valeurs_avant=bool(demande.valeurs_avant),
            a_examiner=demande.statut == StatutDemande.SOUMISE,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        self.object = demande = self.get_object()
        form = RevueDemandeForm(request.POST, champs=list(demande.proposition))
        if not form.is_valid():
            messages.error(request, _("Choisissez d'accepter ou de rejeter les modifications."))
            return redirect("partenariats:demande_detail", pk=demande.pk)
        try:
            if form.cleaned_data["decision"] == RevueDemandeForm.ACCEPTER:
                demande = demandes.demande_accepter(
                    demande=demande, champs=form.cleaned_data["champs"], par=request.user
                )
                if demande.champs_acceptes:
                    texte = _("Fiche mise à jour (%(champs)s) et confirmée ce jour : %(nom)s.")
                else:
                    texte = _("Fiche confirmée ce jour, sans modification : %(nom)s.")
                messages.success(
                    request,
                    texte
                    % {
                        "nom": demande.partenaire,
                        "champs": libelles_champs(demande.champs_acceptes),
                    },
                )
            else:
                demandes.demande_rejeter(demande=demande, par=request.user)
                messages.success(
                    request,
                    _("Modifications rejetées, fiche inchangée : %(nom)s.")
                    % {"nom": demande.partenaire},
                )
        except ValidationError as erreur:
            for message in erreur.messages:
                messages.error(request, message)
        return redirect("partenariats:demande_detail", pk=demande.pk)


# --- The partner's side (public) ------------------------------------------------------------


def _page_publique(request, gabarit, demande=None, **contexte):
    jeton = contexte.pop("jeton", "")
    return render(
        request,
        # The fiche's own page, else the one all partners' pages share (templates/public/).
        [f"partenariats/public/{gabarit}.html", f"public/{gabarit}.html"],
        {
            "demande": demande,
            "centre": demande.centre if demande else None,
            "jeton": jeton,
            "url_nouveau_lien": (
                reverse("partenariats:fiche_nouveau_lien", args=[jeton]) if jeton else ""
            ),
            **contexte,
        },
    )


@method_decorator([login_not_required, never_cache], name="dispatch")
class FichePubliqueView(JetonMixin, View):
    """The partner's fiche behind its personal link.

    GET shows the form pre-filled (or the thank-you page once submitted) and records the
    first opening; it never changes the fiche. POST (with CSRF) validates like staff's form
    and stores a proposal. A dead link (expired, altered, for another usage) shows one page
    for all cases, with a button to ask the centre for a new link.
    """

    def lire_jeton(self, jeton):
        return demandes.demande_lire_jeton(jeton)

    def _refus(self, request, jeton, demande, valide):
        if demande is not None and demande.statut in TRAITEES:
            return _page_publique(request, "deja_traitee", demande, jeton=jeton)
        if demande is not None and demande.statut == StatutDemande.SOUMISE and not valide:
            # Answered in time: the answer still waits for staff, only amending is over.
            return _page_publique(request, "merci", demande, jeton=jeton, modifiable=False)
        if demande is None or not valide:
            return _page_publique(request, "lien_invalide", demande, jeton=jeton)
        return None

    def _formulaire(self, request, jeton, demande, form):
        return _page_publique(
            request,
            "fiche",
            demande,
            jeton=jeton,
            form=form,
            partenaire=demande.partenaire,
        )

    def get(self, request, jeton):
        demande, valide = self.objet, self.valide
        if refus := self._refus(request, jeton, demande, valide):
            return refus
        if demande.statut == StatutDemande.SOUMISE and "modifier" not in request.GET:
            return _page_publique(request, "merci", demande, jeton=jeton, modifiable=True)
        demandes.demande_marquer_ouverte(demande=demande)
        initial = {}
        if demande.statut == StatutDemande.SOUMISE:
            # Amending a proposal starts from it, not from the fiche.
            initial = dict(demande.proposition)
            if "themes" in initial:
                initial["themes"] = list(Theme.objects.filter(slug__in=initial["themes"]))
        form = FichePartenaireForm(instance=demande.partenaire, initial=initial)
        return self._formulaire(request, jeton, demande, form)

    def post(self, request, jeton):
        demande, valide = self.objet, self.valide
        if refus := self._refus(request, jeton, demande, valide):
            return refus
        # A fresh copy: validating a ModelForm writes the submitted values onto its instance.
        copie = Partenaire.objects.get(pk=demande.partenaire_id)
        form = FichePartenaireForm(request.POST, instance=copie)
        if not form.is_valid():
            return self._formulaire(request, jeton, demande, form)
        try:
            demandes.demande_soumettre(demande=demande, valeurs=form.valeurs())
        except ValidationError:
            # Reviewed or expired between the check above and now: GET tells which.
            pass
        return redirect("partenariats:fiche_publique", jeton=jeton)


@method_decorator([login_not_required, never_cache], name="dispatch")
class FicheNouveauLienView(JetonMixin, View):
    """POST from a dead link's page: tells the centre (rate-limited) and answers the same way
    whether or not the token named a real request."""

    def lire_jeton(self, jeton):
        return demandes.demande_lire_jeton(jeton)

    def get(self, request, jeton):
        return redirect("partenariats:fiche_publique", jeton=jeton)

    def post(self, request, jeton):
        demande, valide = self.objet, self.valide
        if demande is not None and valide and demande.statut not in TRAITEES:
            # The link still works: no need to bother the centre.
            return redirect("partenariats:fiche_publique", jeton=jeton)
        demandes.nouveau_lien_demander(demande=demande)
        return _page_publique(request, "nouveau_lien", demande, jeton=jeton)

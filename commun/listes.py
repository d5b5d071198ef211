"""What the filtered lists (the directory, the partnerships) share: forgiving pagination and
the warnings about what the query string asks that cannot be done."""

from django.utils.translation import gettext as _


class ListeFiltreeMixin:
    """For a ``ListView`` whose ``get_queryset`` sets ``self.filterset`` (a bound django-filter
    FilterSet). Adds to the context ``filter``, ``querystring`` (the filters without the page),
    ``filtres_actifs`` and ``valeurs_ignorees``."""

    # Query parameters that choose an order, not a subset: they do not make a list "filtered".
    parametres_sans_filtre = ("tri",)

    def paginate_queryset(self, queryset, page_size):
        # A page that does not exist (an old bookmark, a hand-edited address) shows the first
        # or the last one, and says so, rather than a 404.
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get("page"))
        return paginator, page, page.object_list, page.has_other_pages()

    def valeurs_ignorees(self, page):
        """What the query string asks that cannot be done, in words for the person reading:
        the filters with an unknown value (dropped, the others still apply) and a wrong page
        number."""
        form = self.filterset.form
        avertissements = [
            _(
                "Filtre « %(filtre)s » : « %(valeur)s » n'est pas une valeur possible, ce "
                "filtre est ignoré."
            )
            % {"filtre": form[nom].label, "valeur": self.request.GET.get(nom, "")}
            for nom in form.errors
            if nom in form.fields
        ]
        demandee = self.request.GET.get("page")
        if demandee is not None and demandee != str(page.number):
            avertissements.append(
                _("La page « %(page)s » n'existe pas : voici la page %(numero)s.")
                % {"page": demandee, "numero": page.number}
            )
        return avertissements

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        context = super().get_context_data(
            filter=self.filterset,
            querystring=query.urlencode(),
            filtres_actifs=any(v for k, v in query.items() if k not in self.parametres_sans_filtre),
            **kwargs,
        )
        context["valeurs_ignorees"] = self.valeurs_ignorees(context["page_obj"])
        return context

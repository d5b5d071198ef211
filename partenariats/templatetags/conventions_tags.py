"""The funding agreements shown on other parts' pages (a funder's, a project's), so that
those pages include one template and need no change to their views."""

from django import template

from partenariats.selectors_conventions import conventions_du_financeur, conventions_du_projet

register = template.Library()

register.simple_tag(conventions_du_projet)
register.simple_tag(conventions_du_financeur)

"""`{% load form_errors %}` … `form|field_errors`: each visible field's errors, for the summary
at the top of a form (`templates/includes/form.html`), so that someone on a phone learns at once
what to mend and can jump to it."""

from __future__ import annotations

from django import forms, template
from django.forms import BoundField

register = template.Library()


@register.filter
def field_errors(form: forms.BaseForm) -> list[tuple[BoundField, str]]:
    return [(field, str(error)) for field in form.visible_fields() for error in field.errors]

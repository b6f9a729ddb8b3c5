"""The summary of a form's errors at its top (`templates/includes/form.html`)."""

from __future__ import annotations

import re

from django.urls import reverse


def test_it_lists_each_field_s_error_at_the_top_with_a_link_to_the_field(world, client_for):
    url = reverse("organisations:unit_add", args=[world.north.pk])
    page = client_for(world.org_admin).post(url, {"name": "", "is_team": "1"}).content.decode()
    start = page.index('id="error-summary"')
    summary = page[start : page.index("</div>", start)]
    assert "There is a problem" in summary
    links = re.findall(r'<a href="#(id_\w+)">([^<]*)</a>', summary)
    assert links == [("id_name", "Name: Give the unit a name.")]
    assert start < page.index('name="name"')


def test_it_shows_no_summary_for_a_form_without_errors_or_with_only_the_form_s_own(world, client):
    assert "error-summary" not in client.get(reverse("accounts:login")).content.decode()
    wrong = client.post(
        reverse("accounts:login"), {"username": world.leader.email, "password": "wrong"}
    )
    assert "error-summary" not in wrong.content.decode()

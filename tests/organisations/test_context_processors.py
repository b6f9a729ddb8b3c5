"""The navigation marks the section a page belongs to."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

CURRENT = re.compile(r'<a class="nav-link active" href="[^"]*" aria-current="page">([^<]+)</a>')


@pytest.mark.parametrize(
    "page",
    [
        "organisations:structure",
        "organisations:structure_import",
        "organisations:people",
        "organisations:people_import",
        "organisations:settings",
        "organisations:audit",
        "diagnostics:thresholds",
        "api_tokens:list",
    ],
)
def test_it_marks_the_organisation_as_the_section_of_each_of_its_tabs(world, client_for, page):
    text = client_for(world.org_admin).get(reverse(page)).content.decode()
    assert CURRENT.findall(text) == ["Organisation"]


def test_it_marks_the_longest_section_a_page_is_under(world, client_for):
    client = client_for(world.org_admin)
    assert CURRENT.findall(client.get(reverse("home")).content.decode()) == ["Home"]
    cycles = client.get(reverse("diagnostics:cycle_list")).content.decode()
    assert CURRENT.findall(cycles) == ["Cycles"]
    questionnaire = client.get(reverse("diagnostics:version_list")).content.decode()
    assert CURRENT.findall(questionnaire) == ["Questionnaire"]  # under /cycles/ too

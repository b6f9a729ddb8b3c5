"""sword/paging.py: which page of a long list a request gets."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from sword import paging


@pytest.mark.parametrize(
    ("asked", "number"),
    [
        ("", 1),
        ("2", 2),
        ("3", 3),
        ("9", 3),  # past the end: the last
        ("0", 1),
        ("-1", 1),
        ("x", 1),
        ("²", 1),  # a digit to str.isdigit, not to int()
        ("1.5", 1),
    ],
)
def test_it_gives_the_page_asked_for_or_the_nearest_sensible_one(monkeypatch, asked, number):
    monkeypatch.setattr(paging, "LIST_PAGE_SIZE", 2)
    request = RequestFactory().get("/", {"page": asked})
    assert paging.page_of(list(range(5)), request).number == number


def test_it_reads_the_number_from_the_parameter_it_is_given():
    request = RequestFactory().get("/", {"page": "1", "links": "2"})
    page = paging.page_of(list(range(150)), request, parameter="links")
    assert (page.number, page.start_index(), page.end_index()) == (2, 101, 150)


def test_it_reads_the_first_rows_with_what_they_refer_to_in_one_query(
    world, django_assert_num_queries
):
    from organisations.models import Unit
    from sword.paging import first_rows

    units = Unit.objects.filter(organisation=world.organisation, is_team=True).order_by("-name")

    with django_assert_num_queries(1):
        rows = first_rows(units, 2, "organisation")
        names = [(unit.name, unit.organisation.name) for unit in rows]

    assert names == [("Team C", "Example Council"), ("Team B", "Example Council")]
    assert rows == list(units[:2])


def test_it_refuses_to_pick_first_rows_of_an_unordered_list(world):
    from organisations.models import Unit
    from sword.paging import first_rows

    with pytest.raises(AssertionError):
        first_rows(Unit.objects.order_by(), 2)

"""scripts/every_page.py: the pages `scripts/bench_scales --every-page` times (PostgreSQL only,
on the benchmark data at a small size).

Every signed-in URL name is either timed or listed as not timed with a reason, so a new page is
measured at ten times the data or says why not; and every page listed opens for the admin.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import resolve
from django.utils import timezone

from demo.bench import BENCH_SLUG, BenchSize, build
from organisations.models import Organisation
from tests.reach_registry import API_ENDPOINTS, PAGES
from tests.scripts import load_script

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the benchmark data is loaded with COPY"
)

baselines = load_script("baselines")
every_page = load_script("every_page")

SMALL = BenchSize(directorates=1, services=2, teams=2, headcount=6, full_cycles=1, pulses=2)


@pytest.fixture
def bench_pages(db) -> tuple[object, dict[str, str], dict[str, str]]:
    build(SMALL)
    organisation = Organisation.objects.get(slug=BENCH_SLUG)
    subjects = baselines.pick_subjects(organisation, today=timezone.localdate())
    pages, untimed = every_page.every_page_urls(every_page.pick(subjects))
    return subjects, pages, untimed


def test_it_times_every_signed_in_page_or_says_why_not(bench_pages):
    _subjects, pages, untimed = bench_pages
    timed = {resolve(url.split("?")[0]).view_name for url in pages.values()}
    signed_in = {page.name for page in PAGES} | {endpoint.name for endpoint in API_ENDPOINTS}

    assert signed_in - timed - set(untimed) == set()
    assert all(reason for reason in untimed.values())


def test_it_lists_only_pages_the_admin_opens(bench_pages):
    subjects, pages, _untimed = bench_pages
    client = Client()
    client.force_login(subjects.viewer, backend="django.contrib.auth.backends.ModelBackend")

    answered = {name: client.get(url).status_code for name, url in pages.items()}

    assert answered == dict.fromkeys(pages, 200)


def test_it_finds_the_people_actions_and_issues_the_benchmark_holds(bench_pages):
    _subjects, pages, untimed = bench_pages

    assert {"organisations:membership_edit", "actions:detail", "voice:issue"} <= set(pages)
    assert "organisations:membership_edit" not in untimed

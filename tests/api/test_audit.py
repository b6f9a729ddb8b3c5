"""Every use of a token is one entry in the organisation's audit log."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from diagnostics.exports import export_scope
from organisations.access import reach_of
from organisations.models import AuditEvent


def test_it_records_each_read_with_the_token_and_the_page(world, make_token, api_get):
    _, raw = make_token(world.org_admin, name="Power BI")
    api_get(reverse("api:units"), raw, page_size=3)
    api_get(reverse("api:units"), raw, page_size=3, page=2)
    events = list(AuditEvent.objects.filter(action=AuditEvent.Action.API_READ).order_by("pk"))
    assert [e.detail for e in events] == [
        "units, page 1 of 3 (API token “Power BI”)",
        "units, page 2 of 3 (API token “Power BI”)",
    ]
    assert {e.actor for e in events} == {world.org_admin.email}
    assert {e.scope for e in events} == {"Example Council"}
    assert {e.organisation_id for e in events} == {world.organisation.pk}


def test_it_records_result_pages_as_exports_of_what_the_viewer_got(
    world, results_cycle, make_token, api_get
):
    _, raw = make_token(world.leader, name="Locality script")
    url = reverse("api:cycle_results", kwargs={"cycle_id": results_cycle.pk})
    api_get(url, raw, page_size=10)
    api_get(url, raw, page_size=10, page=2)
    events = list(AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).order_by("pk"))
    assert len(events) == 2
    assert events[0].scope == export_scope(results_cycle, reach_of(world.leader))
    assert events[0].scope == "Children's Services / Locality North"
    assert events[0].detail.startswith("Autumn 2026: JSON by domain, level all")
    assert events[0].detail.endswith("(API token “Locality script”, page 1 of 3)")
    assert events[1].detail.endswith("page 2 of 3)")
    assert {e.actor for e in events} == {world.leader.email}


def test_it_records_nothing_for_refused_or_unknown_requests(world, make_token, api_get):
    _, raw = make_token(world.leader)
    before = AuditEvent.objects.count()
    api_get(reverse("api:unit", kwargs={"unit_id": world.team_c.pk}), raw)  # outside reach
    api_get(reverse("api:units"), "sword_wrong")
    api_get(reverse("api:units"), None)
    assert AuditEvent.objects.count() == before


def test_it_keeps_each_read_to_one_insert(world, make_token, api_get):
    """A paginated pull costs one audit row a page and no other write: the token's last use is
    written at most once a minute."""
    _, raw = make_token(world.org_admin)
    api_get(reverse("api:units"), raw)
    with CaptureQueriesContext(connection) as queries:
        api_get(reverse("api:units"), raw, page=1)
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert len(writes) == 1
    assert "audit" in writes[0].lower()

"""Every use of a token is one entry in the organisation's audit log, and so is a refusal of a known
token (at most one a minute for each token and answer)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from api.services import REFUSAL_LOG_INTERVAL, revoke_token
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
    assert events[0].detail.endswith("(API token “Locality script”, page 1 of 4)")
    assert events[1].detail.endswith("page 2 of 4)")
    assert {e.actor for e in events} == {world.leader.email}


def refusals() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditEvent.Action.API_REFUSED).order_by("pk"))


def test_it_records_a_request_outside_reach_as_refused(world, make_token, api_get):
    _, raw = make_token(world.leader, name="Locality script")
    assert api_get(reverse("api:units"), raw).status_code == 200
    assert refusals() == []
    url = reverse("api:unit", kwargs={"unit_id": world.team_c.pk})
    assert api_get(url, raw).status_code == 404
    [event] = refusals()
    assert event.detail == f"API token “Locality script”: 404, No such unit; GET {url}"
    assert event.actor == world.leader.email
    assert event.organisation_id == world.organisation.pk
    assert AuditEvent.objects.filter(action=AuditEvent.Action.API_READ).count() == 1


@pytest.mark.parametrize("why", ["revoked", "expired", "maker deactivated"])
def test_it_records_a_refused_token_still_in_use(why, world, make_token, api_get):
    token, raw = make_token(world.org_admin, name="Old dashboard")
    if why == "revoked":
        revoke_token(token=token, actor=world.org_admin)
    elif why == "expired":
        ApiToken.objects.filter(pk=token.pk).update(
            expires_on=timezone.localdate() - timedelta(days=1)
        )
    else:
        world.org_admin.is_active = False
        world.org_admin.save(update_fields=["is_active"])
    assert api_get(reverse("api:units"), raw).status_code == 401
    [event] = refusals()
    reason = {
        "revoked": "the token was revoked",
        "expired": "the token had expired",
        "maker deactivated": "the token's maker can no longer sign in",
    }[why]
    assert event.detail == f"API token “Old dashboard”: 401, {reason}; GET {reverse('api:units')}"
    assert event.organisation_id == world.organisation.pk


def test_it_records_bad_parameters_and_a_passed_rate(
    world, results_cycle, make_token, api_get, settings
):
    settings.API_RATE = "1/h"
    _, raw = make_token(world.org_admin)
    url = reverse("api:cycle_results", kwargs={"cycle_id": results_cycle.pk})
    assert api_get(url, raw, level="nonsense", by="x" * 300).status_code == 400
    assert api_get(reverse("api:units"), raw).status_code == 429
    bad, throttled = refusals()
    assert bad.detail.startswith(
        f"API token “Power BI”: 400, invalid parameters: by, level; GET {url}?"
    )
    assert "x" * 200 not in bad.detail  # the caller's long value is cut short
    assert bad.detail.endswith("…")
    assert throttled.detail.startswith("API token “Power BI”: 429, Request was throttled")
    assert throttled.detail.endswith(f"; GET {reverse('api:units')}")


def test_it_records_one_refusal_a_minute_for_each_token_and_status(world, make_token, api_get):
    _, raw = make_token(world.leader, name="Loop")
    _, other = make_token(world.leader, name="Other")
    outside = reverse("api:unit", kwargs={"unit_id": world.team_c.pk})
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            assert api_get(outside, raw).status_code == 404
        assert api_get(outside, other).status_code == 404
        assert api_get(reverse("api:unit", kwargs={"unit_id": 10**9}), raw).status_code == 404
    assert [e.detail.split(":")[0] for e in refusals()] == ["API token “Loop”", "API token “Other”"]
    with time_machine.travel(start + REFUSAL_LOG_INTERVAL + timedelta(seconds=1), tick=False):
        assert api_get(outside, raw).status_code == 404
    assert len(refusals()) == 3


@pytest.mark.parametrize("token", ["unknown", "revoked", "valid"])
def test_it_refuses_a_format_it_cannot_give_before_reading_the_token(
    token, world, make_token, api_get
):
    """DRF settles the answer's format before it looks at the token: such a request is refused
    as before (no 500), and logs nothing, as its token was never read."""
    made, raw = make_token(world.org_admin)
    if token == "unknown":
        raw = "sword_wrong"
    elif token == "revoked":
        revoke_token(token=made, actor=world.org_admin)
    assert api_get(reverse("api:units"), raw, format="xml").status_code == 404
    headers = {"Authorization": f"Bearer {raw}", "Accept": "text/csv"}
    assert Client().get(reverse("api:units"), headers=headers).status_code == 406
    assert refusals() == []


def test_it_still_refuses_when_the_entry_cannot_be_written(
    world, make_token, api_get, monkeypatch, caplog
):
    def broken(**kwargs):
        # Fails in the database, so that on PostgreSQL (CI) the test's transaction would be
        # unusable afterwards had the entry not been written under a savepoint.
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM audit_table_that_is_not_there")

    monkeypatch.setattr("api.services.record", broken)
    _, raw = make_token(world.leader)
    url = reverse("api:unit", kwargs={"unit_id": world.team_c.pk})
    assert api_get(url, raw).status_code == 404
    assert "Could not log a refused API request" in caplog.text
    monkeypatch.undo()
    assert api_get(url, raw).status_code == 404  # the failed entry held back none after it
    assert len(refusals()) == 1


def test_it_records_nothing_for_a_missing_or_unknown_token(world, api_get):
    before = AuditEvent.objects.count()
    assert api_get(reverse("api:units"), "sword_wrong").status_code == 401
    assert api_get(reverse("api:units"), None).status_code == 401
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

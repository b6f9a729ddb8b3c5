"""The org admin's token page: made and shown once, stored as a hash, listed with its last use,
revoked after confirming."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from api.services import create_token
from organisations.models import AuditEvent
from tests.postgres_locks import second_waits_for_first

LIST = "api_tokens:list"


def make_via_page(client, name="Power BI", days=90):
    expires = timezone.localdate() + timedelta(days=days)
    return client.post(reverse(LIST), {"name": name, "expires_on": expires.isoformat()})


def raw_token_in(response) -> str:
    match = re.search(r'value="(sword_[A-Za-z0-9_-]+)"', response.content.decode())
    assert match, "the new token is shown on the page"
    return match.group(1)


def test_it_shows_a_new_token_once_and_stores_only_its_hash(world, client_for, api_get):
    client = client_for(world.org_admin)
    response = make_via_page(client)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    raw = raw_token_in(response)
    token = ApiToken.objects.get()
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert token.created_by == world.org_admin
    # Nowhere in the database: not the token, nor its secret part (sessions and the log too).
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    assert raw not in dump.getvalue()
    assert raw.removeprefix("sword_")[:20] not in dump.getvalue()
    # Not shown again: the list names it, without its text.
    listing = client.get(reverse(LIST)).content.decode()
    assert "Power BI" in listing
    assert raw not in listing
    assert api_get(reverse("api:units"), raw).status_code == 200


def test_it_lists_each_token_with_its_state_and_last_use(world, client_for, api_get):
    client = client_for(world.org_admin)
    raw = raw_token_in(make_via_page(client, name="Used one"))
    make_via_page(client, name="Idle one")
    api_get(reverse("api:units"), raw)
    page = client.get(reverse(LIST)).content.decode()
    used_row = next(row for row in page.split("<tr>") if "Used one" in row)
    idle_row = next(row for row in page.split("<tr>") if "Idle one" in row)
    assert "Never" in idle_row
    assert "Never" not in used_row
    assert f"{timezone.localtime():%-d %b %Y}" in used_row.split("</td>")[2]
    assert "Active" in used_row


def test_it_lists_how_each_token_starts_so_a_leaked_one_can_be_found(world, client_for):
    client = client_for(world.org_admin)
    raw = raw_token_in(make_via_page(client, name="Power BI"))

    listing = client.get(reverse(LIST)).content.decode()

    assert ApiToken.objects.get().shown_start == raw[:10]
    assert f'<code class="small" title="How the token starts">{raw[:10]}…</code>' in listing
    assert raw[:11] not in listing


@pytest.mark.parametrize(
    ("days", "message"),
    [(-1, "from today onwards"), (366, "at most 365 days"), (None, "This field is required")],
)
def test_it_requires_an_expiry_within_a_year(days, message, world, client_for):
    client = client_for(world.org_admin)
    data = {"name": "Power BI"}
    if days is not None:
        data["expires_on"] = (timezone.localdate() + timedelta(days=days)).isoformat()
    response = client.post(reverse(LIST), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ApiToken.objects.exists()


def test_it_accepts_an_expiry_a_year_ahead(world):
    today = timezone.localdate()
    token, _ = create_token(
        organisation=world.organisation,
        created_by=world.org_admin,
        name="Yearly",
        expires_on=today + timedelta(days=365),
        today=today,
    )
    assert token.expires_on == today + timedelta(days=365)


def test_it_refuses_a_second_working_token_of_the_same_name(world, client_for):
    client = client_for(world.org_admin)
    assert "sword_" in make_via_page(client, name="Power BI").content.decode()
    again = make_via_page(client, name=" power bi ")  # as a reloaded page would send it
    assert "A working token is already called “power bi”" in again.content.decode()
    assert ApiToken.objects.count() == 1
    client.post(reverse("api_tokens:revoke", args=[ApiToken.objects.get().pk]))
    assert "sword_" in make_via_page(client, name="Power BI").content.decode()
    assert ApiToken.objects.count() == 2
    # A token past its expiry no longer works either: its name is free again.
    ApiToken.objects.filter(revoked_at__isnull=True).update(
        expires_on=timezone.localdate() - timedelta(days=1)
    )
    assert "sword_" in make_via_page(client, name="Power BI").content.decode()


def test_it_lets_only_org_admins_make_tokens(world, client_for):
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        create_token(
            organisation=world.organisation,
            created_by=world.leader,
            name="Mine",
            expires_on=today,
            today=today,
        )
    with pytest.raises(ValidationError):
        create_token(
            organisation=world.organisation,
            created_by=world.outsider,
            name="Theirs",
            expires_on=today,
            today=today,
        )
    assert client_for(world.leader).get(reverse(LIST)).status_code == 403
    assert make_via_page(client_for(world.team_manager)).status_code == 403
    assert not ApiToken.objects.exists()


def test_it_asks_before_revoking_then_revokes_and_records_it(world, client_for, api_get):
    client = client_for(world.org_admin)
    raw = raw_token_in(make_via_page(client))
    token = ApiToken.objects.get()
    url = reverse("api_tokens:revoke", kwargs={"token_id": token.pk})
    asked = client.get(url)
    assert asked.status_code == 200
    assert "Revoke the token" in asked.content.decode()
    assert api_get(reverse("api:units"), raw).status_code == 200  # asking changed nothing

    assert client.post(url).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.revoked_by == world.org_admin
    assert api_get(reverse("api:units"), raw).status_code == 401
    actions = list(
        AuditEvent.objects.filter(
            action__in=[AuditEvent.Action.API_TOKEN_CREATED, AuditEvent.Action.API_TOKEN_REVOKED]
        )
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [AuditEvent.Action.API_TOKEN_CREATED, AuditEvent.Action.API_TOKEN_REVOKED]
    again = client.get(url).content.decode()
    assert "already revoked" in again
    assert "Revoke the token" not in again


def test_it_answers_404_to_the_outsider_for_another_organisations_token(
    world, client_for, make_token
):
    token, _ = make_token(world.org_admin, name="Council dashboard feed")
    url = reverse("api_tokens:revoke", kwargs={"token_id": token.pk})
    assert client_for(world.outsider).get(url).status_code == 404
    assert client_for(world.outsider).post(url).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    listing = client_for(world.outsider).get(reverse(LIST)).content.decode()
    assert "Council dashboard feed" not in listing
    assert "No tokens yet" in listing


@pytest.mark.django_db(transaction=True)
def test_it_makes_one_token_when_the_form_is_sent_twice_at_once(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no row locks")
    today = timezone.localdate()

    def make() -> None:
        create_token(
            organisation=world.organisation,
            created_by=world.org_admin,
            name="Power BI",
            expires_on=today + timedelta(days=30),
            today=today,
        )

    outcomes = second_waits_for_first(make, make)

    assert outcomes == {"first": "done", "second": "ValidationError"}
    assert ApiToken.objects.count() == 1

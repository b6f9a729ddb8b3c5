"""Who the token is: 401 for no, bad, expired or revoked tokens and inactive creators; the
creator's reach now, which narrows or empties when their role does."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from api.services import revoke_token
from organisations.models import Membership, Role
from organisations.services import change_role, grant_membership, remove_membership
from tests.factories import make_member

LONDON = ZoneInfo("Europe/London")


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [unit["name"] for unit in response.json()["results"]]


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer sword_not-a-real-token",
        "Bearer two parts",
        "Token abc",
        "Basic eA==",
    ],
)
def test_it_answers_401_without_a_valid_token(header, world, client):
    headers = {"Authorization": header} if header else {}
    response = client.get(reverse("api:units"), headers=headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "Example Council" not in response.content.decode()


def test_it_ignores_a_signed_in_session(world, client_for):
    """The API takes tokens only: a page's session cookie reads nothing."""
    response = client_for(world.org_admin).get(reverse("api:units"))
    assert response.status_code == 401


def test_it_works_until_the_end_of_its_expiry_day_then_answers_401(world, make_token, api_get):
    token, raw = make_token(world.org_admin, days=10)
    last_day = datetime.combine(token.expires_on, time(23, 59), tzinfo=LONDON)
    with time_machine.travel(last_day, tick=False):
        assert api_get(reverse("api:units"), raw).status_code == 200
    with time_machine.travel(last_day + timedelta(minutes=2), tick=False):
        response = api_get(reverse("api:units"), raw)
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_it_answers_401_once_revoked(world, make_token, api_get):
    token, raw = make_token(world.org_admin)
    assert api_get(reverse("api:units"), raw).status_code == 200
    revoke_token(token=token, actor=world.org_admin)
    response = api_get(reverse("api:units"), raw)
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_it_answers_401_when_the_creator_can_no_longer_sign_in(world, make_token, api_get):
    _, raw = make_token(world.org_admin)
    world.org_admin.is_active = False
    world.org_admin.save(update_fields=["is_active"])
    assert api_get(reverse("api:units"), raw).status_code == 401


def test_it_reads_with_the_creators_reach_as_it_is_now(world, make_cycle, make_token, api_get):
    second_admin = make_member(world.root, Role.ORG_ADMIN)  # an organisation keeps one admin
    south = make_cycle(unit=world.units["Locality South"], name="South only")
    _, raw = make_token(world.org_admin)
    south_url = reverse("api:cycle", kwargs={"cycle_id": south.pk})
    assert len(names(api_get(reverse("api:units"), raw))) == 7
    assert api_get(south_url, raw).status_code == 200

    membership = Membership.objects.get(user=world.org_admin)
    change_role(membership=membership, role=Role.LEADER, unit=world.north, actor=second_admin)
    assert names(api_get(reverse("api:units"), raw)) == ["Locality North", "Team A", "Team B"]
    assert api_get(south_url, raw).status_code == 404

    remove_membership(membership=Membership.objects.get(user=world.org_admin), actor=second_admin)
    assert names(api_get(reverse("api:units"), raw)) == []
    assert api_get(reverse("api:cycles"), raw).json()["results"] == []
    assert api_get(south_url, raw).status_code == 404


def test_it_never_reads_another_organisation_through_a_creator_who_moved(
    world, make_token, api_get
):
    make_member(world.root, Role.ORG_ADMIN)
    _, raw = make_token(world.org_admin)
    remove_membership(membership=Membership.objects.get(user=world.org_admin))
    grant_membership(user=world.org_admin, unit=world.other_units["root"], role=Role.ORG_ADMIN)
    assert names(api_get(reverse("api:units"), raw)) == []
    other = reverse("api:unit", kwargs={"unit_id": world.other_units["Other Team"].pk})
    assert api_get(other, raw).status_code == 404


def test_it_notes_the_last_use_at_most_once_a_minute(world, make_token, api_get):
    token, raw = make_token(world.org_admin)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        api_get(reverse("api:units"), raw)
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        api_get(reverse("api:units"), raw)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == start
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        api_get(reverse("api:units"), raw)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == start + timedelta(seconds=61)

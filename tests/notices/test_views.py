"""The notification settings page, and the digest's link that turns it off without sign-in:
only a valid signature opens it, and only a POST changes anything."""

from __future__ import annotations

import pytest
from django.core import signing
from django.urls import reverse

from notices.links import digest_link, digest_token
from notices.models import NoticePreference
from notices.selectors import wants_weekly_digest

pytestmark = pytest.mark.django_db


def _link_path(user_id: int) -> str:
    return reverse("notices:digest_link", kwargs={"token": digest_token(user_id)})


def test_it_is_linked_from_the_account_menu(world, client_for):
    page = client_for(world.team_manager).get(reverse("home")).content.decode()
    assert f'href="{reverse("notices:settings")}">E-mail settings</a>' in page


def test_it_lets_a_leader_turn_the_digest_off_and_on_again(world, client_for):
    client = client_for(world.leader)
    page = client.get(reverse("notices:settings")).content.decode()
    assert 'name="weekly_digest"' in page
    assert "checked" in page
    assert "An action is overdue" in page  # the page says what each notice is
    response = client.post(reverse("notices:settings"), {})
    assert response.status_code == 302
    assert wants_weekly_digest(world.leader) is False
    assert "checked" not in client.get(reverse("notices:settings")).content.decode()
    client.post(reverse("notices:settings"), {"weekly_digest": "on"})
    assert wants_weekly_digest(world.leader) is True


def test_it_tells_a_team_manager_the_digest_is_for_leaders(world, client_for):
    client = client_for(world.team_manager)
    page = client.get(reverse("notices:settings")).content.decode()
    assert 'name="weekly_digest"' not in page
    assert "The weekly digest goes to leaders and organisation admins" in page
    assert client.post(reverse("notices:settings"), {}).status_code == 403
    assert not NoticePreference.objects.exists()


def test_it_opens_a_digest_link_without_sign_in_and_changes_nothing_on_get(world, client):
    response = client.get(_link_path(world.leader.pk))
    assert response.status_code == 200
    assert "Stop the weekly digest" in response.content.decode()
    assert wants_weekly_digest(world.leader) is True


def test_it_turns_the_digest_off_only_by_post_and_on_again(world, client):
    path = _link_path(world.leader.pk)
    response = client.post(path)
    assert response.status_code == 200
    assert "you will no longer get the weekly digest" in response.content.decode()
    assert wants_weekly_digest(world.leader) is False
    assert wants_weekly_digest(world.org_admin) is True
    assert "Send me the weekly digest" in client.get(path).content.decode()
    client.post(path, {"weekly_digest": "on"})
    assert wants_weekly_digest(world.leader) is True


def test_it_refuses_other_methods(world, client):
    assert client.put(_link_path(world.leader.pk)).status_code == 405


@pytest.mark.parametrize(
    "token",
    [
        lambda user_id: digest_token(user_id)[:-2] + "xx",  # tampered signature
        lambda user_id: signing.dumps({"user": user_id}, salt="another-purpose"),
        lambda user_id: signing.dumps({"user": user_id}, salt="notices.weekly-digest-link")[:-1],
        lambda user_id: "not-a-token",
    ],
)
def test_it_answers_404_to_a_link_without_a_valid_signature(world, client_for, token):
    path = reverse("notices:digest_link", kwargs={"token": token(world.leader.pk)})
    for client in (client_for(None), client_for(world.outsider)):
        assert client.get(path).status_code == 404
        assert client.post(path).status_code == 404
    assert wants_weekly_digest(world.leader) is True


def test_it_answers_404_for_someone_no_longer_active(world, client):
    world.leader.is_active = False
    world.leader.save()
    assert client.post(_link_path(world.leader.pk)).status_code == 404


def test_it_makes_absolute_links():
    assert digest_link(7).startswith("http://testserver/notifications/weekly-digest/")

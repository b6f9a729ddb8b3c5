"""The operators' Django admin: deleting an account goes through the audited service."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from accounts.models import User
from organisations.models import AuditEvent, Membership


@pytest.fixture
def operator_client(client, db):
    operator = User.objects.create_superuser(email="operator@example.org", password="x" * 16)
    client.force_login(operator)
    return client


def test_it_records_the_roles_an_account_held_when_an_operator_deletes_it(world, operator_client):
    manager = world.team_manager
    url = reverse("admin:accounts_user_delete", args=[manager.pk])
    response = operator_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=manager.pk).exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.ROLE_REMOVED)
    assert event.organisation == world.organisation
    assert event.actor == "operator@example.org"
    assert manager.email in event.detail
    assert event.scope == "Children's Services / Locality North / Team A"


def test_it_records_each_account_deleted_in_bulk(world, operator_client):
    people = [world.leader, world.team_manager]
    response = operator_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "delete_selected", "_selected_action": [p.pk for p in people], "post": "yes"},
    )
    assert response.status_code == 302
    removed = AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_REMOVED)
    assert sorted(e.detail.split()[0] for e in removed) == sorted(p.email for p in people)
    assert not User.objects.filter(pk__in=[p.pk for p in people]).exists()


def test_it_will_not_delete_an_organisations_only_admin(world, operator_client):
    admin = world.org_admin
    url = reverse("admin:accounts_user_delete", args=[admin.pk])
    page = operator_client.get(url).content.decode()
    assert "Example Council would be left without an organisation admin" in page
    operator_client.post(url, {"post": "yes"})
    assert Membership.objects.filter(user=admin).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_REMOVED).exists()


def change_in_admin(operator_client, person: User, **changes):
    data = {
        "email": person.email,
        "display_name": person.display_name,
        "is_active": "on" if person.is_active else "",
        "date_joined_0": person.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": person.date_joined.strftime("%H:%M:%S"),
        **changes,
    }
    return operator_client.post(
        reverse("admin:accounts_user_change", args=[person.pk]),
        {key: value for key, value in data.items() if value != ""},
    )


def test_it_will_not_switch_off_an_organisations_only_admin(world, operator_client):
    admin = world.org_admin
    response = change_in_admin(operator_client, admin, is_active="")
    assert response.status_code == 200
    assert "Example Council would be left without an organisation admin" in (
        response.content.decode()
    )
    admin.refresh_from_db()
    assert admin.is_active
    # Another admin who can sign in: now it may be switched off.
    second = User.objects.create_user(email="second@example.org", display_name="Second")
    Membership.objects.create(
        user=second, organisation=world.organisation, unit=world.units["root"], role="org_admin"
    )
    assert change_in_admin(operator_client, admin, is_active="").status_code == 302
    admin.refresh_from_db()
    assert not admin.is_active
    # And the one left cannot be, nor can a role-holder leave only a switched-off admin.
    assert change_in_admin(operator_client, second, is_active="").status_code == 200


def test_it_sends_operators_to_the_rate_limited_sign_in_page(client, db):
    from tests.factories import TEST_PASSWORD

    User.objects.create_superuser(email="operator@example.org", password=TEST_PASSWORD)
    response = client.get("/operator/")
    assert response.status_code == 302
    sign_in = client.get(response["Location"])
    assert sign_in.status_code == 302
    assert sign_in["Location"] == reverse("accounts:login") + "?next=/operator/"
    posted = client.post(
        "/operator/login/", {"username": "operator@example.org", "password": TEST_PASSWORD}
    )
    assert posted.status_code == 302
    assert "_auth_user_id" not in client.session


def test_it_will_not_delete_every_admin_of_an_organisation_at_once(world, operator_client):
    from organisations.models import Role
    from tests.factories import make_member

    second = make_member(world.units["root"], Role.ORG_ADMIN, display_name="Second Admin")
    admins = [world.org_admin, second]
    response = operator_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "delete_selected", "_selected_action": [a.pk for a in admins], "post": "yes"},
    )
    assert (
        "Example Council would be left without an organisation admin" in response.content.decode()
    )
    assert User.objects.filter(pk__in=[a.pk for a in admins]).count() == 2
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_REMOVED).exists()
    one = operator_client.post(
        reverse("admin:accounts_user_delete", args=[second.pk]), {"post": "yes"}
    )
    assert one.status_code == 302
    assert not User.objects.filter(pk=second.pk).exists()


def test_it_refuses_the_admin_to_someone_signed_in_without_going_round_in_circles(
    world, client_for
):
    client = client_for(world.org_admin)
    response = client.get("/operator/", follow=True)
    assert response.status_code == 403
    assert len(response.redirect_chain) == 1
    assert "only for platform operators" in response.content.decode()


def _as_if_the_confirmation_page_saw_another_admin(monkeypatch):
    """The page's check ran while a second admin still held the role (lost before the POST)."""
    import accounts.admin

    monkeypatch.setattr(accounts.admin, "left_without_admin", lambda users: [])


def test_it_tells_the_operator_when_the_last_admin_lost_a_colleague_meanwhile(
    world, operator_client, monkeypatch
):
    _as_if_the_confirmation_page_saw_another_admin(monkeypatch)
    admin = world.org_admin
    url = reverse("admin:accounts_user_delete", args=[admin.pk])
    response = operator_client.post(url, {"post": "yes"}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert "An organisation needs at least one organisation admin." in response.content.decode()
    assert User.objects.filter(pk=admin.pk).exists()
    assert Membership.objects.filter(user=admin).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_REMOVED).exists()
    assert not LogEntry.objects.exists()


def test_it_deletes_nothing_in_bulk_when_the_last_admin_lost_a_colleague_meanwhile(
    world, operator_client, monkeypatch
):
    _as_if_the_confirmation_page_saw_another_admin(monkeypatch)
    people = [world.team_manager, world.org_admin]
    url = reverse("admin:accounts_user_changelist")
    response = operator_client.post(
        url,
        {"action": "delete_selected", "_selected_action": [p.pk for p in people], "post": "yes"},
        follow=True,
    )
    page = response.content.decode()
    assert "An organisation needs at least one organisation admin." in page
    assert "Successfully deleted" not in page
    assert User.objects.filter(pk__in=[p.pk for p in people]).count() == 2
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_REMOVED).exists()
    assert not LogEntry.objects.exists()


def test_it_lists_each_account_s_organisations_and_filters_by_one(
    world, operator_client, django_assert_max_num_queries
):
    url = reverse("admin:accounts_user_changelist")
    with django_assert_max_num_queries(12):
        page = operator_client.get(url)
    rows = {
        user.email: page.context["cl"].model_admin.organisations(user)
        for user in page.context["cl"].result_list
    }
    assert rows[world.leader.email] == "Example Council"
    assert rows[world.outsider.email] == "Other Council"
    assert rows["operator@example.org"] == "none"
    organisation = world.outsider.memberships.get().organisation
    only = operator_client.get(url, {"memberships__organisation__id__exact": organisation.pk})
    assert [user.email for user in only.context["cl"].result_list] == [world.outsider.email]

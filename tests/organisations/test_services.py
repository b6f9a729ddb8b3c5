from __future__ import annotations

import re
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from accounts.models import User
from organisations import services
from organisations.models import AuditEvent, Membership, Role, Unit
from organisations.selectors import (
    left_without_admin,
    parent_of,
    readable_path,
    readable_paths,
    unit_names_by_path,
)
from organisations.services import (
    add_unit,
    archive_unit,
    change_role,
    delete_account,
    delete_unit,
    grant_membership,
    move_unit,
    remove_membership,
    rename_unit,
    restore_unit,
    switch_off_account,
    unit_has_data,
    update_settings,
)
from tests.factories import make_member, make_user


def test_it_moves_a_unit_with_its_whole_subtree(world):
    south = world.units["Locality South"]
    move_unit(unit=world.north, new_parent=south)
    team_a = Unit.objects.get(pk=world.team_a.pk)
    north = Unit.objects.get(pk=world.north.pk)
    assert parent_of(north) == south
    assert team_a.path.startswith(north.path)
    assert team_a.path.startswith(south.path)
    assert readable_paths(world.organisation)[team_a.pk] == (
        "Children's Services / Locality South / Locality North / Team A"
    )
    assert set(Unit.objects.within(south).values_list("name", flat=True)) == {
        "Locality South",
        "Team C",
        "Locality North",
        "Team A",
        "Team B",
    }


def test_it_refuses_to_move_a_unit_inside_itself(world):
    with pytest.raises(ValidationError, match="inside itself"):
        move_unit(unit=world.units["Children's Services"], new_parent=world.north)


def test_it_refuses_to_move_a_unit_under_a_team(world):
    with pytest.raises(ValidationError, match="team cannot contain"):
        move_unit(unit=world.team_b, new_parent=world.team_a)


def test_it_refuses_to_move_a_unit_to_another_organisation(world):
    with pytest.raises(ValidationError, match="own organisation"):
        move_unit(unit=world.team_b, new_parent=world.other_units["Other Service"])


def test_it_archives_a_unit_with_data_and_keeps_the_data(world):
    assert unit_has_data(world.team_a)  # the team manager's membership points at it
    count = archive_unit(unit=world.north)
    assert count == 3
    team_a = Unit.objects.get(pk=world.team_a.pk)
    assert team_a.is_archived
    assert Membership.objects.filter(unit=team_a, user=world.team_manager).exists()
    with pytest.raises(ValidationError, match="cannot be deleted"):
        delete_unit(unit=team_a)
    assert Unit.objects.filter(pk=team_a.pk).exists()
    restore_unit(unit=world.north)
    assert not Unit.objects.get(pk=world.team_a.pk).is_archived


def test_it_deletes_a_unit_that_never_held_data(world):
    empty = add_unit(parent=world.north, name="Team New", is_team=True)
    assert not unit_has_data(empty)
    delete_unit(unit=empty)
    assert not Unit.objects.filter(pk=empty.pk).exists()


def test_it_refuses_to_restore_a_unit_inside_an_archived_one(world):
    archive_unit(unit=world.north)
    with pytest.raises(ValidationError, match="Restore “Locality North” first"):
        restore_unit(unit=Unit.objects.get(pk=world.team_a.pk))


def test_it_renames_and_refuses_a_duplicate_sibling_name(world):
    rename_unit(unit=world.team_b, name="  Team   Bravo ")
    assert Unit.objects.get(pk=world.team_b.pk).name == "Team Bravo"
    # Named as it is, not as typed: "team a" is the "Team A" already there.
    with pytest.raises(ValidationError, match="already has a unit called “Team A”"):
        rename_unit(unit=world.team_b, name="team a")
    with pytest.raises(ValidationError, match="cannot contain “/”"):
        rename_unit(unit=world.team_b, name="A/B")


def test_it_refuses_children_under_a_team(world):
    with pytest.raises(ValidationError, match="team cannot contain"):
        add_unit(parent=world.team_a, name="Sub", is_team=True)


def test_it_reads_paths_without_a_query_per_unit(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        names = unit_names_by_path(world.organisation)
    assert readable_path(world.team_a, names) == "Children's Services / Locality North / Team A"
    assert readable_path(world.root, names) == "Example Council"


def test_it_checks_roles_fit_their_unit(world):
    person = make_user()
    with pytest.raises(ValidationError, match="at a team"):
        grant_membership(user=person, unit=world.north, role=Role.TEAM_MANAGER)
    with pytest.raises(ValidationError, match="at the organisation itself"):
        grant_membership(user=person, unit=world.north, role=Role.ORG_ADMIN)
    with pytest.raises(ValidationError, match="above teams"):
        grant_membership(user=person, unit=world.team_a, role=Role.LEADER)


def test_it_keeps_each_person_in_one_organisation(world):
    with pytest.raises(ValidationError, match="another organisation"):
        grant_membership(user=world.outsider, unit=world.team_a, role=Role.TEAM_MANAGER)


def test_it_keeps_at_least_one_org_admin(world):
    membership = Membership.objects.get(user=world.org_admin)
    with pytest.raises(ValidationError, match="at least one organisation admin"):
        remove_membership(membership=membership)
    with pytest.raises(ValidationError, match="at least one organisation admin"):
        change_role(membership=membership, role=Role.LEADER, unit=world.north)


def test_it_keeps_an_org_admin_when_their_role_is_given_again_as_another(world):
    root_membership = Membership.objects.get(user=world.org_admin)
    with pytest.raises(ValidationError, match="at least one organisation admin"):
        grant_membership(user=world.org_admin, unit=world.root, role=Role.LEADER)
    root_membership.refresh_from_db()
    assert root_membership.role == Role.ORG_ADMIN


def test_it_refuses_to_move_a_role_to_another_organisation(world):
    membership = Membership.objects.get(user=world.team_manager)
    other_team = world.other_units["Other Team"]
    with pytest.raises(ValidationError, match="within its own organisation"):
        change_role(membership=membership, role=Role.TEAM_MANAGER, unit=other_team)
    membership.refresh_from_db()
    assert membership.unit == world.team_a


# --- two org admins at the same moment (PostgreSQL: row locks, concurrent connections) -----


class _Rendezvous:
    """Lets each thread wait, up to a timeout, until every thread has reached the same point."""

    def __init__(self, parties: int) -> None:
        self.parties = parties
        self.arrived = 0
        self.condition = threading.Condition()

    def arrive_and_wait(self, timeout: float) -> None:
        with self.condition:
            self.arrived += 1
            self.condition.notify_all()
            self.condition.wait_for(lambda: self.arrived >= self.parties, timeout=timeout)


def _count_admins_then_wait(monkeypatch) -> None:
    """Widen the race so it happens on every run: after counting the admins, each thread waits
    (up to 2 s) for the other to have counted too. Without the lock both count two admins and
    both go ahead; with it, the second is still waiting for the lock, so the first goes on
    alone and the second counts after the first has committed."""
    both_counted = _Rendezvous(2)
    count_admins = services.left_without_admin

    def count_then_wait(users):
        left_without = count_admins(users)
        both_counted.arrive_and_wait(timeout=2)
        return left_without

    monkeypatch.setattr(services, "left_without_admin", count_then_wait)


def _remove(membership: Membership, actor: User) -> None:
    remove_membership(membership=membership, actor=actor)


def _make_leader(membership: Membership, actor: User) -> None:
    change_role(membership=membership, role=Role.LEADER, actor=actor)  # stays at the root


def _delete_account(membership: Membership, actor: User) -> None:
    delete_account(user=membership.user, actor=actor)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("first", "second"),
    [(_remove, _remove), (_make_leader, _make_leader), (_delete_account, _remove)],
    ids=["both-removed", "both-made-leaders", "account-deleted-and-role-removed"],
)
def test_it_keeps_an_org_admin_when_the_last_two_lose_the_role_at_the_same_moment(
    world, monkeypatch, first, second
):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: SQLite has no row locks and lets only one writer in at a time"
        )
    ada = world.org_admin
    bea = make_member(world.root, Role.ORG_ADMIN, display_name="Bea Admin")
    ada_role = Membership.objects.select_related("user", "unit").get(user=ada)
    bea_role = Membership.objects.select_related("user", "unit").get(user=bea)

    _count_admins_then_wait(monkeypatch)
    start = threading.Barrier(2)
    outcomes: list[str] = []
    outcomes_lock = threading.Lock()

    def attempt(operation, membership: Membership, actor: User) -> None:
        try:
            start.wait()
            operation(membership, actor)
            outcome = "done"
        except ValidationError as exc:
            outcome = " ".join(exc.messages)
        finally:
            connection.close()  # this thread's own connection
        with outcomes_lock:
            outcomes.append(outcome)

    threads = [
        threading.Thread(target=attempt, args=(first, ada_role, bea)),
        threading.Thread(target=attempt, args=(second, bea_role, ada)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["An organisation needs at least one organisation admin.", "done"]
    admins = Membership.objects.filter(organisation=world.organisation, role=Role.ORG_ADMIN)
    assert admins.count() == 1
    lost = AuditEvent.objects.filter(
        action__in=[AuditEvent.Action.ROLE_REMOVED, AuditEvent.Action.ROLE_CHANGED]
    )
    assert [event.old["role"] for event in lost] == [Role.ORG_ADMIN]
    assert lost.get().old["unit"] == "Example Council"


@pytest.mark.django_db(transaction=True)
def test_it_keeps_an_admin_who_can_sign_in_when_two_are_switched_off_at_once(world, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: SQLite has no row locks and lets only one writer in at a time"
        )
    ada = world.org_admin
    bea = make_member(world.root, Role.ORG_ADMIN, display_name="Bea Admin")
    _count_admins_then_wait(monkeypatch)
    start = threading.Barrier(2)
    outcomes: list[str] = []
    outcomes_lock = threading.Lock()

    def attempt(person: User) -> None:
        try:
            start.wait()
            services.switch_off_account(user=person)
            outcome = "done"
        except ValidationError:
            outcome = "refused"
        finally:
            connection.close()
        with outcomes_lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt, args=(person,)) for person in (ada, bea)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["done", "refused"]
    assert User.objects.filter(pk__in=[ada.pk, bea.pk], is_active=True).count() == 1


def test_it_offers_surveys_in_the_languages_an_admin_chooses(world, client_for):
    assert world.organisation.offered_languages == ["en-gb"]
    update_settings(
        organisation=world.organisation, values={"survey_languages": ["cy"]}, actor=None
    )
    world.organisation.refresh_from_db()
    assert world.organisation.offered_languages == ["en-gb", "cy"]
    event = AuditEvent.objects.filter(organisation=world.organisation).latest("pk")
    assert "languages surveys offer besides English: [] → ['cy']" in event.detail
    with pytest.raises(ValidationError, match="only in the site's languages"):
        update_settings(
            organisation=world.organisation, values={"survey_languages": ["fr"]}, actor=None
        )
    page = client_for(world.org_admin).get(reverse("organisations:settings")).content.decode()
    assert "Languages surveys offer besides English" in page
    assert re.search(r'<input[^>]*value="cy"[^>]*checked', page)


def test_it_sends_a_role_invitation_when_the_organisation_s_name_holds_a_line_break(
    world, django_capture_on_commit_callbacks, mailoutbox
):
    """An org admin types the organisation's name; a line break in it must neither inject a
    header into the invitation nor make granting a role fail."""
    world.organisation.name = "Example\r\nBcc: attacker@example.com"
    world.organisation.save(update_fields=["name"])
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_colleague(
            email="new.person@example.org",
            display_name="New Person",
            role=Role.TEAM_MANAGER,
            unit=world.team_b,
            invited_by=world.org_admin,
        )
    (message,) = mailoutbox
    assert message.subject == (
        "You have been given access to SWORD for Example Bcc: attacker@example.com"
    )
    assert message.recipients() == ["new.person@example.org"]


@pytest.mark.parametrize("has_account", [False, True])
def test_it_writes_names_as_typed_in_the_plain_text_invitation(
    world, django_capture_on_commit_callbacks, mailoutbox, has_account
):
    """A plain-text e-mail is not HTML: "Duty & Assessment" must not read "Duty &amp; ..."."""
    world.team_b.name = "Duty & Assessment"
    world.team_b.save(update_fields=["name"])
    world.organisation.name = "Brecon & Radnor's Council"
    world.organisation.save(update_fields=["name"])
    world.org_admin.display_name = "Ann O'Neil & Co"
    world.org_admin.save(update_fields=["display_name"])
    if has_account:
        make_user(email="ceri@example.org", display_name="Ceri O'Brien")
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_colleague(
            email="ceri@example.org",
            display_name="Ceri O'Brien",
            role=Role.TEAM_MANAGER,
            unit=world.team_b,
            invited_by=world.org_admin,
        )
    (message,) = mailoutbox
    assert message.subject == "You have been given access to SWORD for Brecon & Radnor's Council"
    assert "Hello Ceri O'Brien," in message.body
    assert (
        "Ann O'Neil & Co has made you team manager at Duty & Assessment in SWORD for "
        "Brecon & Radnor's Council." in message.body
    )
    assert "SWORD helps Brecon & Radnor's Council measure" in message.body
    assert "&amp;" not in message.body
    assert "&#x27;" not in message.body
    assert not getattr(message, "alternatives", [])  # no HTML part to escape


def test_it_switches_off_an_account_only_if_an_admin_who_can_sign_in_stays(world):
    with pytest.raises(ValidationError, match="without an organisation admin who can sign in"):
        switch_off_account(user=world.org_admin)
    world.org_admin.refresh_from_db()
    assert world.org_admin.is_active
    switch_off_account(user=world.team_manager)
    world.team_manager.refresh_from_db()
    assert not world.team_manager.is_active


def test_it_counts_only_admins_who_can_sign_in_as_staying(world):
    second = make_member(world.units["root"], Role.ORG_ADMIN)
    switch_off_account(user=second)
    # The switched-off second admin does not count: the first still cannot be switched off,
    # and the second, who changes nothing, could be removed.
    with pytest.raises(ValidationError):
        switch_off_account(user=world.org_admin)
    # With every admin switched off (as an older release allowed), removing one of them strands
    # nobody: it is not refused.
    User.objects.filter(pk=world.org_admin.pk).update(is_active=False)
    assert left_without_admin([second]) == []

"""The audit log: results viewed and exported, roles and thresholds changed; no respondents."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from diagnostics.models import Cycle
from diagnostics.services import submit_response
from diagnostics.structural import Thresholds
from diagnostics.structural_data import set_thresholds
from organisations.models import AuditEvent, Membership, Role
from organisations.services import change_role, update_settings
from tests.diagnostics.conftest import all_answers
from tests.factories import make_user
from tests.organisations.test_benchmark_settings import SETTINGS


def test_it_records_who_viewed_which_results(world, make_cycle, respond, client_for):
    cycle = make_cycle(unit=world.team_a, name="Spring")
    respond(cycle, world.team_a, 5)
    client_for(world.team_manager).get(reverse("dashboards:profile", args=[world.team_a.pk]))
    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEWED)
    assert event.user == world.team_manager
    assert event.actor == world.team_manager.email
    assert event.scope == "Children's Services / Locality North / Team A"
    assert event.detail == "Profile, Spring"
    assert event.organisation == world.organisation


def test_it_records_a_breakdown_by_its_labels_in_english(world, make_cycle, respond, client_for):
    cycle = make_cycle(unit=world.team_a, name="Spring")
    respond(cycle, world.team_a, 5, about={"role_group": "practitioner"})
    client = client_for(world.team_manager)
    client.cookies["sword_language"] = "cy"

    client.get(
        reverse("dashboards:profile", args=[world.team_a.pk]), {"role_group": "practitioner"}
    )

    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEWED)
    assert event.detail == "Profile, Spring (Role: Social worker or practitioner)"


def test_it_records_exports_from_the_site_and_the_command_line(
    world, make_cycle, client_for, capsys
):
    cycle = make_cycle(unit=world.north, name="Autumn")
    client_for(world.leader).get(reverse("diagnostics:results_export", args=[cycle.pk, "csv"]))
    call_command("export_results", str(cycle.pk))
    site, command = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).order_by("pk")
    assert site.actor == world.leader.email
    assert site.detail == "Autumn: CSV by domain, level all"
    assert command.detail == "Autumn: CSV by domain, level all (export_results)"
    assert command.actor == "command line"
    assert command.user is None
    assert site.scope == command.scope == "Children's Services / Locality North"


def test_it_records_only_the_part_of_the_organisation_an_export_holds(
    world, make_cycle, client_for
):
    cycle = make_cycle(unit=world.units["root"], name="Whole council")
    url = reverse("diagnostics:results_export", args=[cycle.pk, "csv"])
    leader_export = client_for(world.leader).get(url)
    admin_export = client_for(world.org_admin).get(url)
    assert b"Locality South" not in leader_export.content
    assert b"Locality South" in admin_export.content
    by_leader, by_admin = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).order_by(
        "pk"
    )
    assert by_leader.scope == "Children's Services / Locality North"
    assert by_admin.scope == world.units["root"].name


def test_it_records_every_change_of_role(world):
    person = make_user(email="new@example.org")
    from organisations.services import grant_membership, remove_membership

    membership = grant_membership(
        user=person, unit=world.team_b, role=Role.TEAM_MANAGER, actor=world.org_admin
    )
    change_role(membership=membership, role=Role.LEADER, unit=world.north, actor=world.org_admin)
    remove_membership(membership=Membership.objects.get(pk=membership.pk), actor=world.org_admin)
    actions = list(
        AuditEvent.objects.filter(detail__contains="new@example.org")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        AuditEvent.Action.ROLE_GRANTED,
        AuditEvent.Action.ROLE_CHANGED,
        AuditEvent.Action.ROLE_REMOVED,
    ]


def test_it_records_no_change_when_a_role_is_saved_as_it_was(world):
    membership = Membership.objects.get(user=world.team_manager)
    before = AuditEvent.objects.count()
    change_role(membership=membership, role=Role.TEAM_MANAGER, actor=world.org_admin)
    change_role(
        membership=membership, role=Role.TEAM_MANAGER, unit=world.team_a, actor=world.org_admin
    )
    assert AuditEvent.objects.count() == before
    change_role(membership=membership, role=Role.TEAM_MANAGER, unit=world.team_b)
    event = AuditEvent.objects.get(action=AuditEvent.Action.ROLE_CHANGED)
    assert "was team manager at Children's Services / Locality North / Team A" in event.detail


def test_it_records_every_change_of_threshold(world):
    update_settings(
        organisation=world.organisation,
        values={"anonymity_threshold": 7, "comment_threshold": 12},
        actor=world.org_admin,
    )
    set_thresholds(
        organisation=world.organisation,
        values={"caseload": Thresholds(Decimal(16), Decimal(22))},
        actor=world.org_admin,
    )
    first, second = AuditEvent.objects.filter(action=AuditEvent.Action.THRESHOLD_CHANGED).order_by(
        "pk"
    )
    assert "anonymity threshold (k): 5 → 7" in first.detail
    assert "comment threshold: 10 → 12" in first.detail
    assert "Average caseload per full-time practitioner: good 18 → 16" in second.detail


def test_it_records_nothing_about_respondents(world, make_cycle):
    from diagnostics.services import issue_invites

    cycle = make_cycle(unit=world.team_a)
    code = issue_invites(cycle=cycle, team=world.team_a, count=1)[0]
    before = AuditEvent.objects.count()
    submit_response(code=code, answers=all_answers(cycle))
    assert AuditEvent.objects.count() == before
    fields = {f.name for f in AuditEvent._meta.get_fields()}
    assert fields == {
        "id",
        "organisation",
        "at",
        "user",
        "actor",
        "action",
        "scope",
        "detail",
        "old",
        "new",
    }


def settings_form(**changes: object) -> dict[str, object]:
    """The settings form as these tests post it (the world's thresholds and window, a safety
    contact), with these changed."""
    return {**SETTINGS, **changes}


def test_it_lets_org_admins_read_the_log_and_no_one_else(world, client_for):
    update_settings(
        organisation=world.organisation, values={"pulse_window_days": 60}, actor=world.org_admin
    )
    page = client_for(world.org_admin).get(reverse("organisations:audit")).content.decode()
    assert "pulse pooling window (days): 90 → 60" in page
    assert client_for(world.leader).get(reverse("organisations:audit")).status_code == 403
    outsider_page = client_for(world.outsider).get(reverse("organisations:audit")).content.decode()
    assert "pulse pooling window" not in outsider_page


def test_it_refuses_a_threshold_below_3_from_the_settings_page(world, client_for):
    before = AuditEvent.objects.count()
    response = client_for(world.org_admin).post(
        reverse("organisations:settings"),
        settings_form(anonymity_threshold=2),
    )
    assert response.status_code == 200
    assert "Give a whole number from 3 to 50." in response.content.decode()
    world.organisation.refresh_from_db()
    assert world.organisation.anonymity_threshold == 5
    assert AuditEvent.objects.count() == before


def test_it_refuses_a_threshold_over_the_limit_as_such(world, client_for):
    response = client_for(world.org_admin).post(
        reverse("organisations:settings"),
        settings_form(anonymity_threshold=1000),
    )
    errors = response.context["form"].errors
    assert list(errors) == ["anonymity_threshold"]
    assert errors["anonymity_threshold"] == ["Give a whole number from 3 to 50."]
    assert 'min="3"' in response.content.decode()


def test_it_refuses_a_safety_contact_over_2000_characters(world, client_for):
    response = client_for(world.org_admin).post(
        reverse("organisations:settings"),
        settings_form(safety_contact="Call 999. " * 201),
    )
    assert "at most 2000 characters" in " ".join(response.context["form"].errors["safety_contact"])
    world.organisation.refresh_from_db()
    assert not world.organisation.safety_contact.startswith("Call 999. Call 999.")


def test_it_refuses_to_change_the_pulse_window_once_a_pulse_has_opened(
    world, make_cycle, client_for
):
    settings = settings_form(pulse_window_days=60)
    make_cycle(unit=world.team_a, kind=Cycle.Kind.PULSE, opened=False)
    client = client_for(world.org_admin)
    assert client.post(reverse("organisations:settings"), settings).status_code == 302
    world.organisation.refresh_from_db()
    assert world.organisation.pulse_window_days == 60  # a draft pulse has pooled nothing

    make_cycle(unit=world.team_a, kind=Cycle.Kind.PULSE)
    before = AuditEvent.objects.count()
    response = client.post(reverse("organisations:settings"), {**settings, "pulse_window_days": 90})
    assert response.status_code == 200
    assert "cannot change once a pulse has opened" in response.content.decode()
    world.organisation.refresh_from_db()
    assert world.organisation.pulse_window_days == 60
    assert AuditEvent.objects.count() == before


def test_it_fixes_the_anonymity_threshold_once_a_cycle_has_opened(world, make_cycle, client_for):
    settings = settings_form(anonymity_threshold=4)
    make_cycle(unit=world.team_a, opened=False)
    client = client_for(world.org_admin)
    assert client.post(reverse("organisations:settings"), settings).status_code == 302
    world.organisation.refresh_from_db()
    assert world.organisation.anonymity_threshold == 4  # a draft cycle has released nothing

    make_cycle(unit=world.team_a)
    page = client.get(reverse("organisations:settings")).content.decode()
    posted = client.post(reverse("organisations:settings"), {**settings, "anonymity_threshold": 3})

    assert "cannot change once a cycle has opened" in page
    assert re.search(r'<input[^>]*name="anonymity_threshold"[^>]*disabled', page)
    assert posted.status_code == 302  # the rest of the settings still save
    world.organisation.refresh_from_db()
    assert world.organisation.anonymity_threshold == 4
    with pytest.raises(ValidationError, match="cannot change once a cycle has opened"):
        update_settings(
            organisation=world.organisation, values={"anonymity_threshold": 6}, actor=None
        )
    world.organisation.refresh_from_db()
    assert world.organisation.anonymity_threshold == 4


def test_it_names_the_org_admin_who_changed_a_role_on_the_site(world, client_for):
    membership = Membership.objects.get(user=world.team_manager)
    response = client_for(world.org_admin).post(
        reverse("organisations:membership_edit", args=[membership.pk]),
        {"display_name": "Tess Manager", "role": Role.LEADER, "unit": world.north.pk},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=AuditEvent.Action.ROLE_CHANGED)
    assert event.user == world.org_admin
    assert event.actor == world.org_admin.email


def test_it_records_nothing_when_the_export_command_fails(world, make_cycle, tmp_path):
    import pytest
    from django.core.management.base import CommandError

    cycle = make_cycle(unit=world.north, name="Autumn")
    unwritable = tmp_path / "missing-folder" / "results.xlsx"
    with pytest.raises(CommandError):
        call_command("export_results", str(cycle.pk), "--format", "xlsx", "--output", unwritable)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).exists()


def test_it_records_who_viewed_an_actions_before_and_after(world, client_for):
    from datetime import timedelta

    from django.utils import timezone

    from actions.services import create_action
    from diagnostics.models import Domain

    action = create_action(
        unit=world.team_a,
        domain=Domain.objects.get(code="WL"),
        title="Share duty fairly",
        owner=world.team_manager,
        due_on=timezone.localdate() + timedelta(days=10),
        created_by=world.team_manager,
    )
    client_for(world.leader).get(reverse("actions:detail", args=[action.pk]))
    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEWED)
    assert event.user == world.leader
    assert "Share duty fairly" in event.detail


def test_it_records_views_of_the_comparison_the_trends_and_the_lens(world, make_cycle, client_for):
    cycle = make_cycle(unit=world.north, name="Summer")
    client = client_for(world.leader)
    for name in ("dashboards:compare", "dashboards:trends", "dashboards:lens"):
        assert client.get(reverse(name, args=[world.north.pk])).status_code == 200
    details = list(
        AuditEvent.objects.filter(action=AuditEvent.Action.VIEWED, user=world.leader)
        .order_by("pk")
        .values_list("detail", flat=True)
    )
    assert details == [
        f"Unit comparison, {cycle.name}",
        "Trends",
        f"Structural lens, {cycle.name}",
    ]


def _event(world, *, actor: str, action: str, at: str) -> AuditEvent:
    from datetime import datetime

    from django.utils import timezone

    event = AuditEvent.objects.create(
        organisation=world.organisation, actor=actor, action=action, scope="Team A", detail=at
    )
    moment = timezone.make_aware(datetime.fromisoformat(at))
    AuditEvent.objects.filter(pk=event.pk).update(at=moment)
    return event


def _read(world, *, actor: str, action: str, at: str, detail: str = "Trends") -> None:
    event = _event(world, actor=actor, action=action, at=f"2026-03-02T{at}")
    AuditEvent.objects.filter(pk=event.pk).update(detail=detail)


def test_it_folds_a_read_repeated_one_after_another_into_one_row(world):
    from organisations.audit import log_rows

    viewed, exported = AuditEvent.Action.VIEWED, AuditEvent.Action.EXPORTED
    for at in ("09:00", "09:05", "09:07"):
        _read(world, actor="ann@example.org", action=viewed, at=at)
    _read(world, actor="ann@example.org", action=viewed, at="09:08", detail="Profile")
    _read(world, actor="bob@example.org", action=viewed, at="09:09")
    _read(world, actor="ann@example.org", action=viewed, at="09:10")
    _read(world, actor="ann@example.org", action=exported, at="09:11")
    _read(world, actor="ann@example.org", action=exported, at="09:12")
    events = AuditEvent.objects.filter(actor__in=["ann@example.org", "bob@example.org"])

    rows = log_rows(events)

    assert [
        (row.event.actor, row.event.action, row.event.detail, f"{row.event.at:%H:%M}")
        for row in rows
    ] == [
        ("ann@example.org", exported, "Trends", "09:12"),
        ("ann@example.org", exported, "Trends", "09:11"),
        ("ann@example.org", viewed, "Trends", "09:10"),
        ("bob@example.org", viewed, "Trends", "09:09"),
        ("ann@example.org", viewed, "Profile", "09:08"),
        ("ann@example.org", viewed, "Trends", "09:07"),
    ]
    assert [[f"{at:%H:%M}" for at in row.earlier] for row in rows] == [
        [],
        [],
        [],
        [],
        [],
        ["09:05", "09:00"],
    ]


def test_it_shows_the_times_of_a_folded_read(world, client_for):
    from html import unescape

    event = _event(world, actor="ann@example.org", action="viewed", at="2026-03-01T23:50")
    AuditEvent.objects.filter(pk=event.pk).update(detail="Trends")
    for at in ("09:00", "09:05", "09:07"):
        _read(world, actor="ann@example.org", action="viewed", at=at)
    _read(world, actor="bob@example.org", action="viewed", at="09:08")

    page = client_for(world.org_admin).get(reverse("organisations:audit"))

    assert [len(row.earlier) for row in page.context["rows"]][-2:] == [0, 3]
    text = unescape(re.sub(r"\s+", " ", page.content.decode()))
    assert "4 times in all, one after another; also at 09:05, 09:00, 1 Mar 23:50" in text
    assert text.count("ann@example.org") == 1


def test_it_filters_the_log_by_kind_person_and_days(world, client_for):
    viewed = AuditEvent.Action.VIEWED
    _event(world, actor="ann@example.org", action=viewed, at="2026-03-01T09:00")
    _event(world, actor="ann@example.org", action=viewed, at="2026-03-02T23:30")
    _event(world, actor="bob@example.org", action=viewed, at="2026-03-02T10:00")
    _event(world, actor="ann@example.org", action=AuditEvent.Action.EXPORTED, at="2026-03-02T11:00")
    _event(world, actor="ann@example.org", action=viewed, at="2026-03-03T00:00")
    client = client_for(world.org_admin)
    url = reverse("organisations:audit")
    page = client.get(
        url, {"action": "viewed", "who": "ANN@", "since": "2026-03-02", "until": "2026-03-02"}
    )
    shown = [event.detail for event in page.context["page"].object_list]
    assert shown == ["2026-03-02T23:30"]
    assert "Show everything" in page.content.decode()


def test_it_keeps_the_filters_on_the_next_page(world, client_for):
    for hour in range(10, 22):
        for minute in range(0, 60, 10):
            _event(
                world, actor="ann@example.org", action="viewed", at=f"2026-03-02T{hour}:{minute:02}"
            )
    client = client_for(world.org_admin)
    first = client.get(reverse("organisations:audit"), {"who": "ann"})
    assert first.context["page"].paginator.count == 72
    assert 'href="?who=ann&amp;page=2"' in first.content.decode()
    second = client.get(reverse("organisations:audit"), {"who": "ann", "page": 2})
    assert len(second.context["page"].object_list) == 22


def test_it_explains_filters_it_cannot_use(world, client_for):
    _event(world, actor="ann@example.org", action="viewed", at="2026-03-02T10:00")
    client = client_for(world.org_admin)
    url = reverse("organisations:audit")
    bad_day = client.get(url, {"since": "2 March"})
    assert "Enter a valid date." in bad_day.content.decode()
    assert bad_day.context["page"] is None
    backwards = client.get(url, {"since": "2026-03-05", "until": "2026-03-01"})
    assert "“From” must be on or before “To”." in backwards.content.decode()
    unknown = client.get(url, {"action": "deleted"})
    assert "Select a valid choice." in unknown.content.decode()
    last_day = client.get(url, {"who": "ann", "since": "2026-03-01", "until": "9999-12-31"})
    assert [event.actor for event in last_day.context["page"].object_list] == ["ann@example.org"]
    nothing = client.get(url, {"who": "zed"}).content.decode()
    assert "Nothing in the log matches these filters." in nothing


def test_it_hides_the_log_from_someone_with_no_role(world, client_for):
    stranger = make_user(email="stranger@example.org")
    assert client_for(stranger).get(reverse("organisations:audit")).status_code == 404


# --- structured values before and after ----------------------------------------------------

NORTH = "Children's Services / Locality North"
TEAM_A = "Children's Services / Locality North / Team A"
TEAM_B = "Children's Services / Locality North / Team B"


def _role_events(email: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(detail__contains=email).order_by("pk"))


def test_it_records_a_roles_values_before_and_after_each_change(world):
    from organisations.services import grant_membership, remove_membership

    person = make_user(email="new@example.org")
    membership = grant_membership(
        user=person, unit=world.team_b, role=Role.TEAM_MANAGER, actor=world.org_admin
    )
    change_role(membership=membership, role=Role.LEADER, unit=world.north, actor=world.org_admin)
    remove_membership(membership=membership, actor=world.org_admin)
    granted, changed, removed = _role_events("new@example.org")
    assert (granted.old, granted.new) == ({}, {"role": "team_manager", "unit": TEAM_B})
    assert (changed.old, changed.new) == (
        {"role": "team_manager", "unit": TEAM_B},
        {"role": "leader", "unit": NORTH},
    )
    assert (removed.old, removed.new) == ({"role": "leader", "unit": NORTH}, {})
    removed.refresh_from_db()  # as stored, not as held in memory
    assert removed.old == {"role": "leader", "unit": NORTH}


def test_it_keeps_the_log_s_details_in_english_and_shows_its_values_in_the_reader_s_language(
    world,
):
    from django.utils import translation

    from organisations.audit import Change, changes_of
    from organisations.services import grant_membership, remove_membership

    person = make_user(email="cymraeg@example.org")
    with translation.override("cy"):  # an org admin who reads the site in Welsh
        membership = grant_membership(
            user=person, unit=world.team_b, role=Role.TEAM_MANAGER, actor=world.org_admin
        )
        change_role(membership=membership, role=Role.LEADER, unit=world.north)
        remove_membership(membership=membership)
        update_settings(
            organisation=world.organisation, values={"benchmark_opt_in": True}, actor=None
        )
    granted, changed, removed = _role_events("cymraeg@example.org")
    assert granted.detail == "cymraeg@example.org is team manager"
    assert changed.detail == (f"cymraeg@example.org: was team manager at {TEAM_B}, now leader")
    assert removed.detail == "cymraeg@example.org was leader"
    setting = AuditEvent.objects.get(action=AuditEvent.Action.THRESHOLD_CHANGED)
    assert setting.detail.startswith("takes part in the benchmark: False → True")
    with translation.override("cy"):
        assert changes_of(changed)[0] == Change("rôl", "Rheolwr tîm", "Arweinydd")
        assert changes_of(setting) == [Change("yn cymryd rhan yn y meincnod", "na", "ie")]


def test_it_records_a_role_changed_by_giving_it_again(world):
    from organisations.services import grant_membership

    grant_membership(user=world.leader, unit=world.north, role=Role.LEADER, actor=world.org_admin)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_CHANGED).exists()
    promoted = make_user(email="promoted@example.org")
    grant_membership(user=promoted, unit=world.root, role=Role.LEADER)
    grant_membership(user=promoted, unit=world.root, role=Role.ORG_ADMIN, actor=world.org_admin)
    event = AuditEvent.objects.get(action=AuditEvent.Action.ROLE_CHANGED)
    assert event.old == {"role": "leader", "unit": "Example Council"}
    assert event.new == {"role": "org_admin", "unit": "Example Council"}


def test_it_records_the_role_as_stored_when_the_page_showed_an_older_one(world):
    shown = Membership.objects.get(user=world.team_manager)  # the page an admin left open
    change_role(
        membership=Membership.objects.get(pk=shown.pk),
        role=Role.TEAM_MANAGER,
        unit=world.team_b,
        actor=world.org_admin,
    )
    change_role(membership=shown, role=Role.LEADER, unit=world.north, actor=world.org_admin)
    latest = AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_CHANGED).order_by("pk").last()
    assert latest is not None
    assert latest.old == {"role": "team_manager", "unit": TEAM_B}
    assert f"was team manager at {TEAM_B}" in latest.detail


def test_it_refuses_to_remove_a_role_someone_has_just_removed(world):
    import pytest
    from django.core.exceptions import ValidationError

    from organisations.services import remove_membership

    shown = Membership.objects.get(user=world.team_manager)
    remove_membership(membership=Membership.objects.get(pk=shown.pk), actor=world.org_admin)
    with pytest.raises(ValidationError, match="someone has just removed it"):
        remove_membership(membership=shown, actor=world.leader)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_REMOVED).count() == 1


def test_it_records_each_changed_settings_value_before_and_after(world):
    update_settings(
        organisation=world.organisation,
        values={
            "anonymity_threshold": 7,
            "comment_threshold": 10,  # unchanged
            "safety_contact": "Call the duty manager on 0100.",
        },
        actor=world.org_admin,
    )
    event = AuditEvent.objects.get(action=AuditEvent.Action.THRESHOLD_CHANGED)
    event.refresh_from_db()
    assert event.old == {
        "anonymity_threshold": 5,
        "safety_contact": world.organisation._meta.get_field("safety_contact").default,
    }
    assert event.new == {
        "anonymity_threshold": 7,
        "safety_contact": "Call the duty manager on 0100.",
    }
    assert "safety contact text: changed" in event.detail


def test_it_records_the_setting_as_stored_when_the_page_showed_an_older_one(world):
    from organisations.models import Organisation

    shown = Organisation.objects.get(pk=world.organisation.pk)
    update_settings(
        organisation=world.organisation, values={"anonymity_threshold": 7}, actor=world.org_admin
    )
    update_settings(organisation=shown, values={"anonymity_threshold": 9}, actor=world.leader)
    latest = (
        AuditEvent.objects.filter(action=AuditEvent.Action.THRESHOLD_CHANGED).order_by("pk").last()
    )
    assert latest is not None
    assert (latest.old, latest.new) == ({"anonymity_threshold": 7}, {"anonymity_threshold": 9})


def test_it_records_structural_thresholds_before_and_after_as_numbers(world):
    set_thresholds(
        organisation=world.organisation,
        values={"caseload": Thresholds(Decimal(16), Decimal("22.5"))},
        actor=world.org_admin,
    )
    set_thresholds(
        organisation=world.organisation,
        values={
            "caseload": Thresholds(Decimal(15), Decimal("22.5")),
            "turnover": Thresholds(Decimal(10), Decimal(20)),  # the defaults: unchanged
        },
        actor=world.org_admin,
    )
    first, second = AuditEvent.objects.filter(action=AuditEvent.Action.THRESHOLD_CHANGED).order_by(
        "pk"
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.old == {"caseload": {"good": 18, "concerning": 25}}
    assert first.new == {"caseload": {"good": 16, "concerning": 22.5}}
    assert second.old == {"caseload": {"good": 16, "concerning": 22.5}}  # read back as 16.00
    assert second.new == {"caseload": {"good": 15, "concerning": 22.5}}


def test_it_keeps_no_values_for_views_and_exports(world, make_cycle, respond, client_for):
    cycle = make_cycle(unit=world.north, name="Autumn")
    respond(cycle, world.team_a, 5)
    client = client_for(world.leader)
    client.get(reverse("dashboards:profile", args=[world.team_a.pk]))
    client.get(reverse("diagnostics:results_export", args=[cycle.pk, "csv"]))
    events = AuditEvent.objects.filter(
        action__in=[AuditEvent.Action.VIEWED, AuditEvent.Action.EXPORTED]
    )
    assert {event.action for event in events} == {"viewed", "exported"}
    assert all(event.old == {} and event.new == {} for event in events)


def test_it_reads_the_values_before_and_after_in_words(world):
    from organisations.audit import Change, changes_of
    from organisations.services import grant_membership

    person = make_user(email="words@example.org")
    grant_membership(user=person, unit=world.team_b, role=Role.TEAM_MANAGER)
    change_role(membership=Membership.objects.get(user=person), role=Role.LEADER, unit=world.north)
    set_thresholds(
        organisation=world.organisation,
        values={"caseload": Thresholds(Decimal(16), Decimal(22))},
    )
    granted, changed = _role_events("words@example.org")
    assert changes_of(granted) == [
        Change("role", "", "Team manager"),
        Change("unit", "", TEAM_B),
    ]
    assert changes_of(changed) == [
        Change("role", "Team manager", "Leader"),
        Change("unit", TEAM_B, NORTH),
    ]
    thresholds = AuditEvent.objects.get(action=AuditEvent.Action.THRESHOLD_CHANGED)
    assert changes_of(thresholds) == [
        Change(
            "Average caseload per full-time practitioner",
            "good 18, concerning 25",
            "good 16, concerning 22",
        )
    ]
    viewed = AuditEvent.objects.create(
        organisation=world.organisation, actor="x@example.org", action="viewed", scope="Team A"
    )
    assert changes_of(viewed) == []


def test_it_shows_codes_made_as_a_sentence_not_as_ids(world, make_cycle, client_for):
    from html import unescape

    cycle = make_cycle(unit=world.team_a, name="Spring")
    client_for(world.team_manager).post(
        reverse("diagnostics:invites_new", args=[cycle.pk, world.team_a.pk]), {"count": 3}
    )
    event = AuditEvent.objects.get(action=AuditEvent.Action.CODES_MADE)
    assert event.new["cycle"] == cycle.pk

    page = unescape(
        client_for(world.org_admin).get(reverse("organisations:audit")).content.decode()
    )
    row = re.search(
        r"<tr><td[^>]*>[^<]*</td><td>[^<]*</td><td>Made survey codes</td>.*?</tr>", page, re.S
    )
    assert row is not None
    assert "3 codes to hand out for Spring (3 made for the team in this cycle)" in row.group()
    assert "Before and after" not in row.group()
    assert "→" not in row.group()


def test_it_shows_org_admins_the_values_before_and_after_on_the_log(world, client_for):
    import re
    from html import unescape

    membership = Membership.objects.get(user=world.team_manager)
    change_role(membership=membership, role=Role.LEADER, unit=world.north, actor=world.org_admin)
    change_role(membership=membership, role=Role.LEADER, unit=world.units["Children's Services"])
    update_settings(
        organisation=world.organisation,
        values={"comment_threshold": 12, "safety_contact": "Ring the duty manager.\nThen 999."},
        actor=world.org_admin,
    )
    html = client_for(world.org_admin).get(reverse("organisations:audit")).content.decode()
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    assert f"Role: Team manager → changed to Leader Unit: {TEAM_A} → changed to {NORTH}" in text
    assert f"Role: Leader (unchanged) Unit: {NORTH} → changed to Children's Services" in text
    assert "Comment threshold: 10 → changed to 12" in text
    assert "Safety contact text : before and after Before: If you or someone else" in text
    assert "After: Ring the duty manager. Then 999." in text
    assert "Ring the duty manager.<br>Then 999." in html  # the long text is folded, lines kept
    assert html.count("<details>") == 1


def test_it_refuses_fewer_than_30_responses_for_drivers(world, client_for):
    response = client_for(world.org_admin).post(
        reverse("organisations:settings"),
        settings_form(drivers_minimum=29),
    )
    errors = response.context["form"].errors
    assert errors["drivers_minimum"] == ["Give a whole number from 30 to 1,000."]
    assert 'min="30"' in response.content.decode()
    world.organisation.refresh_from_db()
    assert world.organisation.drivers_minimum == 30


def test_it_keeps_the_safety_contact_in_welsh_and_logs_that_it_changed(world, client_for):
    client = client_for(world.org_admin)
    form = client.get(reverse("organisations:settings")).content.decode()
    assert 'name="safety_contact_cy"' in form
    assert "Safety contact in Welsh" in form
    response = client.post(
        reverse("organisations:settings"), {**SETTINGS, "safety_contact_cy": "  Ffoniwch 999  "}
    )
    assert response.status_code == 302
    world.organisation.refresh_from_db()
    assert world.organisation.safety_contact_in_languages == {"cy": "Ffoniwch 999"}
    event = AuditEvent.objects.filter(action=AuditEvent.Action.THRESHOLD_CHANGED).latest("pk")
    assert "safety contact text in other languages: changed" in event.detail
    assert "Ffoniwch" not in event.detail
    again = client.get(reverse("organisations:settings")).content.decode()
    assert "Ffoniwch 999</textarea>" in again


def test_it_keeps_the_organisation_s_name_in_welsh_and_logs_that_it_changed(world, client_for):
    client = client_for(world.org_admin)
    form = client.get(reverse("organisations:settings")).content.decode()
    assert "Name in Welsh" in form
    response = client.post(
        reverse("organisations:settings"), {**SETTINGS, "name_cy": "  Cyngor   Enghraifft "}
    )
    assert response.status_code == 302
    world.organisation.refresh_from_db()
    assert world.organisation.name_in_languages == {"cy": "Cyngor Enghraifft"}
    event = AuditEvent.objects.filter(action=AuditEvent.Action.THRESHOLD_CHANGED).latest("pk")
    assert "name in other languages: changed" in event.detail
    assert "Cyngor" not in event.detail
    with translation.override("cy"):
        assert world.organisation.shown_name == "Cyngor Enghraifft"
    with translation.override("en-gb"):
        assert world.organisation.shown_name == "Example Council"
    cleared = client.post(reverse("organisations:settings"), {**SETTINGS, "name_cy": " "})
    assert cleared.status_code == 302
    world.organisation.refresh_from_db()
    assert world.organisation.name_in_languages == {}


def test_it_asks_for_each_setting_s_number_in_its_own_words(world, client_for):
    response = client_for(world.org_admin).post(
        reverse("organisations:settings"),
        settings_form(anonymity_threshold="five", comment_threshold=2, pulse_window_days=400),
    )
    errors = response.context["form"].errors
    assert errors["anonymity_threshold"] == ["Give a whole number from 3 to 50."]
    assert errors["comment_threshold"] == ["Give a whole number from 3 to 100."]
    assert errors["pulse_window_days"] == ["Give a whole number from 14 to 365."]

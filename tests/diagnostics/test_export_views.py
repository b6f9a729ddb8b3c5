"""Asking for a results export in the background, "Your exports", and the download."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from accounts.models import User
from diagnostics import tasks
from diagnostics.models import ExportJob
from organisations.models import AuditEvent, Membership, Role
from organisations.services import change_role
from tests.factories import make_member

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_default_timezone())


@pytest.fixture
def cycle(world, make_cycle, respond):
    cycle = make_cycle(unit=world.units["Children's Services"], name="Spring")
    respond(cycle, world.team_a, 5, value=lambda i, code: 5 if i < 3 else 2)
    respond(cycle, world.team_b, 2)
    respond(cycle, world.team_c, 6, value=4)
    return cycle


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def ask(client, cycle, **options: str):
    data = {"format": "csv", "by": "domain", "level": "", **options}
    return client.post(reverse("diagnostics:export_request", args=[cycle.pk]), data)


def download_url(job: ExportJob) -> str:
    return reverse("diagnostics:export_download", args=[job.pk])


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_it_prepares_the_file_and_lists_it_with_a_download_link(world, cycle, client_for):
    client = client_for(world.leader)
    response = ask(client, cycle, by="statement", format="xlsx")
    assert response.status_code == 302
    assert response["Location"] == reverse("diagnostics:export_list")
    job = ExportJob.objects.get()
    assert (job.requested_by, job.cycle, job.organisation) == (
        world.leader,
        cycle,
        world.organisation,
    )
    assert (job.file_format, job.by, job.level) == ("xlsx", "statement", "")
    # No broker in tests: the job ran in process, so the file is ready already.
    assert job.status == ExportJob.Status.READY
    page = client.get(reverse("diagnostics:export_list")).content.decode()
    assert "Spring" in page
    assert "By statement, all levels, Excel" in page
    assert download_url(job) in page


def test_it_serves_the_file_to_the_person_who_asked_and_audits_each_download(
    world, cycle, client_for
):
    client = client_for(world.leader)
    ask(client, cycle)
    job = ExportJob.objects.get()
    first = client.get(download_url(job))
    second = client.get(download_url(job))
    assert first.status_code == second.status_code == 200
    assert first["Content-Disposition"] == 'attachment; filename="results-spring-domain.csv"'
    assert first["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(first.streaming_content)
    instant = client.get(reverse("diagnostics:results_export", args=[cycle.pk, "csv"])).content
    assert body == instant
    downloads = AuditEvent.objects.filter(detail__contains=f"downloaded export {job.pk}")
    assert downloads.count() == 2
    event = downloads.get(pk=downloads.values_list("pk", flat=True)[0])
    assert event.user == world.leader
    assert event.action == AuditEvent.Action.EXPORTED
    assert event.scope == "Children's Services / Locality North"
    assert event.detail == (
        f"Spring: CSV by domain, level all (downloaded export {job.pk}, prepared in the background)"
    )


@pytest.mark.parametrize("who", ["org_admin", "team_manager", "second_leader", "outsider"])
def test_it_answers_404_to_anyone_but_the_person_who_asked(world, cycle, client_for, who):
    ask(client_for(world.leader), cycle)
    job = ExportJob.objects.get()
    if who == "second_leader":
        other = make_member(world.north, Role.LEADER, display_name="Second Leader")
    else:
        other = getattr(world, who)
    response = client_for(other).get(download_url(job))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(detail__contains="downloaded").exists()
    assert (
        reverse("diagnostics:export_download", args=[job.pk])
        not in client_for(other).get(reverse("diagnostics:export_list")).content.decode()
    )


def test_it_answers_404_once_the_askers_reach_has_shrunk(world, cycle, client_for):
    client = client_for(world.leader)
    ask(client, cycle)
    job = ExportJob.objects.get()
    assert client.get(download_url(job)).status_code == 200
    membership = Membership.objects.get(user=world.leader)
    change_role(
        membership=membership, role=Role.TEAM_MANAGER, unit=world.team_a, actor=world.org_admin
    )
    response = client.get(download_url(job))
    assert response.status_code == 404
    assert "Locality" not in response.content.decode()
    listing = client.get(reverse("diagnostics:export_list")).content.decode()
    assert "No longer available" in listing
    assert download_url(job) not in listing


def test_it_answers_404_once_the_asker_has_no_role(world, cycle, client_for):
    client = client_for(world.team_manager)
    ask(client, cycle)
    job = ExportJob.objects.get()
    Membership.objects.filter(user=world.team_manager).delete()
    assert client.get(download_url(job)).status_code == 404


def test_it_shows_a_clear_page_once_the_link_has_expired(world, cycle, client_for):
    client = client_for(world.leader)
    with time_machine.travel(START, tick=False):
        ask(client, cycle)
    job = ExportJob.objects.get()
    with time_machine.travel(START + timedelta(hours=23, minutes=59), tick=False):
        assert client.get(download_url(job)).status_code == 200
    with time_machine.travel(START + timedelta(hours=24), tick=False):
        response = client.get(download_url(job))
        listing = client.get(reverse("diagnostics:export_list")).content.decode()
    assert response.status_code == 410
    page = response.content.decode()
    assert "This download has expired" in page
    assert "Ask for it again" in page
    assert reverse("diagnostics:cycle_detail", args=[cycle.pk]) in page
    assert "Expired" in listing
    assert "still being prepared" not in listing
    assert download_url(job) not in listing


def test_it_shows_the_expired_page_after_the_purge_deleted_the_file(world, cycle, client_for):
    from diagnostics.services import purge_expired_exports

    client = client_for(world.leader)
    ask(client, cycle)
    job = ExportJob.objects.get()
    purge_expired_exports(now=timezone.now() + timedelta(hours=25))
    response = client.get(download_url(job))
    assert response.status_code == 410
    assert "This download has expired" in response.content.decode()


def test_it_says_a_file_is_still_being_prepared(world, cycle, client_for, monkeypatch):
    monkeypatch.setattr(tasks.prepare_export, "delay", lambda job_id: None)
    client = client_for(world.leader)
    ask(client, cycle)
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.QUEUED
    listing = client.get(reverse("diagnostics:export_list")).content.decode()
    assert "Being prepared" in listing
    assert "Files still being prepared appear here when ready" in listing
    assert download_url(job) not in listing
    response = client.get(download_url(job))
    assert response.status_code == 302
    assert texts(response) == ["That file is still being prepared. It appears here when ready."]


def test_it_says_so_when_the_queue_does_not_answer(world, cycle, client_for, monkeypatch):
    def refuse(job_id: int) -> None:
        raise KombuOperationalError("Connection refused")

    monkeypatch.setattr(tasks.prepare_export, "delay", refuse)
    response = ask(client_for(world.leader), cycle)
    assert response.status_code == 302
    assert "background queue is not answering" in texts(response)[0]
    assert ExportJob.objects.get().status == ExportJob.Status.FAILED


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"format": "pdf"}, "Choose CSV or Excel (XLSX) as the file type."),
        ({"by": "person"}, "Choose results by domain or by statement."),
        ({"level": "region"}, "Choose the organisation, unit or team level, or all levels."),
    ],
)
def test_it_refuses_bad_options_clearly_and_keeps_nothing(
    world, cycle, client_for, options, message
):
    response = ask(client_for(world.leader), cycle, **options)
    assert response.status_code == 302
    assert response["Location"] == reverse("diagnostics:cycle_detail", args=[cycle.pk])
    assert texts(response) == [message]
    assert not ExportJob.objects.exists()


def test_it_answers_404_to_the_outsider_asking_for_an_export(world, cycle, client_for):
    assert ask(client_for(world.outsider), cycle).status_code == 404
    assert not ExportJob.objects.exists()


def test_it_offers_the_background_for_an_export_of_more_teams_than_the_setting(
    world, cycle, client_for, settings
):
    settings.EXPORT_INSTANT_MAX_TEAMS = 2
    url = reverse("diagnostics:results_export", args=[cycle.pk, "xlsx"]) + "?by=statement"
    admin = client_for(world.org_admin).get(url)  # three teams
    assert admin.status_code == 200
    assert admin["Content-Type"].startswith("text/html")
    page = admin.content.decode()
    assert "This export is prepared in the background" in page
    assert reverse("diagnostics:export_request", args=[cycle.pk]) in page
    assert 'value="xlsx" checked' in page
    assert 'value="statement" checked' in page
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).exists()
    leader = client_for(world.leader).get(url)  # two teams: still at once
    assert leader["Content-Type"].startswith("application/vnd.openxmlformats")
    detail = client_for(world.org_admin).get(reverse("diagnostics:cycle_detail", args=[cycle.pk]))
    assert "the file is prepared in the background" in detail.content.decode()
    assert reverse("diagnostics:results_export", args=[cycle.pk, "csv"]) not in (
        detail.content.decode()
    )


def test_it_lists_only_the_persons_own_exports_in_a_fixed_number_of_queries(
    world, cycle, client_for, django_assert_max_num_queries
):
    client = client_for(world.leader)
    ask(client, cycle)
    ask(client_for(world.org_admin), cycle)
    url = reverse("diagnostics:export_list")
    with django_assert_max_num_queries(4):
        one = client.get(url).content.decode()
    for by, file_format in [("statement", "csv"), ("domain", "xlsx"), ("statement", "xlsx")]:
        ask(client, cycle, by=by, format=file_format)
    with django_assert_max_num_queries(4):
        four = client.get(url).content.decode()
    chooser = 'name="next" value="/cycles/exports/"'  # the language chooser returns here
    assert one.replace(chooser, "").count("/cycles/exports/") == 1
    assert four.replace(chooser, "").count("/cycles/exports/") == 4


def test_it_tells_someone_with_no_exports_how_to_ask_for_one(world, client_for):
    page = client_for(world.team_manager).get(reverse("diagnostics:export_list")).content
    assert "You have not asked for any exports yet" in page.decode()


def test_it_lets_a_person_without_a_role_see_only_an_empty_list(db, client_for):
    nobody = User.objects.create_user(email="nobody@example.org", password="x" * 12)
    response = client_for(nobody).get(reverse("diagnostics:export_list"))
    assert response.status_code == 200
    assert "You have not asked for any exports yet" in response.content.decode()

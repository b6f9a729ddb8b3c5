"""Results exports prepared in the background: the services and the jobs (diagnostics.tasks)."""

from __future__ import annotations

import io
import os
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from diagnostics import services, tasks
from diagnostics.exports import all_columns, write_csv
from diagnostics.models import ExportJob
from organisations.access import reach_of
from organisations.models import AuditEvent

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_default_timezone())


@pytest.fixture
def cycle(world, make_cycle, respond):
    cycle = make_cycle(unit=world.units["Children's Services"], name="Spring")
    respond(cycle, world.team_a, 5, value=lambda i, code: 5 if i < 3 else 2)
    respond(cycle, world.team_b, 2)
    respond(cycle, world.team_c, 6, value=4)
    return cycle


def ask(user, cycle, *, file_format="csv", level="", by="domain", now=None):
    job, created = services.request_export(
        user=user,
        cycle=cycle,
        reach=reach_of(user),
        file_format=file_format,
        level=level,
        by=by,
        now=now,
    )
    assert created
    return job


def stored_files() -> list[str]:
    folder = Path(settings.MEDIA_ROOT) / "exports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def file_bytes(job: ExportJob) -> bytes:
    job.refresh_from_db()
    with job.file.open("rb") as handle:
        return handle.read()


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    """Each test its own storage, so counting the files in exports/ counts this test's."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.mark.parametrize("viewer", ["org_admin", "leader", "team_manager"])
@pytest.mark.parametrize(("by", "level"), [("domain", ""), ("statement", "team")])
def test_it_writes_the_same_csv_as_the_download_in_the_request(
    world, cycle, client_for, viewer, by, level
):
    user = getattr(world, viewer)
    query = f"?by={by}" + (f"&level={level}" if level else "")
    url = reverse("diagnostics:results_export", args=[cycle.pk, "csv"]) + query
    in_request = client_for(user).get(url).content
    job = ask(user, cycle, by=by, level=level)
    services.prepare_export(job_id=job.pk)
    assert file_bytes(job) == in_request
    assert len(in_request.decode().splitlines()) > 1


@pytest.mark.parametrize("viewer", ["org_admin", "leader", "team_manager"])
def test_it_writes_the_same_xlsx_rows_as_the_download_in_the_request(
    world, cycle, client_for, viewer
):
    user = getattr(world, viewer)
    url = reverse("diagnostics:results_export", args=[cycle.pk, "xlsx"]) + "?by=statement"
    in_request = client_for(user).get(url).content
    job = ask(user, cycle, file_format="xlsx", by="statement")
    services.prepare_export(job_id=job.pk)

    def rows(content: bytes) -> list[tuple[object, ...]]:
        return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))

    background = rows(file_bytes(job))
    assert background == rows(in_request)
    assert list(background[0]) == all_columns()
    assert len(background) > 1


def test_it_writes_csv_rows_as_they_come_rather_than_all_at_once():
    written = io.StringIO()
    seen_before_second_row: list[str] = []

    def rows():
        yield ["first", *[""] * (len(all_columns()) - 1)]
        seen_before_second_row.append(written.getvalue())
        yield ["second", *[""] * (len(all_columns()) - 1)]

    write_csv(rows(), written)
    assert "first" in seen_before_second_row[0]
    assert written.getvalue().splitlines()[-1].startswith("second")


def test_it_moves_from_queued_to_ready_with_a_link_that_lasts_export_link_hours(
    world, cycle, settings
):
    settings.EXPORT_LINK_HOURS = 2
    job = ask(world.leader, cycle, now=START)
    assert job.status == ExportJob.Status.QUEUED
    assert not job.file
    services.prepare_export(job_id=job.pk, now=START + timedelta(minutes=1))
    job.refresh_from_db()
    assert job.status == ExportJob.Status.READY
    assert job.finished_at == START + timedelta(minutes=1)
    assert job.expires_at == START + timedelta(hours=2, minutes=1)
    assert job.file.name == f"exports/{job.token}.csv"
    assert len(job.token) >= 32


def test_it_makes_one_file_and_one_audit_entry_however_often_the_job_runs(world, cycle):
    job = ask(world.org_admin, cycle)
    tasks.prepare_export.delay(job.pk)
    first = file_bytes(job)
    tasks.prepare_export.delay(job.pk)
    services.prepare_export(job_id=job.pk)
    assert stored_files() == [f"{job.token}.csv"]
    assert file_bytes(job) == first
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).count() == 1


def test_it_replaces_a_file_left_by_a_run_that_stopped_before_recording_it(world, cycle):
    job = ask(world.org_admin, cycle)
    folder = Path(settings.MEDIA_ROOT) / "exports"
    folder.mkdir(parents=True)
    (folder / f"{job.token}.csv").write_text("half a file")
    services.prepare_export(job_id=job.pk)
    assert stored_files() == [f"{job.token}.csv"]
    assert file_bytes(job).startswith("\ufeffcycle,unit_path".encode())  # with Excel's mark


def test_it_audits_the_prepared_export_as_the_download_in_the_request_does(
    world, cycle, client_for
):
    client_for(world.leader).get(reverse("diagnostics:results_export", args=[cycle.pk, "csv"]))
    job = ask(world.leader, cycle)
    services.prepare_export(job_id=job.pk)
    in_request, background = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).order_by(
        "pk"
    )
    assert background.user == world.leader
    assert background.scope == in_request.scope == "Children's Services / Locality North"
    assert background.detail == (
        f"Spring: CSV by domain, level all (prepared in the background, export {job.pk})"
    )


def test_it_fails_a_job_whose_asker_lost_their_reach_before_it_ran(world, cycle):
    from organisations.models import Membership, Role

    job = ask(world.leader, cycle)
    Membership.objects.filter(user=world.leader).update(unit=world.team_a, role=Role.TEAM_MANAGER)
    services.prepare_export(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert not job.file
    assert stored_files() == []
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).exists()


def test_it_gives_up_a_request_no_worker_took_up_before_it_expired(world, cycle):
    job = ask(world.leader, cycle, now=START)
    services.prepare_export(job_id=job.pk, now=START + timedelta(hours=24))
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED
    assert stored_files() == []


def test_it_marks_the_job_failed_when_building_the_file_breaks(world, cycle, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "export_rows", broken)
    job = ask(world.leader, cycle)
    tasks.prepare_export.delay(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED


def test_it_refuses_options_the_export_does_not_offer_and_says_which(world, cycle):
    with pytest.raises(ValidationError) as refused:
        services.request_export(
            user=world.leader,
            cycle=cycle,
            reach=reach_of(world.leader),
            file_format="pdf",
            level="region",
            by="person",
        )
    assert refused.value.messages == [
        "Choose CSV or Excel (XLSX) as the file type.",
        "Choose the organisation, unit or team level, or all levels.",
        "Choose results by domain or by statement.",
    ]
    assert not ExportJob.objects.exists()


def test_it_returns_the_request_already_being_prepared_rather_than_a_second(world, cycle):
    job = ask(world.leader, cycle)
    again, created = services.request_export(
        user=world.leader,
        cycle=cycle,
        reach=reach_of(world.leader),
        file_format="csv",
        level="",
        by="domain",
    )
    assert (again, created) == (job, False)
    other = ask(world.leader, cycle, file_format="xlsx")
    assert other != job


def test_it_refuses_more_than_five_requests_waiting_at_once(world, cycle):
    for level, by in [("", "domain"), ("org", "domain"), ("unit", "domain"), ("team", "domain")]:
        ask(world.leader, cycle, level=level, by=by)
    ask(world.leader, cycle, by="statement")
    with pytest.raises(ValidationError, match="already have 5 exports being prepared"):
        ask(world.leader, cycle, file_format="xlsx")


# --- the purge, as the clock runs it ------------------------------------------------------


def test_it_deletes_expired_files_and_marks_them_expired_by_the_scheduled_entry(world, cycle):
    with time_machine.travel(START, tick=False):
        old = ask(world.leader, cycle)
        services.prepare_export(job_id=old.pk)
    with time_machine.travel(START + timedelta(hours=12), tick=False):
        fresh = ask(world.leader, cycle, by="statement")
        services.prepare_export(job_id=fresh.pk)
    assert stored_files() == sorted([f"{old.token}.csv", f"{fresh.token}.csv"])

    with time_machine.travel(START + timedelta(hours=24, minutes=1), tick=False):
        call_command("run_scheduled_jobs", "purge-expired-exports", stdout=io.StringIO())
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.status == ExportJob.Status.EXPIRED
    assert not old.file
    assert fresh.status == ExportJob.Status.READY
    assert stored_files() == [f"{fresh.token}.csv"]

    with time_machine.travel(START + timedelta(hours=24, minutes=2), tick=False):
        call_command("run_scheduled_jobs", "purge-expired-exports", stdout=io.StringIO())
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.status, fresh.status) == (ExportJob.Status.EXPIRED, ExportJob.Status.READY)
    assert stored_files() == [f"{fresh.token}.csv"]


def test_it_counts_only_what_it_expired_so_a_second_run_does_nothing(world, cycle):
    job = ask(world.leader, cycle, now=START)
    services.prepare_export(job_id=job.pk, now=START)
    later = START + timedelta(hours=25)
    assert services.purge_expired_exports(now=later) == 1
    assert services.purge_expired_exports(now=later) == 0


def test_it_purges_as_of_the_time_the_job_is_given(world, cycle):
    job = ask(world.leader, cycle, now=START)
    services.prepare_export(job_id=job.pk, now=START)
    assert tasks.purge_expired_exports("2026-03-03T08:59:00") == 0  # London time, 23:59 on
    assert tasks.purge_expired_exports("2026-03-03T09:00:00") == 1
    assert stored_files() == []


def test_it_is_scheduled_hourly():
    entry = settings.CELERY_BEAT_SCHEDULE["purge-expired-exports"]
    assert entry["task"] == "diagnostics.purge_expired_exports"
    assert entry["schedule"] == crontab(minute=17)  # every hour, at 17 minutes past
    assert entry["schedule"] != crontab(minute=17, hour=0)


def test_it_deletes_the_file_of_an_export_whose_cycle_was_removed(world, make_cycle):
    unanswered = make_cycle(unit=world.north, opened=False)  # only a cycle nobody answered goes
    job = ask(world.leader, unanswered)
    services.prepare_export(job_id=job.pk)
    assert stored_files() == [f"{job.token}.csv"]
    unanswered.delete()
    services.purge_expired_exports()
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED
    assert stored_files() == []


def test_it_deletes_old_files_no_export_records_and_keeps_new_ones(world, cycle):
    job = ask(world.leader, cycle)
    services.prepare_export(job_id=job.pk)
    folder = Path(settings.MEDIA_ROOT) / "exports"
    (folder / "left-behind.csv").write_text("x")
    (folder / "being-saved.csv").write_text("x")
    two_hours_ago = time.time() - 2 * 3600
    os.utime(folder / "left-behind.csv", (two_hours_ago, two_hours_ago))
    services.purge_expired_exports()
    assert stored_files() == sorted(["being-saved.csv", f"{job.token}.csv"])

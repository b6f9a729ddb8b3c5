from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from sword.celery import app


def test_it_refuses_a_job_that_is_not_scheduled(settings):
    settings.CELERY_BEAT_SCHEDULE = {}
    with pytest.raises(CommandError, match="No scheduled job called nope"):
        call_command("run_scheduled_jobs", "nope")


def test_it_runs_each_scheduled_entry_point_in_process(settings, capsys):
    calls: list[int] = []

    @app.task(name="tests.record_call")
    def record_call(value: int) -> None:
        calls.append(value)

    settings.CELERY_BEAT_SCHEDULE = {
        "record": {"task": "tests.record_call", "schedule": 60.0, "args": (7,)},
    }
    call_command("run_scheduled_jobs")
    assert calls == [7]
    assert "Ran record (tests.record_call)." in capsys.readouterr().out


def test_it_names_only_tasks_that_exist():
    from django.conf import settings

    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name

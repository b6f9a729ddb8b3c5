from __future__ import annotations

from unittest import mock

from django.db import OperationalError


def test_it_reports_ok_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_it_reports_503_when_the_database_does_not_answer(client, db):
    with mock.patch("sword.views.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_it_leaves_the_queue_out_when_no_broker_is_configured(client, db, settings):
    settings.CELERY_BROKER_URL = ""
    assert "queue" not in client.get("/healthz").json()


def test_it_reports_the_queue_when_the_broker_answers(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/14"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "queue": "ok"}


def test_it_reports_503_when_the_broker_does_not_answer(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/14"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["queue"] == "unavailable"

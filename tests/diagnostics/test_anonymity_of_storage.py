"""A stored response has no column or relation that leads back to a code or a person."""

from __future__ import annotations

import pytest
from django.db import connection, models
from django.test import Client
from django.urls import reverse

from accounts.models import User
from diagnostics.models import (
    Answer,
    Comment,
    DomainScore,
    Invite,
    InviteBatch,
    InviteDelivery,
    ReminderAddress,
    Response,
    SpentCode,
    SurveyDraft,
)
from diagnostics.selectors import survey_shape
from diagnostics.services import issue_invites, submit_response
from tests.diagnostics.conftest import all_answers


def related_models(model: type[models.Model]) -> set[type[models.Model]]:
    return {f.related_model for f in model._meta.get_fields() if f.is_relation and f.related_model}


def test_it_stores_only_team_cycle_date_demographics_and_answers_in_a_response():
    fields = {f.name for f in Response._meta.get_fields()}
    assert fields == {
        "id",
        "cycle",
        "team",
        "submitted_on",
        "role_group",
        "service_length",
        "working_pattern",
        "answers",
        "domain_scores",
    }
    assert isinstance(Response._meta.get_field("submitted_on"), models.DateField)
    assert not isinstance(Response._meta.get_field("submitted_on"), models.DateTimeField)


def test_it_gives_responses_answers_and_comments_no_path_to_a_code_or_a_person():
    for model in (Response, Answer, DomainScore, Comment):
        reachable = related_models(model)
        assert Invite not in reachable, model
        assert SurveyDraft not in reachable, model
        assert User not in reachable, model


def test_it_gives_invites_no_path_to_a_response_and_no_time_of_use():
    assert Response not in related_models(Invite)
    assert Answer not in related_models(Invite)
    assert SurveyDraft not in related_models(Invite)
    # Nothing on an invite records its use, so submitting has nothing to write there.
    assert {f.name for f in Invite._meta.concrete_fields} == {"id", "cycle", "team", "code_hash"}
    time_fields = [
        f.name
        for f in Invite._meta.get_fields()
        if isinstance(f, (models.DateField, models.TimeField))
    ]
    assert time_fields == []


FORBIDDEN_COLUMNS = {
    "ip",
    "ip_address",
    "user_agent",
    "user",
    "email",
    "code",
    "session",
    "created_at",
    "submitted_at",
    "invite",
}


def test_it_keeps_no_address_browser_time_or_code_columns_in_survey_results():
    for model in (Response, Answer, DomainScore, Comment):
        names = {f.name for f in model._meta.get_fields()}
        assert not names & FORBIDDEN_COLUMNS, model


def test_it_keeps_nothing_but_the_keyed_hash_of_a_spent_code():
    assert [f.name for f in SpentCode._meta.get_fields()] == ["key"]
    assert SpentCode._meta.pk.name == "key"  # no sequential id to order spent codes by


def test_it_gives_drafts_no_path_to_an_invite_a_code_or_a_time():
    assert Invite not in related_models(SurveyDraft)
    assert SurveyDraft._meta.pk.name == "key"
    assert not [
        f.name
        for f in SurveyDraft._meta.concrete_fields
        if isinstance(f, (models.DateField, models.TimeField))
    ]


def test_it_gives_reminder_addresses_no_path_to_a_code_an_invite_a_batch_or_a_time():
    related = related_models(ReminderAddress)
    for model in (Invite, InviteBatch, InviteDelivery, Response, SpentCode, SurveyDraft):
        assert model not in related
    assert isinstance(ReminderAddress._meta.pk, models.BigIntegerField)  # random, not a sequence
    assert not isinstance(ReminderAddress._meta.pk, models.AutoField)
    assert not [
        f.name
        for f in ReminderAddress._meta.concrete_fields
        if isinstance(f, (models.DateField, models.TimeField))
    ]


def _xids(sql: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {row[0] for row in cursor.fetchall()}


def _answer_through_the_pages(client: Client, code: str, cycle) -> None:
    """Open the link, answer every page as a browser does, and submit."""
    assert client.get(reverse("survey:link", kwargs={"code": code})).status_code == 302
    shape = survey_shape(cycle)
    for survey_page in shape.pages:
        data = {c: "4" for c in survey_page.codes}
        url = reverse("survey:page", kwargs={"number": survey_page.number})
        assert client.post(url, {**data, "action": "next"}).status_code == 302
    about = reverse("survey:page", kwargs={"number": shape.about_page_number})
    assert client.post(about, {"comment": "", "action": "next"}).status_code == 302
    assert client.post(reverse("survey:submit")).status_code == 302


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="transaction ids (xmin, xmax) are PostgreSQL's; CI runs these tests on PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_it_leaves_no_transaction_id_shared_by_an_invite_and_a_response(world, make_cycle):
    cycle = make_cycle()
    codes = issue_invites(cycle=cycle, team=world.team_a, count=6)
    for code in codes[:3]:
        _answer_through_the_pages(Client(), code, cycle)  # drafts saved page by page
    for code in codes[3:5]:
        submit_response(code=code, answers=all_answers(cycle), comment="Rota")
    assert Response.objects.count() == 5
    assert SpentCode.objects.count() == 5

    responses = _xids("SELECT xmin::text FROM diagnostics_response")
    assert len(responses) == 5  # each response in a transaction of its own
    assert not _xids("SELECT xmin::text FROM diagnostics_invite") & responses
    # Nor did a submission lock or delete an invite row (a lock would set its xmax).
    assert _xids("SELECT xmax::text FROM diagnostics_invite") == {"0"}

"""A stored response has no column or relation that leads back to a code or a person."""

from __future__ import annotations

from django.db import models

from accounts.models import User
from diagnostics.models import Answer, Comment, DomainScore, Invite, Response, SurveyDraft


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

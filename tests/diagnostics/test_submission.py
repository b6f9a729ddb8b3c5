from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from diagnostics.errors import (
    CodeAlreadyUsed,
    CycleClosed,
    CycleNotOpen,
    IncompleteAnswers,
    TamperedForm,
    UnknownCode,
)
from diagnostics.models import Answer, Comment, DomainScore, Invite, Response, SurveyDraft
from diagnostics.selectors import survey_statements
from diagnostics.services import (
    NOT_APPLICABLE,
    close_cycle,
    find_invite,
    issue_invites,
    save_progress,
    submit_response,
)
from tests.diagnostics.conftest import all_answers


def test_it_stores_one_anonymous_response_and_uses_the_code(world, full_cycle, code):
    answers = all_answers(full_cycle)
    save_progress(invite=Invite.objects.get(), answers=answers)
    submit_response(code=code, answers=answers, about={"role_group": "practitioner"})
    response = Response.objects.get()
    assert response.team == world.team_a
    assert response.cycle == full_cycle
    assert response.submitted_on == timezone.localdate()
    assert response.role_group == "practitioner"
    assert Answer.objects.filter(response=response).count() == len(answers)
    assert DomainScore.objects.filter(response=response).count() == 9
    assert Invite.objects.get().is_used
    assert not SurveyDraft.objects.exists()


def test_it_reverse_scores_negatively_worded_statements(world, full_cycle, code):
    statements = survey_statements(full_cycle)
    reverse = [s for s in statements if s.reverse_scored]
    assert reverse, "the built-in questionnaire has reverse-scored statements"
    answers = {s.code: 5 for s in statements}
    submit_response(code=code, answers=answers)
    for statement in reverse:
        answer = Answer.objects.get(statement__code=statement.code)
        assert (answer.value, answer.score) == (5, 2)
    plain = next(s for s in statements if not s.reverse_scored)
    assert Answer.objects.get(statement__code=plain.code).score == 5


def test_it_stores_no_row_for_not_applicable(world, full_cycle, code):
    answers = all_answers(full_cycle)
    first = next(iter(answers))
    answers[first] = NOT_APPLICABLE
    submit_response(code=code, answers=answers)
    assert not Answer.objects.filter(statement__code=first).exists()


def test_it_keeps_comments_apart_from_the_response(world, full_cycle, code):
    submit_response(
        code=code, answers=all_answers(full_cycle), comment="  The duty rota is unfair. "
    )
    comment = Comment.objects.get()
    assert comment.text == "The duty rota is unfair."
    field_names = {f.name for f in Comment._meta.get_fields()}
    assert field_names == {"id", "cycle", "team", "text"}


def test_it_refuses_a_used_code_the_second_time(world, full_cycle, code):
    submit_response(code=code, answers=all_answers(full_cycle))
    with pytest.raises(CodeAlreadyUsed):
        submit_response(code=code, answers=all_answers(full_cycle))
    assert Response.objects.count() == 1


def test_it_refuses_an_unknown_code(world, full_cycle):
    with pytest.raises(UnknownCode):
        submit_response(code="AAAA-BBBB-CCCC", answers={})
    with pytest.raises(UnknownCode):
        submit_response(code="nonsense", answers={})


def test_it_refuses_a_cycle_that_is_not_open_yet(world, make_cycle):
    later = timezone.localdate() + timedelta(days=3)
    cycle = make_cycle(opens_on=later, closes_on=later + timedelta(days=7))
    code = issue_invites(cycle=cycle, team=world.team_a, count=1)[0]
    with pytest.raises(CycleNotOpen):
        submit_response(code=code, answers=all_answers(cycle))
    assert not Invite.objects.get().is_used


def test_it_refuses_a_draft_cycle(world, make_cycle):
    cycle = make_cycle(opened=False)
    code = issue_invites(cycle=cycle, team=world.team_a, count=1)[0]
    with pytest.raises(CycleNotOpen):
        submit_response(code=code, answers=all_answers(cycle))


def test_it_refuses_a_closed_cycle_and_one_past_its_closing_date(world, full_cycle, code):
    late = full_cycle.closes_on + timedelta(days=1)
    with pytest.raises(CycleClosed):
        submit_response(code=code, answers=all_answers(full_cycle), today=late)
    close_cycle(cycle=full_cycle)
    with pytest.raises(CycleClosed):
        submit_response(code=code, answers=all_answers(full_cycle))
    assert not Response.objects.exists()


@pytest.mark.parametrize("bad", [0.5, 7, -1, "x", None])
def test_it_refuses_a_value_outside_the_scale(world, full_cycle, code, bad):
    answers = all_answers(full_cycle)
    answers[next(iter(answers))] = bad
    with pytest.raises(TamperedForm):
        submit_response(code=code, answers=answers)
    assert not Response.objects.exists()
    assert not Invite.objects.get().is_used


def test_it_refuses_a_statement_from_another_questionnaire(world, full_cycle, code):
    answers = {**all_answers(full_cycle), "ZZ99": 3}
    with pytest.raises(TamperedForm):
        submit_response(code=code, answers=answers)
    assert not Response.objects.exists()


def test_it_refuses_missing_answers(world, full_cycle, code):
    answers = all_answers(full_cycle)
    answers.pop(next(iter(answers)))
    with pytest.raises(IncompleteAnswers):
        submit_response(code=code, answers=answers)
    assert not Response.objects.exists()
    assert not Invite.objects.get().is_used


def test_it_refuses_demographics_outside_their_bands(world, full_cycle, code):
    with pytest.raises(TamperedForm):
        submit_response(code=code, answers=all_answers(full_cycle), about={"role_group": "ceo"})
    with pytest.raises(TamperedForm):
        submit_response(code=code, answers=all_answers(full_cycle), about={"shoe_size": "9"})


@pytest.mark.django_db(transaction=True)
def test_it_stores_one_response_when_the_same_code_is_submitted_at_the_same_moment(
    world, full_cycle
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks and concurrent connections")
    code = issue_invites(cycle=full_cycle, team=world.team_a, count=1)[0]
    answers = all_answers(full_cycle)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt() -> None:
        try:
            barrier.wait()
            submit_response(code=code, answers=answers)
            result = "stored"
        except CodeAlreadyUsed:
            result = "refused"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * 7 + ["stored"]
    assert Response.objects.count() == 1


def test_it_merges_saves_from_two_tabs_on_one_code(world, code):
    first_tab = find_invite(code)
    second_tab = find_invite(code)  # loaded before the first tab saved anything
    save_progress(invite=first_tab, answers={"WL1": 4})
    save_progress(invite=second_tab, answers={"SUP1": 2})
    assert SurveyDraft.objects.get(invite=first_tab).answers == {"WL1": 4, "SUP1": 2}


def test_it_stores_no_progress_for_a_code_already_submitted(world, code, full_cycle):
    late_tab = find_invite(code)
    submit_response(code=code, answers=all_answers(full_cycle))
    with pytest.raises(CodeAlreadyUsed):
        save_progress(invite=late_tab, answers={"WL1": 4})
    assert not SurveyDraft.objects.exists()

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import InterfaceError, OperationalError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from diagnostics import codes as invite_codes
from diagnostics.errors import (
    CodeAlreadyUsed,
    CycleClosed,
    CycleNotOpen,
    IncompleteAnswers,
    TamperedForm,
    UnknownCode,
)
from diagnostics.models import (
    RESPONSE_ID_LIMIT,
    RESPONSE_ID_LOWEST,
    Answer,
    Comment,
    Cycle,
    DomainScore,
    Invite,
    Response,
    SpentCode,
    SurveyDraft,
)
from diagnostics.selectors import survey_statements
from diagnostics.services import (
    NOT_APPLICABLE,
    check_code_usable,
    close_cycle,
    draft_key_for,
    find_code_state,
    find_invite,
    find_survey_state,
    issue_invites,
    new_draft_key,
    save_progress,
    submit_response,
)
from tests.diagnostics.conftest import all_answers
from tests.postgres_locks import backend_pid, run_in_thread, wait_until_waiting_on_a_lock


def test_it_stores_one_anonymous_response_and_uses_the_code(world, full_cycle, code):
    answers = all_answers(full_cycle)
    key = new_draft_key()
    save_progress(code=code, invite=find_invite(code), draft_key=key, answers=answers)
    submit_response(code=code, answers=answers, about={"role_group": "practitioner"}, draft_key=key)
    response = Response.objects.get()
    assert response.team == world.team_a
    assert response.cycle == full_cycle
    assert response.submitted_on == timezone.localdate()
    assert response.role_group == "practitioner"
    assert Answer.objects.filter(response=response).count() == len(answers)
    assert DomainScore.objects.filter(response=response).count() == 9 + 2  # and the outcomes
    assert list(SpentCode.objects.values_list("key", flat=True)) == [invite_codes.spent_key(code)]
    assert not SurveyDraft.objects.exists()


def writes_or_locks(sql: str) -> bool:
    statement = sql.upper().lstrip()
    if statement.startswith("PREPARE"):  # a precompiled lookup: PREPARE name AS SELECT ...
        statement = statement.split(" AS ", 1)[1].lstrip()
    return not statement.startswith("SELECT") or " FOR " in statement


def test_it_never_writes_to_or_locks_the_invite_when_submitting(world, full_cycle, code):
    before = Invite.objects.values().get()
    key = new_draft_key()
    with CaptureQueriesContext(connection) as queries:
        save_progress(code=code, invite=find_invite(code), draft_key=key, answers={"WL1": 4})
        submit_response(code=code, answers=all_answers(full_cycle), draft_key=key)
    touching_invites = [
        statement  # each statement of a round trip apart: the cycle's lock is not the invite's
        for q in queries.captured_queries
        for statement in q["sql"].split(";")
        if "diagnostics_invite" in statement and writes_or_locks(statement)
    ]
    assert touching_invites == []
    assert Invite.objects.values().get() == before
    assert Response.objects.count() == 1


def test_it_lets_the_spent_codes_primary_key_decide_a_race(world, full_cycle, code, monkeypatch):
    """Two submissions that both found the code unused: the second insert of its keyed hash
    fails, and that submission stores nothing."""
    from diagnostics import services

    SpentCode.objects.create(key=invite_codes.spent_key(code))  # the other one got there first
    monkeypatch.setattr(services, "is_spent", lambda **kwargs: False)
    with pytest.raises(CodeAlreadyUsed):
        submit_response(code=code, answers=all_answers(full_cycle), comment="Too late")
    assert not Response.objects.exists()
    assert not Answer.objects.exists()
    assert not Comment.objects.exists()


def test_it_refuses_a_code_used_before_spent_codes_left_the_invites(world, full_cycle, code):
    invite = find_invite(code)
    SpentCode.objects.create(key=invite_codes.legacy_key(invite.code_hash, purpose="spent"))
    with pytest.raises(CodeAlreadyUsed):
        submit_response(code=code, answers=all_answers(full_cycle))
    assert not Response.objects.exists()


def test_it_gives_responses_random_ids(world, full_cycle):
    for code in issue_invites(cycle=full_cycle, team=world.team_a, count=20):
        submit_response(code=code, answers=all_answers(full_cycle))
    in_order = list(Response.objects.order_by("domain_scores__id").values_list("id", flat=True))
    ids = list(dict.fromkeys(in_order))  # in the order the responses were stored
    assert len(ids) == 20
    assert all(RESPONSE_ID_LOWEST <= pk < RESPONSE_ID_LIMIT for pk in ids)
    assert ids != sorted(ids)  # 1 chance in 20! of failing by luck
    assert max(ids) - min(ids) > 2**40  # spread over the range, not counted up


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
    assert not SpentCode.objects.exists()


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


def test_it_refuses_a_cycle_closed_since_the_page_found_it_open(world, full_cycle, code):
    invite = find_invite(code)
    assert invite.cycle.status == Cycle.Status.OPEN  # as the survey's page read it
    close_cycle(cycle=Cycle.objects.get(pk=full_cycle.pk))
    with pytest.raises(CycleClosed):
        submit_response(code=code, answers=all_answers(full_cycle), invite=invite, checked=True)
    assert not Response.objects.exists()
    assert not SpentCode.objects.exists()


@pytest.mark.parametrize("bad", [0.5, 7, -1, "x", None])
def test_it_refuses_a_value_outside_the_scale(world, full_cycle, code, bad):
    answers = all_answers(full_cycle)
    answers[next(iter(answers))] = bad
    with pytest.raises(TamperedForm):
        submit_response(code=code, answers=answers)
    assert not Response.objects.exists()
    assert not SpentCode.objects.exists()


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
    assert not SpentCode.objects.exists()


def test_it_refuses_demographics_outside_their_bands(world, full_cycle, code):
    with pytest.raises(TamperedForm):
        submit_response(code=code, answers=all_answers(full_cycle), about={"role_group": "ceo"})
    with pytest.raises(TamperedForm):
        submit_response(code=code, answers=all_answers(full_cycle), about={"shoe_size": "9"})


SIMULTANEOUS = 20


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: concurrent connections, and a unique index on which the losing "
    "inserts wait for the winner (SQLite lets one writer in at a time)",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("checked", [False, True], ids=["looked-up", "checked-by-the-page"])
def test_it_stores_one_response_when_twenty_submit_the_same_code_at_once(
    world, full_cycle, checked
):
    """As the survey's submit does (`checked`: its page's lookup found the code unspent, so
    only the spent code's insert decides) and without."""
    code = issue_invites(cycle=full_cycle, team=world.team_a, count=1)[0]
    invite = find_invite(code) if checked else None
    answers = all_answers(full_cycle)
    barrier = threading.Barrier(SIMULTANEOUS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt() -> None:
        try:
            barrier.wait()
            submit_response(code=code, answers=answers, invite=invite, checked=checked)
            result = "stored"
        except CodeAlreadyUsed:
            result = "refused"
        except Exception as error:  # reported below, with what it was
            result = repr(error)
        finally:
            connections.close_all()  # this thread's own connections
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt) for _ in range(SIMULTANEOUS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * (SIMULTANEOUS - 1) + ["stored"]
    assert Response.objects.count() == 1
    assert SpentCode.objects.count() == 1
    assert Answer.objects.count() == len(answers)


def test_it_merges_saves_from_two_tabs_on_one_code(world, code):
    key = new_draft_key()
    first_tab = find_invite(code)
    second_tab = find_invite(code)  # loaded before the first tab saved anything
    save_progress(code=code, invite=first_tab, draft_key=key, answers={"WL1": 4})
    save_progress(code=code, invite=second_tab, draft_key=key, answers={"SUP1": 2})
    assert SurveyDraft.objects.get(key=key).answers == {"WL1": 4, "SUP1": 2}


def test_it_stores_no_progress_for_a_code_already_submitted(world, code, full_cycle):
    key = new_draft_key()
    late_tab = find_invite(code)
    save_progress(code=code, invite=late_tab, draft_key=key, answers={"WL1": 4})
    submit_response(code=code, answers=all_answers(full_cycle), draft_key=key)
    with pytest.raises(CodeAlreadyUsed):
        save_progress(code=code, invite=late_tab, draft_key=key, answers={"WL1": 4})
    assert not SurveyDraft.objects.exists()


def test_it_keeps_drafts_apart_from_invites_and_clears_them_when_the_cycle_closes(
    world, full_cycle, code
):
    key = new_draft_key()
    draft = save_progress(code=code, invite=find_invite(code), draft_key=key, answers={"WL1": 4})
    assert {f.name for f in SurveyDraft._meta.get_fields()} == {
        "key",
        "cycle",
        "answers",
        "about",
        "comment",
    }
    assert draft.key == key
    close_cycle(cycle=full_cycle)
    assert not SurveyDraft.objects.exists()


def test_it_refuses_a_draft_key_from_another_cycle(world, full_cycle, make_cycle, code):
    key = new_draft_key()
    save_progress(code=code, invite=find_invite(code), draft_key=key, answers={"WL1": 4})
    other = make_cycle(unit=world.team_b, name="Other")
    other_code = issue_invites(cycle=other, team=world.team_b, count=1)[0]
    with pytest.raises(TamperedForm):
        save_progress(code=other_code, invite=find_invite(other_code), draft_key=key, answers={})
    assert SurveyDraft.objects.get(key=key).answers == {"WL1": 4}


def read_draft(code: str, key: str) -> SurveyDraft:
    """The draft as a survey page reads it (and passes to `save_progress` as `as_read`)."""
    return find_survey_state(code=code, draft_key=key, today=timezone.localdate()).draft


def test_it_saves_a_draft_read_in_the_request_in_one_statement(
    world, full_cycle, code, django_assert_num_queries
):
    key = new_draft_key()
    invite = find_invite(code)
    first = read_draft(code, key)
    # The first save inserts the draft, in one statement too.
    with django_assert_num_queries(1):
        save_progress(code=code, invite=invite, draft_key=key, answers={"WL1": 4}, as_read=first)
    second = read_draft(code, key)
    with django_assert_num_queries(1):
        saved = save_progress(
            code=code, invite=invite, draft_key=key, answers={"SUP1": 2}, as_read=second
        )
    with django_assert_num_queries(1):
        save_progress(
            code=code,
            invite=invite,
            draft_key=key,
            about={"role_group": "senior"},
            comment="More time",
            as_read=saved,
        )
    stored = SurveyDraft.objects.get(key=key)
    assert (stored.cycle_id, stored.answers, stored.about, stored.comment) == (
        full_cycle.pk,
        {"WL1": 4, "SUP1": 2},
        {"role_group": "senior"},
        "More time",
    )
    assert (saved.answers, saved._state.adding) == ({"WL1": 4, "SUP1": 2}, False)


def test_it_merges_a_save_whose_draft_another_tab_changed_since_it_was_read(world, code):
    key = new_draft_key()
    invite = find_invite(code)
    save_progress(code=code, invite=invite, draft_key=key, answers={"WL1": 4})
    first_tab, second_tab = read_draft(code, key), read_draft(code, key)
    save_progress(code=code, invite=invite, draft_key=key, answers={"SUP1": 2}, as_read=first_tab)
    saved = save_progress(
        code=code, invite=invite, draft_key=key, answers={"WL2": 5}, as_read=second_tab
    )
    expected = {"WL1": 4, "SUP1": 2, "WL2": 5}
    assert SurveyDraft.objects.get(key=key).answers == expected
    assert saved.answers == expected


def test_it_merges_two_tabs_that_both_read_no_draft(world, code):
    key = new_draft_key()
    invite = find_invite(code)
    first_tab, second_tab = read_draft(code, key), read_draft(code, key)
    save_progress(code=code, invite=invite, draft_key=key, answers={"WL1": 4}, as_read=first_tab)
    save_progress(code=code, invite=invite, draft_key=key, answers={"SUP1": 2}, as_read=second_tab)
    assert SurveyDraft.objects.get(key=key).answers == {"WL1": 4, "SUP1": 2}


def test_it_saves_nothing_read_in_a_request_once_the_code_is_spent(world, full_cycle, code):
    """Another browser submitted the code: this browser's draft (its own key) stays as it was,
    and a browser with no draft yet makes none."""
    invite = find_invite(code)
    kept_key, new_key = new_draft_key(), new_draft_key()
    save_progress(code=code, invite=invite, draft_key=kept_key, answers={"WL1": 4})
    kept, unsaved = read_draft(code, kept_key), read_draft(code, new_key)
    submit_response(code=code, answers=all_answers(full_cycle))
    for key, read in ((kept_key, kept), (new_key, unsaved)):
        with pytest.raises(CodeAlreadyUsed):
            save_progress(code=code, invite=invite, draft_key=key, answers={"WL1": 1}, as_read=read)
        with pytest.raises(CodeAlreadyUsed):
            save_progress(code=code, invite=invite, draft_key=key, about={}, as_read=read)
    assert list(SurveyDraft.objects.values_list("key", "answers")) == [(kept_key, {"WL1": 4})]


def test_it_refuses_a_save_read_in_the_request_under_another_cycle_s_draft_key(
    world, full_cycle, make_cycle, code
):
    key = new_draft_key()
    save_progress(code=code, invite=find_invite(code), draft_key=key, answers={"WL1": 4})
    other = make_cycle(unit=world.team_b, name="Other")
    other_code = issue_invites(cycle=other, team=world.team_b, count=1)[0]
    read = read_draft(other_code, key)  # the key holds no draft for the other cycle
    assert read._state.adding
    with pytest.raises(TamperedForm):
        save_progress(
            code=other_code,
            invite=find_invite(other_code),
            draft_key=key,
            answers={"WL1": 1},
            as_read=read,
        )
    assert SurveyDraft.objects.get(key=key).answers == {"WL1": 4}


def test_it_refuses_a_spent_code_at_its_insert_when_the_page_found_it_unspent(
    world, full_cycle, code
):
    invite = find_invite(code)
    submit_response(code=code, answers=all_answers(full_cycle))
    with pytest.raises(CodeAlreadyUsed):
        submit_response(code=code, answers=all_answers(full_cycle), invite=invite, checked=True)
    assert Response.objects.count() == 1


def test_it_checks_a_code_again_when_the_invite_passed_is_another_code_s(world, full_cycle, code):
    """`checked` vouches only for the invite of the code submitted: with another invite the
    code is looked up and checked again (here, spent under the key of before spent codes left
    the invites, which the insert would not catch)."""
    invite = find_invite(code)
    SpentCode.objects.create(key=invite_codes.legacy_key(invite.code_hash, purpose="spent"))
    (other_code,) = issue_invites(cycle=full_cycle, team=world.team_a, count=1)
    with pytest.raises(CodeAlreadyUsed):
        submit_response(
            code=code, answers=all_answers(full_cycle), invite=find_invite(other_code), checked=True
        )
    assert not Response.objects.exists()


SAVING_TABS = 10


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: concurrent connections waiting on the draft's row lock",
)
@pytest.mark.django_db(transaction=True)
def test_it_keeps_every_answer_when_ten_tabs_save_one_draft_at_once(world, full_cycle):
    """Each tab read the same draft, then all save a different statement at once: each
    one-statement save that finds the draft changed since it was read merges under the lock,
    so no answer is lost."""
    code = issue_invites(cycle=full_cycle, team=world.team_a, count=1)[0]
    invite = find_invite(code)
    key = new_draft_key()
    save_progress(code=code, invite=invite, draft_key=key, answers={})
    read = read_draft(code, key)
    statements = [s.code for s in survey_statements(full_cycle)][:SAVING_TABS]
    barrier = threading.Barrier(SAVING_TABS)
    problems: list[str] = []
    lock = threading.Lock()

    def save(statement: str) -> None:
        try:
            barrier.wait()
            save_progress(
                code=code, invite=invite, draft_key=key, answers={statement: 3}, as_read=read
            )
        except Exception as error:  # reported below, with what it was
            with lock:
                problems.append(repr(error))
        finally:
            connections.close_all()  # this thread's own connections

    threads = [threading.Thread(target=save, args=(s,)) for s in statements]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert problems == []
    assert SurveyDraft.objects.get(key=key).answers == dict.fromkeys(statements, 3)


def test_it_reads_a_link_s_invite_spent_code_and_old_draft_in_one_query(
    world, full_cycle, code, django_assert_num_queries
):
    invite = find_invite(code)
    with django_assert_num_queries(1):
        state = find_code_state(code)
    assert state.invite == invite
    assert state.invite.cycle.organisation == world.organisation  # read with it
    assert state.invite.team == world.team_a
    assert (state.spent, state.legacy_draft_key) == (False, None)
    check_code_usable(state, today=timezone.localdate())
    assert draft_key_for(state=state, browser_key="the browser's key") == "the browser's key"
    assert draft_key_for(state=state, browser_key=None) not in ("", None)


def test_it_resumes_a_draft_kept_under_its_invite_s_old_key(world, full_cycle, code):
    legacy = invite_codes.legacy_key(find_invite(code).code_hash, purpose="draft")
    SurveyDraft.objects.create(key=legacy, cycle=full_cycle, answers={"WL1": 5})
    state = find_code_state(code)
    assert state.legacy_draft_key == legacy
    assert draft_key_for(state=state, browser_key=None) == legacy


@pytest.mark.parametrize("purpose", ["spent", "keyed"])
def test_it_refuses_a_link_whose_code_was_spent_under_either_key(world, full_cycle, code, purpose):
    invite = find_invite(code)
    key = (
        invite_codes.spent_key(code)
        if purpose == "keyed"
        else invite_codes.legacy_key(invite.code_hash, purpose="spent")
    )
    SpentCode.objects.create(key=key)
    state = find_code_state(code)
    assert state.spent
    with pytest.raises(CodeAlreadyUsed):
        check_code_usable(state, today=timezone.localdate())


def test_it_reads_a_survey_page_s_invite_and_draft_in_one_query(
    world, full_cycle, code, django_assert_num_queries
):
    key = new_draft_key()
    saved = save_progress(code=code, invite=find_invite(code), draft_key=key, answers={"WL1": 5})
    save_progress(
        code=code, invite=find_invite(code), draft_key=key, about={"role_group": "senior"}
    )
    today = timezone.localdate()
    with django_assert_num_queries(1):
        state = find_survey_state(code=code, draft_key=key, today=today)
        assert state.invite.cycle.organisation == world.organisation
    assert state.invite == find_invite(code)
    draft = state.draft
    assert (draft.key, draft.cycle_id, draft.answers, draft.about, draft.comment) == (
        saved.key,
        full_cycle.pk,
        {"WL1": 5},
        {"role_group": "senior"},
        "",
    )
    assert draft._state.adding is False


def test_it_gives_a_new_draft_where_the_key_holds_none_for_the_cycle(
    world, full_cycle, make_cycle, code
):
    other_cycle = make_cycle(unit=world.team_b)
    SurveyDraft.objects.create(key="someone else's key", cycle=other_cycle, answers={"WL1": 2})
    today = timezone.localdate()
    for key in ("someone else's key", new_draft_key()):
        draft = find_survey_state(code=code, draft_key=key, today=today).draft
        assert (draft.key, draft.cycle_id, draft.answers) == (key, full_cycle.pk, {})
        assert draft._state.adding is True


def test_it_refuses_a_survey_page_once_its_code_is_spent_or_its_cycle_closed(
    world, full_cycle, code
):
    today = timezone.localdate()
    with pytest.raises(UnknownCode):
        find_survey_state(code="ABCD-EFGH-JKMN", draft_key="k", today=today)
    close_cycle(cycle=full_cycle)
    with pytest.raises(CycleClosed):
        find_survey_state(code=code, draft_key="k", today=today)
    SpentCode.objects.create(key=invite_codes.spent_key(code))
    with pytest.raises(CodeAlreadyUsed):
        find_survey_state(code=code, draft_key="k", today=today)


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL's row locks and its timeouts"
)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_makes_closing_wait_for_a_submission_that_found_the_cycle_open(
    world, full_cycle, code, monkeypatch
):
    """Closing waits until the submission has committed, and takes its time only then: so a
    cycle closed at some moment has every response it will ever have (settled_plans)."""
    from diagnostics import services

    store = services.store_answers
    stored, go_on = threading.Event(), threading.Event()

    def store_then_pause(**kwargs: object) -> None:
        store(**kwargs)  # type: ignore[arg-type]
        stored.set()
        go_on.wait(timeout=10)

    monkeypatch.setattr(services, "store_answers", store_then_pause)
    closer_pid: list[int] = []
    outcomes: dict[str, str] = {}
    submitting = run_in_thread(
        "submission",
        lambda: submit_response(code=code, answers=all_answers(full_cycle)),
        outcomes,
    )
    assert stored.wait(timeout=10)

    def close() -> None:
        closer_pid.append(backend_pid())
        close_cycle(cycle=Cycle.objects.get(pk=full_cycle.pk))

    closing = run_in_thread("closing", close, outcomes)
    try:
        while not closer_pid and closing.is_alive():
            time.sleep(0.01)
        wait_until_waiting_on_a_lock(closer_pid[0])
        before_the_submission_commits = timezone.now()
    finally:
        go_on.set()
        submitting.join()
        closing.join()
    assert outcomes == {"submission": "done", "closing": "done"}
    closed = Cycle.objects.get(pk=full_cycle.pk)
    assert closed.status == Cycle.Status.CLOSED
    assert closed.closed_at is not None
    assert closed.closed_at > before_the_submission_commits
    assert Response.objects.filter(cycle=closed).count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_submission_that_reads_the_cycle_while_it_is_being_closed(
    world, full_cycle, code
):
    """The submission waits for the closing to commit or roll back, then reads the cycle again:
    closed, so it stores nothing."""
    closed, commit_now = threading.Event(), threading.Event()
    submitter_pid: list[int] = []
    outcomes: dict[str, str] = {}

    def close_and_hold() -> None:
        with transaction.atomic():
            close_cycle(cycle=Cycle.objects.get(pk=full_cycle.pk))
            closed.set()
            commit_now.wait(timeout=10)

    def submit() -> None:
        submitter_pid.append(backend_pid())
        submit_response(code=code, answers=all_answers(full_cycle))

    closing = run_in_thread("closing", close_and_hold, outcomes)
    assert closed.wait(timeout=10)
    submitting = run_in_thread("submission", submit, outcomes)
    while not submitter_pid and submitting.is_alive():
        time.sleep(0.01)
    try:
        wait_until_waiting_on_a_lock(submitter_pid[0])
    finally:
        commit_now.set()
        closing.join()
        submitting.join()
    assert outcomes == {"closing": "done", "submission": "CycleClosed"}
    assert not Response.objects.exists()
    assert not SpentCode.objects.exists()


def sleep_in_python() -> None:
    time.sleep(2)


def sleep_in_postgresql() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(2)")


STALLS = {"between two statements": sleep_in_python, "in one statement": sleep_in_postgresql}


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("stall", STALLS.values(), ids=STALLS.keys())
def test_it_has_postgresql_end_a_submission_that_stalls_while_holding_the_cycle_open(
    world, full_cycle, code, monkeypatch, stall
):
    """A worker that stops between two statements, or a statement that does not end (here, for
    longer than the limit), cannot keep the cycle from closing: PostgreSQL ends the session or
    the statement, and the submission rolls back."""
    from diagnostics import services

    monkeypatch.setattr(services, "SUBMISSION_TIMEOUT_MS", 300)
    store = services.store_answers

    def stall_then_store(**kwargs: object) -> None:
        stall()
        store(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(services, "store_answers", stall_then_store)
    outcomes: dict[str, str] = {}
    run_in_thread(
        "submission", lambda: submit_response(code=code, answers=all_answers(full_cycle)), outcomes
    ).join()
    assert outcomes["submission"] in {OperationalError.__name__, InterfaceError.__name__}
    assert not Response.objects.exists()
    assert not SpentCode.objects.exists()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '1s'")  # nothing left holding the cycle
        close_cycle(cycle=Cycle.objects.get(pk=full_cycle.pk))
    assert Cycle.objects.get(pk=full_cycle.pk).status == Cycle.Status.CLOSED

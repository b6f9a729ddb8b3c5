"""The anonymous staff survey: no account, no JavaScript needed, one statement per fieldset."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.middleware import set_language_cookie
from accounts.models import User
from accounts.services import set_language_preference
from diagnostics import codes as invite_codes
from diagnostics import survey_session
from diagnostics.errors import (
    CodeAlreadyUsed,
    IncompleteAnswers,
    SurveyError,
    SurveySessionEnded,
    TamperedForm,
    UnknownCode,
)
from diagnostics.models import (
    NOT_APPLICABLE_LABEL,
    SCALE,
    Invite,
    RoleGroup,
    ServiceLength,
    SurveyDraft,
    WorkingPattern,
)
from diagnostics.selectors import survey_shape
from diagnostics.services import (
    NOT_APPLICABLE,
    check_code_usable,
    clean_about,
    clean_answers,
    clean_comment,
    draft_key_for,
    find_code_state,
    find_invite,
    find_survey_state,
    save_progress,
    submit_response,
)
from diagnostics.survey import SurveyPage, SurveyShape
from diagnostics.survey_session import SurveySession
from organisations.models import Organisation
from sword.ratelimits import over_limit
from voice.selectors import board_path_for_team

NOT_APPLICABLE_VALUE = "na"
ABOUT_QUESTIONS = [
    ("role_group", _("Which best describes your role?"), RoleGroup.choices),
    ("service_length", _("How long have you worked for this organisation?"), ServiceLength.choices),
    ("working_pattern", _("How do you work?"), WorkingPattern.choices),
]
# The language chooser's buttons belong to a survey page's form (SURVEY_FORM_ID), so that
# switching language keeps what was ticked on the page: they send `language`, not `action`.
FORM_BOOKKEEPING = {"csrfmiddlewaretoken", "action", "language"}
SURVEY_FORM_ID = "survey-answers"

SurveyView = Callable[..., HttpResponse]
# A code that is used, or whose invite has gone, can never be used again in this browser.
SESSION_ENDING_ERRORS = (CodeAlreadyUsed, UnknownCode)


def problem_page(request: HttpRequest, error: SurveyError) -> HttpResponse:
    return render(
        request,
        "survey/problem.html",
        {"title": error.title, "message": error.message},
        status=error.status,
    )


def too_many_codes(request: HttpRequest, *, increment: bool) -> bool:
    """Whether this address has tried too many unknown codes lately.

    Codes carry ~59 bits of randomness, so guessing is hopeless anyway; the limit keeps anyone
    from trying. Only unknown codes count, so a whole office answering from one address is not
    slowed down. The counter lives only in the cache, never in the database.
    """
    return over_limit(
        request, group="survey-codes", rate=settings.SURVEY_CODE_RATE, increment=increment
    )


def too_many_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "survey/problem.html",
        {
            "title": gettext("Too many codes tried"),
            "message": gettext(
                "Several codes have been tried from here in a short time, so we have paused for "
                "a few minutes. Wait, then check the code on your card or e-mail and try again."
            ),
        },
        status=429,
    )


@never_cache
def exchange_code(request: HttpRequest, code: str) -> HttpResponse:
    """The one request that carries the code: check it, give the browser a survey session
    holding it, and send the browser on to the survey's addresses, which carry no code.

    An unknown code counts against the address. While an address is paused, unknown codes and
    codes this browser has not started are refused (otherwise guessing could go on), but anyone
    part-way through a survey in this browser carries on.
    """
    current = survey_session.read(request)
    started_key = (
        current.draft_key
        if current is not None and current.code == invite_codes.normalise(code)
        else None
    )
    try:
        state = find_code_state(code)
    except UnknownCode as error:
        if too_many_codes(request, increment=True):
            return too_many_page(request)
        return problem_page(request, error)
    if started_key is None and too_many_codes(request, increment=False):
        return too_many_page(request)
    try:
        check_code_usable(state, today=timezone.localdate())
    except SurveyError as error:
        refused = problem_page(request, error)
        if started_key is not None and isinstance(error, SESSION_ENDING_ERRORS):
            survey_session.end(refused)
        return refused
    draft_key = draft_key_for(state=state, browser_key=started_key)
    response = HttpResponseRedirect(_address("survey:start"))
    survey_session.begin(response, SurveySession(code=code, draft_key=draft_key))
    return response


def open_link(request: HttpRequest, code: str, rest: str = "") -> HttpResponse:
    """The invite link (`/survey/c/<code>/`). Addresses below it, from before the survey moved
    the code out of its addresses, lead to the start page too."""
    return exchange_code(request, code)


@dataclass
class Survey:
    """What a survey page works with: the invite, the browser's session and its draft."""

    invite: Invite
    session: SurveySession
    draft: SurveyDraft

    @property
    def code(self) -> str:
        return self.session.code

    @property
    def languages(self) -> list[str]:
        return self.invite.cycle.organisation.offered_languages


def survey_language(request: HttpRequest, offered: list[str]) -> str:
    """The language a survey page is shown in: the one chosen (the chooser's cookie, else the
    browser's) when the organisation offers it, else English, for the whole page. Only the
    chooser's cookie holds the choice: nothing about it is stored with the survey."""
    chosen = translation.get_language() or settings.LANGUAGE_CODE
    language = chosen if chosen in offered else offered[0]
    if language != chosen:
        translation.activate(language)
        request.LANGUAGE_CODE = language
    return language


def with_survey(view: SurveyView) -> SurveyView:
    """Read the browser's survey session and check its code can be used today; otherwise show
    why, and store nothing. A used or unknown code ends the session."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        session = survey_session.read(request)
        if session is None:
            if survey_session.thanked_team(request) is not None:
                # Back from the thank-you page: the answers are in, so say that again, not
                # that the survey cannot be found.
                return redirect("survey:thanks")
            return problem_page(request, SurveySessionEnded())
        try:
            state = find_survey_state(
                code=session.code, draft_key=session.draft_key, today=timezone.localdate()
            )
            survey = Survey(state.invite, session, state.draft)
            survey_language(request, survey.languages)
            return view(request, survey, *args, **kwargs)
        except SurveyError as error:
            response = problem_page(request, error)
            if isinstance(error, SESSION_ENDING_ERRORS):
                survey_session.end(response)
            return response

    return never_cache(wrapper)


# On the review page's "Change" links: the page changed goes straight back to the review.
FROM_REVIEW = "?from=review"


def _returning_to_review(request: HttpRequest) -> bool:
    return request.GET.get("from") == "review"


def _page_url(number: int) -> str:
    return _address("survey:page", number)


def _address(view_name: str, number: int | None = None) -> str:
    """A survey address (a page's, by its number), reversed once per process and script prefix
    with SPEEDUP_FIXED_LINKS, on the same assumption as `{% fixed_url %}`: a view name and its
    arguments reverse to one address for a given script prefix and URLconf."""
    if not settings.SPEEDUP_FIXED_LINKS:
        return _reversed(view_name, number)
    return _remembered_address(view_name, number, get_script_prefix(), get_urlconf())


def _reversed(view_name: str, number: int | None) -> str:
    return reverse(view_name, kwargs=None if number is None else {"number": number})


@lru_cache(maxsize=1024)
def _remembered_address(
    view_name: str, number: int | None, _script_prefix: str, _urlconf: Any
) -> str:
    return _reversed(view_name, number)


def _reject_unexpected_fields(request: HttpRequest, expected: set[str]) -> None:
    unexpected = set(request.POST) - expected - FORM_BOOKKEEPING
    if unexpected:
        raise TamperedForm()


def _language_switch(request: HttpRequest, survey: Survey) -> str | None:
    """The language chosen with the chooser's button on a survey page, if it was pressed: ""
    for one the survey no longer offers (a page drawn before an admin changed that), which
    keeps the page's answers and stays in the language it was in."""
    language = request.POST.get("language")
    if language is None:
        return None
    return language if language in survey.languages else ""


def _stay_in_language(request: HttpRequest, language: str) -> HttpResponse:
    """Back to the same page in `language`, with the chooser's cookie set as `set_language`
    sets it and, for a signed-in person, their preference too, as the chooser does elsewhere
    (nothing about the choice is stored with the survey)."""
    response = HttpResponseRedirect(request.get_full_path())
    if not language:
        return response
    user = getattr(request, "user", None)
    if isinstance(user, User) and user.is_authenticated:
        set_language_preference(user=user, language=language)
    set_language_cookie(response, language)
    return response


def _action(request: HttpRequest) -> str:
    action = request.POST.get("action", "next")
    if action not in ("next", "back"):
        raise TamperedForm()
    return action


def _save(survey: Survey, **progress: Any) -> None:
    draft = save_progress(
        code=survey.code,
        invite=survey.invite,
        draft_key=survey.session.draft_key,
        as_read=survey.draft,
        **progress,
    )
    survey.draft = draft


@require_http_methods(["GET", "POST"])
def enter_code(request: HttpRequest) -> HttpResponse:
    """'Have a code?': type the code from a card or e-mail. The code goes in the form's body,
    never in an address."""
    error = None
    typed = ""
    if request.method == "POST":
        # Not counted here: a well-formed code is looked up (and counted if unknown) next.
        typed = request.POST.get("code", "")[:64]
        not_used = invite_codes.characters_not_used(typed)
        if not_used and len(invite_codes.normalise(typed)) == invite_codes.CODE_LENGTH:
            error = gettext(
                "Codes never contain %(characters)s: they have no letter I, L or O and no number "
                "0 or 1. Check the code on your card or e-mail and type it again."
            ) % {"characters": ", ".join(not_used)}
        elif not invite_codes.looks_valid(typed):
            error = gettext(
                "Enter the 12-character code from your card or e-mail, for example ABCD-EFGH-JKMN."
            )
        else:
            return exchange_code(request, typed)
    return render(
        request,
        "survey/enter_code.html",
        {"error": error, "typed": typed},
        status=400 if error else 200,
    )


@with_survey
def start(request: HttpRequest, survey: Survey) -> HttpResponse:
    invite = survey.invite
    shape = survey_shape(invite.cycle)
    answers = survey.draft.answers
    return render(
        request,
        "survey/start.html",
        {
            "invite": invite,
            "k": invite.cycle.organisation.anonymity_threshold,
            "statement_count": len(shape.statements),
            "minutes": max(2, round(len(shape.statements) * 12 / 60)),
            "first_page": _page_url(1),
            "resume_page": _page_url(shape.first_incomplete_page(answers) or 1)
            if answers
            else None,
            "survey_languages": survey.languages,
        },
    )


def scale_options() -> tuple[tuple[str, str], ...]:
    """The scale's answers as (value, words) in the language in force."""
    return tuple(
        [(str(value), str(label)) for value, label in SCALE]
        + [(NOT_APPLICABLE_VALUE, str(NOT_APPLICABLE_LABEL))]
    )


def _choices_in_language(choices: list[tuple[str, Any]]) -> tuple[tuple[str, str], ...]:
    return tuple((value, str(label)) for value, label in choices)


def _radios(code: str, chosen: str | None, options: tuple[tuple[str, str], ...]) -> SafeString:
    """The radio buttons for one question, each with its own label (`options` are in the
    language in force)."""
    if settings.SPEEDUP_REMEMBERED_SURVEY_HTML:
        return _remembered_radios(code, chosen, options)
    return _rendered_radios(code, chosen, options)


def _rendered_radios(
    code: str, chosen: str | None, options: tuple[tuple[str, str], ...]
) -> SafeString:
    """The radios from survey/_radios.html: the plain path, and the markup the hand-built
    radios must match."""
    context = {
        "code": code,
        "chosen": chosen,
        "options": options,
        "not_applicable_value": NOT_APPLICABLE_VALUE,
    }
    # The template engine escapes what it prints, so its output is safe HTML.
    return mark_safe(render_to_string("survey/_radios.html", context))  # noqa: S308  # nosec B308 B703


def _radio_html(code: str, option: str, label: str, checked: bool) -> SafeString:
    """One radio button with its label, as survey/_radios.html draws it."""
    return format_html(
        '<div class="form-check{}"><input class="form-check-input" type="radio" name="{}" '
        'id="{}-{}" value="{}"{}><label class="form-check-label" for="{}-{}">{}</label></div>',
        " not-applicable" if option == NOT_APPLICABLE_VALUE else "",
        code,
        code,
        option,
        option,
        " checked" if checked else "",
        code,
        option,
        label,
    )


@lru_cache(maxsize=8192)
def _remembered_radios(
    code: str, chosen: str | None, options: tuple[tuple[str, str], ...]
) -> SafeString:
    """survey/_radios.html's markup, built by hand once per process for each question, answer
    and language (`options` are in the language in force, so each language is kept apart).

    Built here rather than by the template: a page has dozens of them, and this is the survey's
    hottest path. Tests check the two agree for every statement and answer.
    """
    return format_html_join(
        "\n",
        "{}",
        ((_radio_html(code, option, label, option == chosen),) for option, label in options),
    )


def _statement_html(
    code: str, text: str, chosen: str | None, missing: bool, language: str
) -> SafeString:
    """One statement's fieldset (legend, error, radios) from survey/_statement.html, in
    `language` (the language in force, passed so that each is remembered apart)."""
    # In development, show template edits at once.
    if settings.DEBUG or not settings.SPEEDUP_REMEMBERED_SURVEY_HTML:
        return _render_statement(code, text, chosen, missing, language)
    return _remembered_statement(code, text, chosen, missing, language)


def _render_statement(
    code: str, text: str, chosen: str | None, missing: bool, language: str
) -> SafeString:
    context = {
        "code": code,
        "text": text,
        "missing": missing,
        "radios": _radios(code, chosen, scale_options()),
    }
    # The template engine escapes what it prints, so its output is safe HTML.
    return mark_safe(render_to_string("survey/_statement.html", context))  # noqa: S308  # nosec B308 B703


# The same fieldset is drawn for every response (a statement, its answer, whether it is
# missing), so it is rendered once per process: the survey's hottest template work. This
# assumes the template's output depends only on these arguments and the language in force (it
# is rendered without a request, so no context processor adds anything per request).
_remembered_statement = lru_cache(maxsize=16384)(_render_statement)


def section_name(name: str) -> str:
    """A domain's name in the language in force (the built-in domains are in the catalogue)."""
    return gettext(name)


def _statement_rows(
    shape: SurveyShape, number: int, answers: dict[str, Any], missing: list[str], language: str
) -> list[Any]:
    """Each statement with its fieldset ready to print (radio ids, values, labels, checked)."""
    page = shape.page(number)
    assert page is not None
    sections = []
    for section in page.sections:
        statements = []
        for statement in section.statements:
            value = answers.get(statement.code)
            chosen = (
                NOT_APPLICABLE_VALUE
                if value == NOT_APPLICABLE
                else (str(value) if value is not None else None)
            )
            is_missing = statement.code in missing
            text = statement.text_in(language)
            statements.append(
                {
                    "statement": statement,
                    "text": text,
                    "html": _statement_html(statement.code, text, chosen, is_missing, language),
                    "missing": is_missing,
                }
            )
        sections.append({"name": section_name(section.name), "statements": statements})
    return sections


@with_survey
@require_http_methods(["GET", "POST"])
def page(request: HttpRequest, survey: Survey, number: int) -> HttpResponse:
    shape = survey_shape(survey.invite.cycle)
    if number == shape.about_page_number:
        return about(request, survey, shape)
    survey_page = shape.page(number)
    if survey_page is None:
        raise Http404("No such page.")
    answers: dict[str, Any] = dict(survey.draft.answers)
    missing: list[str] = []
    returning = _returning_to_review(request)
    if request.method == "POST":
        _reject_unexpected_fields(request, set(survey_page.codes))
        switch = _language_switch(request, survey)
        action = "stay" if switch is not None else _action(request)
        raw = {
            key: (NOT_APPLICABLE if value == NOT_APPLICABLE_VALUE else value)
            for key, value in request.POST.items()
            if key in survey_page.codes
        }
        given = clean_answers(raw, allowed_codes=survey_page.codes, require_all=False)
        if given:
            _save(survey, answers=given)
        answers.update(given)
        if switch is not None:
            return _stay_in_language(request, switch)
        if action == "back":
            if number == 1:
                return HttpResponseRedirect(_address("survey:start"))
            return HttpResponseRedirect(_page_url(number - 1))
        missing = [c for c in survey_page.codes if c not in answers]
        if not missing:
            if returning:
                return HttpResponseRedirect(_address("survey:review"))
            return HttpResponseRedirect(_page_url(number + 1))
    return render(
        request,
        "survey/page.html",
        {
            "invite": survey.invite,
            "number": number,
            "page_count": shape.page_count,
            "sections": _statement_rows(
                shape, number, answers, missing, translation.get_language()
            ),
            "missing": missing,
            "not_applicable_label": NOT_APPLICABLE_LABEL,
            "percent": round(100 * (number - 1) / shape.page_count),
            "survey_languages": survey.languages,
            "returning_to_review": returning,
            "chooser_form": SURVEY_FORM_ID,
        },
        status=400 if missing else 200,
    )


def about(request: HttpRequest, survey: Survey, shape: SurveyShape) -> HttpResponse:
    draft = survey.draft
    comment_error = None
    comment = draft.comment
    chosen = dict(draft.about)
    if request.method == "POST":
        _reject_unexpected_fields(
            request, {key for key, _label, _choices in ABOUT_QUESTIONS} | {"comment"}
        )
        switch = _language_switch(request, survey)
        action = "stay" if switch is not None else _action(request)
        chosen = clean_about(
            {key: request.POST.get(key, "") for key, _label, _choices in ABOUT_QUESTIONS}
        )
        comment = request.POST.get("comment", "")
        try:
            comment = clean_comment(comment)
        except ValidationError as exc:
            comment_error = " ".join(exc.messages)
        if comment_error is None:
            _save(survey, about=chosen, comment=comment)
            if switch is not None:
                return _stay_in_language(request, switch)
            if action == "back":
                return HttpResponseRedirect(_page_url(shape.about_page_number - 1))
            return HttpResponseRedirect(_address("survey:review"))
    return render(
        request,
        "survey/about.html",
        {
            "invite": survey.invite,
            "number": shape.about_page_number,
            "page_count": shape.page_count,
            "questions": [
                {
                    "key": key,
                    "label": label,
                    "radios": _radios(key, chosen.get(key), _choices_in_language(choices)),
                }
                for key, label, choices in ABOUT_QUESTIONS
            ],
            "comment": comment,
            "comment_error": comment_error,
            "comment_threshold": survey.invite.cycle.organisation.comment_threshold,
            "percent": round(100 * (shape.about_page_number - 1) / shape.page_count),
            "survey_languages": survey.languages,
            "returning_to_review": _returning_to_review(request),
            "chooser_form": SURVEY_FORM_ID,
        },
        status=400 if comment_error else 200,
    )


def _answer_label(value: Any) -> str:
    if value is None:
        return gettext("No answer yet")
    if value == NOT_APPLICABLE:
        return str(NOT_APPLICABLE_LABEL)
    return str(dict(SCALE).get(int(value), gettext("No answer yet")))


def _page_title(survey_page: SurveyPage) -> str:
    """The page's headings, as the page itself shows them (the outcomes under one)."""
    return ", ".join(dict.fromkeys(section_name(section.name) for section in survey_page.sections))


@dataclass(frozen=True)
class _ReviewPage:
    """What the review page shows of one page of statements, but the answers: the same for
    every respondent of a cycle in a language."""

    number: int
    title: str
    url: str
    statements: tuple[tuple[str, str], ...]  # code, text


def _review_outline(shape: SurveyShape, language: str) -> tuple[_ReviewPage, ...]:
    """The review page's pages of statements in `language` (the language in force)."""
    return tuple(
        _ReviewPage(
            number=survey_page.number,
            title=_page_title(survey_page),
            url=_page_url(survey_page.number) + FROM_REVIEW,
            statements=tuple((s.code, s.text_in(language)) for s in survey_page.statements),
        )
        for survey_page in shape.pages
    )


# Outlines worked out in this process, by the shape (kept with it, so that its id stays its
# own), language and script prefix (the pages' addresses); shapes are themselves remembered per
# cycle (selectors.survey_shape).
_remembered_outlines: dict[tuple[int, str, str], tuple[SurveyShape, tuple[_ReviewPage, ...]]] = {}
MOST_REMEMBERED_OUTLINES = 1024


def _remembered_outline(shape: SurveyShape, language: str) -> tuple[_ReviewPage, ...]:
    key = (id(shape), language, get_script_prefix())
    found = _remembered_outlines.get(key)
    if found is not None and found[0] is shape:
        return found[1]
    outline = _review_outline(shape, language)
    if len(_remembered_outlines) >= MOST_REMEMBERED_OUTLINES:
        _remembered_outlines.clear()
    _remembered_outlines[key] = (shape, outline)
    return outline


def _render_review_row(text: str, value: Any, language: str) -> SafeString:
    """One statement and its answer from survey/_review_row.html, in `language` (the language
    in force, passed so that each is remembered apart)."""
    context = {"text": text, "answer": _answer_label(value)}
    # The template engine escapes what it prints, so its output is safe HTML.
    return mark_safe(render_to_string("survey/_review_row.html", context))  # noqa: S308  # nosec B308 B703


# As the statements' fieldsets: the same row is drawn for every response, rendered without a
# request, so it is rendered once per process.
_remembered_review_row = lru_cache(maxsize=16384)(_render_review_row)


def _review_pages(
    shape: SurveyShape, answers: dict[str, Any], language: str
) -> list[dict[str, Any]]:
    """Each page of statements with its answers drawn (`rows`, HTML), for the review page."""
    remembered = settings.SPEEDUP_REMEMBERED_SURVEY_HTML and not settings.DEBUG
    outline = (
        _remembered_outline(shape, language) if remembered else _review_outline(shape, language)
    )
    row = _remembered_review_row if remembered else _render_review_row
    return [
        {
            "number": page.number,
            "title": page.title,
            "url": page.url,
            # Each row is safe HTML from the template engine, so their join is too.
            "rows": mark_safe(  # noqa: S308  # nosec B308 B703
                "".join([row(text, answers.get(code), language) for code, text in page.statements])
            ),
        }
        for page in outline
    ]


@with_survey
def review(request: HttpRequest, survey: Survey) -> HttpResponse:
    shape = survey_shape(survey.invite.cycle)
    draft = survey.draft
    language = translation.get_language()
    labels = {key: dict(choices) for key, _label, choices in ABOUT_QUESTIONS}
    about_rows = [
        (label, labels[key].get(draft.about.get(key, ""), gettext("Not answered")))
        for key, label, _choices in ABOUT_QUESTIONS
    ]
    incomplete = shape.first_incomplete_page(draft.answers)
    return render(
        request,
        "survey/review.html",
        {
            "invite": survey.invite,
            "pages": _review_pages(shape, draft.answers, language),
            "about_rows": about_rows,
            "about_url": _page_url(shape.about_page_number) + FROM_REVIEW,
            "comment": draft.comment,
            "incomplete_url": _page_url(incomplete) if incomplete else None,
            "not_applicable_label": NOT_APPLICABLE_LABEL,
            "survey_languages": survey.languages,
        },
    )


@require_POST
@with_survey
def submit(request: HttpRequest, survey: Survey) -> HttpResponse:
    _reject_unexpected_fields(request, set())
    draft = survey.draft
    try:
        submitted = submit_response(
            code=survey.code,
            answers=draft.answers,
            about=draft.about,
            comment=draft.comment,
            invite=survey.invite,
            draft_key=survey.session.draft_key,
            checked=True,  # with_survey's lookup found the code unspent and its cycle open
        )
    except IncompleteAnswers:
        shape = survey_shape(survey.invite.cycle)
        return HttpResponseRedirect(_page_url(shape.first_incomplete_page(draft.answers) or 1))
    response = HttpResponseRedirect(_address("survey:thanks"))
    survey_session.end_with_thanks(
        response,
        # The team's own board, where a move left its part in the cycle behind (`move_unit`).
        team_id=submitted.team.moved_to_id or submitted.team.pk,
        threshold=survey.invite.cycle.organisation.anonymity_threshold,
    )
    return response


@never_cache
def thanks(request: HttpRequest) -> HttpResponse:
    team_id = survey_session.thanked_team(request)
    threshold = survey_session.thanked_threshold(request)
    return render(request, "survey/thanks.html", thanks_context(team_id, threshold))


def protection(request: HttpRequest) -> HttpResponse:
    """How answers are protected, under the survey's own address so that the survey's cookie
    reaches it: with the thresholds of the organisation whose survey this browser is answering
    (or has just answered), as the start page gives them."""
    return render(request, "protection.html", protection_context(_survey_organisation(request)))


def _survey_organisation(request: HttpRequest) -> Organisation | None:
    session = survey_session.read(request)
    if session is not None:
        try:
            return find_invite(session.code).cycle.organisation
        except UnknownCode:
            return None
    team_id = survey_session.thanked_team(request)
    if team_id is None:
        return None
    return Organisation.objects.filter(units__pk=team_id).first()


def protection_context(organisation: Organisation | None) -> dict[str, Any]:
    """protection.html's figures: the organisation's settings where it is known, else the
    defaults (which the page says are the usual ones)."""

    def default(name: str) -> Any:
        field = Organisation._meta.get_field(name)
        assert isinstance(field, models.Field)
        return field.default

    return {
        "k": organisation.anonymity_threshold if organisation else None,
        "comment_threshold": organisation.comment_threshold if organisation else None,
        "window": organisation.pulse_window_days if organisation else None,
        "reminders": organisation.cycle_reminders if organisation else None,
        "reminder_days": organisation.reminder_days if organisation else None,
        "default_k": default("anonymity_threshold"),
        "default_comment_threshold": default("comment_threshold"),
        "default_window": default("pulse_window_days"),
    }


def thanks_context(team_id: int | None, threshold: int | None) -> dict[str, Any]:
    """What the thank-you page says and offers next: the threshold and the team's voice board."""
    return {"voice_url": board_path_for_team(team_id) if team_id else None, "k": threshold}

"""Team voice boards: public pages for staff (no sign-in) and pages for the leaders who answer."""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from accounts.http import AuthenticatedHttpRequest
from organisations.access import reach_of
from organisations.selectors import readable_paths
from sword.pages import error_text
from sword.paging import page_of
from sword.ratelimits import over_limit
from voice import services
from voice.access import (
    get_issue_for,
    get_team_for,
    issues_visible_to,
    reaches_team_of,
    require_team_reach,
)
from voice.browser import read_secret, remember, secret_for
from voice.forms import NO_NAMES_WARNING, RaiseIssueForm
from voice.manage_forms import AnswerForm, EscalateForm, HideForm
from voice.models import VoiceBoard, VoiceIssue
from voice.selectors import (
    board_by_token,
    board_issues,
    board_url,
    escalated_into_reach,
    escalation_targets,
    issue_answers,
    open_safety_issues,
    supported_by_browser,
    teams_in_reach,
)

# Per address and per board (settings VOICE_RAISE_RATE and VOICE_SUPPORT_RATE, per hour). The
# counters live only in the cache, never in the database.
RAISE_LIMIT_MESSAGE = _(
    "You have raised several issues in a short time. Please wait an hour and try again. "
    "Nothing you wrote has been added to the board."
)
SUPPORT_LIMIT_MESSAGE = _(
    "You have supported many issues in a short time. Please wait an hour and try again."
)


def _link_gone(request: HttpRequest) -> HttpResponse:
    return render(request, "voice/link_gone.html", status=404)


def _over_limit(request: HttpRequest, *, action: str, board: VoiceBoard, rate: str) -> bool:
    return over_limit(request, group=f"voice:{action}:{board.pk}", rate=rate)


def _too_many(request: HttpRequest, board: VoiceBoard, message: str | Promise) -> HttpResponse:
    response = render(
        request, "voice/rate_limited.html", {"board": board, "message": message}, status=429
    )
    response["Retry-After"] = "3600"
    return response


def _on_board(board: VoiceBoard, issue: VoiceIssue | None = None) -> str:
    url = reverse("voice:board", kwargs={"token": board.token})
    return f"{url}#issue-{issue.pk}" if issue is not None else url


# --- public: the team's board ------------------------------------------------------------


@never_cache
@require_safe
def board(request: HttpRequest, token: str) -> HttpResponse:
    found = board_by_token(token)
    if found is None:
        return _link_gone(request)
    issues = board_issues(found)
    return render(
        request,
        "voice/board.html",
        {
            "board": found,
            "team": found.team,
            "issues": issues,
            "supported": supported_by_browser(issues, read_secret(request)),
        },
    )


@never_cache
def raise_issue(request: HttpRequest, token: str) -> HttpResponse:
    found = board_by_token(token)
    if found is None:
        return _link_gone(request)
    form = RaiseIssueForm(request.POST or None)
    safety_step = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if (
            data["category"] == VoiceIssue.Category.SAFETY
            and request.POST.get("safety_seen") != "1"
        ):
            # Without JavaScript the contact has not been on screen yet: show it first.
            safety_step = True
        elif _over_limit(request, action="raise", board=found, rate=settings.VOICE_RAISE_RATE):
            return _too_many(request, found, RAISE_LIMIT_MESSAGE)
        else:
            secret, is_new = secret_for(request)
            try:
                issue = services.raise_issue(
                    board=found,
                    category=data["category"],
                    text=data["text"],
                    browser_secret=secret,
                )
            except ValidationError as exc:
                form.add_error(None, error_text(exc))
            else:
                messages.success(
                    request,
                    gettext(
                        "Your issue is on the board. Come back to this page to see the answer."
                    ),
                )
                response = redirect(_on_board(found, issue))
                if is_new:
                    remember(response, secret)
                return response
    safety_chosen = form["category"].value() == VoiceIssue.Category.SAFETY
    return render(
        request,
        "voice/raise.html",
        {
            "board": found,
            "team": found.team,
            "form": form,
            "warning": NO_NAMES_WARNING,
            "safety_contact": found.team.organisation.safety_contact_shown,
            "safety_chosen": safety_chosen,
            "safety_step": safety_step,
        },
    )


@never_cache
@require_POST
def support(request: HttpRequest, token: str, issue_id: int) -> HttpResponse:
    found = board_by_token(token)
    if found is None:
        return _link_gone(request)
    issue = VoiceIssue.objects.filter(board=found, pk=issue_id).first()
    if issue is None:
        raise Http404("No such issue on this board.")
    if issue.hidden:
        messages.info(request, gettext("That issue has been hidden, so it cannot be supported."))
        return redirect(_on_board(found, issue))
    if _over_limit(request, action="support", board=found, rate=settings.VOICE_SUPPORT_RATE):
        return _too_many(request, found, SUPPORT_LIMIT_MESSAGE)
    secret, is_new = secret_for(request)
    if services.support_issue(issue=issue, browser_secret=secret):
        messages.success(request, gettext("Thank you: your support is counted."))
    else:
        messages.info(request, gettext("You have already supported this issue. It counts once."))
    response = redirect(_on_board(found, issue))
    if is_new:
        remember(response, secret)
    return response


# --- signed in: answering, escalating, hiding ----------------------------------------------


@login_required
def manage(request: AuthenticatedHttpRequest) -> HttpResponse:
    reach = reach_of(request.user)
    if reach.organisation is None:
        raise Http404("You have no role in an organisation.")
    visible = issues_visible_to(reach)
    issues = visible
    status = request.GET.get("status", "all")
    if status in VoiceIssue.Status.values:
        issues = issues.filter(status=status)
    elif status == "hidden":
        issues = issues.filter(hidden=True)
    elif status != "all":
        raise Http404("No such status.")
    category = request.GET.get("category", "all")
    if category in VoiceIssue.Category.values:
        issues = issues.filter(category=category)
    elif category != "all":
        raise Http404("No such category.")
    view = request.GET.get("view", "all")
    if view == "escalated":
        issues = escalated_into_reach(issues, reach)
    elif view != "all":
        raise Http404("No such view.")
    paths = readable_paths(reach.organisation)
    page = page_of(
        issues.select_related("board__team", "escalated_to").order_by("-raised_on", "-pk"), request
    )
    rows = [
        {"issue": issue, "path": paths.get(issue.board.team_id, issue.board.team.name)}
        for issue in page.object_list
    ]
    links = page_of(teams_in_reach(reach), request, parameter="links")
    teams = [(team, paths.get(team.pk, team.name)) for team in links.object_list]
    return render(
        request,
        "voice/manage.html",
        {
            "rows": rows,
            "status": status,
            "view": view,
            "statuses": VoiceIssue.Status.choices,
            "category": category,
            "categories": VoiceIssue.Category.choices,
            "safety_open": open_safety_issues(visible).count(),
            "waiting_count": visible.filter(status=VoiceIssue.Status.NEW, hidden=False).count(),
            "escalated_count": escalated_into_reach(visible, reach).count(),
            "teams": teams,
            "page": page,
            "links": links,
        },
    )


def _issue_page(
    request: HttpRequest,
    issue: VoiceIssue,
    *,
    answer_form: AnswerForm | None = None,
    escalate_form: EscalateForm | None = None,
    hide_form: HideForm | None = None,
) -> HttpResponse:
    reach = reach_of(request.user)
    reaches_team = reaches_team_of(reach, issue)
    targets = escalation_targets(issue)
    context: dict[str, Any] = {
        "issue": issue,
        "team": issue.board.team,
        "path": readable_paths(issue.board.team.organisation).get(
            issue.board.team_id, issue.board.team.name
        ),
        "answer_form": answer_form or _answer_form(issue),
        "escalate_form": escalate_form or EscalateForm(targets=targets),
        "can_escalate": targets.exists(),
        "hide_form": hide_form or HideForm(),
        "can_moderate": reaches_team,
        "board_url": board_url(issue.board) if reaches_team else None,
        "answers": issue_answers(issue),
        "safety_contacts": issue.board.team.organisation.safety_contacts_shown(),
    }
    return render(request, "voice/issue.html", context)


def _answer_form(issue: VoiceIssue, data: Any = None) -> AnswerForm:
    return AnswerForm(
        data,
        initial={
            "status": issue.status if issue.is_answered else VoiceIssue.Status.HEARD,
            "answer": issue.answer,
            "status_reason": issue.status_reason,
        },
    )


@login_required
def issue_detail(request: AuthenticatedHttpRequest, issue_id: int) -> HttpResponse:
    issue = get_issue_for(request.user, issue_id)
    form = _answer_form(issue, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_issue(
                issue=issue,
                status=form.cleaned_data["status"],
                answer=form.cleaned_data["answer"],
                status_reason=form.cleaned_data["status_reason"],
                answered_by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(
                request, gettext("Answered. The team sees your answer on its voice board.")
            )
            return redirect("voice:issue", issue_id=issue.pk)
    return _issue_page(request, issue, answer_form=form)


@login_required
@require_POST
def issue_escalate(request: AuthenticatedHttpRequest, issue_id: int) -> HttpResponse:
    issue = get_issue_for(request.user, issue_id)
    form = EscalateForm(request.POST, targets=escalation_targets(issue))
    if form.is_valid():
        to = form.cleaned_data["to"]
        try:
            services.escalate_issue(issue=issue, to=to)
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(
                request,
                gettext(
                    "Escalated to %(unit)s: its leaders now see this issue, and the team's board "
                    "shows where it went."
                )
                % {"unit": to.name},
            )
            return redirect("voice:issue", issue_id=issue.pk)
    return _issue_page(request, issue, escalate_form=form)


@login_required
@require_POST
def issue_hide(request: AuthenticatedHttpRequest, issue_id: int) -> HttpResponse:
    issue = get_issue_for(request.user, issue_id)
    require_team_reach(request.user, issue)
    form = HideForm(request.POST)
    if form.is_valid():
        services.hide_issue(
            issue=issue,
            reason=form.cleaned_data["reason"],
            hidden_by=request.user,
        )
        messages.success(
            request, gettext("Hidden. The board shows your reason in place of the issue.")
        )
        return redirect("voice:issue", issue_id=issue.pk)
    return _issue_page(request, issue, hide_form=form)


@login_required
@require_POST
def issue_unhide(request: AuthenticatedHttpRequest, issue_id: int) -> HttpResponse:
    issue = get_issue_for(request.user, issue_id)
    require_team_reach(request.user, issue)
    services.unhide_issue(issue=issue)
    messages.success(request, gettext("The issue is back on the board."))
    return redirect("voice:issue", issue_id=issue.pk)


@login_required
def team_link(request: AuthenticatedHttpRequest, team_id: int) -> HttpResponse:
    team = get_team_for(request.user, team_id)
    found = services.board_for(team)
    url = board_url(found)
    return render(
        request,
        "voice/team_link.html",
        {
            "team": team,
            "board": found,
            "url": url,
            "qr": segno.make(url).svg_inline(scale=4, omitsize=True),
            "path": readable_paths(team.organisation).get(team.pk, team.name),
        },
    )


@login_required
@require_POST
def rotate(request: AuthenticatedHttpRequest, team_id: int) -> HttpResponse:
    team = get_team_for(request.user, team_id)
    if request.POST.get("confirm") != "yes":
        return render(request, "voice/confirm_rotate.html", {"team": team})
    services.rotate_link(team)
    messages.success(
        request,
        gettext(
            "The voice link has changed. The old link and QR code no longer work: share this "
            "one with the team."
        ),
    )
    return redirect("voice:team_link", team_id=team.pk)

"""An organisation admin's page of API tokens: make one (shown once), see each one's state and
last use, revoke one after confirming."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from accounts.http import AuthenticatedHttpRequest
from api import services
from api.access import get_token_for
from api.forms import TokenForm
from api.selectors import tokens_of
from organisations.access import require_org_admin
from sword.pages import Confirmation, confirm_page, error_text


@login_required
def token_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisation = require_org_admin(request.user)
    today = timezone.localdate()
    form = TokenForm(request.POST or None, today=today)
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = services.create_token(
                organisation=organisation,
                created_by=request.user,
                name=form.cleaned_data["name"],
                expires_on=form.cleaned_data["expires_on"],
                today=today,
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            # The token's text is in this answer only: never in the session, a message or a
            # redirect, and the browser is told not to keep the page.
            response = render(request, "api/token_created.html", {"token": token, "raw": raw})
            response["Cache-Control"] = "no-store"
            return response
    tokens = [(token, token.state_on(today)) for token in tokens_of(organisation)]
    return render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": tokens, "organisation": organisation},
    )


@login_required
def token_revoke(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    token = get_token_for(request.user, token_id)
    if request.method == "POST" and token.revoked_at is None:
        try:
            services.revoke_token(token=token, actor=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(
                request, gettext("Revoked “%(name)s”: it no longer works.") % {"name": token.name}
            )
        return redirect("api_tokens:list")
    if token.revoked_at is not None:
        return confirm_page(
            request,
            Confirmation(
                title=gettext("“%(name)s” is already revoked") % {"name": token.name},
                body=gettext("It stopped working on %(date)s.")
                % {"date": date_format(timezone.localtime(token.revoked_at), "j F Y")},
                button=None,
                cancel_url=reverse("api_tokens:list"),
            ),
        )
    return confirm_page(
        request,
        Confirmation(
            title=gettext("Revoke “%(name)s”?") % {"name": token.name},
            body=gettext(
                "Anything using this token (made by %(creator)s) stops getting data at once, and "
                "the token cannot be used again. To carry on, make a new token and put it where "
                "this one was."
            )
            % {"creator": token.created_by},
            button=gettext("Revoke the token"),
            cancel_url=reverse("api_tokens:list"),
        ),
    )

"""The two steps of signing in through an organisation's provider, and the refusal page."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import auth
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.crypto import get_random_string
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from mozilla_django_oidc.utils import generate_code_challenge

from accounts.provider_sign_out import remember_provider_sign_out
from organisations.models import SingleSignOn
from organisations.sign_on import (
    NO_ACCOUNT,
    SIGN_ON_BACKEND,
    UNVERIFIED_EMAIL,
    OrganisationSignOnBackend,
    SignInRefused,
    SignOnUnavailable,
    discover,
    sign_on_for_email,
)
from sword.ratelimits import over_limit

FLOWS_SESSION_KEY = "sso_flows"
MAX_FLOWS = 10

REFUSALS: dict[str, str | Promise] = {
    NO_ACCOUNT: _(
        "There is no active account with a role in %(organisation)s for the e-mail address your "
        "organisation's sign-in gave us. Ask your organisation admin to invite you with that "
        "address, then sign in again."
    ),
    UNVERIFIED_EMAIL: _(
        "Your organisation's sign-in did not confirm your e-mail address, so we cannot match "
        "it to an account. Ask your IT team to mark the address as verified."
    ),
    "expired": _(
        "This sign-in link has already been used or is too old. Start again from the sign-in page."
    ),
    "provider": _(
        "Your organisation's sign-in answered in a way we could not trust, so you are not "
        "signed in. Try again; if it keeps happening, tell your organisation admin."
    ),
    "unavailable": _(
        "Signing in through %(organisation)s is not working at the moment. Try again later; "
        "your organisation admin can tell the platform operator."
    ),
    "cancelled": _("Signing in was cancelled or refused by your organisation's sign-in."),
    "moved": _(
        "Your organisation's sign-in sent you to an address SWORD no longer uses, so you are not "
        "signed in. Tell your organisation admin: the platform operator needs to give your "
        "organisation's sign-in its new address, shown on its single sign-on page."
    ),
}


def _refused(request: HttpRequest, reason: str, organisation: str = "") -> HttpResponse:
    message = str(REFUSALS[reason]) % {"organisation": organisation or gettext("your organisation")}
    return render(request, "organisations/sign_on_refused.html", {"message": message}, status=403)


def _safe_next(request: HttpRequest, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """From a work e-mail address, offer "Sign in with <organisation>" (a link, so the
    browser may follow it to the provider under our form-action policy)."""
    email = request.GET.get("email", "")
    sign_on = sign_on_for_email(email=email)
    if sign_on is None:
        return render(request, "organisations/sign_on_unknown.html", {"email": email}, status=404)
    go_url = (
        reverse("sign_on:go")
        + "?"
        + urlencode(
            {
                "organisation": sign_on.organisation.slug,
                "email": email,
                "next": _safe_next(request, request.GET.get("next", "")),
            }
        )
    )
    return render(
        request,
        "organisations/sign_on_start.html",
        {"organisation": sign_on.organisation, "go_url": go_url},
    )


@require_GET
def go(request: HttpRequest) -> HttpResponse:
    """Send the browser to the organisation's provider with a fresh state, nonce and PKCE
    challenge kept in this session."""
    if over_limit(request, group="sign-in", rate=settings.SIGN_IN_RATE):
        return render(request, "accounts/too_many.html", {"what": "sign-in attempts"}, status=429)
    sign_on = (
        SingleSignOn.objects.filter(
            organisation__slug=request.GET.get("organisation", ""), enabled=True
        )
        .select_related("organisation")
        .first()
    )
    if sign_on is None:
        return render(request, "organisations/sign_on_unknown.html", status=404)
    email = request.GET.get("email", "")
    try:
        endpoints = discover(sign_on.issuer)
    except SignOnUnavailable:
        return _refused(request, "unavailable", sign_on.organisation.name)
    state = get_random_string(32)
    nonce = get_random_string(32)
    verifier = get_random_string(64)
    flows = dict(request.session.get(FLOWS_SESSION_KEY, {}))
    for old in sorted(flows, key=lambda key: flows[key]["added"])[
        : max(0, len(flows) - MAX_FLOWS + 1)
    ]:
        del flows[old]
    # Each organisation has its own callback address, registered only at its own provider, so
    # an answer from one provider can never complete a flow started for another (mix-up).
    redirect_uri = request.build_absolute_uri(
        reverse("sign_on:callback", args=[sign_on.organisation.slug])
    )
    flows[state] = {
        "sign_on": sign_on.pk,
        "redirect_uri": redirect_uri,
        "nonce": nonce,
        "verifier": verifier,
        "next": _safe_next(request, request.GET.get("next", "")),
        "added": time.time(),
    }
    request.session[FLOWS_SESSION_KEY] = flows
    params = {
        "response_type": "code",
        "scope": settings.OIDC_RP_SCOPES,
        "client_id": sign_on.client_id,
        "redirect_uri": redirect_uri,
        "state": state,
        "nonce": nonce,
        "code_challenge": generate_code_challenge(verifier, "S256"),
        "code_challenge_method": "S256",
        "login_hint": email,
    }
    return HttpResponseRedirect(f"{endpoints.authorization_endpoint}?{urlencode(params)}")


@require_GET
def old_callback(request: HttpRequest) -> HttpResponse:
    """The shared callback of earlier releases: completing a sign-in there would let one
    organisation's provider answer for another's, so it only says the address has changed."""
    return _refused(request, "moved")


@require_GET
def callback(request: HttpRequest, organisation: str) -> HttpResponse:
    """The organisation's provider sends the browser back here. Each state is used once: it
    leaves the session before the code is exchanged, so a replayed answer is refused; and it
    must have been started for this organisation, whose provider alone knows this address."""
    state = request.GET.get("state", "")
    flows = dict(request.session.get(FLOWS_SESSION_KEY, {}))
    flow = flows.pop(state, None)
    request.session[FLOWS_SESSION_KEY] = flows
    request.session.save()  # before the slow token exchange, so a parallel replay finds no flow
    if flow is None or time.time() - flow["added"] > settings.SSO_FLOW_SECONDS:
        return _refused(request, "expired")
    sign_on = (
        SingleSignOn.objects.filter(pk=flow["sign_on"], enabled=True)
        .select_related("organisation")
        .first()
    )
    if sign_on is None:
        return _refused(request, "unavailable")
    name = sign_on.organisation.name
    if sign_on.organisation.slug != organisation or flow.get("redirect_uri") is None:
        return _refused(request, "provider", name)
    if request.GET.get("error") or not request.GET.get("code"):
        return _refused(request, "cancelled", name)
    backend = OrganisationSignOnBackend()
    try:
        user = backend.authenticate(
            request,
            sign_on=sign_on,
            nonce=flow["nonce"],
            code_verifier=flow["verifier"],
            redirect_uri=flow["redirect_uri"],
        )
    except SignInRefused as refusal:
        return _refused(request, refusal.reason, name)
    except SignOnUnavailable:
        return _refused(request, "unavailable", name)
    except (
        SuspiciousOperation,
        jwt.InvalidTokenError,
        requests.RequestException,
        KeyError,
        ValueError,
    ):
        return _refused(request, "provider", name)
    if user is None or not user.is_active:
        return _refused(request, "provider", name)
    auth.login(request, user, backend=SIGN_ON_BACKEND)
    if backend.endpoints and backend.endpoints.end_session_endpoint and backend.id_token:
        remember_provider_sign_out(
            session=request.session,
            end_session_endpoint=backend.endpoints.end_session_endpoint,
            id_token=backend.id_token,
            client_id=sign_on.client_id,
        )
    return HttpResponseRedirect(flow["next"])

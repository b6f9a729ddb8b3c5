"""OpenID Connect sign-in, with the provider's discovery, token and JWKS endpoints answered by
a fake at the `requests` level: the real library code builds and checks every request."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from organisations import sign_on as sign_on_module
from organisations.models import SingleSignOn
from organisations.sign_on import client_secret, encrypt_secret
from tests.factories import TEST_PASSWORD, make_member, make_user

ISSUER = "https://id.example.gov.uk"
CLIENT_ID = "sword-client"
SECRET = "the-client-secret"  # nosec B105


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


PROVIDER_KEY = new_key()
OTHER_KEY = new_key()


class FakeResponse:
    def __init__(self, body: Any, status: int = 200) -> None:
        self.body = body
        self.status_code = status
        self.text = json.dumps(body)

    def json(self) -> Any:
        return self.body

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise requests.HTTPError(f"{self.status_code}")


@dataclass
class FakeProvider:
    """Answers discovery, JWKS and token requests; `claims` shape the next ID token."""

    claims: dict[str, Any] = field(default_factory=dict)
    signing_key: rsa.RSAPrivateKey = PROVIDER_KEY
    nonce: str = ""
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    end_session_endpoint: str | None = ISSUER + "/logout"
    iss_parameter_supported: bool = False
    issued_tokens: list[str] = field(default_factory=list)

    def get(self, url: str, **kwargs: Any) -> FakeResponse:
        if url == ISSUER + "/.well-known/openid-configuration":
            return FakeResponse(
                {
                    "issuer": ISSUER,
                    "authorization_endpoint": ISSUER + "/authorize",
                    "token_endpoint": ISSUER + "/token",
                    "jwks_uri": ISSUER + "/jwks",
                    **(
                        {"end_session_endpoint": self.end_session_endpoint}
                        if self.end_session_endpoint
                        else {}
                    ),
                    "authorization_response_iss_parameter_supported": (
                        self.iss_parameter_supported
                    ),
                }
            )
        if url == ISSUER + "/jwks":
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(PROVIDER_KEY.public_key()))
            return FakeResponse({"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]})
        return FakeResponse({}, status=404)

    def post(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> FakeResponse:
        assert url == ISSUER + "/token"
        self.token_requests.append(dict(data or {}))
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "sub": "person-1",
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": self.nonce,
            "email": "",
            "email_verified": True,
            **self.claims,
        }
        token = jwt.encode(claims, self.signing_key, algorithm="RS256", headers={"kid": "k1"})
        self.issued_tokens.append(token)
        return FakeResponse({"id_token": token, "access_token": "at", "token_type": "Bearer"})


@pytest.fixture
def provider(monkeypatch) -> FakeProvider:
    fake = FakeProvider()
    monkeypatch.setattr(requests, "get", fake.get)
    monkeypatch.setattr(requests, "post", fake.post)
    return fake


@pytest.fixture
def sign_on(world, monkeypatch) -> SingleSignOn:
    monkeypatch.setenv("SWORD_TEST_OIDC_SECRET", SECRET)
    return SingleSignOn.objects.create(
        organisation=world.organisation,
        issuer=ISSUER,
        client_id=CLIENT_ID,
        client_secret_env_var="SWORD_TEST_OIDC_SECRET",
        email_domains="example.org, council.example",
    )


def begin(client: Client, provider: FakeProvider, email: str) -> dict[str, str]:
    """Start a sign-in; return the authorisation request's parameters."""
    offer = client.get(reverse("sign_on:start"), {"email": email})
    assert offer.status_code == 200
    assert "Sign in with Example Council" in offer.content.decode()
    response = client.get(offer.context["go_url"])
    assert response.status_code == 302
    url = urlparse(response["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == ISSUER + "/authorize"
    params = {key: values[0] for key, values in parse_qs(url.query).items()}
    provider.nonce = params["nonce"]
    return params


def finish(client: Client, params: dict[str, str], **answer: str):
    """The provider's answer, at the redirect URI the sign-in asked for."""
    callback = urlparse(params["redirect_uri"])
    assert callback.netloc == "testserver"
    return client.get(callback.path, {"code": "the-code", "state": params["state"], **answer})


def sign_in_as(client: Client, provider: FakeProvider, email: str, **claims: Any):
    provider.claims = {"email": email, **claims}
    return finish(client, begin(client, provider, email))


def signed_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def test_it_signs_in_an_existing_member_with_pkce_state_and_nonce(
    client, provider, sign_on, team_manager
):
    params = begin(client, provider, team_manager.email)
    assert params["client_id"] == CLIENT_ID
    assert params["code_challenge_method"] == "S256"
    assert params["scope"] == "openid email"
    provider.claims = {"email": team_manager.email.upper()}
    response = finish(client, params)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(team_manager.pk)
    sent = provider.token_requests[0]
    assert sent["client_secret"] == SECRET
    digest = hashlib.sha256(sent["code_verifier"].encode()).digest()
    assert base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == params["code_challenge"]
    # The signed-in person can use the site.
    assert client.get(reverse("home")).status_code == 200


def test_it_refuses_a_token_for_another_audience(client, provider, sign_on, team_manager):
    response = sign_in_as(client, provider, team_manager.email, aud="someone-else")
    assert response.status_code == 403
    assert "could not trust" in response.content.decode()
    assert not signed_in(client)


def test_it_refuses_a_token_from_another_issuer(client, provider, sign_on, team_manager):
    response = sign_in_as(client, provider, team_manager.email, iss="https://evil.example")
    assert response.status_code == 403
    assert not signed_in(client)


def test_it_refuses_a_token_with_a_bad_signature(client, provider, sign_on, team_manager):
    provider.signing_key = OTHER_KEY
    response = sign_in_as(client, provider, team_manager.email)
    assert response.status_code == 403
    assert not signed_in(client)


def test_it_refuses_an_expired_token(client, provider, sign_on, team_manager):
    past = int(time.time()) - 3600
    response = sign_in_as(client, provider, team_manager.email, iat=past - 300, exp=past)
    assert response.status_code == 403
    assert not signed_in(client)


def test_it_refuses_a_token_with_another_nonce(client, provider, sign_on, team_manager):
    response = sign_in_as(client, provider, team_manager.email, nonce="not-the-one-we-sent")
    assert response.status_code == 403
    assert not signed_in(client)


@pytest.mark.parametrize("verified", [False, "true", None])
def test_it_refuses_an_unverified_email(client, provider, sign_on, team_manager, verified):
    response = sign_in_as(client, provider, team_manager.email, email_verified=verified)
    assert response.status_code == 403
    assert "did not confirm your e-mail address" in response.content.decode()
    assert not signed_in(client)


def test_it_refuses_an_unknown_person_with_a_clear_page(client, provider, sign_on):
    response = sign_in_as(client, provider, "nobody@example.org")
    assert response.status_code == 403
    page = response.content.decode()
    assert "no active account with a role in Example Council" in page
    assert not signed_in(client)


def test_it_refuses_someone_whose_role_is_in_another_organisation(
    client, provider, sign_on, outsider
):
    response = sign_in_as(client, provider, outsider.email)
    assert response.status_code == 403
    assert not signed_in(client)


def test_it_refuses_a_deactivated_account(client, provider, sign_on, team_manager):
    team_manager.is_active = False
    team_manager.save()
    response = sign_in_as(client, provider, team_manager.email)
    assert response.status_code == 403
    assert not signed_in(client)


def test_it_refuses_a_replayed_state(client, provider, sign_on, team_manager):
    params = begin(client, provider, team_manager.email)
    provider.claims = {"email": team_manager.email}
    assert finish(client, params).status_code == 302
    response = finish(client, params)
    assert response.status_code == 403
    assert "already been used" in response.content.decode()
    assert len(provider.token_requests) == 1


def test_it_refuses_a_state_replayed_after_a_refusal(client, provider, sign_on, team_manager):
    params = begin(client, provider, team_manager.email)
    provider.claims = {"email": team_manager.email, "aud": "someone-else"}
    assert finish(client, params).status_code == 403
    provider.claims = {"email": team_manager.email}
    response = finish(client, params)
    assert response.status_code == 403
    assert "already been used" in response.content.decode()
    assert not signed_in(client)


def test_it_refuses_a_state_this_browser_never_started(client, provider, sign_on, team_manager):
    params = begin(Client(), provider, team_manager.email)
    provider.claims = {"email": team_manager.email}
    assert finish(client, params).status_code == 403
    assert provider.token_requests == []


def test_it_says_when_no_organisation_signs_in_that_domain(client, provider, sign_on):
    response = client.get(reverse("sign_on:start"), {"email": "sam@elsewhere.example"})
    assert response.status_code == 404
    assert "No organisation sign-in for that address" in response.content.decode()


def test_it_does_not_offer_a_disabled_provider(client, provider, sign_on, team_manager):
    sign_on.enabled = False
    sign_on.save()
    response = client.get(reverse("sign_on:start"), {"email": team_manager.email})
    assert response.status_code == 404
    go = client.get(reverse("sign_on:go"), {"organisation": "example"})
    assert go.status_code == 404


def test_it_limits_sign_in_starts_per_address(client, provider, sign_on, settings):
    settings.SIGN_IN_RATE = "2/m"
    go = reverse("sign_on:go") + "?organisation=example"
    for _ in range(2):
        assert client.get(go).status_code == 302
    assert client.get(go).status_code == 429


def test_it_keeps_the_next_page_but_only_on_this_site(client, provider, sign_on, team_manager):
    offer = client.get(
        reverse("sign_on:start"), {"email": team_manager.email, "next": "https://evil.example/"}
    )
    response = client.get(offer.context["go_url"])
    params = {k: v[0] for k, v in parse_qs(urlparse(response["Location"]).query).items()}
    provider.nonce = params["nonce"]
    provider.claims = {"email": team_manager.email}
    assert finish(client, params)["Location"] == reverse("home")


def test_it_ends_the_session_here_on_sign_out(client, provider, sign_on, team_manager):
    sign_in_as(client, provider, team_manager.email)
    assert signed_in(client)
    client.post(reverse("accounts:logout"))
    assert not signed_in(client)
    assert client.get(reverse("organisations:structure")).status_code == 302


# --- one provider's answer never completes another's sign-in (mix-up, RFC 9207) ------------


def test_it_gives_each_organisation_its_own_callback_address(client, provider, sign_on):
    params = begin(client, provider, "kim@example.org")
    assert params["redirect_uri"] == "http://testserver" + reverse(
        "sign_on:callback", args=[sign_on.organisation.slug]
    )


def test_it_refuses_an_answer_at_another_organisations_callback(
    client, provider, sign_on, team_manager, world
):
    # A hostile provider for one organisation forwards the person to another organisation's
    # provider, which can only send them back to its own organisation's address.
    params = begin(client, provider, team_manager.email)
    provider.claims = {"email": team_manager.email}
    other = reverse("sign_on:callback", args=[world.other_organisation.slug])
    response = client.get(other, {"code": "the-code", "state": params["state"]})
    assert response.status_code == 403
    assert provider.token_requests == []  # the code went to no token endpoint
    assert not signed_in(client)
    assert finish(client, params).status_code == 403  # and the flow is spent


def test_it_says_the_old_shared_callback_address_has_changed(
    client, provider, sign_on, team_manager
):
    params = begin(client, provider, team_manager.email)
    response = client.get(
        "/accounts/organisation-sign-in/callback/", {"code": "c", "state": params["state"]}
    )
    assert response.status_code == 403
    assert "an address SWORD no longer uses" in response.content.decode()
    assert provider.token_requests == []
    assert not signed_in(client)


def test_it_refuses_an_answer_that_names_another_issuer(client, provider, sign_on, team_manager):
    params = begin(client, provider, team_manager.email)
    provider.claims = {"email": team_manager.email}
    response = finish(client, params, iss="https://idp.elsewhere.example")
    assert response.status_code == 403
    assert provider.token_requests == []
    assert not signed_in(client)


def test_it_wants_the_issuer_in_the_answer_when_the_provider_sends_it(
    client, provider, sign_on, team_manager
):
    provider.iss_parameter_supported = True
    params = begin(client, provider, team_manager.email)
    provider.claims = {"email": team_manager.email}
    assert finish(client, params).status_code == 403
    assert provider.token_requests == []
    params = begin(client, provider, team_manager.email)
    assert finish(client, params, iss=ISSUER).status_code == 302
    assert signed_in(client)


# --- who the provider can sign in, and for how long --------------------------------------


def test_it_never_signs_a_platform_operator_in_through_an_organisations_provider(
    client, provider, sign_on, world
):
    # An org admin can give any account a role; the organisation's provider then vouches for it.
    operator = make_user(email="ops@example.org", is_staff=True, is_superuser=True)
    operator.memberships.create(
        organisation=world.organisation, unit=world.team_a, role="team_manager"
    )
    response = sign_in_as(client, provider, operator.email)
    assert response.status_code == 403
    assert not signed_in(client)
    assert client.get("/operator/").status_code == 302


def test_it_ends_a_provider_session_when_the_account_is_deactivated(
    client, provider, sign_on, team_manager
):
    sign_in_as(client, provider, team_manager.email)
    assert client.get(reverse("home")).wsgi_request.user == team_manager
    team_manager.is_active = False
    team_manager.save()
    assert client.get(reverse("home")).wsgi_request.user.is_anonymous


def test_it_ends_a_provider_session_of_an_account_made_an_operator(
    client, provider, sign_on, team_manager
):
    sign_in_as(client, provider, team_manager.email)
    team_manager.is_staff = True
    team_manager.save()
    assert client.get(reverse("home")).wsgi_request.user.is_anonymous


# --- signing out of the provider too (RP-initiated logout) --------------------------------


def form_action(response) -> list[str]:
    directives = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    return directives["form-action"].split()


def test_it_signs_out_of_the_provider_too_and_comes_back(client, provider, sign_on, team_manager):
    sign_in_as(client, provider, team_manager.email)
    response = client.post(reverse("accounts:logout"))
    assert not signed_in(client)
    url = urlparse(response["Location"])
    assert response.status_code == 302
    assert f"{url.scheme}://{url.netloc}{url.path}" == ISSUER + "/logout"
    assert parse_qs(url.query) == {
        "id_token_hint": [provider.issued_tokens[-1]],
        "client_id": [CLIENT_ID],
        "post_logout_redirect_uri": ["http://testserver" + reverse("accounts:logout")],
    }
    # Where the provider sends the browser back: a page that says so.
    assert "You are signed out" in client.get(reverse("accounts:logout")).content.decode()
    # The ID token went with the session: signing out again goes nowhere else.
    assert client.post(reverse("accounts:logout"))["Location"] == reverse("accounts:login")


def test_it_lets_pages_send_the_sign_out_form_on_to_the_provider(
    client, provider, sign_on, team_manager
):
    sign_in_as(client, provider, team_manager.email)
    assert form_action(client.get(reverse("home"))) == ["'self'", ISSUER]
    assert form_action(client.get(reverse("accounts:logout"))) == ["'self'", ISSUER]
    client.post(reverse("accounts:logout"))
    assert form_action(client.get(reverse("accounts:login"))) == ["'self'"]


def test_it_keeps_form_action_to_this_site_after_a_password_sign_in(client, team_manager):
    client.force_login(team_manager)
    assert form_action(client.get(reverse("home"))) == ["'self'"]
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")


def test_it_signs_out_only_here_when_the_provider_has_no_end_session_endpoint(
    client, provider, sign_on, team_manager
):
    provider.end_session_endpoint = None
    sign_in_as(client, provider, team_manager.email)
    assert form_action(client.get(reverse("home"))) == ["'self'"]
    response = client.post(reverse("accounts:logout"))
    assert not signed_in(client)
    assert response["Location"] == reverse("accounts:login")


def test_it_keeps_the_query_an_end_session_endpoint_comes_with(
    client, provider, sign_on, team_manager
):
    provider.end_session_endpoint = ISSUER + "/logout?tenant=council"
    sign_in_as(client, provider, team_manager.email)
    url = urlparse(client.post(reverse("accounts:logout"))["Location"])
    assert url.path == "/logout"
    assert parse_qs(url.query)["tenant"] == ["council"]
    assert parse_qs(url.query)["id_token_hint"] == [provider.issued_tokens[-1]]


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://idp.elsewhere.example/logout",
        "http://id.example.gov.uk/logout",
        "https://id.example.gov.uk:8443/logout",
        "https://id.example.gov.uk/logout; script-src *",
        "javascript:alert(1)",
        "https://id.example.gov.uk:443 'unsafe-inline'/logout",
    ],
)
def test_it_does_not_trust_an_end_session_endpoint_off_the_issuer_or_that_could_bend_the_policy(
    client, provider, sign_on, team_manager, endpoint
):
    provider.end_session_endpoint = endpoint
    sign_in_as(client, provider, team_manager.email)
    assert signed_in(client)
    assert form_action(client.get(reverse("home"))) == ["'self'"]
    assert client.post(reverse("accounts:logout"))["Location"] == reverse("accounts:login")


# --- password sign-in when the organisation requires its provider ------------------------


def password_sign_in(client: Client, email: str):
    return client.post(reverse("accounts:login"), {"username": email, "password": TEST_PASSWORD})


def test_it_turns_password_sign_in_off_for_members_when_required(client, sign_on, team_manager):
    sign_on.required = True
    sign_on.save()
    response = password_sign_in(client, team_manager.email)
    assert response.status_code == 200
    assert not signed_in(client)
    assert (
        response.context["form"]
        .errors["__all__"][0]
        .startswith("Your organisation signs its members in through its own account system")
    )
    assert f'value="{team_manager.email}" required' in response.content.decode()


def test_it_tells_a_member_to_use_the_provider_only_once_their_password_is_right(
    client, sign_on, team_manager
):
    sign_on.required = True
    sign_on.save()

    response = client.post(
        reverse("accounts:login"), {"username": team_manager.email, "password": "not-theirs"}
    )

    errors = response.context["form"].errors["__all__"]
    assert errors[0].startswith("That e-mail address and password do not match an account.")
    assert not signed_in(client)


def test_it_hashes_a_password_tried_for_a_member_without_one(
    client, sign_on, team_manager, monkeypatch
):
    """As Django does for an unknown address: the time taken does not tell them apart."""
    sign_on.required = True
    sign_on.save()
    team_manager.set_unusable_password()
    team_manager.save()
    hashed: list[str] = []
    real = sign_on_module.make_password

    def noting(password: str) -> str:
        hashed.append(password)
        return real(password)

    monkeypatch.setattr(sign_on_module, "make_password", noting)

    response = password_sign_in(client, team_manager.email)

    assert hashed == [TEST_PASSWORD]
    assert response.context["form"].errors["__all__"][0].startswith("That e-mail address")


@pytest.mark.parametrize(
    "spelling",
    ["KIM@EXAMPLE.ORG", " kim@Example.org ", "\u212aim@example.org"],  # the last: KELVIN SIGN
)
def test_it_refuses_a_password_under_any_spelling_of_a_members_address(
    client, sign_on, world, spelling
):
    # The password backend finds kim@example.org by each of these (they lower-case to it).
    make_member(world.team_a, "team_manager", email="kim@example.org")
    sign_on.required = True
    sign_on.save()
    assert password_sign_in(client, spelling).status_code == 200
    assert not signed_in(client)


def test_it_keeps_passwords_when_not_required(client, sign_on, team_manager):
    assert password_sign_in(client, team_manager.email).status_code == 302
    assert signed_in(client)


def test_it_keeps_passwords_for_other_organisations(client, sign_on, outsider):
    sign_on.required = True
    sign_on.save()
    assert password_sign_in(client, outsider.email).status_code == 302


def test_it_keeps_passwords_for_operators(client, sign_on, team_manager):
    sign_on.required = True
    sign_on.save()
    team_manager.is_staff = True
    team_manager.save()
    assert password_sign_in(client, team_manager.email).status_code == 302


def test_it_counts_refused_passwords_towards_the_axes_pause(client, sign_on, settings):
    person = make_user(email="pat@example.org")
    sign_on.required = True
    sign_on.save()
    person.memberships.create(
        organisation=sign_on.organisation,
        unit=sign_on.organisation.units.get(depth=1),
        role="leader",
    )
    for _ in range(settings.AXES_FAILURE_LIMIT):
        password_sign_in(client, "pat@example.org")
    assert password_sign_in(client, "pat@example.org").status_code == 429


# --- the client secret -------------------------------------------------------------------


def test_it_reads_a_stored_secret_encrypted_with_the_key(sign_on, settings):
    settings.SSO_SECRETS_KEY = "a-key-from-the-environment"
    sign_on.client_secret_env_var = ""
    sign_on.client_secret_encrypted = encrypt_secret("stored-secret")
    assert "stored-secret" not in sign_on.client_secret_encrypted
    assert client_secret(sign_on) == "stored-secret"


def test_it_stores_the_admin_secret_encrypted_and_never_shows_it(world, settings, client, provider):
    settings.SSO_SECRETS_KEY = "a-key-from-the-environment"
    operator = make_user(email="op@example.org", is_staff=True, is_superuser=True)
    client.force_login(operator, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(
        reverse("admin:organisations_singlesignon_add"),
        {
            "organisation": world.organisation.pk,
            "issuer": ISSUER,
            "client_id": CLIENT_ID,
            "client_secret_env_var": "",
            "new_client_secret": "typed-secret",
            "email_domains": "example.org",
            "enabled": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = SingleSignOn.objects.get()
    assert "typed-secret" not in saved.client_secret_encrypted
    assert client_secret(saved) == "typed-secret"
    page = client.get(reverse("admin:organisations_singlesignon_change", args=[saved.pk]))
    assert page.status_code == 200
    assert "typed-secret" not in page.content.decode()
    assert saved.client_secret_encrypted not in page.content.decode()


def test_it_wants_one_source_for_the_secret_in_the_admin(world, client):
    operator = make_user(email="op@example.org", is_staff=True, is_superuser=True)
    client.force_login(operator, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(
        reverse("admin:organisations_singlesignon_add"),
        {
            "organisation": world.organisation.pk,
            "issuer": ISSUER,
            "client_id": CLIENT_ID,
            "email_domains": "example.org",
        },
    )
    assert response.status_code == 200
    assert "Give the client secret" in response.content.decode()
    assert not SingleSignOn.objects.exists()


def operator_client(client: Client) -> Client:
    operator = make_user(email="op@example.org", is_staff=True, is_superuser=True)
    client.force_login(operator, backend="django.contrib.auth.backends.ModelBackend")
    return client


def post_in_admin(client: Client, sign_on: SingleSignOn, **changes: str):
    data = {
        "organisation": sign_on.organisation.pk,
        "issuer": sign_on.issuer,
        "client_id": sign_on.client_id,
        "client_secret_env_var": sign_on.client_secret_env_var,
        "email_domains": sign_on.email_domains,
        "enabled": "on",
        **changes,
    }
    return client.post(
        reverse("admin:organisations_singlesignon_change", args=[sign_on.pk]),
        data,
        follow=True,
    )


def save_in_admin(client: Client, sign_on: SingleSignOn) -> str:
    """Saves the provider as it stands in the admin; the message about its discovery."""
    response = post_in_admin(client, sign_on)
    assert response.redirect_chain, response.content.decode()[:2000]
    (about_discovery,) = [
        str(message) for message in response.context["messages"] if "discovery" in str(message)
    ]
    return about_discovery


def test_it_shows_the_addresses_to_register_at_the_provider(client, sign_on):
    page = operator_client(client).get(
        reverse("admin:organisations_singlesignon_change", args=[sign_on.pk])
    )
    text = page.content.decode()
    assert "<code>http://testserver/accounts/organisation-sign-in/callback/example/</code>" in text
    assert "<code>http://testserver/accounts/sign-out/</code>" in text


def test_it_reads_the_provider_again_on_saving_and_says_it_signs_out_there_too(
    client, provider, sign_on, team_manager
):
    provider.end_session_endpoint = None
    sign_in_as(client, provider, team_manager.email)  # discovery is now remembered without it
    provider.end_session_endpoint = ISSUER + "/logout"
    message = save_in_admin(operator_client(client), sign_on)
    assert "will also sign people out of the provider" in message


def test_it_warns_on_saving_a_provider_that_cannot_sign_people_out(client, provider, sign_on):
    provider.end_session_endpoint = None
    message = save_in_admin(operator_client(client), sign_on)
    assert "names no end-session endpoint" in message


def test_it_warns_on_saving_an_issuer_whose_discovery_cannot_be_read(client, provider, sign_on):
    sign_on.issuer = "https://id.example.gov.uk/mistyped"
    message = save_in_admin(operator_client(client), sign_on)
    assert "will fail until this is put right" in message
    assert "discovery document could not be read" in message
    assert SingleSignOn.objects.get().issuer == "https://id.example.gov.uk/mistyped"


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"issuer": "https://id.example.gov.uk/mistyped"}, "discovery document could not be read"),
        ({"client_secret_env_var": "SWORD_NOT_SET_ANYWHERE"}, "SWORD_NOT_SET_ANYWHERE is not set"),
    ],
)
def test_it_will_not_require_a_provider_that_cannot_sign_members_in(
    client, provider, sign_on, change, why
):
    response = post_in_admin(operator_client(client), sign_on, required="on", **change)
    text = response.content.decode()
    assert "would lock this organisation&#x27;s members out" in text
    assert why in text
    sign_on.refresh_from_db()
    assert not sign_on.required
    assert post_in_admin(client, sign_on, required="on").redirect_chain  # once it works
    sign_on.refresh_from_db()
    assert sign_on.required

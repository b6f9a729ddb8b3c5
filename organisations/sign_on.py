"""Sign-in through an organisation's own OpenID Connect provider.

mozilla-django-oidc does the token exchange, the ID token's signature check against the
provider's JWKS and the nonce check; this module supplies what it reads from settings per
organisation instead (from discovery and the organisation's SingleSignOn), and adds what it
leaves out: audience, issuer and expiry checks on the ID token, a verified e-mail, and a match
only to an existing active account with a role in that organisation.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import jwt
import requests
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest
from django.utils.translation import gettext
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accounts.forms import refuse_password_for_provider
from accounts.models import normalise_email
from organisations.models import Membership, SingleSignOn

DISCOVERY_CACHE_SECONDS = 60 * 60
SIGN_ON_BACKEND = "organisations.sign_on.OrganisationSignOnBackend"


class SignOnUnavailable(Exception):
    """The organisation's provider cannot be used (not set up, secret missing, unreachable)."""


class SignInRefused(Exception):
    """The provider answered, but this sign-in is refused; `reason` says why, for the page."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


NO_ACCOUNT = "no-account"
UNVERIFIED_EMAIL = "unverified-email"


# --- the client secret -------------------------------------------------------------------


def _fernet() -> Fernet:
    if not settings.SSO_SECRETS_KEY:
        raise SignOnUnavailable("SSO_SECRETS_KEY is not set, so stored secrets cannot be used.")
    digest = hashlib.sha256(settings.SSO_SECRETS_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt_secret(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def client_secret(sign_on: SingleSignOn) -> str:
    """The client secret, from its environment variable or decrypted from the database."""
    if sign_on.client_secret_env_var:
        secret = os.environ.get(sign_on.client_secret_env_var, "")
        if not secret:
            raise SignOnUnavailable(f"{sign_on.client_secret_env_var} is not set.")
        return secret
    if not sign_on.client_secret_encrypted:
        raise SignOnUnavailable("No client secret is set.")
    try:
        return _fernet().decrypt(sign_on.client_secret_encrypted.encode()).decode()
    except InvalidToken as error:
        raise SignOnUnavailable(
            "The stored client secret does not match SSO_SECRETS_KEY."
        ) from error


# --- discovery ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProviderEndpoints:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None
    end_session_endpoint: str | None = None
    iss_parameter_supported: bool = False


def _same_origin(url: str, issuer: str) -> bool:
    one, other = urlsplit(url), urlsplit(issuer)
    return (one.scheme, one.netloc.lower()) == (other.scheme, other.netloc.lower())


def discover(issuer: str, *, fresh: bool = False) -> ProviderEndpoints:
    """The provider's endpoints from its discovery document (cached for an hour; `fresh` reads
    it again, as the admin does after a provider is saved)."""
    issuer = issuer.rstrip("/")
    cache_key = "sso-discovery:" + hashlib.sha256(issuer.encode()).hexdigest()
    document = None if fresh else cache.get(cache_key)
    if document is None:
        try:
            response = requests.get(
                issuer + "/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT
            )
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as error:
            raise SignOnUnavailable(
                "The provider's discovery document could not be read."
            ) from error
        if not isinstance(document, dict) or str(document.get("issuer", "")).rstrip("/") != issuer:
            raise SignOnUnavailable("The discovery document names a different issuer.")
        cache.set(cache_key, document, DISCOVERY_CACHE_SECONDS)
    try:
        return ProviderEndpoints(
            issuer=str(document["issuer"]),
            authorization_endpoint=str(document["authorization_endpoint"]),
            token_endpoint=str(document["token_endpoint"]),
            jwks_uri=str(document["jwks_uri"]),
            userinfo_endpoint=document.get("userinfo_endpoint"),
            # Signing out sends the ID token there, so only to the issuer's own address.
            end_session_endpoint=(
                str(document["end_session_endpoint"])
                if document.get("end_session_endpoint")
                and _same_origin(str(document["end_session_endpoint"]), issuer)
                else None
            ),
            iss_parameter_supported=(
                document.get("authorization_response_iss_parameter_supported") is True
            ),
        )
    except KeyError as error:
        raise SignOnUnavailable("The discovery document lacks an endpoint.") from error


# --- finding the organisation and the person ---------------------------------------------


def sign_on_for_email(*, email: str) -> SingleSignOn | None:
    """The enabled provider whose e-mail domains include this address's domain."""
    domain = email.strip().rpartition("@")[2].lower()
    if not domain:
        return None
    for sign_on in SingleSignOn.objects.filter(enabled=True).select_related("organisation"):
        if domain in sign_on.domains:
            return sign_on
    return None


def password_sign_in_refused(user: Any) -> bool:
    """Whether this person must use their organisation's provider (operators never must)."""
    if user.is_superuser or user.is_staff:
        return False
    return Membership.objects.filter(
        user=user,
        organisation__single_sign_on__enabled=True,
        organisation__single_sign_on__required=True,
    ).exists()


class RequiredSignOnGate:
    """Listed before Django's password backend: refuses a password sign-in by a member of an
    organisation that requires its own provider. PermissionDenied stops Django trying the
    later backends and counts as a failed sign-in for django-axes. It has no `get_user`, so
    no session is ever tied to it (and test clients' force_login passes it by)."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if username is None or password is None:
            return None
        # The same lookup as the password backend (Django's ModelBackend) makes after this, so
        # no spelling of an address reaches a member past this gate.
        user = (
            get_user_model()
            ._default_manager.filter(email__iexact=normalise_email(username))
            .first()
        )
        if user is not None and password_sign_in_refused(user):
            if not user.has_usable_password():
                # Hash anyway, as Django's backend does for an unknown address, so the time
                # taken does not tell a provider-only member from a stranger.
                make_password(password)
            elif user.check_password(password):
                refuse_password_for_provider(request)
            raise PermissionDenied(
                gettext("This organisation signs its members in through its provider.")
            )
        return None


class OrganisationSignOnBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's code flow, configured per sign-in from the organisation's
    SingleSignOn. Only `organisations.sign_on_views.callback` calls it (with `sign_on`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The library reads a single provider from settings here; ours comes per request.
        self.UserModel = get_user_model()
        self.sign_on: SingleSignOn | None = None
        self.endpoints: ProviderEndpoints | None = None
        self.id_token: str | None = None

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        """The code exchange of mozilla-django-oidc's `authenticate`, with the redirect URI of
        the flow (each organisation has its own) and the authorisation response's issuer
        checked first (RFC 9207), so a code is never sent to another provider's token endpoint.
        The library's token request, signature and nonce checks do the rest."""
        sign_on = kwargs.get("sign_on")
        if request is None or not isinstance(sign_on, SingleSignOn):
            return None
        self.request = request
        self.sign_on = sign_on
        self.endpoints = discover(sign_on.issuer)
        answered_by = request.GET.get("iss")
        if answered_by is None and self.endpoints.iss_parameter_supported:
            raise SuspiciousOperation("The provider's answer does not say who issued it.")
        if answered_by is not None and answered_by.rstrip("/") != self.endpoints.issuer.rstrip("/"):
            raise SuspiciousOperation("The answer comes from another provider.")
        self.OIDC_OP_TOKEN_ENDPOINT = self.endpoints.token_endpoint
        self.OIDC_OP_USER_ENDPOINT = self.endpoints.userinfo_endpoint
        self.OIDC_OP_JWKS_ENDPOINT = self.endpoints.jwks_uri
        self.OIDC_RP_CLIENT_ID = sign_on.client_id
        self.OIDC_RP_CLIENT_SECRET = client_secret(sign_on)
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        token_info = self.get_token(
            {
                "client_id": self.OIDC_RP_CLIENT_ID,
                "client_secret": self.OIDC_RP_CLIENT_SECRET,
                "grant_type": "authorization_code",
                "code": request.GET.get("code", ""),
                "redirect_uri": kwargs["redirect_uri"],
                "code_verifier": kwargs["code_verifier"],
            }
        )
        id_token = token_info.get("id_token")
        payload = self.verify_token(id_token, nonce=kwargs["nonce"])
        if not payload:
            return None
        self.store_tokens(token_info.get("access_token"), id_token)
        return self.get_or_create_user(token_info.get("access_token"), id_token, payload)

    def get_user(self, user_id: Any) -> Any:
        """The session's person, unless their account has been deactivated since (the
        library's would keep them signed in; Django's password backend does not) or is an
        operator's, which this backend never signs in."""
        user = super().get_user(user_id)
        if user is None or not user.is_active or user.is_staff or user.is_superuser:
            return None
        return user

    def _verify_jws(self, payload: Any, key: Any) -> dict[str, Any]:
        """The library's check plus audience, issuer and expiry (it skips the audience)."""
        assert self.endpoints is not None
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("The ID token is signed with an unexpected algorithm.")
        try:
            claims: dict[str, Any] = jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=self.endpoints.issuer,
                options={"require": ["exp", "iat", "aud", "iss", "sub"]},
            )
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"The ID token was refused: {error}") from error
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("The ID token was issued to another party.")
        return claims

    def store_tokens(self, access_token: Any, id_token: Any) -> None:
        """Kept on the backend (the library would put them in the session): the callback keeps
        the verified ID token only for signing out of the provider, once the sign-in succeeds."""
        self.id_token = id_token if isinstance(id_token, str) else None

    def get_userinfo(self, access_token: Any, id_token: Any, payload: Any) -> dict[str, Any]:
        """The verified ID token's claims, with the userinfo endpoint's for the same subject."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            userinfo = super().get_userinfo(access_token, id_token, payload)
            if userinfo.get("sub") != payload.get("sub"):
                raise SuspiciousOperation("The userinfo answer is for another subject.")
            claims.update(userinfo)
        return claims

    def get_or_create_user(self, access_token: Any, id_token: Any, payload: Any) -> Any:
        assert self.sign_on is not None
        claims = self.get_userinfo(access_token, id_token, payload)
        email = claims.get("email")
        if not isinstance(email, str) or not email or claims.get("email_verified") is not True:
            raise SignInRefused(UNVERIFIED_EMAIL)
        # Platform operators sign in only with their password: an organisation's provider
        # vouching for an operator's address (an org admin can give any account a role) must
        # not open the operators' admin to it.
        users = list(
            self.UserModel._default_manager.filter(
                email__iexact=normalise_email(email),
                is_active=True,
                is_staff=False,
                is_superuser=False,
                memberships__organisation=self.sign_on.organisation,
            ).distinct()
        )
        if len(users) != 1:
            raise SignInRefused(NO_ACCOUNT)
        return users[0]

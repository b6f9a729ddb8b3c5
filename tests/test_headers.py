"""Security headers on every response, Content Security Policy first."""

from __future__ import annotations

from django.urls import reverse


def test_it_sends_a_strict_content_security_policy(client, db):
    policy = client.get(reverse("accounts:login"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "http" not in policy  # nothing from another server


def test_it_sends_referrer_permissions_and_framing_policies(client, db):
    response = client.get(reverse("survey:enter_code"))
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_it_finds_the_client_address_behind_the_configured_proxies(rf, settings):
    from sword.middleware import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.2", REMOTE_ADDR="10.0.0.1")
    settings.PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"
    settings.PROXY_COUNT = 1
    assert client_ip(request) == "10.0.0.2"
    settings.PROXY_COUNT = 2
    assert client_ip(request) == "203.0.113.9"
    request.META["REMOTE_ADDR"] = ""
    settings.PROXY_COUNT = 3  # fewer hops than configured: fall back to the socket address
    assert client_ip(request) == "0.0.0.0"  # noqa: S104 - an address, not a bind


def test_it_ignores_forwarded_entries_that_are_not_addresses(rf, settings):
    from sword.middleware import client_ip

    settings.PROXY_COUNT = 1
    for junk in ("unknown", "203.0.113.9:5678", "<script>"):
        request = rf.get("/", HTTP_X_FORWARDED_FOR=f"203.0.113.1, {junk}", REMOTE_ADDR="10.0.0.1")
        assert client_ip(request) == "10.0.0.1"
    request = rf.get("/", HTTP_X_FORWARDED_FOR="2001:db8::1", REMOTE_ADDR="10.0.0.1")
    assert client_ip(request) == "2001:db8::1"

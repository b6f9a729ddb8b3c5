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

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


def test_it_builds_the_same_policy_header_as_django_csp(rf, settings):
    from csp.middleware import CSPMiddleware as LibraryCSPMiddleware
    from django.http import HttpResponse

    from sword.middleware import CSPMiddleware

    ours, library = CSPMiddleware(HttpResponse), LibraryCSPMiddleware(HttpResponse)
    for _ in range(2):  # the second response reuses the header built for the first
        request, library_request = rf.get("/"), rf.get("/")
        ours.process_request(request)
        library.process_request(library_request)
        header = ours.process_response(request, HttpResponse())["Content-Security-Policy"]
        expected = library.process_response(library_request, HttpResponse())
        assert header == expected["Content-Security-Policy"]

    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    request = rf.get("/")
    ours.process_request(request)
    assert ours.process_response(request, HttpResponse())["Content-Security-Policy"] == (
        "default-src 'none'"
    )


def test_it_leaves_per_view_policies_to_django_csp(rf):
    from django.http import HttpResponse

    from sword.middleware import CSPMiddleware

    middleware = CSPMiddleware(HttpResponse)
    exempt, widened = HttpResponse(), HttpResponse()
    exempt._csp_exempt = True  # type: ignore[attr-defined]  # what django-csp's @csp_exempt sets
    widened._csp_update = {"img-src": ["https://maps.example.org"]}  # type: ignore[attr-defined]
    for response in (exempt, widened):
        request = rf.get("/")
        middleware.process_request(request)
        middleware.process_response(request, response)

    assert "Content-Security-Policy" not in exempt
    assert "https://maps.example.org" in widened["Content-Security-Policy"]


def test_it_refuses_an_oversized_body_on_any_page(client, db, settings):
    settings.MAX_REQUEST_BYTES = 10_000
    response = client.post(reverse("accounts:login"), {"username": "x" * 20_000})
    assert response.status_code == 413
    small = client.post(reverse("accounts:login"), {"username": "x"})
    assert small.status_code == 200

"""End to end: a council's member signs in through a real OpenID provider on loopback.

The provider is panva's `oidc-provider` (an OpenID Certified implementation) from the npm
registry, pinned in tests/oidc_provider/ (`npm ci` there installs it; .ci/run does) and run with
the machine's Node.js. It has one client (ours) and one person whose e-mail is verified.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from organisations.models import SingleSignOn
from tests.browser.support import Watched

pytestmark = pytest.mark.django_db(transaction=True)

PROVIDER_DIR = Path(__file__).resolve().parent.parent / "oidc_provider"
CLIENT_ID = "sword-e2e"
CLIENT_SECRET = "e2e-client-secret"  # nosec B105


@pytest.fixture
def oidc_issuer(live_server: Any, world: Any) -> Iterator[str]:
    node = shutil.which("node")
    assert node, "Node.js is needed for the end-to-end sign-in test"
    assert (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir(), (
        "run `npm ci` in tests/oidc_provider first (.ci/run does)"
    )
    env = {
        **os.environ,
        "REDIRECT_URI": live_server.url
        + reverse("sign_on:callback", args=[world.organisation.slug]),
        "POST_LOGOUT_REDIRECT_URI": live_server.url + reverse("accounts:logout"),
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "EMAIL": world.team_manager.email,
    }
    process = subprocess.Popen(  # nosec B603
        [node, str(PROVIDER_DIR / "server.mjs")],
        cwd=PROVIDER_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline()
        assert first_line, "the OpenID provider did not start"
        yield str(json.loads(first_line)["issuer"])
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_it_signs_a_member_in_and_out_through_a_real_provider(
    desktop: Watched, oidc_issuer: str, world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SWORD_E2E_OIDC_SECRET", CLIENT_SECRET)
    SingleSignOn.objects.create(
        organisation=world.organisation,
        issuer=oidc_issuer,
        client_id=CLIENT_ID,
        client_secret_env_var="SWORD_E2E_OIDC_SECRET",
        email_domains="example.org",
        required=True,
    )
    page = desktop.page
    start_sign_in(desktop, world.team_manager.email, check=True)
    # The provider's own sign-in and consent pages.
    page.wait_for_url(oidc_issuer + "/**")
    page.locator("input[name=login]").fill("person-1")
    page.locator("input[name=password]").fill("anything")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(desktop.base_url + "/")
    assert page.get_by_role("button", name="Sign out").is_visible()
    desktop.assert_no_csp_violations()

    # Signing out here goes on to the provider (our form-action policy lets the redirect
    # through), which ends its session too and sends the browser back.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(oidc_issuer + "/session/end**")
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(desktop.base_url + reverse("accounts:logout"))
    assert page.get_by_role("heading", name="You are signed out").is_visible()
    desktop.check("a11y-signed-out-here-and-at-the-provider")
    desktop.go(reverse("organisations:structure"))
    assert "/accounts/sign-in/" in page.url

    # The next person at this browser is asked for the provider's password again, rather than
    # being signed straight back in as the last one.
    start_sign_in(desktop, world.team_manager.email)
    page.wait_for_url(oidc_issuer + "/**")
    assert page.locator("input[name=password]").is_visible()


def start_sign_in(desktop: Watched, email: str, *, check: bool = False) -> None:
    page = desktop.page
    desktop.go(reverse("accounts:login"))
    page.get_by_label("Work e-mail address").fill(email)
    page.get_by_role("button", name="Continue with my organisation's account").click()
    if check:
        desktop.check("a11y-sign-in-with-organisation")
    page.get_by_role("link", name="Sign in with Example Council").click()

"""The issue's "done when": an org admin's script pulls a cycle's rows with a token, over HTTP,
page by page as the README shows, and gets exactly the export's rows."""

from __future__ import annotations

import json
import urllib.request

from django.core.management import call_command
from django.urls import reverse

from tests.api.test_views import export_as_json


def rows(url: str, token: str):
    """The README's Python example, as written there."""
    while url:
        assert url.startswith("http://localhost") or url.startswith("http://127.0.0.1")
        headers = {"Authorization": f"Bearer {token}"}
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 - the test server
        with urllib.request.urlopen(request) as response:  # noqa: S310 - the test server
            page = json.load(response)
        yield from page["results"]
        url = page["next"]


def test_it_pulls_the_exports_rows_into_a_script(
    world, results_cycle, make_token, live_server, capsys
):
    _, token = make_token(world.org_admin)
    path = reverse("api:cycle_results", kwargs={"cycle_id": results_cycle.pk})
    pulled = list(rows(f"{live_server.url}{path}?by=statement&page_size=100", token))
    call_command("export_results", str(results_cycle.pk), "--by", "statement")
    assert pulled == export_as_json(capsys.readouterr().out)
    assert len(pulled) > 100

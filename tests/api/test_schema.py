"""The OpenAPI schema and its documentation page: no warnings, our own files only, under the
site's Content Security Policy."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import yaml
from django.core.management import call_command
from django.urls import reverse


def test_it_generates_the_schema_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    assert schema["components"]["securitySchemes"]["token"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["token"]["description"],
    }
    assert set(schema["paths"]) == {
        "/api/v1/units/",
        "/api/v1/units/{unit_id}/",
        "/api/v1/cycles/",
        "/api/v1/cycles/{cycle_id}/",
        "/api/v1/cycles/{cycle_id}/results/",
        "/api/v1/actions/",
        "/api/v1/actions/{action_id}/",
    }
    row = schema["components"]["schemas"]["ResultRow"]
    from diagnostics.exports import all_columns

    assert list(row["properties"]) == all_columns()


def test_it_describes_every_operation_and_schema_for_the_people_calling_it(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(target))
    schema = yaml.safe_load(target.read_text())

    operations = [op for path in schema["paths"].values() for op in path.values()]
    descriptions = [op.get("description", "") for op in operations]
    assert all(descriptions), "every endpoint says what it gives"
    assert not any("What every endpoint shares" in text for text in descriptions)
    for name in ("Unit", "Cycle", "Action"):
        assert not schema["components"]["schemas"][name]["description"].startswith("Context")
    guide = schema["info"]["description"]
    for words in ("Authorization: Bearer", "page_size", "Retry-After", "Power BI", "600/h"):
        assert words in guide


def test_it_gives_each_result_figure_its_scale_and_unit(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(target))
    row = yaml.safe_load(target.read_text())["components"]["schemas"]["ResultRow"]["properties"]
    assert "1 to 6 scale" in row["mean"]["description"]
    assert "one decimal" in row["mean"]["description"]
    for share in ("red_pct", "amber_pct", "green_pct"):
        assert "whole percent" in row[share]["description"]
    assert "4.5 or more" in row["band"]["description"]
    assert "25%" in row["urgent"]["description"]
    assert row["responses"]["description"]
    assert "threshold" in row["suppressed"]["description"]


class Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline: list[str] = []
        self._tag = ""

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        self._tag = tag
        if tag == "script" and "src" not in values:
            self.inline.append("script")
        if tag == "style" or "style" in values:
            self.inline.append(tag)
        for name in ("src", "href"):
            if values.get(name) and tag != "a":  # what the page loads, not where it links
                self.urls.append(values[name])

    def handle_data(self, data):
        if self._tag == "script" and data.strip():
            self.inline.append("script text")


def test_it_serves_the_docs_page_from_our_own_files_under_the_policy(client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe" not in policy
    html = response.content.decode()
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]", html.replace("http://testserver", ""))
    assets = Assets()
    assets.feed(html)
    assert assets.inline == []
    assert any("swagger-ui-bundle.js" in url for url in assets.urls)
    for url in assets.urls:
        assert url.startswith("/"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert "unsafe" not in asset.get("Content-Security-Policy", "")


def test_it_starts_swagger_ui_from_a_script_file_that_reads_our_schema(client):
    response = client.get(reverse("api:docs"), {"script": ""})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    text = response.content.decode()
    assert f'url: "{reverse("api:schema")}"' in text
    assert '"validatorUrl": null' in text  # no badge fetched from the public validator
    schema = client.get(reverse("api:schema"))
    assert schema.status_code == 200
    assert b"/api/v1/cycles/{cycle_id}/results/" in schema.content


def test_it_links_the_docs_page_back_to_the_site_and_the_tokens(client):
    html = client.get(reverse("api:docs")).content.decode()
    assert f'<a href="{reverse("home")}">Back to SWORD</a>' in html
    assert f'<a href="{reverse("api_tokens:list")}">API tokens</a>' in html
    assert html.index("Back to SWORD") < html.index('id="swagger-ui"')

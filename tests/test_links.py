"""`{% fixed_url %}` prints what `{% url %}` would, reversing each address once; with the
speed-up off, it is `{% url %}`."""

from __future__ import annotations

from unittest import mock

import pytest
from django.template import Context, Engine, TemplateSyntaxError
from django.template.defaulttags import URLNode
from django.urls import reverse, set_script_prefix

ENGINE = Engine(libraries={"links": "sword.templatetags.links"})


@pytest.fixture(autouse=True)
def fixed_links(settings):
    """These tests are about the speed-up, so they run with it on whatever the environment says;
    the ones about it off turn it off themselves."""
    settings.SPEEDUP_FIXED_LINKS = True


def test_it_prints_the_same_address_as_url():
    template = ENGINE.from_string("{% load links %}{% fixed_url 'protection' %}")

    assert template.render(Context()) == reverse("protection")


def test_it_reverses_each_address_once_per_tag():
    template = ENGINE.from_string("{% load links %}{% fixed_url 'home' %}")
    with mock.patch("sword.templatetags.links.reverse", wraps=reverse) as reversing:
        rendered = [template.render(Context()) for _ in range(3)]

    assert rendered == ["/"] * 3
    assert reversing.call_count == 1


def test_it_follows_the_script_prefix_of_a_site_served_below_the_root():
    template = ENGINE.from_string("{% load links %}{% fixed_url 'home' %}")
    assert template.render(Context()) == "/"
    set_script_prefix("/sword/")
    try:
        assert template.render(Context()) == "/sword/"
    finally:
        set_script_prefix("/")


def test_it_is_django_s_url_tag_reversing_on_every_render_when_the_speedup_is_off(settings):
    settings.SPEEDUP_FIXED_LINKS = False
    fixed = ENGINE.from_string("{% load links %}<a href=\"{% fixed_url 'home' %}\">")
    plain = ENGINE.from_string("<a href=\"{% url 'home' %}\">")
    with (
        mock.patch.object(URLNode, "render", autospec=True, side_effect=URLNode.render) as url,
        mock.patch("sword.templatetags.links.reverse") as remembered_reverse,
    ):
        rendered = [fixed.render(Context()) for _ in range(3)]
        set_script_prefix("/sword/")
        try:
            below_the_root = fixed.render(Context())
            plain_below_the_root = plain.render(Context())
        finally:
            set_script_prefix("/")

    assert rendered == [plain.render(Context())] * 3 == ['<a href="/">'] * 3
    assert below_the_root == plain_below_the_root == '<a href="/sword/">'
    assert url.call_count == 5  # four of fixed_url's, one of url's
    remembered_reverse.assert_not_called()


@pytest.mark.parametrize(
    "tag", ["{% fixed_url %}", "{% fixed_url home %}", "{% fixed_url 'survey:start' code=x %}"]
)
def test_it_refuses_anything_but_one_quoted_name(tag):
    with pytest.raises(TemplateSyntaxError, match="one quoted view name"):
        ENGINE.from_string("{% load links %}" + tag)

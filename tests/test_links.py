"""`{% fixed_url %}` prints what `{% url %}` would, reversing each address once."""

from __future__ import annotations

from unittest import mock

import pytest
from django.template import Context, Engine, TemplateSyntaxError
from django.urls import reverse, set_script_prefix

ENGINE = Engine(libraries={"links": "sword.templatetags.links"})


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


@pytest.mark.parametrize(
    "tag", ["{% fixed_url %}", "{% fixed_url home %}", "{% fixed_url 'survey:start' code=x %}"]
)
def test_it_refuses_anything_but_one_quoted_name(tag):
    with pytest.raises(TemplateSyntaxError, match="one quoted view name"):
        ENGINE.from_string("{% load links %}" + tag)

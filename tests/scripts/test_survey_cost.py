"""scripts/survey_cost.py's count of the exceptions raised while a request is served."""

from __future__ import annotations

import contextlib
import sys
from collections import Counter

import pytest

from tests.scripts import load_script

survey_cost = load_script("survey_cost")


def _serve(request: dict[str, str]) -> str:
    with contextlib.suppress(KeyError):
        request["missing"]  # a KeyError raised by the dictionary, caught here
    for _ in range(2):
        try:
            raise LookupError("not a language")
        except LookupError:
            pass
    return "page"


def _fail(request: dict[str, str]) -> str:
    return request["missing"]


def test_it_counts_every_exception_raised_once_by_where_it_was_raised():
    raised: Counter[str] = Counter()
    assert survey_cost.raising(_serve, {}, raised) == "page"
    assert raised.total() == 3
    places = {place.split(":")[0] for place in raised}
    assert places == {
        "KeyError tests/scripts/test_survey_cost.py",
        "LookupError tests/scripts/test_survey_cost.py",
    }
    assert sorted(raised.values()) == [1, 2]


def test_it_counts_an_exception_that_escapes_once_and_lets_it_escape():
    raised: Counter[str] = Counter()
    with pytest.raises(KeyError):
        survey_cost.raising(_fail, {}, raised)
    # Seen in _fail and again in `raising` as it passes through: one exception, counted once.
    assert list(raised.values()) == [1]
    assert next(iter(raised)).endswith("(_fail)")


def test_it_puts_back_the_trace_function_it_found():
    def outer(frame, event, arg):  # stands for coverage's or a debugger's
        return None

    before = sys.gettrace()
    sys.settrace(outer)
    try:
        survey_cost.raising(_serve, {}, Counter())
        assert sys.gettrace() is outer
    finally:
        sys.settrace(before)

"""The disclosure engine's words in the reader's language: the same reasons as
`disclosure.release.hidden_text` (which exports keep in English), from the structured answer."""

from __future__ import annotations

from django.utils import translation

from diagnostics.release_words import (
    band_words,
    count_words,
    fewer_responses_words,
    hidden_short_words,
    hidden_words,
)
from disclosure.plan import Hidden
from disclosure.release import CountBand, hidden_text, response_count


def test_it_gives_the_engine_s_reasons_in_english_as_the_export_says_them():
    with translation.override("en-gb"):
        for reason in (*Hidden, None):
            assert hidden_words(reason, k=5) == hidden_text(reason, k=5)


def test_it_gives_the_engine_s_reasons_in_welsh():
    with translation.override("cy"):
        assert hidden_words(Hidden.PROTECTS_OTHERS, k=5) == (
            "wedi’i guddio fel na ellir cyfrifo grŵp llai"
        )
        assert hidden_words(Hidden.NO_RESPONSES, k=5) == "dim ymatebion"
        assert hidden_words(None, k=5) == "llai na 5 ymateb"
        assert hidden_short_words(None, k=5) == "llai na 5"
        assert hidden_words(Hidden.FEW_SCORED, k=5) == (
            "llai na 5 ymateb wedi ateb digon ohono i gael sgôr"
        )
        assert hidden_short_words(Hidden.FEW_SCORED, k=5) == "llai na 5 â sgôr"
        assert fewer_responses_words(30) == "llai na 30 ymateb"


def test_it_never_names_a_threshold_below_three():
    assert hidden_words(None, k=1) == "fewer than 3 responses"
    assert band_words(CountBand.BELOW_K, k=2) == "fewer than 3"


def test_it_says_a_count_exactly_only_where_it_is_released_exactly():
    assert count_words(response_count(6, k=5, exact=True)) == "6"
    assert count_words(response_count(6, k=5)) == "5 or more"
    assert count_words(response_count(2, k=5)) == "fewer than 5"
    assert count_words(response_count(0, k=5, exact=True)) == "none"
    with translation.override("cy"):
        assert count_words(response_count(6, k=5)) == "5 neu fwy"
        assert count_words(response_count(2, k=5)) == "llai na 5"
        assert count_words(response_count(0, k=5)) == "dim"


def test_it_groups_an_exact_count_in_thousands_as_the_language_writes_them():
    assert count_words(response_count(12345, k=5, exact=True)) == "12,345"
    with translation.override("cy"):
        assert count_words(response_count(1234, k=5, exact=True)) == "1,234"

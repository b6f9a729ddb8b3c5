"""The drivers in the reader's language: the same things `diagnostics.drivers` says in English
for the export, worded from its structured answer (a refusal's reason, a driver's sign,
strength and clearness)."""

from __future__ import annotations

import pytest
from django.utils import translation

from diagnostics import driver_words
from diagnostics.driver_words import (
    association_words,
    outcome_reading,
    reading_words,
    refusal_words,
    sentence_words,
)
from diagnostics.drivers import (
    Condition,
    Outcome,
    OutcomeDrivers,
    Refusal,
    RefusalKind,
    drivers_of,
)
from disclosure.plan import Hidden
from tests.diagnostics.test_drivers import APP, STAY, SUP, SYS, WL, group

REFUSALS = [
    Refusal(RefusalKind.FEWER_RESPONSES, minimum=30),
    Refusal(RefusalKind.NO_VARIATION),
    Refusal(RefusalKind.HIDDEN, hidden=Hidden.PROTECTS_OTHERS, k=5),
    Refusal(RefusalKind.HIDDEN, hidden=Hidden.NO_RESPONSES, k=5),
    Refusal(RefusalKind.HIDDEN, hidden=None, k=5),
]


@pytest.fixture
def marked(monkeypatch):
    """A catalogue that shows which words came through it."""
    monkeypatch.setattr(driver_words, "gettext", lambda text: f"[{text}]")


def test_it_says_in_english_what_the_export_says():
    found = drivers_of(STAY, [SUP, WL, SYS, APP], group(), responses=30, minimum=30)
    with translation.override("en-gb"):
        for refusal in REFUSALS:
            assert refusal_words(refusal) == refusal.text
            entry = OutcomeDrivers(STAY, refusal=refusal)
            assert reading_words(entry) == entry.reading
        for drivers in (found.drivers, _among_many_tested().drivers):
            assert [sentence_words(d, STAY) for d in drivers] == [d.sentence for d in drivers]
        assert reading_words(found) == found.reading


def test_it_words_every_sentence_through_the_catalogue(marked):
    found = drivers_of(STAY, [SUP, WL, SYS, APP], group(), responses=30, minimum=30)
    appreciation, supervision, _workload, systems = found.drivers
    assert sentence_words(supervision, STAY) == (
        "[Staff who report better supervision are more likely to say they intend to stay.]"
    )
    assert sentence_words(appreciation, STAY).startswith("[Staff who report feeling more")
    assert "are less likely" in sentence_words(appreciation, STAY)
    assert sentence_words(systems, STAY) == (
        "[No clear association between systems and tools and intending to stay.]"
    )
    assert [association_words(d) for d in found.drivers] == [
        "[A strong association]",
        "[A strong association]",
        "[A moderate association]",
        "[No clear association]",
    ]
    no_variation = OutcomeDrivers(STAY, refusal=Refusal(RefusalKind.NO_VARIATION))
    assert reading_words(no_variation) == (
        "[Not shown: [the answers do not vary enough to compare].]"
    )


def _among_many_tested() -> OutcomeDrivers:
    """Workload's interval leaves out 0, but not clear among eight more conditions tested."""
    like_systems = [Condition(f"N{i}", f"Null {i}") for i in range(8)]
    scores = group()
    for response in scores.values():
        response.update({condition.code: response["SYS"] for condition in like_systems})
    return drivers_of(STAY, [SUP, WL, SYS, APP, *like_systems], scores, responses=30, minimum=30)


def test_it_says_why_an_interval_that_leaves_out_0_is_not_called_clear(marked):
    workload = next(d for d in _among_many_tested().drivers if d.condition.code == "WL")
    assert workload.among_many
    assert association_words(workload) == "[Not clear once the number tested is allowed for]"
    assert sentence_words(workload, STAY) == (
        "[No clear association between workload and caseloads and intending to stay: once the "
        "number of conditions tested is allowed for, it is within what chance alone could give.]"
    )


def test_it_words_a_phrase_the_questionnaire_left_unset(marked):
    bare = Condition("NEW", "Team spirit")
    found = drivers_of(STAY, [bare], _moving_with_supervision(), responses=30, minimum=30)
    assert bare.phrase_text == "better Team spirit"  # the export's English
    assert sentence_words(found.drivers[0], Outcome("STAY", "Staying")) == (
        "[Staff who report [better Team spirit] are more likely to say they [agree: Staying].]"
    )


def _moving_with_supervision() -> dict[int, dict[str, float]]:
    return {pk: {**scores, "NEW": scores["SUP"]} for pk, scores in group().items()}


def test_it_gives_the_refusals_and_the_readings_in_welsh():
    with translation.override("cy"):
        assert refusal_words(Refusal(RefusalKind.FEWER_RESPONSES, minimum=30)) == (
            "llai na 30 ymateb"
        )
        assert refusal_words(Refusal(RefusalKind.HIDDEN, hidden=Hidden.NO_RESPONSES, k=5)) == (
            "dim ymatebion"
        )


def test_it_hands_a_page_each_outcome_s_reading_and_its_drivers_words(marked):
    found = drivers_of(STAY, [SUP, SYS], group(), responses=30, minimum=30)
    reading = outcome_reading(found)
    assert reading.outcome == STAY
    assert reading.reading == reading_words(found)
    assert [(row.driver, row.association) for row in reading.drivers] == [
        (found.drivers[0], "[A strong association]"),
        (found.drivers[1], "[No clear association]"),
    ]

"""The drivers of an outcome in the reader's language, for pages.

`diagnostics.drivers` is worded in English, as the drivers export keeps it. A page says the same
things through these, in the language in force, from the structured answer (a `Refusal`, a
`Driver`'s sign, strength and clearness), never by reading the English back. The names and
phrases of the domains are the questionnaire's own and are shown as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext

from diagnostics.drivers import (
    Condition,
    Driver,
    Outcome,
    OutcomeDrivers,
    Refusal,
    RefusalKind,
)
from diagnostics.release_words import fewer_responses_words, hidden_words


def refusal_words(refusal: Refusal) -> str:
    """Why drivers are not shown (`Refusal.text`, translated)."""
    if refusal.kind is RefusalKind.FEWER_RESPONSES:
        return fewer_responses_words(refusal.minimum)
    if refusal.kind is RefusalKind.NO_VARIATION:
        return gettext("the answers do not vary enough to compare")
    return hidden_words(refusal.hidden, k=refusal.k)


def condition_phrase(condition: Condition) -> str:
    return condition.phrase or gettext("better %(domain)s") % {"domain": condition.name}


def outcome_phrase(outcome: Outcome) -> str:
    return outcome.phrase or gettext("agree: %(outcome)s") % {"outcome": outcome.name}


def sentence_words(driver: Driver, outcome: Outcome) -> str:
    """The association in plain words, never as cause (`drivers.sentence`, translated)."""
    if not driver.clear:
        names = {"condition": driver.condition.name.lower(), "outcome": outcome.name.lower()}
        if driver.among_many:
            return (
                gettext(
                    "No clear association between %(condition)s and %(outcome)s: once the "
                    "number of conditions tested is allowed for, it is within what chance alone "
                    "could give."
                )
                % names
            )
        return gettext("No clear association between %(condition)s and %(outcome)s.") % names
    values = {"condition": condition_phrase(driver.condition), "outcome": outcome_phrase(outcome)}
    if driver.positive:
        return (
            gettext("Staff who report %(condition)s are more likely to say they %(outcome)s.")
            % values
        )
    return (
        gettext("Staff who report %(condition)s are less likely to say they %(outcome)s.") % values
    )


def association_words(driver: Driver) -> str:
    """A driver's reading in a table cell: its strength, or that it is not clear."""
    if not driver.clear:
        if driver.among_many:
            return gettext("Not clear once the number tested is allowed for")
        return gettext("No clear association")
    if driver.strength == "strong":
        return gettext("A strong association")
    if driver.strength == "moderate":
        return gettext("A moderate association")
    return gettext("A weak association")


def reading_words(entry: OutcomeDrivers) -> str:
    """The strongest clear association, or what there is to say without one
    (`OutcomeDrivers.reading`, translated)."""
    if entry.refusal is not None:
        return gettext("Not shown: %(reason)s.") % {"reason": refusal_words(entry.refusal)}
    if entry.clear:
        return sentence_words(entry.clear[0], entry.outcome)
    return gettext("No condition shows a clear association with %(outcome)s in this group.") % {
        "outcome": entry.outcome.name.lower()
    }


@dataclass(frozen=True)
class DriverReading:
    driver: Driver
    association: str


@dataclass(frozen=True)
class OutcomeReading:
    """One outcome's drivers as a page shows them."""

    outcome: Outcome
    reading: str
    drivers: tuple[DriverReading, ...]


def outcome_reading(entry: OutcomeDrivers) -> OutcomeReading:
    return OutcomeReading(
        entry.outcome,
        reading_words(entry),
        tuple(DriverReading(driver, association_words(driver)) for driver in entry.drivers),
    )

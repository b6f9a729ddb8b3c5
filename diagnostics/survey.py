"""The shape of a survey: statements grouped by domain over short pages. Pure, no database."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

from diagnostics.pulses import PULSE_MAX

STATEMENTS_PER_PAGE = 5
PULSE_STATEMENTS_PER_PAGE = 6
# The outcome statements (§12) are asked together, after the conditions: on a page of their own
# in a full diagnostic, on the last page in a pulse.
OUTCOME_SECTION = "Working here"


@dataclass(frozen=True)
class SurveyStatement:
    code: str
    text: str
    domain_code: str
    domain_name: str
    domain_position: int
    reverse_scored: bool
    id: int = 0
    domain_id: int = 0
    is_outcome: bool = False
    # The wording in other languages than English, as (language, text), from StatementText.
    texts: tuple[tuple[str, str], ...] = ()

    def text_in(self, language: str) -> str:
        """The statement in `language`, or in English where it has no text in that language."""
        return next((text for code, text in self.texts if code == language), self.text)


@dataclass(frozen=True)
class DomainSection:
    name: str
    statements: tuple[SurveyStatement, ...]


@dataclass(frozen=True)
class SurveyPage:
    number: int
    sections: tuple[DomainSection, ...]

    @property
    def statements(self) -> list[SurveyStatement]:
        return [s for section in self.sections for s in section.statements]

    @property
    def codes(self) -> list[str]:
        return [s.code for s in self.statements]

    @property
    def title(self) -> str:
        return ", ".join(section.name for section in self.sections)


@dataclass(frozen=True)
class SurveyShape:
    """Statement pages, then one 'About you' page. Page numbers start at 1."""

    pages: tuple[SurveyPage, ...]
    statements: tuple[SurveyStatement, ...] = field(default=())

    @property
    def about_page_number(self) -> int:
        return len(self.pages) + 1

    @property
    def page_count(self) -> int:
        return len(self.pages) + 1

    @property
    def codes(self) -> list[str]:
        return [s.code for s in self.statements]

    def page(self, number: int) -> SurveyPage | None:
        return self.pages[number - 1] if 1 <= number <= len(self.pages) else None

    def first_incomplete_page(self, answers: Mapping[str, object]) -> int | None:
        for page in self.pages:
            if any(code not in answers for code in page.codes):
                return page.number
        return None


def shape_survey(
    statements: Sequence[SurveyStatement], *, per_page: int | None = None
) -> SurveyShape:
    """Group statements by domain, then pack whole domains, in order, onto as few pages of at
    most `per_page` statements as possible (five for a full diagnostic: a domain a page; six
    for a pulse's 9 to 12), as evenly as possible so that no page is left with a lone
    statement. A domain longer than `per_page` has a page of its own. Outcome statements come
    last, in one section (`OUTCOME_SECTION`): on a page of their own after a full diagnostic's
    conditions, and on the last page after a pulse's, so that a two-minute pulse does not
    take a page more (two more requests) for its two outcome statements."""
    conditions = [s for s in statements if not s.is_outcome]
    outcomes = tuple(s for s in statements if s.is_outcome)
    pulse_sized = len(conditions) <= PULSE_MAX
    if per_page is None:
        per_page = PULSE_STATEMENTS_PER_PAGE if pulse_sized else STATEMENTS_PER_PAGE
    sections: list[DomainSection] = []
    for statement in conditions:
        if sections and sections[-1].name == statement.domain_name:
            last = sections[-1]
            sections[-1] = DomainSection(last.name, (*last.statements, statement))
        else:
            sections.append(DomainSection(statement.domain_name, (statement,)))

    cuts = _even_cuts([len(section.statements) for section in sections], per_page)
    pages = [sections[start:end] for start, end in zip((0, *cuts[:-1]), cuts, strict=True)]
    if outcomes:
        if pulse_sized and pages:
            pages[-1] = [*pages[-1], DomainSection(OUTCOME_SECTION, outcomes)]
        else:
            pages.append([DomainSection(OUTCOME_SECTION, outcomes)])
    return SurveyShape(
        pages=tuple(SurveyPage(i + 1, tuple(p)) for i, p in enumerate(pages)),
        statements=(*conditions, *outcomes),
    )


def _even_cuts(sizes: Sequence[int], per_page: int) -> tuple[int, ...]:
    """Where pages end (exclusive indexes into `sizes`): the fewest pages that keep each page
    within `per_page` (a single oversized section is allowed alone), and of those the split
    whose fullest page is smallest."""
    count = len(sizes)

    @cache
    def best(start: int, pages: int) -> tuple[int, tuple[int, ...]] | None:
        if start == count:
            return (0, ()) if pages == 0 else None
        if pages == 0:
            return None
        found: tuple[int, tuple[int, ...]] | None = None
        load = 0
        for end in range(start + 1, count + 1):
            load += sizes[end - 1]
            if load > per_page and end - start > 1:
                break
            rest = best(end, pages - 1)
            if rest is not None and (found is None or max(load, rest[0]) < found[0]):
                found = (max(load, rest[0]), (end, *rest[1]))
        return found

    for pages in range(1, count + 1):
        split = best(0, pages)
        if split is not None:
            return split[1]
    return ()

"""The shape of a survey: statements grouped by domain over short pages. Pure, no database."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

STATEMENTS_PER_PAGE = 5
PULSE_STATEMENTS_PER_PAGE = 6


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
    """Group statements by domain, then pack whole domains onto pages of at most `per_page`:
    five for a full diagnostic (a domain a page), six for a short pulse (two pages)."""
    if per_page is None:
        per_page = PULSE_STATEMENTS_PER_PAGE if len(statements) <= 12 else STATEMENTS_PER_PAGE
    sections: list[DomainSection] = []
    for statement in statements:
        if sections and sections[-1].name == statement.domain_name:
            last = sections[-1]
            sections[-1] = DomainSection(last.name, (*last.statements, statement))
        else:
            sections.append(DomainSection(statement.domain_name, (statement,)))

    pages: list[list[DomainSection]] = []
    for section in sections:
        current = pages[-1] if pages else None
        size = sum(len(s.statements) for s in current) if current else 0
        if current is not None and size + len(section.statements) <= per_page:
            current.append(section)
        else:
            pages.append([section])
    return SurveyShape(
        pages=tuple(SurveyPage(i + 1, tuple(p)) for i, p in enumerate(pages)),
        statements=tuple(statements),
    )

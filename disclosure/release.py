"""How released figures leave the server: rounded, or as words.

Means are rounded to one decimal and shares to whole percentages *at release*, in pages, chart
data and exports alike: an exact mean such as 78/17 would give the group's size away and turn
estimates into exact arithmetic. Bands and "urgent" are decided on the exact values first (§4).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from typing import TypeVar

from diagnostics.scoring import Figures, Tally, figures_of, half_up_units, round_half_up
from disclosure.plan import Hidden

Key = TypeVar("Key", bound=Hashable)

MIN_K = 3


def effective_k(k: int) -> int:
    """The threshold in force: never below 3, whatever is configured."""
    return max(MIN_K, int(k))


def rounded_mean(mean: float | None) -> float | None:
    if mean is None:
        return None
    # The same float either way: units / 10 and float(Decimal) are both correctly rounded.
    tenths = half_up_units(mean, 1)
    return float(round_half_up(mean, 1)) if tenths is None else tenths / 10


def rounded_share(share: float | None) -> float | None:
    if share is None:
        return None
    if type(share) is float and share > 0.0:
        return _rounded_positive_share(share)
    return _rounded_share(share)


# Shares are ratios of counts, so a page's thousands of them take a few hundred values.
@lru_cache(maxsize=4096)
def _rounded_positive_share(share: float) -> float:
    return _rounded_share(share)


def _rounded_share(share: float) -> float:
    percent = half_up_units(share * 100, 0)
    if percent is None:
        return float(round_half_up(share * 100, 0) / Decimal(100))
    return percent / 100


def released(tally: Tally, *, n: int | None = None) -> Figures:
    """A tally's figures as they may leave the server: band and urgency from the exact values,
    the mean to one decimal, the shares to whole percentages. `n` replaces the count shown
    with it (a domain row shows its group's responses)."""
    return figures_of(tally, n=n, mean_as=rounded_mean, share_as=rounded_share)


def hidden_text(reason: Hidden | None, *, k: int) -> str:
    """Words for a figure that is not shown, in English: what exports and the API carry (pages
    show the same reason in the reader's language, `diagnostics.release_words`)."""
    if reason is Hidden.PROTECTS_OTHERS:
        return "hidden so that a smaller group cannot be worked out"
    if reason is Hidden.NO_RESPONSES:
        return "no responses"
    if reason is Hidden.FEW_SCORED:
        return f"fewer than {effective_k(k)} responses answered enough of it to have a score"
    return f"fewer than {effective_k(k)} responses"


class CountBand(Enum):
    """Which side of k a count is: all that may be read of it where its figures are hidden."""

    NONE = "none"
    BELOW_K = "below-k"
    K_OR_MORE = "k-or-more"


@dataclass(frozen=True)
class ResponseCount:
    """A count of responses as one viewer may read it: `exact` only where the figures it
    belongs to are shown, otherwise None; `band` always (it says no more than `exact`)."""

    band: CountBand
    k: int
    exact: int | None = None


def response_count(n: int, *, k: int, exact: bool = False) -> ResponseCount:
    """The count `n` as released: its band against k, and the number itself when `exact` (a
    count of none reads as none)."""
    k = effective_k(k)
    band = CountBand.NONE if n == 0 else CountBand.K_OR_MORE if n >= k else CountBand.BELOW_K
    return ResponseCount(band=band, k=k, exact=n if exact and n else None)


class FilterRefused(Exception):
    """A breakdown that cannot be shown, with the words to say why."""


def comments_visible(n_responses: int, *, comment_threshold: int, k: int, filtered: bool) -> bool:
    """Comments show only for unfiltered groups that reach the (higher) comment threshold;
    free text is never broken down by demographic answers (§5)."""
    if filtered:
        return False
    return n_responses >= max(effective_k(k), comment_threshold)


def teams_with_visible_comments(
    team_counts: Mapping[Key, int], *, comment_threshold: int, k: int
) -> set[Key]:
    """Teams whose comments may appear (in their own list or in a unit's combined list), of
    `team_counts`: the teams whose counts the viewer reads exactly (a comment shown says its
    team reached the threshold, which would bound a hidden team's count from below).

    A unit's list holds only comments from such teams, so no comment can be traced by
    elimination to a team below the threshold.
    """
    return {
        team
        for team, n in team_counts.items()
        if comments_visible(n, comment_threshold=comment_threshold, k=k, filtered=False)
    }

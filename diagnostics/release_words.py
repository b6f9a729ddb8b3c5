"""The disclosure engine's words in the reader's language, for pages and e-mails.

`disclosure.release` is pure Python without Django, so the words it gives (`hidden_text`) are
English: exports and the API carry those, as they carry every column and value in English.
Everything a person reads on a page says the same thing through these, in the language in
force, from the engine's structured answer (a `Hidden` reason, a `ResponseCount`), never by
reading its English back.
"""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext, pgettext

from disclosure.plan import Hidden
from disclosure.release import CountBand, ResponseCount, effective_k


def hidden_words(reason: Hidden | None, *, k: int) -> str:
    """Why a figure is not shown (`disclosure.release.hidden_text`, translated)."""
    if reason is Hidden.PROTECTS_OTHERS:
        return gettext("hidden so that a smaller group cannot be worked out")
    if reason is Hidden.NO_RESPONSES:
        return gettext("no responses")
    if reason is Hidden.FEW_SCORED:
        minimum = effective_k(k)
        return ngettext(
            "fewer than %(k)d response answered enough of it to have a score",
            "fewer than %(k)d responses answered enough of it to have a score",
            minimum,
        ) % {"k": minimum}
    return fewer_responses_words(effective_k(k))


def fewer_responses_words(minimum: int) -> str:
    """ "fewer than 5 responses": a group below the number of responses something needs."""
    return ngettext("fewer than %(k)d response", "fewer than %(k)d responses", minimum) % {
        "k": minimum
    }


def hidden_short_words(reason: Hidden | None, *, k: int) -> str:
    """The same reason in a word or two, to fit a cell of a table."""
    return " ".join(hidden_short_lines(reason, k=k))


def hidden_short_lines(reason: Hidden | None, *, k: int) -> tuple[str, ...]:
    """The same reason in a word or two a line, to fit a cell of a chart."""
    if reason is Hidden.PROTECTS_OTHERS:
        return (gettext("protected"),)
    if reason is Hidden.NO_RESPONSES:
        return (gettext("none"),)
    fewer = band_words(CountBand.BELOW_K, k=k)
    if reason is Hidden.FEW_SCORED:
        return (fewer, pgettext("a cell's second line, after “fewer than 5”", "scored"))
    return (fewer,)


def band_words(band: CountBand, *, k: int) -> str:
    """Which side of k a count is, in words: "none", "5 or more", "fewer than 5"."""
    k = effective_k(k)
    if band is CountBand.NONE:
        return gettext("none")
    if band is CountBand.K_OR_MORE:
        return gettext("%(k)d or more") % {"k": k}
    return gettext("fewer than %(k)d") % {"k": k}


def count_words(count: ResponseCount) -> str:
    """A count as the viewer may read it: the number where it is exact (grouped in thousands as
    the language writes them: "1,234"), else its band."""
    if count.exact is not None:
        return number_format(count.exact, force_grouping=True)
    return band_words(count.band, k=count.k)

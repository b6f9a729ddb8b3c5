"""Text made safe for HTML by the tags that write many rows in one pass (the lens's table, the
comparison's cells), where the template language's own escaping, through several layers per
value, took most of the page's time."""

from __future__ import annotations

from html import escape


def html_text(value: object) -> str:
    """`conditional_escape` without its lazy-text wrapper: the value escaped with the standard
    library's `html.escape`, unless it is safe HTML already (has `__html__`)."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return escape(str(value))

"""What can go wrong when someone uses a code. Each error carries the page it deserves."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class SurveyError(Exception):
    status = 400
    title: str | Promise = _("Something was wrong with that form")
    message: str | Promise = _("Nothing was saved. Go back and try again.")

    def __init__(self, message: str | Promise | None = None) -> None:
        super().__init__(message or self.message)
        if message:
            self.message = message


class UnknownCode(SurveyError):
    status = 404
    title = _("We do not recognise this code")
    message = _(
        "Check the code on your card or in your e-mail and type it again. Codes use the letters "
        "A to Z and the numbers 2 to 9, but no letter I, L or O and no number 0 or 1."
    )


class CodeAlreadyUsed(SurveyError):
    status = 410
    title = _("This code has already been used")
    message = _(
        "Each code can be used once, and this one has been. If you have not answered yet, ask "
        "your team manager for a new code. Your earlier answers, if you sent them, are safe."
    )


class SurveySessionEnded(SurveyError):
    status = 400
    title = _("Open your survey link again")
    message = _(
        "We could not find your survey in this browser. This happens when the survey has been "
        "open a long time, when you moved to another browser or device, or when the browser "
        "blocks cookies. Open the link from your card or e-mail again, or type your code, to "
        "carry on. Your code still works if you have not submitted your answers."
    )


class CycleNotOpen(SurveyError):
    status = 410
    title = _("This survey is not open yet")


class CycleClosed(SurveyError):
    status = 410
    title = _("This survey has closed")


class TamperedForm(SurveyError):
    status = 400
    title = _("This form was changed")
    message = _(
        "What was sent does not match the survey's questions, so nothing was saved. "
        "Reload the page and answer again."
    )


class IncompleteAnswers(SurveyError):
    status = 400
    title = _("Some statements have no answer yet")

"""Results exports prepared in the background: asking for one, "Your exports", the download.

The instant download stays in views.results_export; exports of more teams than
settings.EXPORT_INSTANT_MAX_TEAMS, or any the person asks for, come through here
(docs/background-jobs.md).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST
from kombu.exceptions import OperationalError as KombuOperationalError

from accounts.http import AuthenticatedHttpRequest
from diagnostics import services
from diagnostics.access import get_cycle_for, get_export_for
from diagnostics.exports import CONTENT_TYPES, download_name
from diagnostics.models import ExportJob
from diagnostics.selectors import ExportState, exports_of
from diagnostics.tasks import prepare_export
from organisations.access import reach_of
from sword.pages import error_text


@login_required
@require_POST
def export_request(request: AuthenticatedHttpRequest, cycle_id: int) -> HttpResponse:
    """Ask for the cycle's results export to be prepared; the page comes back at once."""
    cycle = get_cycle_for(request.user, cycle_id)
    try:
        job, created = services.request_export(
            user=request.user,
            cycle=cycle,
            reach=reach_of(request.user),
            file_format=request.POST.get("format", ""),
            level=request.POST.get("level", ""),
            by=request.POST.get("by", ""),
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("diagnostics:cycle_detail", cycle_id=cycle.pk)
    if not created:
        messages.info(request, gettext("You asked for that file already: it is being prepared."))
        return redirect("diagnostics:export_list")
    try:
        prepare_export.delay(job.pk)
    except KombuOperationalError:
        services.fail_export(job_id=job.pk)
        messages.error(
            request,
            gettext(
                "The background queue is not answering, so the file could not be prepared. "
                "Try again in a few minutes."
            ),
        )
        return redirect("diagnostics:export_list")
    job.refresh_from_db(fields=["status"])
    if job.status == ExportJob.Status.READY:  # no broker: the job ran in this request
        messages.success(
            request,
            gettext("The results of “%(name)s” are ready to download.") % {"name": cycle.name},
        )
    else:
        messages.success(
            request,
            gettext(
                "Preparing the results of “%(name)s”. It appears here when it is ready; "
                "you can leave this page meanwhile."
            )
            % {"name": cycle.name},
        )
    return redirect("diagnostics:export_list")


@login_required
def export_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Your exports: the person's own requests, their state, and a link while it works."""
    rows = exports_of(request.user, reach=reach_of(request.user), now=timezone.now())
    return render(
        request,
        "diagnostics/export_list.html",
        {
            "rows": rows,
            "preparing": any(row.state is ExportState.QUEUED for row in rows),
            "link_hours": settings.EXPORT_LINK_HOURS,
        },
    )


@login_required
def export_download(request: AuthenticatedHttpRequest, export_id: int) -> HttpResponseBase:
    """The prepared file, for the person who asked, before it expires; each download audited."""
    job = get_export_for(request.user, export_id)
    if job.status == ExportJob.Status.QUEUED and job.expires_at > timezone.now():
        messages.info(
            request, gettext("That file is still being prepared. It appears here when ready.")
        )
        return redirect("diagnostics:export_list")
    if job.status == ExportJob.Status.FAILED:
        messages.error(request, gettext("That file could not be prepared. Ask for it again."))
        return redirect("diagnostics:export_list")
    if job.status != ExportJob.Status.READY or job.expires_at <= timezone.now():
        return _expired(request, job)
    assert job.cycle is not None  # get_export_for refuses an export whose cycle is gone
    try:
        handle = default_storage.open(job.file.name or "", "rb")
    except OSError:  # the file is gone from storage: as good as expired
        return _expired(request, job)
    services.record_export_download(job=job, user=request.user, reach=reach_of(request.user))
    return FileResponse(
        handle,
        as_attachment=True,
        filename=download_name(job.cycle, by=job.by, file_format=job.file_format),
        content_type=CONTENT_TYPES[job.file_format],
    )


def _expired(request: AuthenticatedHttpRequest, job: ExportJob) -> HttpResponse:
    return render(request, "diagnostics/export_expired.html", {"job": job}, status=410)

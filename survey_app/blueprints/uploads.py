"""Routes that take an evidence file or a photo: their own request size limit.

The app refuses bodies over MAX_CONTENT_LENGTH (8 MiB, for workbooks and definitions),
but a 10 MB PDF is a little more than 10 MB as a multipart request. A view marked with
`@accepts_upload(purpose)` gets that purpose's file limit plus room for the form around
it. The limit is raised by the app's first before-request hook, before CSRF protection
and the access check read the form (reading it is what enforces the limit).
"""

from collections.abc import Callable

from flask import current_app, request

from survey_app.models import FilePurpose
from survey_app.services.platform import evidence_files

#: Room for the multipart framing and the form's other fields around the files.
FORM_OVERHEAD_BYTES = 1024 * 1024


def accepts_upload(purpose: FilePurpose, files: int = 1) -> Callable:
    """Mark a view as taking up to `files` uploads of `purpose` in one request."""

    def mark(view: Callable) -> Callable:
        view.upload_limit = (purpose, files)
        return view

    return mark


def raise_body_limit() -> None:
    """Before-request hook: a marked view's request may carry its files."""
    view = current_app.view_functions.get(request.endpoint or "")
    marked = getattr(view, "upload_limit", None)
    if marked is not None:
        purpose, files = marked
        request.max_content_length = evidence_files.size_limit(purpose) * files + FORM_OVERHEAD_BYTES


def init_app(app) -> None:
    app.before_request_funcs.setdefault(None, []).insert(0, raise_body_limit)

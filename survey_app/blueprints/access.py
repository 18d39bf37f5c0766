"""Access checks shared by the staff blueprints."""

from collections.abc import Callable
from functools import wraps

from flask import abort, flash
from flask_babel import gettext as _
from flask_login import current_user, login_required

from survey_app.errors import DomainError
from survey_app.extensions import db
from survey_app.models import Survey
from survey_app.services import users


def organizer_required(view):
    """Let organizers and administrators through; viewers get 403."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.can_manage_surveys:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def admin_required(view):
    """Let administrators only through."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def load_survey(survey_id: int) -> Survey:
    """Return the survey, or 404 when missing or outside the user's unit scope."""
    survey = db.get_or_404(Survey, survey_id)
    scope = users.visible_unit_ids(current_user)
    if scope is not None and not any(s.unit_id in scope for s in survey.subjects):
        abort(404)
    return survey


def commit_or_flash(call: Callable[[], object]) -> DomainError | None:
    """Run one service call: commit on success; on a domain error roll back, flash every
    message and return the error."""
    try:
        call()
    except DomainError as error:
        db.session.rollback()
        errors = getattr(error, "errors", [error.message])
        for message in ([error.message] if error.message not in errors else []) + errors:
            flash(_(message), "error")
        return error
    db.session.commit()
    return None

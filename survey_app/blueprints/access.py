"""Access checks shared by the staff blueprints.

`enforce` runs before every request: it looks the endpoint's need up in the policy
(`services/permissions.ROUTES`), loads the object the URL names and maps the policy's
decision to a response: the sign-in page, 404 (the object is hidden from the user) or 403
(visible, but not theirs to change). Views only narrow further (rows inside a shared
survey or plan).
"""

from collections.abc import Callable
from functools import wraps

from flask import abort, current_app, flash, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from survey_app.errors import DomainError, NotFound
from survey_app.extensions import db
from survey_app.models import CodeBatch, OpenLink, Subject, Survey, Unit
from survey_app.models.assessment import Adjustment, AssessmentPlan, PlanSubject
from survey_app.models.inspection import KeyProject, Visit
from survey_app.models.register import RegisterEntry
from survey_app.models.talk import Talk
from survey_app.services.dossier import cadres
from survey_app.services.platform import permissions
from survey_app.services.platform.permissions import Decision


def enforce():
    """Before-request hook: refuse the request unless the policy allows it."""
    if request.url_rule is None:
        return None  # no route: the 404 or 405 follows
    need = permissions.need_of(request.endpoint)
    if need is None:
        current_app.logger.error("no permission declared for endpoint %s", request.endpoint)
        abort(403)
    if need in (permissions.Need.PUBLIC, permissions.Need.TOKEN):
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    obj = _object_of(permissions.OBJECT_OF.get(need), request.view_args or {})
    decision = permissions.decide(current_user, need, obj)
    if decision is Decision.HIDE:
        abort(404)
    if decision is not Decision.ALLOW:
        abort(403)
    return None


def may(endpoint: str, **args) -> bool:
    """Whether the current user may use `endpoint` with these URL arguments: templates ask
    it to show only the links and forms the policy allows (`may('admin.change_status',
    survey_id=survey.id)`)."""
    need = permissions.need_of(endpoint)
    if need is None:
        return False
    if need in (permissions.Need.PUBLIC, permissions.Need.TOKEN):
        return True
    if not current_user.is_authenticated:
        return False
    kind = permissions.OBJECT_OF.get(need)
    obj = _LOADERS[kind](args) if kind else None
    if kind and obj is None:
        return False
    return permissions.decide(current_user, need, obj) is Decision.ALLOW


def _object_of(kind: str | None, args: dict):
    """Load the object a route's need is decided on; 404 when the URL names none."""
    if kind is None:
        return None
    found = _LOADERS[kind](args)
    if found is None:
        abort(404)
    return found


def _survey_of(args: dict) -> Survey | None:
    if "survey_id" in args:
        return db.session.get(Survey, args["survey_id"])
    holder = (db.session.get(CodeBatch, args["batch_id"]) if "batch_id" in args
              else db.session.get(OpenLink, args["link_id"]) if "link_id" in args else None)
    return db.session.get(Survey, holder.survey_id) if holder is not None else None


def _plan_of(args: dict) -> AssessmentPlan | None:
    return db.session.get(AssessmentPlan, args["plan_id"])


def _plan_subject_of(args: dict) -> PlanSubject | None:
    if "subject_id" in args:
        subject = db.session.get(PlanSubject, args["subject_id"])
    else:
        adjustment = db.session.get(Adjustment, args["item_id"])
        subject = adjustment.subject if adjustment is not None else None
    return subject if subject is not None and subject.plan_id == args["plan_id"] else None


def _cadre_of(args: dict):
    try:
        return cadres.find_cadre(args["key"])
    except NotFound:
        return None


def _project_of(args: dict) -> KeyProject | None:
    return db.session.get(KeyProject, args["project_id"])


def _visit_of(args: dict) -> Visit | None:
    return db.session.get(Visit, args["visit_id"])


def _unit_of(args: dict) -> Unit | None:
    return db.session.get(Unit, args["unit_id"])


def _register_entry_of(args: dict) -> RegisterEntry | None:
    return db.session.get(RegisterEntry, args["entry_id"])


def _talk_of(args: dict) -> Talk | None:
    return db.session.get(Talk, args["talk_id"])


_LOADERS = {"survey": _survey_of, "plan": _plan_of, "plan_subject": _plan_subject_of, "cadre": _cadre_of,
            "project": _project_of, "visit": _visit_of, "unit": _unit_of, "register_entry": _register_entry_of,
            "talk": _talk_of}


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
    if not permissions.may_read_survey(current_user, survey):
        abort(404)
    return survey


#: Refusal of a write that would put a subject of another unit into a scoped user's survey or plan.
OUTSIDE_SCOPE = _l("只能添加或修改本单位的评议对象或考核对象")


def keep_within_scope(holder: Survey | AssessmentPlan) -> None:
    """After a write, raise DomainError when the survey or plan no longer lies within the
    scoped user's units (a subject of another unit was added or moved in), so the caller
    rolls it back: a scoped organizer cannot make a survey or plan city-wide, or reach
    into another unit through one."""
    db.session.flush()
    model, column = (Subject, Subject.survey_id) if isinstance(holder, Survey) else (PlanSubject, PlanSubject.plan_id)
    unit_ids = set(db.session.scalars(select(model.unit_id).where(column == holder.id)))
    if not permissions.owns_unit_ids(current_user, unit_ids):
        raise DomainError(str(OUTSIDE_SCOPE))


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

"""一线考察: key projects (重点项目) and their milestones (关键节点) with 序时进度, and
visits (考察纪实, views in `inspection_visits`, registered at the end of this module).

Viewers read; organizers and administrators create and change projects and milestones. A
unit-scoped user sees only the projects of their units (another unit's project is 404,
services/platform/permissions.py); a scoped organizer changes a project only when all its
units are theirs, and picks only their units for a new one.
"""

from io import BytesIO

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from analytics.coverage import YearMonth
from forms.inspection import ActualForm, MilestoneForm, ProjectForm
from survey_app import labels
from survey_app.blueprints import inspection_visits as visit_views
from survey_app.blueprints.access import commit_or_flash, organizer_required
from survey_app.errors import NotFound
from survey_app.extensions import db
from survey_app.models import Unit
from survey_app.models.base import utcnow
from survey_app.models.inspection import KeyProject, ProjectLevel, ProjectStatus
from survey_app.services.inspection import coverage, ledger, progress, projects
from survey_app.services.platform import permissions, users
from survey_app.services.platform.sheets import XLSX_MIMETYPE

bp = Blueprint("inspection", __name__, url_prefix="/admin/inspection")


# ---- loading and helpers ----------------------------------------------------------------------


def _today():
    return progress.local_today(utcnow())


def _scope():
    return users.visible_unit_ids(current_user)


def _units():
    """Units a user may link a project to: every unit, or their own."""
    query = select(Unit).order_by(Unit.category, Unit.name)
    scope = _scope()
    if scope is not None:
        query = query.where(Unit.id.in_(scope))
    return db.session.scalars(query).all()


def _project(project_id: int) -> KeyProject:
    # `access.enforce` has already refused a project outside the user's scope.
    return db.get_or_404(KeyProject, project_id)


def _milestone(project: KeyProject, milestone_id: int):
    try:
        return projects.get_milestone(project, milestone_id)
    except NotFound:
        abort(404)


def _project_form(formdata=None, **kwargs) -> ProjectForm:
    return ProjectForm(formdata, levels=labels.PROJECT_LEVEL.items(), statuses=labels.PROJECT_STATUS.items(),
                       units=_units(), **kwargs)


def _flash_form_errors(form) -> None:
    for field in form:
        for message in field.errors:
            flash(f"{field.label.text}：{message}", "error")


def _render_project(project: KeyProject, status: int = 200, milestone_form: MilestoneForm | None = None):
    return render_template(
        "inspection/project.html", card=progress.project_card(project, _today()), today=_today(),
        editable=permissions.may_manage_project(current_user, project),
        milestone_form=milestone_form or MilestoneForm(), actual_form=ActualForm(),
    ), status


def _back(project_id: int, anchor: str = "milestones"):
    return redirect(url_for("inspection.show_project", project_id=project_id, _anchor=anchor))


# ---- projects ---------------------------------------------------------------------------------


@bp.get("/")
@login_required
def list_projects():
    return render_template("inspection/index.html", cards=progress.list_projects(_scope(), _today()),
                           today=_today())


@bp.route("/projects/new", methods=["GET", "POST"])
@organizer_required
def new_project():
    if request.method == "GET":
        form = _project_form(data={"level": ProjectLevel.CITY.value, "status": ProjectStatus.ACTIVE.value,
                                   "starts_on": _today()})
        return render_template("inspection/edit_project.html", form=form, project=None)
    form = _project_form(request.form)
    created = []
    if form.validate() and commit_or_flash(
            lambda: created.append(projects.create_project(form.service_data(), current_user, _scope()))) is None:
        flash(_("已建立重点项目，请添加节点"), "success")
        return _back(created[0].id)
    _flash_form_errors(form)
    return render_template("inspection/edit_project.html", form=form, project=None), 400


@bp.get("/projects/<int:project_id>")
@login_required
def show_project(project_id: int):
    return _render_project(_project(project_id))


@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
@organizer_required
def edit_project(project_id: int):
    project = _project(project_id)
    if request.method == "GET":
        form = _project_form(obj=project, data={
            "level": project.level.value, "status": project.status.value,
            "unit_ids": [unit.id for unit in project.units],
            "cadre_keys": "\n".join(cadre.subject_key for cadre in project.cadres)})
        return render_template("inspection/edit_project.html", form=form, project=project)
    form = _project_form(request.form)
    if form.validate() and commit_or_flash(
            lambda: projects.update_project(project, form.service_data(), current_user, _scope())) is None:
        flash(_("已保存"), "success")
        return _back(project_id, "project")
    _flash_form_errors(form)
    return render_template("inspection/edit_project.html", form=form, project=_project(project_id)), 400


# ---- milestones -------------------------------------------------------------------------------


@bp.post("/projects/<int:project_id>/milestones")
@organizer_required
def add_milestone(project_id: int):
    project = _project(project_id)
    form = MilestoneForm(request.form)
    if form.validate() and commit_or_flash(
            lambda: projects.add_milestone(project, form.service_data(), current_user, _today())) is None:
        flash(_("已添加节点"), "success")
        return _back(project_id)
    _flash_form_errors(form)
    return _render_project(_project(project_id), 400, form)


@bp.route("/projects/<int:project_id>/milestones/<int:milestone_id>/edit", methods=["GET", "POST"])
@organizer_required
def edit_milestone(project_id: int, milestone_id: int):
    project = _project(project_id)
    milestone = _milestone(project, milestone_id)
    if request.method == "GET":
        return render_template("inspection/edit_milestone.html", project=project, milestone=milestone,
                               form=MilestoneForm(obj=milestone))
    form = MilestoneForm(request.form)
    if form.validate() and commit_or_flash(
            lambda: projects.update_milestone(milestone, form.service_data(), current_user, _today())) is None:
        flash(_("已保存"), "success")
        return _back(project_id, f"milestone-{milestone_id}")
    _flash_form_errors(form)
    project = _project(project_id)
    return render_template("inspection/edit_milestone.html", project=project,
                           milestone=_milestone(project, milestone_id), form=form), 400


@bp.post("/projects/<int:project_id>/milestones/<int:milestone_id>/actual")
@organizer_required
def record_actual(project_id: int, milestone_id: int):
    project = _project(project_id)
    milestone = _milestone(project, milestone_id)
    form = ActualForm(request.form)
    if not form.validate():
        _flash_form_errors(form)
    elif commit_or_flash(
            lambda: projects.record_actual(milestone, form.actual_on.data, current_user, _today())) is None:
        flash(_("已记录实际完成日期"), "success")
    return _back(project_id, f"milestone-{milestone_id}")


# ---- coverage (考察覆盖) and the 考察台账 -------------------------------------------------------


def _coverage():
    """The coverage of the year (?year=, default this year) and category (?category=) asked."""
    today = _today()
    year = request.args.get("year", type=int) or today.year
    if not 2000 <= year <= today.year + 1:
        year = today.year
    category = request.args.get("category", "").strip()[:50] or None
    since = coverage.log_start(current_app.config.get("INSPECTION_COVERAGE_SINCE"))
    view = coverage.build_coverage(_scope(), YearMonth(year, 1), YearMonth(year, 12), today,
                                   n=coverage.window_days(current_app.config), since=since, category=category)
    first_year = min(since.year, today.year) if since else today.year
    return view, year, category, list(range(today.year, first_year - 1, -1))


@bp.get("/coverage")
@login_required
def show_coverage():
    view, year, category, years = _coverage()
    return render_template("inspection/coverage.html", coverage=view, year=year, category=category, years=years,
                           categories=coverage.categories(_scope()), cell_labels=coverage.CELL_LABELS)


@bp.get("/coverage/ledger.xlsx")
@login_required
def export_ledger():
    view, year, _category, _years = _coverage()
    data = ledger.ledger_workbook(view, _scope())
    response = send_file(BytesIO(data), mimetype=XLSX_MIMETYPE, as_attachment=True,
                         download_name=_("考察台账-%(year)s.xlsx", year=year))
    response.headers["Cache-Control"] = "private, no-store"
    return response


# ---- visits (考察纪实): views in inspection_visits -------------------------------------------------

#: (rule, view, methods) of the visit pages; the endpoint is the view's name.
VISIT_URLS = (
    ("/visits/", visit_views.list_visits, ["GET"]),
    ("/visits/new", visit_views.new_visit, ["GET", "POST"]),
    ("/visits/<int:visit_id>", visit_views.show_visit, ["GET"]),
    ("/visits/<int:visit_id>/edit", visit_views.edit_visit, ["GET", "POST"]),
    ("/visits/<int:visit_id>/days", visit_views.save_visit_day, ["POST"]),
    ("/visits/<int:visit_id>/photos", visit_views.add_visit_photos, ["POST"]),
    ("/visits/<int:visit_id>/photos/<int:photo_id>", visit_views.visit_photo, ["GET"]),
    ("/visits/<int:visit_id>/photos/<int:photo_id>/remove", visit_views.confirm_remove_visit_photo, ["GET"]),
    ("/visits/<int:visit_id>/photos/<int:photo_id>/remove", visit_views.remove_visit_photo, ["POST"]),
    ("/visits/<int:visit_id>/findings", visit_views.add_visit_finding, ["POST"]),
)
for _rule, _view, _methods in VISIT_URLS:
    bp.add_url_rule(_rule, view_func=login_required(_view), methods=_methods)

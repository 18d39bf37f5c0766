"""The permission policy: who may do what to which object (docs/permissions.md).

Every route of the app is declared in ROUTES with the one *need* it has, and
`blueprints/access.enforce` (a before-request hook of the app) asks `decide()` before any
view runs. Views never decide on their own; they may narrow further (a scoped user's rows
inside a shared survey or plan are filtered by the services with `scope_of(user)`).

Pure decisions from a user and an object: nothing here imports Flask or the database.
The objects are model instances (or any object with the same attributes) loaded by the
caller: a survey's `subjects[*].unit_id`, a plan's `subjects[*].unit_id`, a plan subject's
`unit_id`, a cadre's `unit_id`.

Ownership is derived from the rows, not stored: a survey or plan *belongs to* the units
of its subjects. One whose subjects all lie in a scoped user's units is theirs to manage;
one with no subject, with a subject of no unit, or spanning units outside their scope is
city-wide: only unscoped organizers and administrators manage it. A scoped user reads a
survey or plan when at least one of its subjects is in their units (and then sees only
those rows), and enters a plan's per-subject inputs (scores, flags, bonus and deduction
items) for the subjects of their units only.

Declaring a new route: add its endpoint to ROUTES with one of the needs below. The
route-walking test (tests/app/test_access_matrix.py) fails, naming the endpoint, for any
route without a declaration, and `enforce` refuses an undeclared endpoint with 403 (fail
closed). Pick the need by the object the URL names and what the view does with it:

    PUBLIC            respondents, sign-in, static files: no account needed
    TOKEN             the results API: the view checks the bearer token itself
    ACCOUNT           any signed-in account, unit reporters included, on its own account
                      (sign out, change password)
    SIGNED_IN         any staff member, on their own things or lists filtered by scope
    ORGANIZE          organizers and admins; creates a new object (checked again after)
    ADMIN             administrators only (accounts)
    AUDIT             organizers and admins; the log is filtered by scope
    READ_SURVEY       survey_id / batch_id / link_id: staff who may read the survey
    MANAGE_SURVEY     the same, to change it (wording, structure, lifecycle, codes)
    CITY_SURVEY       raw ballots of a survey: unscoped organizers and admins only (a
                      ballot rates subjects of several units: no scope can cut it)
    READ_PLAN         plan_id: staff who may read the plan
    MANAGE_PLAN       plan_id: change the whole plan (method, subjects, lifecycle, overrides)
    PLAN_ROWS         plan_id: enter per-subject inputs in bulk; the service keeps only
                      the rows of `scope_of(user)`
    SURVEY_ROWS       survey_id: organizers act on respondents' texts (mask, 转办); the
                      view finds the text only among those `scope_of(user)` is shown
    EDIT_PLAN_SUBJECT plan_id + subject_id (or an adjustment's item_id): one subject's inputs
    READ_DOSSIER      key: the cadre's dossier
    EDIT_DOSSIER      key: record, edit or verify the cadre's evidence
    CITY_DOCUMENT     a city-wide document (an indicator system, 考核细则): unscoped
                      organizers and admins change it; every staff member reads it
                      (SIGNED_IN), scoped organizers included
    READ_PROJECT      project_id: a key project, read by staff of one of its units
    MANAGE_PROJECT    project_id: change the project or its milestones; a scoped organizer
                      only for a project whose units all lie in their scope
    READ_VISIT        visit_id: a visit (考察纪实), its photos and findings, read by staff
                      of one of its units
    MANAGE_VISIT      visit_id: change the visit, its daily log, photos and findings; a
                      scoped organizer only for a visit whose units all lie in their scope
    READ_UNIT_WORK    unit_id: a unit's own work for the 效能办 (targets, progress,
                      self-assessment, evidence): staff whose scope holds the unit, and the
                      unit's reporter
    UNIT_WORK         unit_id: fill in that work: the unit's reporter, and organizers whose
                      scope holds the unit
    READ_REGISTER     entry_id: a register item of 正向激励 / 效能督查 and its files: staff
                      whose scope holds its unit (the unit's reporter reads it through the
                      READ_UNIT_WORK pages of the unit)
    MANAGE_REGISTER   entry_id: edit the item and its files: organizers whose scope holds
                      its unit
    APPROVE_REGISTER  entry_id: approve, reject, withdraw an approval: unscoped organizers
                      and admins
    READ_UNIT         unit_id: a unit's records for staff (the pre-visit brief, 进点前调阅):
                      staff whose scope holds the unit; never the unit's reporter
    CONFIDENTIAL      the inspection team's confidential records (个别谈话): the list (filtered
                      by scope) and the new-talk form: administrators, and organizers who are
                      on the inspection team (User.is_inspector); anyone else 403
    TALK              talk_id: read or change one talk: the same accounts, and only when the
                      talk's unit lies in their scope; anyone else 404 (its existence is not
                      revealed). Never a viewer, never an organizer off the team, never a
                      reporter: "never the cadre's unit" (docs/permissions.md)

Unit reporters (单位填报员, Role.REPORTER) are bound to exactly one unit, their only scoped
unit. They use ACCOUNT, READ_UNIT_WORK and UNIT_WORK routes of that unit and nothing else:
every other need is refused them (404 where the URL names an object, 403 otherwise), so
no survey, result, plan, dossier or other unit is ever in their reach.
"""

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from survey_app.models.base import Role


class Need(enum.Enum):
    PUBLIC = "public"
    TOKEN = "token"
    ACCOUNT = "account"
    SIGNED_IN = "signed_in"
    ORGANIZE = "organize"
    ADMIN = "admin"
    AUDIT = "audit"
    READ_SURVEY = "read_survey"
    MANAGE_SURVEY = "manage_survey"
    CITY_SURVEY = "city_survey"
    READ_PLAN = "read_plan"
    MANAGE_PLAN = "manage_plan"
    PLAN_ROWS = "plan_rows"
    SURVEY_ROWS = "survey_rows"
    EDIT_PLAN_SUBJECT = "edit_plan_subject"
    READ_DOSSIER = "read_dossier"
    EDIT_DOSSIER = "edit_dossier"
    CITY_DOCUMENT = "city_document"
    READ_PROJECT = "read_project"
    MANAGE_PROJECT = "manage_project"
    READ_VISIT = "read_visit"
    MANAGE_VISIT = "manage_visit"
    READ_UNIT_WORK = "read_unit_work"
    UNIT_WORK = "unit_work"
    READ_REGISTER = "read_register"
    MANAGE_REGISTER = "manage_register"
    APPROVE_REGISTER = "approve_register"
    READ_UNIT = "read_unit"
    CONFIDENTIAL = "confidential"
    TALK = "talk"


class Decision(enum.Enum):
    ALLOW = "allow"
    SIGN_IN = "sign_in"  # not signed in: to the sign-in page
    FORBID = "forbid"  # may see the object, not do this: 403
    HIDE = "hide"  # may not know the object exists: 404


N = Need
#: Every endpoint of the app and its need. A route missing here is refused (403).
ROUTES: dict[str, Need] = {
    # respondents, sign-in, static files
    "static": N.PUBLIC, "main.index": N.PUBLIC, "main.healthz": N.PUBLIC, "main.set_locale": N.PUBLIC,
    "auth.login": N.PUBLIC, "respondent.enter_code": N.PUBLIC, "respondent.take_ballot": N.PUBLIC,
    "respondent.submit_ballot": N.PUBLIC, "respondent.thanks": N.PUBLIC, "respondent.take_open_ballot": N.PUBLIC,
    "respondent.submit_open_ballot": N.PUBLIC, "api.ballot_form": N.PUBLIC, "api.submit_ballot": N.PUBLIC,
    "api.openapi_document": N.PUBLIC,
    "results_api.survey_results": N.TOKEN,
    # own things and lists filtered by scope
    "auth.logout": N.ACCOUNT, "auth.change_password": N.ACCOUNT, "tokens.list_tokens": N.SIGNED_IN, "tokens.create_token": N.SIGNED_IN,
    "tokens.revoke_token": N.SIGNED_IN, "tokens.confirm_revoke_token": N.SIGNED_IN, "admin.list_surveys": N.SIGNED_IN, "assessments.list_plans": N.SIGNED_IN,
    "dossiers.list_dossiers": N.SIGNED_IN,
    # accounts and the log
    "admin.list_users": N.ADMIN, "admin.edit_user": N.ADMIN, "admin.reset_password": N.ADMIN, "admin.confirm_reset_password": N.ADMIN,
    "admin.audit_log": N.AUDIT,
    # respondents' texts: the list of 转办 items is filtered by scope, and an item is found
    # only within it (services/followups.get_followup); originals are for administrators
    "answers.list_followups": N.SIGNED_IN, "answers.advance_followup": N.ORGANIZE,
    "answers.unmask_text": N.ADMIN,
    # new objects
    "admin.new_survey": N.ORGANIZE, "admin.import_survey": N.ORGANIZE, "rosters.download_template": N.ORGANIZE,
    "assessments.new_plan": N.ORGANIZE,
    # surveys
    "admin.edit_survey": N.READ_SURVEY, "admin.export_survey": N.READ_SURVEY, "reports.show_results": N.READ_SURVEY,
    "reports.show_subject": N.READ_SURVEY, "reports.ranking_chart": N.READ_SURVEY,
    "reports.subject_chart": N.READ_SURVEY, "reports.export_xlsx": N.READ_SURVEY, "reports.export_pdf": N.READ_SURVEY,
    "reports.export_subject_pdf": N.READ_SURVEY, "codes.turnout": N.READ_SURVEY, "codes.turnout_data": N.READ_SURVEY,
    "admin.update_settings": N.MANAGE_SURVEY, "admin.change_status": N.MANAGE_SURVEY,
    "admin.apply_scale_preset": N.MANAGE_SURVEY, "admin.delete_survey": N.MANAGE_SURVEY,
    "admin.add_item": N.MANAGE_SURVEY, "admin.add_subjects_in_bulk": N.MANAGE_SURVEY,
    "admin.edit_item": N.MANAGE_SURVEY, "admin.remove_item": N.MANAGE_SURVEY, "admin.move_item": N.MANAGE_SURVEY,
    "admin.clone_survey": N.MANAGE_SURVEY, "rosters.import_roster": N.MANAGE_SURVEY,
    "codes.manage": N.MANAGE_SURVEY, "codes.issue_codes": N.MANAGE_SURVEY, "codes.void_batch": N.MANAGE_SURVEY,
    "codes.reissue_batch": N.MANAGE_SURVEY, "codes.void_code": N.MANAGE_SURVEY,
    "codes.create_open_link": N.MANAGE_SURVEY, "codes.toggle_open_link": N.MANAGE_SURVEY,
    "codes.open_link_qr": N.MANAGE_SURVEY, "reports.verify_archive": N.MANAGE_SURVEY,
    "codes.add_venue": N.MANAGE_SURVEY, "codes.remove_venue": N.MANAGE_SURVEY,
    "admin.confirm_status": N.MANAGE_SURVEY, "admin.confirm_delete_survey": N.MANAGE_SURVEY,
    "admin.confirm_remove_item": N.MANAGE_SURVEY, "admin.edit_subjects_in_bulk": N.MANAGE_SURVEY,
    "admin.preview_ballot": N.MANAGE_SURVEY, "codes.confirm_batch_action": N.MANAGE_SURVEY,
    "answers.show_answers": N.READ_SURVEY, "answers.choice_chart": N.READ_SURVEY,
    "answers.export_texts": N.READ_SURVEY,
    "answers.mask_text": N.SURVEY_ROWS, "answers.forward_text": N.SURVEY_ROWS,
    "reports.export_csv": N.CITY_SURVEY, "reports.export_checksum": N.CITY_SURVEY,
    "reports.show_quality": N.CITY_SURVEY, "reports.set_exclusion": N.CITY_SURVEY,
    # assessment plans
    "assessments.show_plan": N.READ_PLAN, "assessments.show_subject": N.READ_PLAN,
    "assessments.export_xlsx": N.READ_PLAN, "assessments.export_pdf": N.READ_PLAN,
    "assessments.update_plan": N.MANAGE_PLAN, "assessments.delete_plan": N.MANAGE_PLAN, "assessments.confirm_delete_plan": N.MANAGE_PLAN,
    "assessments.change_status": N.MANAGE_PLAN, "assessments.add_category": N.MANAGE_PLAN,
    "assessments.remove_category": N.MANAGE_PLAN,
    "assessments.confirm_remove_category": N.MANAGE_PLAN, "assessments.add_component": N.MANAGE_PLAN,
    "assessments.update_component": N.MANAGE_PLAN, "assessments.remove_component": N.MANAGE_PLAN,
    "assessments.confirm_remove_component": N.MANAGE_PLAN,
    "assessments.add_subject": N.MANAGE_PLAN, "assessments.import_subjects": N.MANAGE_PLAN,
    "assessments.remove_subject": N.MANAGE_PLAN, "assessments.confirm_remove_subject": N.MANAGE_PLAN, "assessments.override_grade": N.MANAGE_PLAN,
    "assessments.clear_override": N.MANAGE_PLAN, "assessments.confirm_clear_override": N.MANAGE_PLAN, "assessments.confirm_results": N.MANAGE_PLAN,
    "assessments.bulk_scores": N.PLAN_ROWS, "assessments.show_import": N.PLAN_ROWS,
    "assessments.download_score_template": N.PLAN_ROWS, "assessments.download_adjustment_template": N.PLAN_ROWS,
    "assessments.import_scores": N.PLAN_ROWS, "assessments.import_adjustments": N.PLAN_ROWS,
    "assessments.update_flags": N.EDIT_PLAN_SUBJECT, "assessments.set_score": N.EDIT_PLAN_SUBJECT,
    "assessments.add_adjustment": N.EDIT_PLAN_SUBJECT, "assessments.remove_adjustment": N.EDIT_PLAN_SUBJECT,
    "assessments.confirm_remove_adjustment": N.EDIT_PLAN_SUBJECT,
    # cadre dossiers
    "dossiers.show_dossier": N.READ_DOSSIER, "dossiers.export_pdf": N.READ_DOSSIER,
    "dossiers.trend_chart": N.READ_DOSSIER, "dossiers.survey_chart": N.READ_DOSSIER,
    "dossiers.add_evidence": N.EDIT_DOSSIER, "dossiers.edit_evidence": N.EDIT_DOSSIER,
    "dossiers.verify_evidence": N.EDIT_DOSSIER, "dossiers.remove_evidence": N.EDIT_DOSSIER, "dossiers.confirm_remove_evidence": N.EDIT_DOSSIER,
    # indicator systems (考核细则): city-wide documents, read by all staff
    "targets.list_systems": N.SIGNED_IN, "targets.show_system": N.SIGNED_IN, "targets.export_json": N.SIGNED_IN,
    "targets.export_xlsx": N.SIGNED_IN, "targets.download_template": N.SIGNED_IN,
    "targets.import_system": N.CITY_DOCUMENT, "targets.publish_system": N.CITY_DOCUMENT,
    "targets.confirm_publish": N.CITY_DOCUMENT, "targets.delete_system": N.CITY_DOCUMENT,
    "targets.confirm_delete": N.CITY_DOCUMENT,
    # negotiated targets: the unit's pages (its reporter and staff of the unit), the 效能办's
    # review and the start of a round, the dashboard (rows filtered by scope)
    "negotiation.unit_workspace": N.READ_UNIT_WORK, "negotiation.show_sheet": N.READ_UNIT_WORK,
    "negotiation.act_on_sheet": N.UNIT_WORK, "negotiation.review_sheet": N.CITY_DOCUMENT,
    "negotiation.decide_sheet": N.CITY_DOCUMENT, "negotiation.start_setting": N.CITY_DOCUMENT,
    "negotiation.show_dashboard": N.SIGNED_IN,
    # 指标考评 scores: the ranking and chart cut to the reader's units; a unit's breakdown is its own work
    "target_scores.show_ranking": N.SIGNED_IN, "target_scores.completion_chart": N.SIGNED_IN,
    "target_scores.show_unit": N.READ_UNIT_WORK,
    # a unit's year-end work on its approved targets: progress, 自评 and evidence (the unit),
    # 现场核验 (the 效能办: a city-wide duty, so CITY_DOCUMENT; the view keeps the sheet to the URL's unit)
    "year_end.overview": N.SIGNED_IN, "year_end.list_sheets": N.READ_UNIT_WORK, "year_end.show_progress": N.READ_UNIT_WORK,
    "year_end.show_self_assessment": N.READ_UNIT_WORK, "year_end.download_evidence": N.READ_UNIT_WORK,
    "year_end.edit_progress": N.UNIT_WORK, "year_end.save_self_assessment": N.UNIT_WORK,
    "year_end.hand_in": N.UNIT_WORK, "year_end.remove_evidence": N.UNIT_WORK,
    "year_end.show_verification": N.CITY_DOCUMENT, "year_end.save_verification": N.CITY_DOCUMENT,
    "year_end.close_verification": N.CITY_DOCUMENT, "year_end.reopen_verification": N.CITY_DOCUMENT,
    "year_end.return_self_assessment": N.CITY_DOCUMENT,
    # key projects (一线考察): the list is filtered by scope
    "inspection.list_projects": N.SIGNED_IN, "inspection.new_project": N.ORGANIZE,
    "inspection.show_project": N.READ_PROJECT, "inspection.edit_project": N.MANAGE_PROJECT,
    "inspection.add_milestone": N.MANAGE_PROJECT, "inspection.edit_milestone": N.MANAGE_PROJECT,
    "inspection.record_actual": N.MANAGE_PROJECT,
    # registers of 正向激励 and 效能督查: the list is filtered by scope; approval is city-wide
    "registers.list_entries": N.SIGNED_IN, "registers.new_entry": N.ORGANIZE,
    "registers.show_entry": N.READ_REGISTER, "registers.download_evidence": N.READ_REGISTER,
    "registers.edit_entry": N.MANAGE_REGISTER, "registers.add_evidence": N.MANAGE_REGISTER,
    "registers.confirm_remove_evidence": N.MANAGE_REGISTER, "registers.remove_evidence": N.MANAGE_REGISTER,
    "registers.approve_entry": N.APPROVE_REGISTER, "registers.reject_entry": N.APPROVE_REGISTER,
    "registers.confirm_withdraw": N.APPROVE_REGISTER, "registers.withdraw_approval": N.APPROVE_REGISTER,
    "registers.unit_entries": N.READ_UNIT_WORK, "registers.unit_evidence": N.READ_UNIT_WORK,
    "assessments.preview_register_sync": N.MANAGE_PLAN, "assessments.sync_registers": N.MANAGE_PLAN,
    # visits (考察纪实): the list is filtered by scope; a photo is served after the view
    # checks it is the visit's
    "inspection.list_visits": N.SIGNED_IN, "inspection.new_visit": N.ORGANIZE,
    "inspection.show_visit": N.READ_VISIT, "inspection.visit_photo": N.READ_VISIT,
    "inspection.edit_visit": N.MANAGE_VISIT, "inspection.save_visit_day": N.MANAGE_VISIT,
    "inspection.add_visit_photos": N.MANAGE_VISIT, "inspection.confirm_remove_visit_photo": N.MANAGE_VISIT,
    "inspection.remove_visit_photo": N.MANAGE_VISIT, "inspection.add_visit_finding": N.MANAGE_VISIT,
    # coverage (考察覆盖) and the 考察台账: rows filtered by scope
    "inspection.show_coverage": N.SIGNED_IN, "inspection.export_ledger": N.SIGNED_IN,
    # confidential talks (个别谈话): the inspection team and administrators only
    "talks.list_talks": N.CONFIDENTIAL, "talks.new_talk": N.CONFIDENTIAL,
    "talks.show_talk": N.TALK, "talks.edit_talk": N.TALK,
    # the pre-visit brief (进点前调阅): a cadre's, read like the dossier; a unit's, by its staff
    "briefs.cadre_brief": N.READ_DOSSIER, "briefs.cadre_brief_pdf": N.READ_DOSSIER,
    "briefs.unit_brief": N.READ_UNIT, "briefs.unit_brief_pdf": N.READ_UNIT,
}
del N

#: The object each need is decided on (what `blueprints/access` loads from the URL).
OBJECT_OF = {
    Need.READ_SURVEY: "survey", Need.MANAGE_SURVEY: "survey", Need.CITY_SURVEY: "survey",
    Need.SURVEY_ROWS: "survey",
    Need.READ_PLAN: "plan", Need.MANAGE_PLAN: "plan", Need.PLAN_ROWS: "plan",
    Need.EDIT_PLAN_SUBJECT: "plan_subject", Need.READ_DOSSIER: "cadre", Need.EDIT_DOSSIER: "cadre",
    Need.READ_PROJECT: "project", Need.MANAGE_PROJECT: "project",
    Need.READ_VISIT: "visit", Need.MANAGE_VISIT: "visit",
    Need.READ_UNIT_WORK: "unit", Need.UNIT_WORK: "unit",
    Need.READ_REGISTER: "register_entry", Need.MANAGE_REGISTER: "register_entry",
    Need.APPROVE_REGISTER: "register_entry",
    Need.READ_UNIT_WORK: "unit", Need.UNIT_WORK: "unit", Need.READ_UNIT: "unit",
    Need.TALK: "talk",
}

#: The needs a unit reporter may use at all (on their own unit, for the last two).
REPORTER_NEEDS = frozenset({Need.ACCOUNT, Need.READ_UNIT_WORK, Need.UNIT_WORK})


# ---- who the user is --------------------------------------------------------------------------


def scope_of(user: Any) -> frozenset[int] | None:
    """Return the unit ids the user is limited to, or None for a city-wide account.

    A unit reporter is never city-wide: one whose unit is gone is limited to nothing."""
    ids = frozenset(unit.id for unit in user.scoped_units)
    return ids if ids or is_reporter(user) else None


def is_reporter(user: Any) -> bool:
    return user.role is Role.REPORTER


def is_organizer(user: Any) -> bool:
    return user.role in (Role.ADMIN, Role.ORGANIZER)


def in_scope(user: Any, unit_id: int | None) -> bool:
    """Whether a row of this unit is the user's to see (a row of no unit: city-wide users only)."""
    scope = scope_of(user)
    return scope is None or unit_id in scope


# ---- ownership of surveys and plans -----------------------------------------------------------


def _unit_ids(subjects: Iterable[Any]) -> set[int | None]:
    return {subject.unit_id for subject in subjects}


def reads_units(user: Any, subjects: Iterable[Any]) -> bool:
    """A scoped user reads a survey or plan holding at least one subject of their units."""
    scope = scope_of(user)
    return scope is None or bool(_unit_ids(subjects) & scope)


def owns_units(user: Any, subjects: Iterable[Any]) -> bool:
    """A scoped user manages a survey or plan whose subjects all lie in their units; an
    empty one, or one with a subject of no unit, is city-wide."""
    return owns_unit_ids(user, _unit_ids(subjects))


def owns_unit_ids(user: Any, unit_ids: set[int | None]) -> bool:
    scope = scope_of(user)
    return scope is None or (bool(unit_ids) and unit_ids <= scope)


def may_read_survey(user: Any, survey: Any) -> bool:
    return reads_units(user, survey.subjects)


def may_manage_survey(user: Any, survey: Any) -> bool:
    return is_organizer(user) and owns_units(user, survey.subjects)


def may_read_plan(user: Any, plan: Any) -> bool:
    return reads_units(user, plan.subjects)


def may_manage_plan(user: Any, plan: Any) -> bool:
    return is_organizer(user) and owns_units(user, plan.subjects)


def may_edit_plan_subject(user: Any, subject: Any) -> bool:
    return is_organizer(user) and in_scope(user, subject.unit_id)


def may_read_dossier(user: Any, cadre: Any) -> bool:
    return in_scope(user, cadre.unit_id)


def may_edit_dossier(user: Any, cadre: Any) -> bool:
    return is_organizer(user) and in_scope(user, cadre.unit_id)


def _project_unit_ids(project: Any) -> set[int | None]:
    return {unit.id for unit in project.units}


def may_read_unit_work(user: Any, unit: Any) -> bool:
    return in_scope(user, unit.id)


def may_do_unit_work(user: Any, unit: Any) -> bool:
    """The unit's reporter, or an organizer whose scope holds the unit."""
    return (is_reporter(user) or is_organizer(user)) and in_scope(user, unit.id)


def may_read_register_entry(user: Any, entry: Any) -> bool:
    return in_scope(user, entry.unit_id)


def may_manage_register_entry(user: Any, entry: Any) -> bool:
    """Organizers whose scope holds the item's unit."""
    return is_organizer(user) and in_scope(user, entry.unit_id)
def is_inspection_team(user: Any) -> bool:
    """Administrators, and organizers flagged 考察组成员: the only readers of talks. A viewer
    or reporter carrying the flag (refused by `users.update_user`) is still not one."""
    return user.role is Role.ADMIN or (user.role is Role.ORGANIZER and bool(getattr(user, "is_inspector", False)))


def may_read_talk(user: Any, talk: Any) -> bool:
    """The inspection team reads and records the talks about cadres of their units."""
    return is_inspection_team(user) and in_scope(user, talk.unit_id)


def may_read_project(user: Any, project: Any) -> bool:
    """A scoped user reads a key project linked to at least one of their units."""
    scope = scope_of(user)
    return scope is None or bool(_project_unit_ids(project) & scope)


def may_manage_project(user: Any, project: Any) -> bool:
    """Organizers change a project; a scoped one only when all its units are theirs."""
    return is_organizer(user) and owns_unit_ids(user, _project_unit_ids(project))


def may_read_visit(user: Any, visit: Any) -> bool:
    """A scoped user reads a visit of at least one of their units (a visit belongs to its units)."""
    return may_read_project(user, visit)


def may_manage_visit(user: Any, visit: Any) -> bool:
    """Organizers change a visit; a scoped one only when all its units are theirs."""
    return may_manage_project(user, visit)


# ---- the decision -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    read: Any  # (user, object) -> bool: False hides the object (404)
    act: Any  # (user, object) -> bool: False forbids the action (403)


def _always(_user: Any, _obj: Any) -> bool:
    return True


def _organizer(user: Any, _obj: Any) -> bool:
    return is_organizer(user)


def _city_organizer(user: Any, _obj: Any) -> bool:
    return is_organizer(user) and scope_of(user) is None


_RULES = {
    Need.ACCOUNT: _Rule(_always, _always),
    Need.SIGNED_IN: _Rule(_always, _always),
    Need.ORGANIZE: _Rule(_always, _organizer),
    Need.AUDIT: _Rule(_always, _organizer),
    Need.ADMIN: _Rule(_always, lambda user, _obj: user.role is Role.ADMIN),
    Need.READ_SURVEY: _Rule(may_read_survey, _always),
    Need.MANAGE_SURVEY: _Rule(may_read_survey, may_manage_survey),
    Need.CITY_SURVEY: _Rule(may_read_survey, _city_organizer),
    Need.SURVEY_ROWS: _Rule(may_read_survey, _organizer),
    Need.READ_PLAN: _Rule(may_read_plan, _always),
    Need.MANAGE_PLAN: _Rule(may_read_plan, may_manage_plan),
    Need.PLAN_ROWS: _Rule(may_read_plan, _organizer),
    Need.EDIT_PLAN_SUBJECT: _Rule(lambda user, subject: in_scope(user, subject.unit_id), may_edit_plan_subject),
    Need.READ_DOSSIER: _Rule(may_read_dossier, _always),
    Need.EDIT_DOSSIER: _Rule(may_read_dossier, may_edit_dossier),
    Need.CITY_DOCUMENT: _Rule(_always, _city_organizer),
    Need.READ_PROJECT: _Rule(may_read_project, _always),
    Need.MANAGE_PROJECT: _Rule(may_read_project, may_manage_project),
    Need.READ_VISIT: _Rule(may_read_visit, _always),
    Need.MANAGE_VISIT: _Rule(may_read_visit, may_manage_visit),
    Need.READ_UNIT_WORK: _Rule(may_read_unit_work, _always),
    Need.UNIT_WORK: _Rule(may_read_unit_work, may_do_unit_work),
    Need.READ_REGISTER: _Rule(may_read_register_entry, _always),
    Need.MANAGE_REGISTER: _Rule(may_read_register_entry, may_manage_register_entry),
    Need.APPROVE_REGISTER: _Rule(may_read_register_entry, _city_organizer),
    Need.READ_UNIT: _Rule(may_read_unit_work, _always),
    Need.CONFIDENTIAL: _Rule(_always, lambda user, _obj: is_inspection_team(user)),
    Need.TALK: _Rule(may_read_talk, _always),
}


def need_of(endpoint: str | None) -> Need | None:
    """Return the endpoint's declared need, or None when it has none (refuse it)."""
    return ROUTES.get(endpoint or "")


def decide(user: Any, need: Need, obj: Any = None) -> Decision:
    """Decide whether `user` (None when not signed in) may use a route of `need` on `obj`
    (the object of OBJECT_OF[need], already loaded; None for needs without one)."""
    if need in (Need.PUBLIC, Need.TOKEN):
        return Decision.ALLOW
    if user is None:
        return Decision.SIGN_IN
    if is_reporter(user) and need not in REPORTER_NEEDS:
        return Decision.HIDE if need in OBJECT_OF else Decision.FORBID
    rule = _RULES[need]
    if not rule.read(user, obj):
        return Decision.HIDE
    return Decision.ALLOW if rule.act(user, obj) else Decision.FORBID

"""Survey builder and administration (blueprint "admin", /admin). Organizers design
surveys; viewers only read.

View modules: survey_views (the survey list, creating a survey, settings, lifecycle
steps, preview, scale preset, deleting a draft), item_views (builder items), definition_views
(survey as code and cloning), user_views (accounts and the audit log). They share
builder_page (the builder page and its forms) and feedback (confirmation pages, flashed
errors).

The URL map is here, in one place (Flask's "centralized URL map", add_url_rule): the view
modules need no blueprint object, so none of them imports this module and the imports run
one way. Each endpoint is named after its view function, as with @bp.get, so the names
stay admin.<view> (services/platform/permissions.py ROUTES and url_for rely on them).
"""

from flask import Blueprint

from survey_app.blueprints.admin import definition_views, item_views, survey_views, user_views

bp = Blueprint("admin", __name__, url_prefix="/admin")

#: (rule, view, methods) of every admin screen.
URL_MAP = (
    ("/surveys", survey_views.list_surveys, ["GET"]),
    ("/surveys/new", survey_views.new_survey, ["GET", "POST"]),
    ("/surveys/<int:survey_id>", survey_views.edit_survey, ["GET"]),
    ("/surveys/<int:survey_id>/settings", survey_views.update_settings, ["POST"]),
    ("/surveys/<int:survey_id>/status/<action>", survey_views.confirm_status, ["GET"]),
    ("/surveys/<int:survey_id>/status/<action>", survey_views.change_status, ["POST"]),
    ("/surveys/<int:survey_id>/preview/<int:group_id>", survey_views.preview_ballot, ["GET"]),
    ("/surveys/<int:survey_id>/scale", survey_views.apply_scale_preset, ["POST"]),
    ("/surveys/<int:survey_id>/delete", survey_views.confirm_delete_survey, ["GET"]),
    ("/surveys/<int:survey_id>/delete", survey_views.delete_survey, ["POST"]),
    ("/surveys/<int:survey_id>/<kind>/add", item_views.add_item, ["POST"]),
    ("/surveys/<int:survey_id>/subjects/bulk", item_views.add_subjects_in_bulk, ["POST"]),
    ("/surveys/<int:survey_id>/subjects/bulk-edit", item_views.edit_subjects_in_bulk, ["POST"]),
    ("/surveys/<int:survey_id>/<kind>/<int:item_id>/edit", item_views.edit_item, ["GET", "POST"]),
    ("/surveys/<int:survey_id>/<kind>/<int:item_id>/remove", item_views.confirm_remove_item, ["GET"]),
    ("/surveys/<int:survey_id>/<kind>/<int:item_id>/remove", item_views.remove_item, ["POST"]),
    ("/surveys/<int:survey_id>/<kind>/<int:item_id>/move/<direction>", item_views.move_item, ["POST"]),
    ("/surveys/<int:survey_id>/definition.json", definition_views.export_survey, ["GET"]),
    ("/surveys/import", definition_views.import_survey, ["GET", "POST"]),
    ("/surveys/<int:survey_id>/clone", definition_views.clone_survey, ["POST"]),
    ("/users", user_views.list_users, ["GET", "POST"]),
    ("/users/<int:user_id>", user_views.edit_user, ["GET", "POST"]),
    ("/users/<int:user_id>/password", user_views.confirm_reset_password, ["GET"]),
    ("/users/<int:user_id>/password", user_views.reset_password, ["POST"]),
    ("/audit", user_views.audit_log, ["GET"]),
)

for rule, view, methods in URL_MAP:
    bp.add_url_rule(rule, view_func=view, methods=methods)

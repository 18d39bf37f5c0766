"""What the admin screens tell the user besides the page itself: the confirmation page
an irreversible step asks for first, and domain errors flashed.
"""

from flask import flash, render_template, request, url_for
from flask_babel import gettext as _

from survey_app.errors import ConfirmationRequired, DomainError
from survey_app.models import Survey


def is_confirmed() -> bool:
    return request.form.get("confirm") == "yes"


def confirmation_page(survey: Survey, heading, consequences: list[str], action_url: str, button_label,
                       back_anchor: str = "lifecycle", danger: bool = False):
    back_url = url_for("admin.edit_survey", survey_id=survey.id, _anchor=back_anchor)
    crumbs = [(_("评议活动"), url_for("admin.list_surveys")), (survey.title, back_url)]
    return render_template("admin/confirm.html", heading=heading, consequences=consequences, crumbs=crumbs,
                           action_url=action_url, button_label=button_label, back_url=back_url, danger=danger)


def needs_confirmation(error: DomainError | None) -> bool:
    return isinstance(error, ConfirmationRequired)


def flash_domain_error(error: DomainError) -> None:
    for message in getattr(error, "errors", [error.message]):
        flash(_(message), "error")

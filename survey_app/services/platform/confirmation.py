"""The rule every irreversible step follows: no step without its confirmation.

The web passes `confirmed` from the step's confirmation page; CLI commands and scripts
call services with the default `confirmed=True` (typing the command is the confirmation).
"""

from flask_babel import gettext as _

from survey_app.errors import ConfirmationRequired


def require_confirmation(confirmed: bool, message: str | None = None) -> None:
    """Refuse an irreversible step the user has not confirmed (on its confirmation page,
    unless `message` says where else)."""
    if not confirmed:
        raise ConfirmationRequired(message or _("此操作不可撤销，请先在确认页面上确认"))

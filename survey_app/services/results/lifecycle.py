"""A survey's lifecycle steps (publish, close, reopen, archive) and what each sets off.

Closing seals the ballots (services/respondents/sealing.py) and archiving records the
archive checksum (services/results/archive.py). The steps live here, above design,
respondents and results, so that none of those reaches back into another: the survey's
own rules (the transitions, publication_problems) stay in services/design/surveys.py.
"""

from datetime import UTC, datetime

from flask_babel import gettext as _

from survey_app.errors import ValidationFailed
from survey_app.models import Survey, User
from survey_app.services.design.surveys import publication_problems
from survey_app.services.platform import audit
from survey_app.services.platform.confirmation import require_confirmation
from survey_app.services.respondents import sealing
from survey_app.services.results import archive

#: Lifecycle steps that cannot be taken back: publishing locks the structure for good,
#: closing seals the ballots (reopening does not unseal them), archiving freezes all.
IRREVERSIBLE_ACTIONS = frozenset({"publish", "close", "archive"})


def change_status(survey: Survey, action: str, actor: User, *, confirmed: bool = True) -> None:
    """Run a lifecycle step (publish, close, reopen, archive) after its checks.

    The web passes `confirmed` from its confirmation page; CLI commands and scripts are
    explicit by themselves and keep the default.
    """
    if action in IRREVERSIBLE_ACTIONS:
        require_confirmation(confirmed)
    if action == "publish":
        problems = publication_problems(survey)
        if problems:
            raise ValidationFailed(_("问卷还不能发布"), problems)
    survey.transition(action)
    if action == "close":
        # Closing seals the ballots: nothing at storage level may tie them to codes any more.
        sealing.seal_survey(survey)
    if action == "archive":
        # Archiving records a checksum of the ballots, so a later change to them is detectable.
        archive.record_checksum(survey, datetime.now(UTC), actor)
    audit.record(actor, f"survey.{action}", "survey", survey.id, status=survey.status.value)

"""What may change in an assessment plan now, shared by every module that changes one: the
guards refusing a change to a confirmed plan (any change) or to a proposed one (the method
and the list of subjects), the reason a page shows for that refusal, the audit target of
every change, and the clean-up of typed text.
"""

from typing import Any

from flask_babel import gettext as _

from survey_app.errors import StructureLocked
from survey_app.models.assessment import AssessmentPlan

TARGET = "assessment_plan"


def require_unconfirmed(plan: AssessmentPlan) -> None:
    """Refuse any change to a confirmed plan (StructureLocked)."""
    if plan.is_confirmed:
        raise StructureLocked(_("考核结果已确认，不能再修改"))


def require_draft(plan: AssessmentPlan) -> None:
    """Refuse a change to the method or the list of subjects unless the plan is a draft
    (StructureLocked once grades are proposed or confirmed)."""
    require_unconfirmed(plan)
    if plan.is_method_locked:
        raise StructureLocked(_("已提出建议等次，考核办法和考核对象已固定；如需修改，请先撤回建议"))


def editing_refusal(plan: AssessmentPlan, *, method: bool) -> str | None:
    """Why the plan refuses a change now (None: it allows it); `method`: a change to the
    method or the list of subjects, which only a draft allows."""
    try:
        (require_draft if method else require_unconfirmed)(plan)
    except StructureLocked as error:
        return error.message
    return None


def clean_text(value: Any) -> str:
    """Return typed text stripped ("" for None); any other value as its str()."""
    return (value or "").strip() if isinstance(value, str | None) else str(value)

"""Every model, imported here so Alembic's autogenerate sees them all."""

from survey_app.models.api_token import ApiToken
from survey_app.models.assessment import (  # noqa: F401
    Adjustment,
    AssessmentPlan,
    ComponentScore,
    GradeDecision,
    PlanCategory,
    PlanComponent,
    PlanSubject,
)
from survey_app.models.ballot import (
    AccessCode,
    Answer,
    Ballot,
    CodeBatch,
    OpenLink,
    OpenReceipt,
    Rating,
    SubjectComment,
)
from survey_app.models.base import (
    Base,
    CodeStatus,
    QuestionKind,
    Role,
    ScaleKind,
    SubjectKind,
    SurveyKind,
    SurveyStatus,
)
from survey_app.models.dossier import EvidenceItem, EvidenceKind, EvidenceSource, VerificationStatus
from survey_app.models.feedback import Followup, FollowupStatus, TextRedaction
from survey_app.models.inspection import (
    KeyProject,
    Milestone,
    ProjectCadre,
    ProjectLevel,
    ProjectStatus,
    Visit,
    VisitCadre,
    VisitDay,
    VisitMethod,
    VisitPhoto,
)
from survey_app.models.negotiation import RoundAction, TargetDeadline, TargetRound
from survey_app.models.org import Unit
from survey_app.models.register import RegisterEntry, RegisterEvidence, RegisterSource, RegisterState
from survey_app.models.stored_file import FilePurpose, StoredFile
from survey_app.models.survey import (
    SCALE_ROLES,
    Dimension,
    Question,
    RespondentGroup,
    ScaleOption,
    Subject,
    Survey,
    group_subjects,
)
from survey_app.models.talk import Talk, TalkRelation
from survey_app.models.target import (
    Direction,
    IndicatorNode,
    IndicatorSystem,
    SheetState,
    SystemStatus,
    TargetEvidence,
    TargetProgress,
    TargetResult,
    TargetSheet,
    UnitTarget,
    VerificationWay,
)
from survey_app.models.user import AuditEntry, User, user_unit_scopes
from survey_app.models.venue import VenueNetwork

__all__ = [
    "SCALE_ROLES", "AccessCode", "Answer", "ApiToken", "AuditEntry", "Ballot", "Base", "CodeBatch", "CodeStatus",
    "Dimension", "Direction", "EvidenceItem", "EvidenceKind", "EvidenceSource", "FilePurpose", "Followup",
    "FollowupStatus", "IndicatorNode", "IndicatorSystem", "KeyProject", "Milestone", "OpenLink",
    "OpenReceipt", "ProjectCadre", "RegisterEntry", "RegisterEvidence", "RegisterSource", "RegisterState", "ProjectLevel", "ProjectStatus", "Question", "QuestionKind", "Rating",
    "RespondentGroup", "Role", "RoundAction", "ScaleKind", "ScaleOption", "SheetState", "StoredFile", "Subject", "SubjectComment",
    "SubjectKind", "Survey", "SurveyKind", "SurveyStatus", "SystemStatus", "Talk", "TalkRelation", "TargetDeadline", "TargetEvidence", "TargetProgress", "TargetResult", "TargetRound", "TargetSheet",
    "TextRedaction", "Unit", "UnitTarget", "VerificationWay",
    "User", "VenueNetwork", "VerificationStatus", "Visit", "VisitCadre", "VisitDay", "VisitMethod", "VisitPhoto", "group_subjects", "user_unit_scopes",
]

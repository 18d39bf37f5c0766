"""A survey (评议活动) and its structure: subjects, dimensions, scale, groups, questions."""

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Enum,
    ForeignKey,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.errors import InvalidTransition
from survey_app.models.base import (
    Base,
    QuestionKind,
    ScaleKind,
    SubjectKind,
    SurveyKind,
    SurveyStatus,
    utcnow,
)

group_subjects = Table(
    "group_subjects",
    Base.metadata,
    Column("group_id", ForeignKey("respondent_groups.id", ondelete="CASCADE"), primary_key=True),
    Column("subject_id", ForeignKey("subjects.id", ondelete="CASCADE"), primary_key=True),
)

#: Allowed lifecycle steps: action → (states it starts from, state it leads to).
TRANSITIONS = {
    "publish": ((SurveyStatus.DRAFT,), SurveyStatus.PUBLISHED),
    "close": ((SurveyStatus.PUBLISHED,), SurveyStatus.CLOSED),
    "reopen": ((SurveyStatus.CLOSED,), SurveyStatus.PUBLISHED),
    "archive": ((SurveyStatus.CLOSED,), SurveyStatus.ARCHIVED),
}

if TYPE_CHECKING:
    from survey_app.models.org import Unit



def _ordered(cls_name: str) -> dict:
    return {"order_by": f"{cls_name}.position", "cascade": "all, delete-orphan"}


class Survey(Base):
    __tablename__ = "surveys"
    __table_args__ = (
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        CheckConstraint(
            "excellent_cap_percent IS NULL OR excellent_cap_percent BETWEEN 1 AND 100",
            name="excellent_cap_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SurveyKind] = mapped_column(Enum(SurveyKind, native_enum=False, length=20))
    year: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    #: Named surveys (领导评价) record who answered; anonymous ones never can.
    is_anonymous: Mapped[bool] = mapped_column(default=True)
    status: Mapped[SurveyStatus] = mapped_column(
        Enum(SurveyStatus, native_enum=False, length=20), default=SurveyStatus.DRAFT
    )
    scale_kind: Mapped[ScaleKind] = mapped_column(
        Enum(ScaleKind, native_enum=False, length=20), default=ScaleKind.OPTIONS
    )
    #: Ballot rule (评优比例): at most this share of subjects may get the top option.
    excellent_cap_percent: Mapped[int | None]
    #: 去掉一个最高分和一个最低分 in groups of at least five.
    trim_extremes: Mapped[bool] = mapped_column(default=False)
    #: Each subject's card on the ballot has an optional comment box (意见建议).
    subject_comments: Mapped[bool] = mapped_column(default=False)
    #: Cross-check flag when two groups' indices differ by more than this many points.
    disagreement_gap: Mapped[float] = mapped_column(default=15.0)
    #: Flag a subject whose worst-grade share exceeds this fraction.
    negative_share_threshold: Mapped[float] = mapped_column(default=1 / 3)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    cloned_from_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id", ondelete="SET NULL"))
    #: Set on archiving: SHA-256 over the canonical form of the survey's ballots
    #: (docs/operations.md, "Archive checksum"), so a later change to them is detectable.
    archive_sha256: Mapped[str | None] = mapped_column(String(64))
    #: Random salt of the checksum's part that no export shows (small groups, excluded
    #: ballots, answers, comments), so that part cannot be guessed from the digest.
    archive_salt: Mapped[str | None] = mapped_column(String(32))
    archived_at: Mapped[datetime | None]

    subjects: Mapped[list["Subject"]] = relationship(back_populates="survey", **_ordered("Subject"))
    dimensions: Mapped[list["Dimension"]] = relationship(back_populates="survey", **_ordered("Dimension"))
    scale_options: Mapped[list["ScaleOption"]] = relationship(
        back_populates="survey", **_ordered("ScaleOption")
    )
    groups: Mapped[list["RespondentGroup"]] = relationship(
        back_populates="survey", **_ordered("RespondentGroup")
    )
    questions: Mapped[list["Question"]] = relationship(back_populates="survey", **_ordered("Question"))

    @property
    def is_structure_locked(self) -> bool:
        return self.status is not SurveyStatus.DRAFT

    def can(self, action: str) -> bool:
        sources, _target = TRANSITIONS[action]
        return self.status in sources

    def transition(self, action: str) -> None:
        """Move to the state `action` leads to, or raise InvalidTransition."""
        if action not in TRANSITIONS or not self.can(action):
            raise InvalidTransition(_("当前状态下不能执行此操作"))
        self.status = TRANSITIONS[action][1]


class Subject(Base):
    """A rated subject (评议对象): a cadre, a unit or a leadership team."""

    __tablename__ = "subjects"
    __table_args__ = (UniqueConstraint("survey_id", "key", name="uq_subjects_survey_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    #: Stable across years (e.g. a staff number): links a cadre to last year's results.
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[SubjectKind] = mapped_column(
        Enum(SubjectKind, native_enum=False, length=20), default=SubjectKind.CADRE
    )
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    position_title: Mapped[str] = mapped_column(String(100), default="")
    #: Key of the predecessor in the same post (前任), for comparisons.
    predecessor_key: Mapped[str | None] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(default=0)

    survey: Mapped[Survey] = relationship(back_populates="subjects")
    unit: Mapped["Unit | None"] = relationship()


class Dimension(Base):
    """An evaluation dimension (评价维度) rated for every subject."""

    __tablename__ = "dimensions"
    __table_args__ = (CheckConstraint("weight >= 0", name="weight_nonnegative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(300), default="")
    weight: Mapped[float] = mapped_column(default=1.0)
    position: Mapped[int] = mapped_column(default=0)

    survey: Mapped[Survey] = relationship(back_populates="dimensions")


#: What a scale option marks for the results: the 优秀率/满意率 option (`top`), the lowest
#: option still counted as passing (`pass`: 称职及以上), the mildest negative option
#: (`negative`: 不称职率, 不满意及以下). Each is a threshold on the option's score.
SCALE_ROLES = ("top", "pass", "negative")


class ScaleOption(Base):
    """One option of the survey's rating scale; `score` is None for 不了解 (never scored).

    `role` (None or one of SCALE_ROLES, each at most once per scale) names the figures the
    results report; 不了解 never has one.
    """

    __tablename__ = "scale_options"
    __table_args__ = (
        CheckConstraint(
            "(is_unknown AND score IS NULL) OR (NOT is_unknown AND score BETWEEN 0 AND 100)",
            name="score_matches_kind",
        ),
        CheckConstraint(
            "role IS NULL OR (role IN ('top', 'pass', 'negative') AND NOT is_unknown)",
            name="role_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(50))
    score: Mapped[float | None]
    is_unknown: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    role: Mapped[str | None] = mapped_column(String(8))

    survey: Mapped[Survey] = relationship(back_populates="scale_options")


class RespondentGroup(Base):
    """A respondent group (评议主体) with its weight and the subjects it rates."""

    __tablename__ = "respondent_groups"
    __table_args__ = (
        UniqueConstraint("survey_id", "key", name="uq_respondent_groups_survey_key"),
        CheckConstraint("weight >= 0", name="weight_nonnegative"),
        CheckConstraint("min_size >= 1", name="min_size_positive"),
        CheckConstraint("expected_count >= 0", name="expected_count_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(50))
    weight: Mapped[float] = mapped_column(default=1.0)
    #: Smallest group reported on its own; smaller groups show 样本不足.
    min_size: Mapped[int] = mapped_column(default=3)
    #: 应参加人数, the denominator of turnout.
    expected_count: Mapped[int] = mapped_column(default=0)
    #: False: the group rates only `rated_subjects` (e.g. a project's managers).
    rates_all_subjects: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)

    survey: Mapped[Survey] = relationship(back_populates="groups")
    rated_subjects: Mapped[list[Subject]] = relationship(secondary=group_subjects, order_by=Subject.position)

    def subjects_to_rate(self) -> list[Subject]:
        return list(self.survey.subjects) if self.rates_all_subjects else list(self.rated_subjects)


class Question(Base):
    """An extra question, optionally shown only when an earlier answer matches."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    kind: Mapped[QuestionKind] = mapped_column(Enum(QuestionKind, native_enum=False, length=20))
    prompt: Mapped[str] = mapped_column(String(500))
    is_required: Mapped[bool] = mapped_column(default=False)
    #: Choices of single/multiple choice questions, in order.
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Show only when the answer to this earlier question is one of `show_if_values`.
    show_if_question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id", ondelete="SET NULL"))
    show_if_values: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(default=0)

    survey: Mapped[Survey] = relationship(back_populates="questions")
    show_if_question: Mapped["Question | None"] = relationship(remote_side=[id])

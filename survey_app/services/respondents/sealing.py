"""Sealing a closed survey: erase at storage level what still ties its ballots to codes
(docs/anonymity.md). Called by the lifecycle when a survey closes, and by the CLI.
"""

from flask_babel import gettext as _
from sqlalchemy import select, text

from survey_app.errors import DomainError
from survey_app.extensions import db
from survey_app.models import (
    AccessCode,
    Answer,
    Ballot,
    OpenLink,
    OpenReceipt,
    Rating,
    SubjectComment,
    Survey,
    SurveyStatus,
)


def seal_survey(survey: Survey) -> None:
    """Erase what still ties ballots to codes at storage level, once the survey is closed.

    Clears the idempotency hashes (only retries needed them) and open-link receipts, and
    rewrites every code, ballot, rating and answer row of the survey in this one
    transaction: on PostgreSQL all then carry the same transaction id (xmin), and CLUSTER
    reorders the tables by their random keys so physical order no longer follows
    submission order. See docs/anonymity.md.
    """
    if survey.status not in (SurveyStatus.CLOSED, SurveyStatus.ARCHIVED):
        raise DomainError(_("只有已结束的评议才能封存"))
    ballot_ids = select(Ballot.id).where(Ballot.survey_id == survey.id).scalar_subquery()
    link_ids = select(OpenLink.id).where(OpenLink.survey_id == survey.id).scalar_subquery()
    db.session.execute(OpenReceipt.__table__.delete().where(OpenReceipt.open_link_id.in_(link_ids)))
    # Each UPDATE rewrites every row (a no-op value where nothing needs to change).
    for column, value, condition in (
        (AccessCode.idempotency_hash, None, AccessCode.survey_id == survey.id),
        (Ballot.is_excluded, Ballot.is_excluded, Ballot.survey_id == survey.id),
        (Rating.score, Rating.score, Rating.ballot_id.in_(ballot_ids)),
        (Answer.value_text, Answer.value_text, Answer.ballot_id.in_(ballot_ids)),
        (SubjectComment.text, SubjectComment.text, SubjectComment.ballot_id.in_(ballot_ids)),
    ):
        table = column.class_.__table__
        db.session.execute(table.update().where(condition).values({column.key: value}))
    if db.session.get_bind().dialect.name == "postgresql":
        for table, index in (
            ("ballots", "pk_ballots"),
            ("ratings", "pk_ratings"),
            ("answers", "pk_answers"),
            ("subject_comments", "pk_subject_comments"),
            ("access_codes", "uq_access_codes_code_hash"),
        ):
            db.session.execute(text(f"CLUSTER {table} USING {index}"))


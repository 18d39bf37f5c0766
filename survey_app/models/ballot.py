"""One-time codes, open links and anonymous ballots.

Anonymity by construction: no column of `ballots`, `ratings` or `answers` refers to a code,
an open link or a person (named surveys store the respondent's name openly), ballot and
answer ids are random, and times are kept only to the day. On SQLite those three tables are
WITHOUT ROWID, so not even the hidden rowid records the order of submission.
See docs/anonymity.md for what an administrator with the database can and cannot learn.
"""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, LargeBinary, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.models.base import Base, CodeStatus, utcnow

#: SQLite tables keyed by a random string still get a sequential hidden rowid; this
#: turns it off so the physical order of rows is the random key's order.
_NO_ROWID = {"sqlite_with_rowid": False}


class CodeBatch(Base):
    """A batch of one-time codes issued for one respondent group."""

    __tablename__ = "code_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("respondent_groups.id", ondelete="CASCADE"), index=True)
    count: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    is_void: Mapped[bool] = mapped_column(default=False)


class AccessCode(Base):
    """A one-time code (一人一码); only a keyed hash of it is stored."""

    __tablename__ = "access_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("respondent_groups.id", ondelete="CASCADE"), index=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("code_batches.id", ondelete="CASCADE"), index=True)
    #: HMAC-SHA256 of the code under the server's key: a stolen table votes nothing.
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[CodeStatus] = mapped_column(
        Enum(CodeStatus, native_enum=False, length=10), default=CodeStatus.ISSUED
    )
    #: Day of use only, never the time: the order of use must not match ballots.
    used_on: Mapped[date | None]
    #: Hash of the idempotency key of the ballot that burned the code: a retry with
    #: the same key sees the thank-you page. The ballot does not store it; sealing a
    #: closed survey clears it.
    idempotency_hash: Mapped[str | None] = mapped_column(String(64))


class OpenLink(Base):
    """An open link (公众评议): anyone with the URL may answer once per browser."""

    __tablename__ = "open_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("respondent_groups.id", ondelete="CASCADE"), index=True)
    #: Printed on posters, so public: stored in clear, unlike codes.
    token: Mapped[str] = mapped_column(String(32), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OpenReceipt(Base):
    """Proof that an open-link submission with this idempotency key was stored.

    It makes a double tap on an open link store one ballot, as the code row does for
    codes. It names no ballot.
    """

    __tablename__ = "open_receipts"

    idempotency_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    open_link_id: Mapped[int] = mapped_column(ForeignKey("open_links.id", ondelete="CASCADE"), index=True)
    received_on: Mapped[date]


class Ballot(Base):
    """One submitted answer sheet."""

    __tablename__ = "ballots"
    __table_args__ = (_NO_ROWID,)

    #: Random (secrets.token_urlsafe), never sequential.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("respondent_groups.id", ondelete="CASCADE"), index=True)
    submitted_on: Mapped[date]
    is_open_link: Mapped[bool] = mapped_column(default=False)
    #: Only for named surveys (领导评价); always NULL on anonymous ones.
    respondent_name: Mapped[str | None] = mapped_column(String(100))
    #: Sent faster than anyone can read the ballot (services/respondents/ballot_store.too_fast), decided
    #: at submission. The time the page was open is not kept: paired with an access log's
    #: GET and POST it would name the phone (docs/anonymity.md, "Logs").
    is_too_fast: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: Data-quality flag set on submission, e.g. "burst" for an open-link ballot sent
    #: while its address was sending many; the analysis may exclude flagged ballots.
    quality_flag: Mapped[str | None] = mapped_column(String(30))
    is_excluded: Mapped[bool] = mapped_column(default=False)
    excluded_reason: Mapped[str | None] = mapped_column(String(300))
    #: The ballot's ratings packed in one value (services/respondents/rating_pack.py), written with
    #: them: the results read one row per ballot. NULL for ballots stored without it.
    ratings_packed: Mapped[bytes | None] = mapped_column(LargeBinary)

    ratings: Mapped[list["Rating"]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    answers: Mapped[list["Answer"]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


class Rating(Base):
    """A subject × dimension rating; score is NULL for 不了解 (never scored).

    Only `ballot_id` is a foreign key. The subject, dimension and option ids are checked
    by the submission against the survey's published structure, which is then locked
    (docs/architecture.md, "Publication locks structure"); per-row foreign keys would check
    less (they accept another survey's subject) and cost half of PostgreSQL's time per
    ballot (docs/benchmarks.md).
    """

    __tablename__ = "ratings"
    __table_args__ = (
        CheckConstraint("score IS NULL OR score BETWEEN 0 AND 100", name="score_range"),
        _NO_ROWID,
    )

    ballot_id: Mapped[str] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True)
    subject_id: Mapped[int] = mapped_column(primary_key=True)
    dimension_id: Mapped[int] = mapped_column(primary_key=True)
    option_id: Mapped[int | None]
    score: Mapped[float | None]


class Answer(Base):
    """An answer to an extra question (text, number or chosen options)."""

    __tablename__ = "answers"
    __table_args__ = (_NO_ROWID,)

    #: Random like the ballot's, so row ids reveal no submission order.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    ballot_id: Mapped[str] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    value_text: Mapped[str | None] = mapped_column(Text)
    value_number: Mapped[float | None]


class SubjectComment(Base):
    """A respondent's free-text comment on one subject (意见建议).

    Shown only for groups at or above their minimum size, like every other figure.
    """

    __tablename__ = "subject_comments"
    __table_args__ = (_NO_ROWID,)

    #: Random like the ballot's, so row ids reveal no submission order.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    ballot_id: Mapped[str] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)

"""One-time codes (一人一码) and open links: issue, look up, void, count.

A code is 8 symbols from an alphabet without look-alikes (no 0/O, 1/I/L), printed as
XXXX-XXXX: 31**8 ≈ 8.5e11 possibilities, so with the per-IP limit on failed attempts a
guess practically never hits one of the few thousand live codes. A code carries no
identity: its row names only the survey, the group and the batch.

Only HMAC-SHA256(key, code) is stored. The key is CODE_HASH_KEY when configured, else it
is derived from SECRET_KEY, so a copy of the database alone cannot vote with unused codes
(see docs/anonymity.md). The plain codes exist only in the response that issues them
(PDF slips, CSV); a lost batch is re-issued, which voids the old one.
"""

import hashlib
import hmac
import re
import secrets
from collections import Counter
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, insert, select, update

from survey_app.errors import NotFound, ValidationFailed
from survey_app.extensions import db
from survey_app.models import (
    AccessCode,
    Ballot,
    CodeBatch,
    CodeStatus,
    OpenLink,
    RespondentGroup,
    Survey,
    SurveyStatus,
    User,
)
from survey_app.services.platform import audit
from survey_app.services.platform.confirmation import require_confirmation

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
MAX_BATCH = 5000
_NOT_IN_ALPHABET = re.compile(f"[^{ALPHABET}]")
_KEY_SALT = b"pingyi/access-code-hash/v1"


# ---- the code itself --------------------------------------------------------------------


def generate_code() -> str:
    """Return a new random code (8 symbols, no separator)."""
    return "".join(secrets.choice(ALPHABET) for _position in range(CODE_LENGTH))


def normalize_code(typed: str) -> str | None:
    """Return the canonical code for what a person typed, or None if it cannot be one.

    Case, spaces and dashes are forgiven; anything else outside the alphabet is not.
    """
    compact = re.sub(r"[\s\-_]", "", typed or "").upper()
    if len(compact) != CODE_LENGTH or _NOT_IN_ALPHABET.search(compact):
        return None
    return compact


def display_code(code: str) -> str:
    """Format a code for print: XXXX-XXXX."""
    return f"{code[:4]}-{code[4:]}"


def _hash_key() -> bytes:
    configured = current_app.config.get("CODE_HASH_KEY")
    if configured:
        return configured.encode() if isinstance(configured, str) else configured
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    # Derived rather than SECRET_KEY itself, so the two uses can never collide.
    return hmac.new(secret, _KEY_SALT, hashlib.sha256).digest()


def code_hash(code: str) -> str:
    """Return the keyed hash stored for a canonical code."""
    return hmac.new(_hash_key(), code.encode(), hashlib.sha256).hexdigest()


def keyed_hash(value: str, purpose: str) -> str:
    """Return a keyed hash of any value for one purpose (e.g. idempotency keys)."""
    return hmac.new(_hash_key(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


# ---- issuing and voiding ----------------------------------------------------------------


@dataclass(frozen=True)
class IssuedBatch:
    """A batch just issued, with its plain codes: the only time they exist in clear."""

    batch: CodeBatch
    survey: Survey
    group: RespondentGroup
    codes: list[str]


def find_group(survey: Survey, key: str) -> RespondentGroup:
    """Return the survey's respondent group with this key, or raise NotFound."""
    group = next((g for g in survey.groups if g.key == key), None)
    if group is None:
        raise NotFound(_("问卷中没有代码为“%(key)s”的评议主体", key=key))
    return group


def _check_can_issue(survey: Survey, count: int) -> None:
    if survey.status not in (SurveyStatus.DRAFT, SurveyStatus.PUBLISHED):
        raise ValidationFailed(_("评议已结束，不能再发放评议码"))
    if not 1 <= count <= MAX_BATCH:
        raise ValidationFailed(_("每批评议码数量须在 1 到 %(n)d 之间", n=MAX_BATCH))


def _fresh_codes(count: int) -> dict[str, str]:
    """Return `count` new codes (hash → code) that collide with no stored hash."""
    fresh: dict[str, str] = {}
    while len(fresh) < count:
        candidates = {}
        for _slot in range(count - len(fresh)):
            code = generate_code()
            candidates[code_hash(code)] = code
        taken = set(db.session.scalars(select(AccessCode.code_hash).where(AccessCode.code_hash.in_(candidates))))
        fresh.update({h: c for h, c in candidates.items() if h not in taken})
    return fresh


def issue_batch(survey: Survey, group: RespondentGroup, count: int, actor: User | None) -> IssuedBatch:
    """Create a batch of `count` codes for a group; return it with the plain codes."""
    _check_can_issue(survey, count)
    batch = CodeBatch(survey_id=survey.id, group_id=group.id, count=count)
    db.session.add(batch)
    db.session.flush()
    fresh = _fresh_codes(count)
    db.session.execute(
        insert(AccessCode),
        [
            {"survey_id": survey.id, "group_id": group.id, "batch_id": batch.id, "code_hash": h}
            for h in fresh
        ],
    )
    audit.record(actor, "codes.issue", "survey", survey.id, group=group.key, batch=batch.id, count=count)
    return IssuedBatch(batch, survey, group, list(fresh.values()))


def unused_in_batch(batch: CodeBatch) -> int:
    """How many of the batch's codes are still unused (what voiding it would void)."""
    return db.session.scalar(
        select(func.count()).select_from(AccessCode)
        .where(AccessCode.batch_id == batch.id, AccessCode.status == CodeStatus.ISSUED)
    ) or 0


def void_batch_consequences(batch: CodeBatch, group_name: str, *, reissue: bool) -> list[str]:
    """Say what voiding (or re-issuing) a batch destroys; voided codes never work again."""
    lines = [_("第 %(batch)d 批（%(group)s）中未使用的 %(n)d 个评议码将作废，不能恢复；已使用的码和答卷不受影响。",
               batch=batch.id, group=group_name, n=unused_in_batch(batch))]
    if reissue:
        lines.append(_("随后发放同样数量的新码并立即下载，请妥善保存：系统不保存评议码原文。"))
    return lines


def void_batch(batch: CodeBatch, actor: User | None, *, confirmed: bool = True) -> int:
    """Void a batch: its unused codes stop working (used ones keep their ballots).

    Irreversible: the web passes `confirmed` from its confirmation page."""
    require_confirmation(confirmed)
    batch.is_void = True
    voided = db.session.execute(
        update(AccessCode)
        .where(AccessCode.batch_id == batch.id, AccessCode.status == CodeStatus.ISSUED)
        .values(status=CodeStatus.VOID)
        .execution_options(synchronize_session=False)
    ).rowcount
    audit.record(actor, "codes.void_batch", "survey", batch.survey_id, batch=batch.id, voided=voided)
    return voided


def reissue_batch(batch: CodeBatch, actor: User | None, *, confirmed: bool = True) -> IssuedBatch:
    """Replace a lost batch: void it and issue as many new codes as it had unused."""
    survey = db.session.get(Survey, batch.survey_id)
    group = db.session.get(RespondentGroup, batch.group_id)
    unused = void_batch(batch, actor, confirmed=confirmed)
    if unused == 0:
        raise ValidationFailed(_("这一批评议码已全部使用或作废，无需重新发放"))
    return issue_batch(survey, group, unused, actor)


def void_code(survey: Survey, typed: str, actor: User | None, *, confirmed: bool = True) -> None:
    """Void one unused code of this survey, typed from its slip (irreversible: the web form
    carries a confirmation box, `confirmed`)."""
    require_confirmation(confirmed, _("作废不可撤销：请勾选“确认作废”后再提交"))
    code = normalize_code(typed)
    if code is None:
        raise ValidationFailed(_("评议码格式不正确"))
    voided = db.session.execute(
        update(AccessCode)
        .where(
            AccessCode.code_hash == code_hash(code),
            AccessCode.survey_id == survey.id,
            AccessCode.status == CodeStatus.ISSUED,
        )
        .values(status=CodeStatus.VOID)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not voided:
        raise ValidationFailed(_("本问卷没有这个未使用的评议码（可能已使用或已作废）"))
    audit.record(actor, "codes.void_code", "survey", survey.id)


def list_batches(survey: Survey) -> list[CodeBatch]:
    """Return the survey's batches, newest first."""
    query = select(CodeBatch).where(CodeBatch.survey_id == survey.id).order_by(CodeBatch.id.desc())
    return list(db.session.scalars(query))


# ---- counts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupCounts:
    """Codes and ballots of one respondent group."""

    group: RespondentGroup
    issued: int  # every code ever created for the group, voided ones included
    used: int
    void: int
    ballots: int  # including open-link ballots

    @property
    def unused(self) -> int:
        return self.issued - self.used - self.void


def group_counts(survey: Survey) -> list[GroupCounts]:
    """Return issued / used / void code counts and ballot counts per group."""
    by_status = Counter()
    rows = db.session.execute(
        select(AccessCode.group_id, AccessCode.status, func.count())
        .where(AccessCode.survey_id == survey.id)
        .group_by(AccessCode.group_id, AccessCode.status)
    )
    for group_id, status, n in rows:
        by_status[group_id, status] = n
    ballots = dict(
        db.session.execute(
            select(Ballot.group_id, func.count()).where(Ballot.survey_id == survey.id).group_by(Ballot.group_id)
        ).all()
    )
    result = []
    for group in survey.groups:
        counts = {status: by_status[group.id, status] for status in CodeStatus}
        result.append(
            GroupCounts(
                group=group,
                issued=sum(counts.values()),
                used=counts[CodeStatus.USED],
                void=counts[CodeStatus.VOID],
                ballots=ballots.get(group.id, 0),
            )
        )
    return result


# ---- open links -------------------------------------------------------------------------


def create_open_link(survey: Survey, group: RespondentGroup, actor: User | None) -> OpenLink:
    """Create an open link for a group (公众评议: no code, one ballot per browser)."""
    link = OpenLink(survey_id=survey.id, group_id=group.id, token=secrets.token_urlsafe(12))
    db.session.add(link)
    db.session.flush()
    audit.record(actor, "codes.open_link", "survey", survey.id, group=group.key, link=link.id)
    return link


def set_open_link_active(link: OpenLink, active: bool, actor: User | None) -> None:
    """Turn an open link on or off."""
    link.is_active = active
    audit.record(actor, "codes.open_link_active", "survey", link.survey_id, link=link.id, active=active)


def list_open_links(survey: Survey) -> list[OpenLink]:
    return list(db.session.scalars(select(OpenLink).where(OpenLink.survey_id == survey.id).order_by(OpenLink.id)))


def find_open_link(token: str) -> OpenLink | None:
    return db.session.scalar(select(OpenLink).where(OpenLink.token == token))

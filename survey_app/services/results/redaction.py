"""Masking personal data in respondents' texts before staff read or export them.

Two layers, both applied whenever a text is shown or exported (docs/anonymity.md):

1. automatic: the obvious patterns (mainland mobile numbers, landlines, 18-digit ID
   numbers, e-mail addresses) become ＊＊＊;
2. manual: fragments staff marked (a name, a house number …) become ＊＊＊ too. They are
   matched in the text as already masked automatically, so marking a fragment can never
   tell a user whether it hides behind an automatic mask.

The stored answer or comment is never changed: it is the record (the archive checksum
covers it). Only administrators may see the original (`can_see_original`); every page,
export and API field for everyone else, and every export and API field even for
administrators, carries the masked form.
"""

import re
from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import select

from survey_app.errors import ValidationFailed
from survey_app.extensions import db
from survey_app.models import Answer, SubjectComment, TextRedaction, User
from survey_app.services.platform import audit

MASK = "＊＊＊"
MAX_FRAGMENT = 100

# Python's \d also matches full-width digits (１３８…), which Chinese IMEs type.
_PATTERNS = (
    # e-mail first: its digits must not be taken for a phone number
    re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"),
    # 18-digit resident ID number (the last may be X); also 15-digit old ones
    re.compile(r"(?<!\d)\d{17}[\dXxＸｘ](?!\d)|(?<!\d)\d{15}(?!\d)"),
    # mainland mobile, optionally +86 and spaced or dashed as 138 1234 5678
    re.compile(r"(?:\+?86[\s\-]?)?(?<!\d)[1１][3-9３-９]\d(?:[\s\-]?\d{4}){2}(?!\d)"),
    # landline with area code: 0571-88886666, (0571)88886666, 010 12345678
    re.compile(r"[（(]?(?<!\d)[0０]\d{2,3}[）)]?[\s\-－]?\d{7,8}(?!\d)(?:[\s\-]?转\d{1,5})?"),
)


def auto_redact(text: str) -> str:
    """Mask the obvious personal data patterns in a text."""
    for pattern in _PATTERNS:
        text = pattern.sub(MASK, text)
    return text


def redact(text: str, fragments: Iterable[str] = ()) -> str:
    """Return the text as shown: automatic masks, then the manually masked fragments."""
    shown = auto_redact(text)
    for fragment in fragments:
        if fragment:
            shown = shown.replace(fragment, MASK)
    return shown


def can_see_original(user: User) -> bool:
    """Only administrators may read a text unmasked (on the page; never in exports)."""
    return user.is_admin


def fragments_by_text(answer_ids: Iterable[str] = (), comment_ids: Iterable[str] = ()) -> dict[str, list[str]]:
    """Return the manually masked fragments of these texts, keyed by answer or comment id."""
    answer_ids, comment_ids = list(answer_ids), list(comment_ids)
    found: dict[str, list[str]] = {}
    for column, ids in ((TextRedaction.answer_id, answer_ids), (TextRedaction.comment_id, comment_ids)):
        for start in range(0, len(ids), 500):  # keep the IN list of one query bounded
            rows = db.session.execute(
                select(column, TextRedaction.fragments).where(column.in_(ids[start:start + 500]))).all()
            found.update({text_id: list(fragments or []) for text_id, fragments in rows})
    return found


def _redaction_row(text: Answer | SubjectComment) -> TextRedaction:
    column = TextRedaction.answer_id if isinstance(text, Answer) else TextRedaction.comment_id
    row = db.session.scalar(select(TextRedaction).where(column == text.id))
    if row is None:
        row = TextRedaction(fragments=[])
        if isinstance(text, Answer):
            row.answer_id = text.id
        else:
            row.comment_id = text.id
        db.session.add(row)
    return row


def _original(text: Answer | SubjectComment) -> str:
    return (text.value_text or "") if isinstance(text, Answer) else text.text


def _target(text: Answer | SubjectComment) -> tuple[str, str]:
    return ("answer", text.id) if isinstance(text, Answer) else ("comment", text.id)


def mask_fragment(text: Answer | SubjectComment, fragment: str, actor: User, survey_id: int) -> str:
    """Mask every occurrence of `fragment` in the shown form of a text; return the new form.

    The fragment must occur in the text as the user sees it (automatic masks applied):
    matching the original instead would confirm what an automatic mask hides.
    """
    fragment = fragment.strip()
    if not fragment:
        raise ValidationFailed(_("请选中或输入要遮盖的文字"))
    if len(fragment) > MAX_FRAGMENT:
        raise ValidationFailed(_("一次最多遮盖 %(n)d 个字", n=MAX_FRAGMENT))
    if any(ord(ch) < 32 for ch in fragment):
        raise ValidationFailed(_("在这条意见中找不到所选文字"))  # no stored text holds one
    if MASK in fragment:
        raise ValidationFailed(_("所选文字已包含遮盖部分，请只选未遮盖的文字"))
    row = _redaction_row(text)
    shown = redact(_original(text), row.fragments)
    if fragment not in shown:
        raise ValidationFailed(_("在这条意见中找不到所选文字"))
    row.fragments = [*row.fragments, fragment]
    kind, text_id = _target(text)
    # The audit entry names the text but never the masked words (audit readers are not
    # all entitled to them). Its target is "survey_text", not "survey": a mask changes no
    # figure, so it must not invalidate the survey's cached results and ballot pages
    # (keyed by the survey's last audit entry, docs/architecture.md).
    audit.record(actor, "text.mask", "survey_text", survey_id, text=kind, text_id=text_id, characters=len(fragment))
    db.session.flush()
    return redact(_original(text), row.fragments)


def clear_masks(text: Answer | SubjectComment, actor: User, survey_id: int) -> None:
    """Remove a text's manual masks (administrators only: they alone see the original)."""
    if not can_see_original(actor):
        raise ValidationFailed(_("只有管理员可以撤销遮盖"))
    row = _redaction_row(text)
    if row.fragments:
        kind, text_id = _target(text)
        audit.record(actor, "text.unmask", "survey_text", survey_id, text=kind, text_id=text_id,
                     fragments=len(row.fragments))
        row.fragments = []
    db.session.flush()

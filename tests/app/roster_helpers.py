"""Roster workbooks built row by row, uploads and row counts, shared by the roster tests."""

import re
from io import BytesIO

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from survey_app.errors import ValidationFailed
from survey_app.extensions import db
from survey_app.models import AuditEntry, RespondentGroup, Subject, Unit
from survey_app.services.design import roster_format, roster_reading

SUBJECT_HEADERS = ("编号", "姓名或名称", "类别", "所在单位", "单位类别", "职务", "前任编号")
GROUP_HEADERS = ("代码", "名称", "权重", "最少人数", "应参加人数", "评议对象")
NEW_SUBJECTS = [
    ("C4", "赵敏", "干部", "市教育局", "市直部门", "局长", "C0907"),
    ("T1", "市教育局领导班子", "领导班子", "市教育局", "市直部门", None, None),
    ("U1", "市教育局", "单位", None, None, None, None),
]
NEW_GROUPS = [
    ("peer", "同级", 0.3, 3, 10, "全部"),
    ("deputies", "两代表一委员", "0.2", "5", "30", "C4、T1,C1"),
]


def workbook(
    subjects=(),
    groups=(),
    *,
    subject_headers=SUBJECT_HEADERS,
    group_headers=GROUP_HEADERS,
    sheets=(roster_format.SUBJECT_SHEET, roster_format.GROUP_SHEET),
) -> bytes:
    """Build a roster workbook row by row, as an organizer's own file would be."""
    book = Workbook()
    book.active.title = roster_format.HELP_SHEET
    for name, headers, rows in (
        (roster_format.SUBJECT_SHEET, subject_headers, subjects),
        (roster_format.GROUP_SHEET, group_headers, groups),
    ):
        if name in sheets:
            sheet = book.create_sheet(name)
            sheet.append(headers)
            for row in rows:
                sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def import_url(survey_id: int) -> str:
    return f"/admin/rosters/{survey_id}/import"


def upload(client, survey_id: int, data: bytes, filename: str = "2026名册.xlsx"):
    return client.post(
        import_url(survey_id),
        data={"workbook": (BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def page_errors(response) -> list[str]:
    html = response.get_data(as_text=True)
    return (
        re.findall(r"<li>(.*?)</li>", html.split('id="roster-errors"', 1)[1])
        if 'id="roster-errors"' in html
        else []
    )


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def counts(app, survey_id: int) -> dict[str, int]:
    """Rows an import could touch: equal before and after a refused upload."""
    with app.app_context():
        return {
            "subjects": _count(select(Subject).where(Subject.survey_id == survey_id)),
            "groups": _count(select(RespondentGroup).where(RespondentGroup.survey_id == survey_id)),
            "rated": _count(
                select(RespondentGroup.id)
                .join(RespondentGroup.rated_subjects)
                .where(RespondentGroup.survey_id == survey_id)
            ),
            "units": _count(select(Unit)),
            "audit": _count(select(AuditEntry)),
            "imports": _count(select(AuditEntry).where(AuditEntry.action == "roster.import")),
        }


def parse(app, data: bytes, known=()) -> roster_format.Roster:
    # gettext needs a request context here: the app's locale selector reads the session.
    with app.test_request_context():
        return roster_reading.parse_roster(data, known_subject_keys=known)


def parse_errors(app, data: bytes, known=()) -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        parse(app, data, known)
    assert caught.value.message == "名册有误，未导入任何数据"
    return caught.value.errors


# Rows that pass every check: a mistake test changes one cell of them.
GOOD_SUBJECT = ("C4", "赵敏", "干部", "市教育局", "市直部门", "局长", None)
GOOD_GROUP = ("peer", "同级", 0.3, 3, 10, "全部")

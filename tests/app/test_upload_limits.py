"""Uploaded workbooks cost bounded time and memory (issue #12, finding 11).

The two crafted files of the review go through the real roster route in a separate
process, which reports the seconds and the growth of its peak memory (ru_maxrss): before,
the first took 13.8 s and +330 MB, the second 45 s.
"""

import json
import os
import subprocess
import sys
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Role, Subject
from survey_app.services.design import roster_format
from survey_app.services.platform import sheets
from tests.app import upload_bombs

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bombs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bombs")
    return {
        "shared_strings": upload_bombs.huge_shared_strings(folder / "strings.xlsx"),
        "rows": upload_bombs.rows_in_an_ignored_column(folder / "rows.xlsx"),
    }


def _probe(workbook: Path, tmp_path: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("TEST_DATABASE_URL", None)  # the measurement does not depend on the database
    done = subprocess.run(
        [sys.executable, "-m", "tests.app.upload_probe", str(workbook), str(tmp_path / "probe.db")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("bomb", "message"),
    [
        ("shared_strings", "工作簿内容过大：文字内容解压后超过 10 MB"),
        ("rows", "工作簿内容过大：一个工作表解压后超过 40 MB"),
    ],
)
def test_a_crafted_workbook_is_refused_quickly_and_cheaply(bombs, tmp_path, bomb, message):
    assert bombs[bomb].stat().st_size < 8 * 1024 * 1024  # under the upload limit: it reaches the reader
    result = _probe(bombs[bomb], tmp_path)
    assert result["status"] == 422
    assert any(message in error for error in result["errors"]), result["errors"]
    assert result["subjects"] == 3  # the factory's, nothing imported
    assert result["seconds"] < 5
    assert result["growth_mb"] < 100


def _roster(rows: int, *, ignored_value=1) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(roster_format.SUBJECT_SHEET)
    sheet.append([column.header for column in roster_format.SUBJECT_COLUMNS])
    sheet.append(["C9", "周杰", "干部", "市发改委", "市直部门", "局长"])
    for _ in range(rows):
        sheet.append([None] * 25 + [ignored_value])
    book.create_sheet(roster_format.GROUP_SHEET).append([column.header for column in roster_format.GROUP_COLUMNS])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _upload(client, survey_id, data):
    return client.post(f"/admin/rosters/{survey_id}/import", content_type="multipart/form-data",
                       data={"workbook": (BytesIO(data), "名册.xlsx")})


def _subjects(app, survey_id) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Subject.id)).where(Subject.survey_id == survey_id))


def test_reading_stops_at_the_row_limit_even_in_ignored_columns(app, client, auth, make_survey, monkeypatch):
    monkeypatch.setattr(sheets, "MAX_SHEET_ROWS", 2_000)
    survey_id = make_survey()
    auth.login("organizer", Role.ORGANIZER)
    response = _upload(client, survey_id, _roster(5_000))
    assert response.status_code == 422
    assert "工作表“评议对象”超过 2000 行" in response.get_data(as_text=True)
    assert _subjects(app, survey_id) == 3


def test_reading_stops_at_the_time_budget(app, client, auth, make_survey, monkeypatch):
    monkeypatch.setattr(sheets, "READ_SECONDS", 0.0)
    survey_id = make_survey()
    auth.login("organizer", Role.ORGANIZER)
    response = _upload(client, survey_id, _roster(1_000))
    assert response.status_code == 422
    assert "读取工作簿超过 0 秒，已停止" in response.get_data(as_text=True)
    assert _subjects(app, survey_id) == 3


def test_a_cell_longer_than_excel_allows_is_refused(app, client, auth, make_survey, tmp_path):
    survey_id = make_survey()
    auth.login("organizer", Role.ORGANIZER)
    data = upload_bombs.long_cell(tmp_path / "long.xlsx", sheets.MAX_CELL_CHARS + 1).read_bytes()
    response = _upload(client, survey_id, data)
    assert response.status_code == 422
    assert "工作表“评议对象”第 2 行有单元格超过 32767 个字符" in response.get_data(as_text=True)


def test_a_zip_bomb_ratio_is_refused_before_parsing():
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (5 * 1024 * 1024))
    assert "压缩比异常" in sheets.workbook_problem(buffer.getvalue())


def test_a_normal_roster_still_imports(app, client, auth, make_survey):
    survey_id = make_survey()
    auth.login("organizer", Role.ORGANIZER)
    data = _roster(0)
    assert sheets.workbook_problem(data) is None
    assert _upload(client, survey_id, data).status_code == 302
    assert _subjects(app, survey_id) == 4

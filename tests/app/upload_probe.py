"""Upload one workbook through the real roster route in a fresh process and print, as JSON,
the answer, the seconds it took and how much the process's peak memory grew.

Run by tests/app/test_upload_limits.py as `python -m tests.app.upload_probe WORKBOOK DB`:
a separate process, so the peak (ru_maxrss) belongs to this upload alone.
"""

import json
import re
import resource
import sys
import time
from io import BytesIO
from pathlib import Path

from sqlalchemy import func, select

from survey_app import create_app
from survey_app.config import TestingConfig
from survey_app.extensions import db
from survey_app.models import Role, Subject
from survey_app.services.platform import users
from tests.app.factories import SurveyFactory

PASSWORD = "correct horse battery"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _upload(client, survey_id: int, data: bytes):
    return client.post(f"/admin/rosters/{survey_id}/import", content_type="multipart/form-data",
                       data={"workbook": (BytesIO(data), "名册.xlsx")})


def main(workbook: Path, database: Path) -> None:
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}")
    with app.app_context():
        db.create_all()
        users.create_user("organizer", PASSWORD, Role.ORGANIZER)
        db.session.commit()
    survey_id = SurveyFactory(app)()
    client = app.test_client()
    client.post("/auth/login", data={"username": "organizer", "password": PASSWORD})
    data = workbook.read_bytes()
    # Warm up: the first request through the route fills caches (templates, translations),
    # which is not the bomb's cost.
    _upload(client, survey_id, data[:100])
    before = _peak_mb()
    started = time.perf_counter()
    response = _upload(client, survey_id, data)
    seconds = time.perf_counter() - started
    with app.app_context():
        subjects = db.session.scalar(select(func.count(Subject.id)).where(Subject.survey_id == survey_id))
    page = response.get_data(as_text=True)
    errors = re.findall(r"<li>(.*?)</li>", page.split('id="roster-errors"', 1)[-1])
    print(json.dumps({"status": response.status_code, "seconds": seconds, "growth_mb": _peak_mb() - before,
                      "subjects": subjects, "errors": errors}, ensure_ascii=False))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))

"""Archive checksum: recorded when a survey is archived, shown on the results page and in
the exports, independent of storage order and backend, recomputable by an auditor from the
anonymous CSV export, and any later change to a ballot shows as a mismatch."""

import csv
import hashlib
import io
import json
import re
from collections import defaultdict

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, text

from survey_app.errors import StructureLocked
from survey_app.extensions import db
from survey_app.models import AuditEntry, Ballot, Rating, Role, ScaleOption, Survey, SurveyStatus
from survey_app.services.design import structure
from survey_app.services.platform import users
from survey_app.services.results import archive, lifecycle, quality
from tests.app.documents import pdf_text
from tests.app.factories import cast

SALT = "00112233445566778899aabbccddeeff"
#: The four ballots of the 上级 group (C1, C2, C3 rated alike) and the two of 服务对象 (C1, C2).
SUPERIOR = (["优秀", "称职"], ["称职", "称职"], ["基本称职", "优秀"], [None, "不称职"])
SERVED = (["优秀", "优秀"], ["称职", None])


def _cast_all(app, survey_id, order=1):
    for labels in SUPERIOR[::order]:
        cast(app, survey_id, "superior", {"C1": labels, "C2": labels, "C3": labels})
    for labels in SERVED[::order]:
        cast(app, survey_id, "served", {"C1": labels, "C2": labels})


def _exclude_superior(app, survey_id, labels=("基本称职", "优秀")):
    """Exclude the 上级 ballot that rated C1 with `labels` (3 counted remain: reportable)."""
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        options = {o.id: o.label for o in survey.scale_options}
        for ballot in db.session.scalars(select(Ballot).where(Ballot.survey_id == survey_id)):
            c1 = sorted((r.dimension_id, options[r.option_id]) for r in ballot.ratings
                        if r.subject_id == survey.subjects[0].id)
            if tuple(label for _, label in c1) == labels:
                quality.set_exclusion(survey, ballot.id, True, "测试排除", users.find_user("factory"))
        db.session.commit()


def _archive(app, survey_id):
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        actor = users.find_user("factory")
        lifecycle.change_status(survey, "close", actor)
        lifecycle.change_status(survey, "archive", actor)
        db.session.commit()
        return survey.archive_sha256


@pytest.fixture
def archived(app, make_survey):
    survey_id = make_survey(publish=True)
    _cast_all(app, survey_id)
    _exclude_superior(app, survey_id)
    _archive(app, survey_id)
    return survey_id


def _verify(app, survey_id):
    with app.app_context():
        result = archive.verify(db.session.get(Survey, survey_id), None)
        db.session.commit()
        return result


# ---- recording --------------------------------------------------------------------------------


def test_archiving_records_the_checksum_with_its_time_and_an_audit_entry(app, archived):
    with app.app_context():
        survey = db.session.get(Survey, archived)
        assert survey.status is SurveyStatus.ARCHIVED
        assert re.fullmatch(r"[0-9a-f]{64}", survey.archive_sha256)
        assert re.fullmatch(r"[0-9a-f]{32}", survey.archive_salt)
        assert survey.archived_at is not None
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "survey.archive_checksum")).one()
        assert entry.target_id == archived and entry.detail["sha256"] == survey.archive_sha256
    assert _verify(app, archived).is_match


def test_archiving_through_the_builder_records_it_too(app, client, auth, make_survey):
    survey_id = make_survey(publish=True)
    _cast_all(app, survey_id)
    auth.login()
    for action in ("close", "archive"):
        client.post(f"/admin/surveys/{survey_id}/status/{action}", data={"confirm": "yes"})
    with app.app_context():
        assert db.session.get(Survey, survey_id).archive_sha256


def test_a_survey_not_archived_has_no_checksum_to_verify(app, runner, make_survey):
    survey_id = make_survey(publish=True)
    result = runner.invoke(args=["verify-archive", str(survey_id)])
    assert result.exit_code == 1
    assert "没有归档校验值" in result.output


def test_an_archived_survey_refuses_exclusions_and_renames_and_keeps_matching(app, runner, archived):
    with app.app_context():
        survey = db.session.get(Survey, archived)
        actor = users.find_user("factory")
        ballot_id = db.session.scalars(select(Ballot.id).where(Ballot.survey_id == archived)).first()
        with pytest.raises(StructureLocked):
            quality.set_exclusion(survey, ballot_id, True, "归档后排除", actor)
        with pytest.raises(StructureLocked):
            structure.update_subject(survey.subjects[0], {"name": "改名"}, actor)
        db.session.rollback()
    assert _verify(app, archived).is_match


# ---- the canonical form -------------------------------------------------------------------------


def test_the_same_ballots_in_another_order_and_other_ids_give_the_same_digest(app, make_survey):
    first, second = make_survey(publish=True), make_survey(publish=True)
    _cast_all(app, first, order=1)
    _cast_all(app, second, order=-1)  # other insertion order, other random ballot ids
    with app.app_context():
        a = archive.compute(db.session.get(Survey, first), SALT)
        b = archive.compute(db.session.get(Survey, second), SALT)
        ids = [set(db.session.scalars(select(Ballot.id).where(Ballot.survey_id == s))) for s in (first, second)]
    assert ids[0].isdisjoint(ids[1])
    assert a == b


def test_the_digest_is_the_documented_value_on_every_backend(app, make_survey):
    """A fixed value for fixed ballots and salt: SQLite and PostgreSQL (TEST_DATABASE_URL)
    must both give it. It changes only if the canonical form or the factory survey does."""
    survey_id = make_survey(publish=True)
    _cast_all(app, survey_id)
    with app.app_context():
        digest = archive.compute(db.session.get(Survey, survey_id), SALT)
    assert digest.csv_sha256 == "fd36bc09649275cf675b9d13ebccae550ecb242ac574287151ac55ad42ab984e"
    assert digest.archive_sha256 == "fdd775f088e0569c88ae7d66fe29cc2f5cd954859e6d5b94e279967676eacf6c"
    assert digest.archive_sha256 == archive.combine(digest.csv_sha256, digest.full_sha256)


# ---- tampering ----------------------------------------------------------------------------------


def _first_rating(survey_id, group_key):
    return db.session.execute(text(
        "SELECT r.ballot_id, r.subject_id, r.dimension_id FROM ratings r JOIN ballots b ON b.id = r.ballot_id "
        "JOIN respondent_groups g ON g.id = b.group_id WHERE b.survey_id = :s AND g.key = :g AND NOT b.is_excluded "
        "ORDER BY r.ballot_id, r.subject_id, r.dimension_id"), {"s": survey_id, "g": group_key}).first()


def _change_rating(survey_id, group_key):
    """Change one rating to another scored option, straight in the database."""
    ballot_id, subject_id, dimension_id = _first_rating(survey_id, group_key)
    rating = db.session.get(Rating, (ballot_id, subject_id, dimension_id))
    other = db.session.scalars(select(ScaleOption).where(
        ScaleOption.survey_id == survey_id, ScaleOption.id != rating.option_id,
        ScaleOption.score.is_not(None))).first()
    db.session.execute(text("UPDATE ratings SET option_id = :o, score = :s WHERE ballot_id = :b "
                            "AND subject_id = :subj AND dimension_id = :d"),
                       {"o": other.id, "s": other.score, "b": ballot_id, "subj": subject_id, "d": dimension_id})


TAMPERING = {
    "a rating the CSV shows": lambda survey_id: _change_rating(survey_id, "superior"),
    "a rating of a group too small to show": lambda survey_id: _change_rating(survey_id, "served"),
    "an exclusion lifted": lambda survey_id: db.session.execute(
        text("UPDATE ballots SET is_excluded = :f WHERE survey_id = :s"), {"f": False, "s": survey_id}),
    "a ballot deleted": lambda survey_id: db.session.execute(
        text("DELETE FROM ballots WHERE id = (SELECT MIN(id) FROM ballots WHERE survey_id = :s)"), {"s": survey_id}),
}


@pytest.mark.parametrize("change", TAMPERING, ids=list(TAMPERING))
def test_any_change_to_the_ballots_after_archiving_is_a_mismatch(app, runner, archived, change):
    with app.app_context():
        TAMPERING[change](archived)
        db.session.commit()
    result = runner.invoke(args=["verify-archive", str(archived)])
    assert result.exit_code == 1
    assert "不一致" in result.output
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "survey.verify_archive")).one()
        assert entry.detail["result"] == "mismatch"


def test_undoing_the_change_matches_again(app, runner, archived):
    with app.app_context():
        ballot_id, subject_id, dimension_id = _first_rating(archived, "superior")
        rating = db.session.get(Rating, (ballot_id, subject_id, dimension_id))
        before = (rating.option_id, rating.score)
        _change_rating(archived, "superior")
        db.session.commit()
    assert not _verify(app, archived).is_match
    with app.app_context():
        db.session.execute(text("UPDATE ratings SET option_id = :o, score = :s WHERE ballot_id = :b AND "
                                "subject_id = :subj AND dimension_id = :d"),
                           {"o": before[0], "s": before[1], "b": ballot_id, "subj": subject_id, "d": dimension_id})
        db.session.commit()
    result = runner.invoke(args=["verify-archive", str(archived)])
    assert result.exit_code == 0, result.output
    assert "一致：答卷自归档以来没有改动" in result.output


# ---- the auditor, from the anonymous CSV alone (no service code) ----------------------------------


def _auditor_csv_part(csv_bytes: bytes) -> str:
    """docs/operations.md, "Archive checksum", step by step."""
    rows = list(csv.reader(io.StringIO(csv_bytes.decode("utf-8-sig"))))[1:]  # without the header
    ballots = defaultdict(list)
    for number, group, subject_key, _subject_name, dimension, option, score in rows:
        fields = [group, subject_key, dimension, option, score]
        ballots[number].append(json.dumps(fields, ensure_ascii=False, separators=(",", ":")))
    lines = sorted("[" + ",".join(sorted(texts)) + "]" for texts in ballots.values())
    return hashlib.sha256("".join(line + "\n" for line in lines).encode("utf-8")).hexdigest()


def test_an_auditor_recomputes_the_checksum_from_the_anonymous_csv(app, client, auth, archived):
    auth.login()
    csv_bytes = client.get(f"/admin/reports/{archived}/export.csv").data
    sheet = client.get(f"/admin/reports/{archived}/archive-checksum.txt").get_data(as_text=True)
    page = client.get(f"/admin/reports/{archived}").get_data(as_text=True)
    fields = dict(line.split(": ", 1) for line in sheet.splitlines() if not line.startswith("#"))
    shown = re.search(r'id="archive-sha256">([0-9a-f]{64})<', page).group(1)
    # The CSV leaves out the small group and the excluded ballot: the full part covers them.
    assert "服务对象" not in csv_bytes.decode("utf-8-sig")
    assert len({row[0] for row in csv.reader(io.StringIO(csv_bytes.decode("utf-8-sig")))}) - 1 == 3

    csv_part = _auditor_csv_part(csv_bytes)
    assert csv_part == fields["csv_sha256"]
    combined = f"pingyi-archive-v1\ncsv {csv_part}\nfull {fields['full_sha256']}\n"
    assert hashlib.sha256(combined.encode("utf-8")).hexdigest() == shown == fields["archive_sha256"]
    assert fields["status"] == "match"


def test_the_auditor_sees_a_changed_csv(app, client, auth, archived):
    with app.app_context():
        _change_rating(archived, "superior")
        db.session.commit()
    auth.login()
    csv_part = _auditor_csv_part(client.get(f"/admin/reports/{archived}/export.csv").data)
    sheet = client.get(f"/admin/reports/{archived}/archive-checksum.txt").get_data(as_text=True)
    fields = dict(line.split(": ", 1) for line in sheet.splitlines() if not line.startswith("#"))
    combined = f"pingyi-archive-v1\ncsv {csv_part}\nfull {fields['full_sha256']}\n"
    assert hashlib.sha256(combined.encode("utf-8")).hexdigest() != fields["archive_sha256"]
    assert fields["status"] == "MISMATCH"


# ---- where it is shown, and who may verify --------------------------------------------------------


def test_results_page_and_exports_show_the_checksum(app, client, auth, archived, tmp_path):
    with app.app_context():
        digest = db.session.get(Survey, archived).archive_sha256
    auth.login("viewer", Role.VIEWER)
    page = client.get(f"/admin/reports/{archived}").get_data(as_text=True)
    assert digest in page and "归档校验值" in page
    assert "verify-archive" not in page and "archive-checksum.txt" not in page  # organizers only
    book = load_workbook(io.BytesIO(client.get(f"/admin/reports/{archived}/export.xlsx").data))
    notes = {row[0]: row[1] for row in book["说明"].iter_rows(values_only=True)}
    assert notes["归档校验值（SHA-256）"] == digest
    text_of_pdf = pdf_text(client.get(f"/admin/reports/{archived}/export.pdf").data)
    if text_of_pdf is not None:
        assert digest in text_of_pdf.replace("\n", "").replace(" ", "")


def test_exports_of_a_survey_not_archived_have_no_checksum(app, client, auth, make_survey):
    survey_id = make_survey(publish=True)
    _cast_all(app, survey_id)
    auth.login()
    assert "归档校验值" not in client.get(f"/admin/reports/{survey_id}").get_data(as_text=True)
    book = load_workbook(io.BytesIO(client.get(f"/admin/reports/{survey_id}/export.xlsx").data))
    assert "归档校验值（SHA-256）" not in [row[0] for row in book["说明"].iter_rows(values_only=True)]
    assert client.get(f"/admin/reports/{survey_id}/archive-checksum.txt").status_code == 404


def test_an_organizer_verifies_from_the_results_page(app, client, auth, archived):
    auth.login()
    response = client.post(f"/admin/reports/{archived}/verify-archive", follow_redirects=True)
    assert "校验一致" in response.get_data(as_text=True)
    with app.app_context():
        _change_rating(archived, "served")
        db.session.commit()
    response = client.post(f"/admin/reports/{archived}/verify-archive", follow_redirects=True)
    assert "校验不一致" in response.get_data(as_text=True)
    with app.app_context():
        results = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "survey.verify_archive")
                                     .order_by(AuditEntry.id)).all()
        assert [entry.detail["result"] for entry in results] == ["match", "mismatch"]
        assert results[0].username == "organizer"


def test_viewers_may_not_verify_nor_fetch_the_checksum_sheet(app, client, auth, archived):
    auth.login("viewer", Role.VIEWER)
    assert client.post(f"/admin/reports/{archived}/verify-archive").status_code == 403
    assert client.get(f"/admin/reports/{archived}/archive-checksum.txt").status_code == 403

"""Survey as code: export, import, cloning and templates (checking is test_definition_checks.py)."""

import copy
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from survey_app import demo
from survey_app.errors import NotFound, ValidationFailed
from survey_app.extensions import db
from survey_app.models import AuditEntry, Ballot, SubjectKind, Survey, SurveyKind, SurveyStatus
from survey_app.services.design import definition_checks, definitions
from survey_app.services.platform import users
from tests.app.definition_helpers import base_definition, row_counts

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_FILES = sorted((ROOT / "survey_app" / "survey_templates").glob("*.json"))
#: The demo's survey definitions (the folder also holds its 考核细则, another format).
DEMO_FILES = [ROOT / "survey_app" / "demo" / name for name, _steps in demo.DEMO_SURVEYS]
EXAMPLE_FILES = sorted((ROOT / "docs" / "examples").glob("*.json"))


def round_trip(definition) -> tuple[dict, dict]:
    """Import, export, import the export and export again; return both exports."""
    first = definitions.export_definition(definitions.import_definition(definition, None))
    db.session.flush()
    second = definitions.export_definition(definitions.import_definition(json.loads(json.dumps(first)), None))
    return first, second


# ---- export and round trip ----------------------------------------------------------


def test_export_of_factory_survey_uses_keys_and_indices(app, make_survey):
    survey_id = make_survey()
    with app.app_context():
        exported = definitions.export_definition(db.session.get(Survey, survey_id))
    assert exported["format_version"] == 1
    assert exported["kind"] == "democratic"
    assert [s["key"] for s in exported["subjects"]] == ["C1", "C2", "C3"]
    assert exported["subjects"][2] == {
        "key": "C3",
        "name": "王强",
        "kind": "cadre",
        "unit": "市财政局",
        "unit_category": "市直部门",
        "position_title": "局长",
        "predecessor_key": None,
    }
    assert [g["subjects"] for g in exported["groups"]] == ["all", ["C1", "C2"]]
    assert [o["label"] for o in exported["scale"]["options"]] == [
        "优秀",
        "称职",
        "基本称职",
        "不称职",
        "不了解",
    ]
    assert exported["scale"]["options"][-1] == {"label": "不了解", "score": None, "is_unknown": True}
    assert exported["questions"][1]["show_if"] == {"question": 0, "values": ["不满意"]}
    assert [d["weight"] for d in exported["dimensions"]] == [1, 2]
    assert not any(name == "id" or name.endswith("_id") for name in _all_field_names(exported))


def _all_field_names(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {name for child in value.values() for name in _all_field_names(child)}
    if isinstance(value, list):
        return {name for child in value for name in _all_field_names(child)}
    return set()


def test_round_trip_of_factory_survey_is_identical(app, make_survey):
    survey_id = make_survey()
    with app.app_context():
        original = definitions.export_definition(db.session.get(Survey, survey_id))
        first, second = round_trip(original)
    assert first == original
    assert second == original


def test_round_trip_keeps_every_field_of_a_full_definition(app):
    with app.app_context():
        first, second = round_trip(base_definition())
    assert first == base_definition()
    assert second == first


def test_export_writes_times_in_beijing_time(app):
    definition = {
        **base_definition(),
        "opens_at": "2026-03-01T01:00:00Z",
        "closes_at": "2026-03-02T00:00:00-05:00",
    }
    with app.app_context():
        survey = definitions.import_definition(definition, None)
        assert survey.opens_at == datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
        exported = definitions.export_definition(survey)
    assert exported["opens_at"] == "2026-03-01T09:00:00+08:00"
    assert exported["closes_at"] == "2026-03-02T13:00:00+08:00"


def test_export_orders_items_by_position_not_by_insertion(app, make_survey):
    survey_id = make_survey()
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        first, second = survey.subjects[0], survey.subjects[1]
        first.position, second.position = second.position, first.position
        exported = definitions.export_definition(survey)
    assert [s["key"] for s in exported["subjects"]] == ["C2", "C1", "C3"]


@pytest.mark.parametrize("path", TEMPLATE_FILES + DEMO_FILES, ids=lambda p: p.name)
def test_shipped_definition_files_are_valid_and_in_export_form(app, path):
    data = json.loads(path.read_text(encoding="utf-8"))
    assert definition_checks.validate_definition(data) == []
    with app.app_context():
        first, second = round_trip(data)
    assert first == data  # the files are written exactly as an export would write them
    assert second == data


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_documentation_examples_import_and_round_trip(app, path):
    data = json.loads(path.read_text(encoding="utf-8"))
    assert definition_checks.validate_definition(data) == []
    with app.app_context():
        first, second = round_trip(data)
    assert second == first
    assert first["title"] == data["title"]


def test_minimal_definition_gets_the_documented_defaults(app):
    data = json.loads((ROOT / "docs" / "examples" / "minimal.json").read_text(encoding="utf-8"))
    with app.app_context():
        survey = definitions.import_definition(data, None)
        assert survey.is_anonymous is True
        assert survey.excellent_cap_percent is None
        assert survey.disagreement_gap == 15
        assert survey.groups[0].min_size == 3 and survey.groups[0].rates_all_subjects
        assert survey.subjects[0].kind is SubjectKind.UNIT and survey.subjects[0].unit is None
        assert [d.weight for d in survey.dimensions] == [1.0, 1.0]


# ---- import -------------------------------------------------------------------------


def test_import_creates_a_draft_with_the_whole_structure_and_an_audit_entry(app):
    with app.app_context():
        survey = definitions.import_definition(base_definition(), None)
        db.session.commit()
        survey = db.session.get(Survey, survey.id)
        assert survey.status is SurveyStatus.DRAFT
        assert survey.cloned_from_id is None
        assert [s.key for s in survey.subjects] == ["C1", "T1"]
        assert survey.subjects[0].unit is survey.subjects[1].unit
        assert survey.subjects[0].unit.category == "市直经济部门"
        assert survey.subjects[0].predecessor_key == "C0"
        served = survey.groups[1]
        assert not served.rates_all_subjects and [s.key for s in served.rated_subjects] == ["C1"]
        assert survey.questions[1].show_if_question_id == survey.questions[0].id
        assert survey.excellent_cap_percent == 20 and survey.trim_extremes is True
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "survey.import"))
        assert entry.username == "system" and entry.target_id == survey.id
        assert entry.detail["subjects"] == 2


def test_import_reuses_existing_units_by_name(app, make_survey):
    make_survey()
    definition = base_definition()
    definition["subjects"][0].update(unit="市发改委", unit_category="市直部门")
    definition["subjects"][1].update(unit="市发改委", unit_category="市直部门")
    with app.app_context():
        before = row_counts()["Unit"]
        survey = definitions.import_definition(definition, None)
        assert row_counts()["Unit"] == before
        assert survey.subjects[0].unit.name == "市发改委"


def test_import_records_the_acting_user(app):
    with app.app_context():
        user = users.create_user("organizer1", "organizer-password", users.Role.ORGANIZER)
        survey = definitions.import_definition(base_definition(), user)
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.target_id == survey.id))
        assert (entry.username, entry.user_id, entry.action) == ("organizer1", user.id, "survey.import")


def test_import_accepts_json_text_and_bytes_with_bom(app):
    text = json.dumps(base_definition(), ensure_ascii=False)
    with app.app_context():
        from_text = definitions.import_definition(text, None)
        from_bytes = definitions.import_definition("\ufeff".encode() + text.encode(), None)
        assert from_text.title == from_bytes.title == "2026年度民主测评"


# ---- cloning --------------------------------------------------------------------------


def _add_ballot(survey: Survey) -> None:
    db.session.add(
        Ballot(
            id="demo-ballot-1",
            survey_id=survey.id,
            group_id=survey.groups[0].id,
            submitted_on=date(2026, 3, 2),
        )
    )
    db.session.flush()


def test_clone_copies_structure_for_next_year_but_not_ballots(app, make_survey):
    survey_id = make_survey(publish=True, title="2026年度民主测评（市直）")
    with app.app_context():
        source = db.session.get(Survey, survey_id)
        _add_ballot(source)
        clone = definitions.clone_survey(source, None)
        db.session.commit()
        assert (clone.year, clone.title) == (2027, "2027年度民主测评（市直）")
        assert clone.status is SurveyStatus.DRAFT and clone.cloned_from_id == source.id
        copied, original = definitions.export_definition(clone), definitions.export_definition(source)
        assert {**copied, "year": 2026, "title": source.title} == original
        assert (
            db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.survey_id == clone.id))
            == 0
        )
        assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1
        assert {s.id for s in clone.subjects}.isdisjoint({s.id for s in source.subjects})
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "survey.clone"))
        assert entry.target_id == clone.id and entry.detail["source_id"] == source.id


def test_clone_clears_the_dates(app):
    with app.app_context():
        source = definitions.import_definition(base_definition(), None)
        clone = definitions.clone_survey(source, None)
        assert source.opens_at is not None
        assert clone.opens_at is None and clone.closes_at is None


def test_clone_with_explicit_year_and_title(app, make_survey):
    survey_id = make_survey()
    with app.app_context():
        clone = definitions.clone_survey(db.session.get(Survey, survey_id), None, year=2030, title="试点测评")
        assert (clone.year, clone.title) == (2030, "试点测评")


def test_clone_into_the_same_year_marks_the_title_as_a_copy(app, make_survey):
    survey_id = make_survey()
    with app.app_context():
        clone = definitions.clone_survey(db.session.get(Survey, survey_id), None, year=2026)
        assert clone.title == "2026年度民主测评（副本）"


def test_clone_refuses_an_impossible_year(app, make_survey):
    survey_id = make_survey()
    with app.app_context():
        before = row_counts()
        with pytest.raises(ValidationFailed, match="年度应在"):
            definitions.clone_survey(db.session.get(Survey, survey_id), None, year=2101)
        assert row_counts() == before


# ---- templates ------------------------------------------------------------------------


def test_list_templates_matches_the_template_files():
    keys = [key for key, _ in definitions.list_templates()]
    assert sorted(keys) == sorted(path.stem for path in TEMPLATE_FILES)
    assert len(keys) == 7 and "blank" not in keys
    assert all(label for _, label in definitions.list_templates())


@pytest.mark.parametrize("key", [key for key, _ in definitions.TEMPLATES.items()])
def test_every_template_is_complete_but_has_no_subjects(key):
    template = definitions.load_template(key)
    assert template["subjects"] == []
    assert template["dimensions"] and template["groups"] and template["questions"]
    assert all(group["weight"] > 0 for group in template["groups"])


def test_template_kinds_cover_every_survey_kind():
    kinds = {definitions.load_template(key)["kind"] for key, _ in definitions.list_templates()}
    assert kinds == {kind.value for kind in SurveyKind}


def test_template_details_follow_the_domain():
    democratic = definitions.load_template("democratic")
    assert [g["name"] for g in democratic["groups"]] == ["上级", "同级", "下级", "服务对象"]
    assert democratic["rules"]["excellent_cap_percent"] == 20
    assert [o["label"] for o in democratic["scale"]["options"]] == [
        "优秀",
        "称职",
        "基本称职",
        "不称职",
        "不了解",
    ]
    service = definitions.load_template("service_quality")
    assert [d["name"] for d in service["dimensions"]] == ["服务意识", "担当精神", "解决实际问题", "廉洁自律"]
    assert [g["name"] for g in service["groups"]] == ["两代表一委员", "监督员", "企业代表", "行业协会"]
    assert all(g["subjects"] == [] for g in definitions.load_template("key_project")["groups"])
    public = definitions.load_template("public")
    why = public["questions"][2]
    assert why["show_if"] == {"question": 1, "values": ["不满意"]}
    leader = definitions.load_template("leader")
    assert leader["is_anonymous"] is False and leader["scale"] == {"kind": "score", "options": []}
    assert leader["groups"][0]["name"] == "市领导"


def test_create_from_template_applies_overrides(app):
    with app.app_context():
        survey = definitions.create_from_template(
            "service_quality",
            {
                "year": 2027,
                "kind": SurveyKind.SERVICE_QUALITY,
                "opens_at": datetime(2027, 3, 1, 1, 0, tzinfo=UTC),
                "excellent_cap_percent": 30,
                "instructions": "",
                "closes_at": None,
            },
            None,
        )
        db.session.commit()
        assert (survey.year, survey.title) == (2027, "2027年度服务质量评议")
        assert survey.excellent_cap_percent == 30
        assert survey.instructions.startswith("为推动干部转变作风")  # "" kept the template's text
        assert definitions.export_definition(survey)["opens_at"] == "2027-03-01T09:00:00+08:00"
        assert [d.name for d in survey.dimensions] == ["服务意识", "担当精神", "解决实际问题", "廉洁自律"]
        assert survey.status is SurveyStatus.DRAFT and survey.subjects == []
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.target_id == survey.id))
        assert (entry.action, entry.detail["template"]) == ("survey.create", "service_quality")


def test_create_from_template_with_explicit_title_and_kind(app):
    with app.app_context():
        survey = definitions.create_from_template(
            "leader", {"year": 2026, "title": "2026年度县区领导评价", "kind": "leader"}, None
        )
        assert survey.title == "2026年度县区领导评价"
        assert survey.is_anonymous is False
        assert survey.scale_options == []


def test_create_from_template_rejects_bad_overrides_and_unknown_keys(app):
    with app.app_context():
        before = row_counts()
        with pytest.raises(ValidationFailed) as raised:
            definitions.create_from_template("democratic", {"year": 1990}, None)
        assert raised.value.errors == ["year：不能小于 2000"]
        with pytest.raises(NotFound):
            definitions.create_from_template("blank", {}, None)
        assert row_counts() == before


def test_templates_are_not_modified_by_overrides(app):
    before = copy.deepcopy(definitions.load_template("public"))
    with app.app_context():
        definitions.create_from_template("public", {"year": 2030, "title": "x"}, None)
    assert definitions.load_template("public") == before

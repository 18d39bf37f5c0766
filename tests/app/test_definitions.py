"""Survey as code: export, validation, import, cloning and templates."""

import copy
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import func, select

from survey_app.errors import NotFound, ValidationFailed
from survey_app.extensions import db
from survey_app.models import (
    AuditEntry,
    Ballot,
    Dimension,
    Question,
    RespondentGroup,
    ScaleOption,
    Subject,
    SubjectKind,
    Survey,
    SurveyKind,
    SurveyStatus,
    Unit,
)
from survey_app.services.design import definition_checks, definitions
from survey_app.services.platform import users

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_FILES = sorted((ROOT / "survey_app" / "survey_templates").glob("*.json"))
DEMO_FILES = sorted((ROOT / "survey_app" / "demo").glob("*.json"))
EXAMPLE_FILES = sorted((ROOT / "docs" / "examples").glob("*.json"))
COUNTED = (Survey, Subject, Dimension, ScaleOption, RespondentGroup, Question, Unit, AuditEntry)


def base_definition() -> dict:
    """A small valid definition in export form: 2 subjects, 2 groups, a conditional question."""
    return {
        "format_version": 1,
        "kind": "democratic",
        "year": 2026,
        "title": "2026年度民主测评",
        "instructions": "请如实评价。",
        "opens_at": "2026-03-01T09:00:00+08:00",
        "closes_at": "2026-03-15T18:00:00+08:00",
        "is_anonymous": True,
        "scale": {
            "kind": "options",
            "options": [
                {"label": "优秀", "score": 100, "is_unknown": False},
                {"label": "称职", "score": 80, "is_unknown": False},
                {"label": "不了解", "score": None, "is_unknown": True},
            ],
        },
        "rules": {
            "excellent_cap_percent": 20,
            "trim_extremes": True,
            "disagreement_gap": 15,
            "negative_share_threshold": 0.25,
            "subject_comments": True,
        },
        "dimensions": [
            {"name": "服务意识", "description": "主动服务", "weight": 0.4},
            {"name": "担当精神", "description": "", "weight": 0.6},
        ],
        "subjects": [
            {
                "key": "C1",
                "name": "张伟",
                "kind": "cadre",
                "unit": "市发展改革委",
                "unit_category": "市直经济部门",
                "position_title": "主任",
                "predecessor_key": "C0",
            },
            {
                "key": "T1",
                "name": "市发展改革委领导班子",
                "kind": "team",
                "unit": "市发展改革委",
                "unit_category": "市直经济部门",
                "position_title": "",
                "predecessor_key": None,
            },
        ],
        "groups": [
            {
                "key": "superior",
                "name": "上级",
                "weight": 0.4,
                "min_size": 3,
                "expected_count": 5,
                "subjects": "all",
            },
            {
                "key": "served",
                "name": "服务对象",
                "weight": 0.6,
                "min_size": 5,
                "expected_count": 20,
                "subjects": ["C1"],
            },
        ],
        "questions": [
            {
                "kind": "single_choice",
                "prompt": "总体评价",
                "required": True,
                "options": ["满意", "不满意"],
                "show_if": None,
            },
            {
                "kind": "long_text",
                "prompt": "不满意的原因",
                "required": False,
                "options": [],
                "show_if": {"question": 0, "values": ["不满意"]},
            },
        ],
    }


def row_counts() -> dict[str, int]:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model)) for model in COUNTED}


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


# ---- bad definitions -----------------------------------------------------------------


def _mutate(path: str, value):
    """Return a function setting a dotted path (list indices as numbers) in a definition."""

    def apply(definition: dict) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        target = definition
        for part in parents:
            target = target[part]
        target[last] = value

    return apply


def _append(path: str, value):
    def apply(definition: dict) -> None:
        target = definition
        for part in [int(p) if p.isdigit() else p for p in path.split(".")]:
            target = target[part]
        target.append(value)

    return apply


SEMANTIC_CASES = {
    "duplicate subject key": (_mutate("subjects.1.key", "C1"), "subjects[1].key：编号“C1”重复"),
    "group refers to unknown subject": (
        _mutate("groups.1.subjects", ["C1", "C9"]),
        "groups[1].subjects[1]：没有编号为“C9”的评议对象",
    ),
    "group lists a subject twice": (
        _mutate("groups.1.subjects", ["C1", "C1"]),
        "groups[1].subjects[1]：编号“C1”重复",
    ),
    "duplicate group key": (_mutate("groups.1.key", "superior"), "groups[1].key：代码“superior”重复"),
    "duplicate group name": (_mutate("groups.1.name", "上级"), "groups[1].name：名称“上级”重复"),
    "group weights sum to zero": (
        lambda d: [g.update(weight=0) for g in d["groups"]],
        "groups：权重之和必须大于 0",
    ),
    "dimension weights sum to zero": (
        lambda d: [x.update(weight=0) for x in d["dimensions"]],
        "dimensions：权重之和必须大于 0",
    ),
    "duplicate dimension name": (
        _mutate("dimensions.1.name", "服务意识"),
        "dimensions[1].name：维度“服务意识”重复",
    ),
    "show_if refers to a later question": (
        _mutate("questions.0.show_if", {"question": 1, "values": ["x"]}),
        "questions[0].show_if.question：显示条件只能引用前面的题目",
    ),
    "show_if refers to itself": (
        _mutate("questions.1.show_if", {"question": 1, "values": ["x"]}),
        "questions[1].show_if.question：显示条件只能引用前面的题目",
    ),
    "show_if refers to a missing question": (
        _mutate("questions.1.show_if", {"question": 7, "values": ["不满意"]}),
        "questions[1].show_if.question：引用的 questions[7] 不存在",
    ),
    "show_if refers to a text question": (
        _append(
            "questions", {"kind": "short_text", "prompt": "补充", "show_if": {"question": 1, "values": ["a"]}}
        ),
        "questions[2].show_if.question：显示条件只能引用选择题，questions[1] 不是选择题",
    ),
    "show_if value is not an option": (
        _mutate("questions.1.show_if.values", ["不满意", "也许"]),
        "questions[1].show_if.values[1]：“也许”不是 questions[0] 的选项",
    ),
    "choice question with one option": (
        _mutate("questions.0.options", ["满意"]),
        "questions[0].options：选择题至少需要两个选项",
    ),
    "duplicate choice option": (
        _mutate("questions.0.options", ["满意", "不满意", "满意"]),
        "questions[0].options[2]：选项“满意”重复",
    ),
    "text question with options": (
        _mutate("questions.1.options", ["a", "b"]),
        "questions[1].options：只有选择题可以有选项",
    ),
    "two unknown options": (
        _append("scale.options", {"label": "说不清", "score": None, "is_unknown": True}),
        "scale.options[3].is_unknown：只能有一个“不了解”选项",
    ),
    "unknown option with a score": (
        _mutate("scale.options.2.score", 50),
        "scale.options[2].score：“不了解”选项不计分，应为 null",
    ),
    "scored option without a score": (
        _mutate("scale.options.1.score", None),
        "scale.options[1].score：计分选项需要 0–100 的分值",
    ),
    "duplicate option label": (
        _mutate("scale.options.1.label", "优秀"),
        "scale.options[1].label：选项“优秀”重复",
    ),
    "only an unknown option": (
        _mutate("scale.options", [{"label": "不了解", "score": None, "is_unknown": True}]),
        "scale.options：至少需要一个计分选项",
    ),
    "score scale with options": (
        _mutate("scale.kind", "score"),
        "scale.options：0–100 分制不需要选项，请留空",
    ),
    "predecessor is oneself": (
        _mutate("subjects.0.predecessor_key", "C1"),
        "subjects[0].predecessor_key：前任编号不能是本人的编号",
    ),
    "predecessor key blank": (
        _mutate("subjects.0.predecessor_key", " "),
        "subjects[0].predecessor_key：前任编号不能为空，首尾不能有空格；没有前任请写 null",
    ),
    "unit category without unit": (
        _mutate("subjects.1.unit", None),
        "subjects[1].unit_category：填写了单位类别，但没有填写单位",
    ),
    "one unit with two categories": (
        _mutate("subjects.1.unit_category", "市直部门"),
        "subjects[1].unit_category：单位“市发展改革委”的类别“市直部门”与 subjects[0] 的“市直经济部门”不一致",
    ),
    "closes before it opens": (
        _mutate("closes_at", "2026-03-01T08:00:00+08:00"),
        "closes_at：结束时间必须晚于开始时间",
    ),
    "impossible date": (_mutate("opens_at", "2026-02-30T09:00:00+08:00"), "opens_at：不是有效的时间"),
    "NaN weight": (
        _mutate("dimensions.0.weight", float("nan")),
        "dimensions[0].weight：数值无效（不能是 NaN 或无穷大）",
    ),
}

SCHEMA_CASES = {
    "year as text": (_mutate("year", "2026"), "year：应为整数，实际是文本"),
    "year out of range": (_mutate("year", 1999), "year：不能小于 2000"),
    "unknown kind": (_mutate("kind", "party"), 'kind："party" 不是可用的取值'),
    "wrong format version": (_mutate("format_version", 2), "format_version：应为 1"),
    "missing title": (lambda d: d.pop("title"), "title：缺少必填项"),
    "blank title": (_mutate("title", "  "), "title：不能为空"),
    "title too long": (_mutate("title", "长" * 201), "title：不能超过 200 个字符"),
    "subjects not a list": (
        _mutate("subjects", {"C1": "张伟"}),
        "subjects：应为列表（[…]），实际是对象（{…}）",
    ),
    "misspelt field": (
        _mutate("subjects.0.positon_title", "主任"),
        "subjects[0].positon_title：不认识的字段（请检查拼写）",
    ),
    "subject key with spaces": (
        _mutate("subjects.0.key", "C 1"),
        "subjects[0].key：只能使用字母、数字、下划线和连字符",
    ),
    "time without offset": (
        _mutate("opens_at", "2026-03-01T09:00:00"),
        "opens_at：应为带时区的 ISO 8601 时间",
    ),
    "negative weight": (_mutate("groups.0.weight", -1), "groups[0].weight：不能小于 0"),
    "min size zero": (_mutate("groups.0.min_size", 0), "groups[0].min_size：不能小于 1"),
    "head-count beyond any database integer": (
        _mutate("groups.0.expected_count", 10**30),
        "groups[0].expected_count：不能大于 1000000",
    ),
    "cap above 100": (
        _mutate("rules.excellent_cap_percent", 120),
        "rules.excellent_cap_percent：不能大于 100",
    ),
    "boolean as text": (
        _mutate("is_anonymous", "是"),
        "is_anonymous：应为布尔值（true 或 false），实际是文本",
    ),
    "group subjects neither all nor list": (
        _mutate("groups.0.subjects", "全部"),
        'groups[0].subjects：应为 "all"（评议全部对象）或评议对象编号的列表',
    ),
    "group subject key of wrong type": (
        _mutate("groups.1.subjects", ["C1", 3]),
        "groups[1].subjects[1]：应为文本，实际是整数",
    ),
    "show_if without values": (
        _mutate("questions.1.show_if.values", []),
        "questions[1].show_if.values：至少需要 1 项",
    ),
    "unknown question kind": (
        _mutate("questions.0.kind", "rating"),
        'questions[0].kind："rating" 不是可用的取值',
    ),
}


def _assert_rejected(app, definition, expected: str) -> None:
    problems = definition_checks.validate_definition(definition)
    assert any(message.startswith(expected) for message in problems), problems
    with app.app_context():
        before = row_counts()
        with pytest.raises(ValidationFailed) as raised:
            definitions.import_definition(definition, None)
        db.session.rollback()
        assert row_counts() == before
    assert raised.value.message == "问卷定义有误"
    assert raised.value.errors == problems


@pytest.mark.parametrize("case", list(SEMANTIC_CASES), ids=str)
def test_semantic_errors_are_reported_in_chinese_and_nothing_is_created(app, case):
    mutate, expected = SEMANTIC_CASES[case]
    definition = base_definition()
    mutate(definition)
    _assert_rejected(app, definition, expected)


@pytest.mark.parametrize("case", list(SCHEMA_CASES), ids=str)
def test_schema_errors_are_reported_in_chinese_and_nothing_is_created(app, case):
    mutate, expected = SCHEMA_CASES[case]
    definition = base_definition()
    mutate(definition)
    _assert_rejected(app, definition, expected)


def test_every_problem_is_listed_at_once(app):
    definition = base_definition()
    definition["year"] = "明年"
    definition["subjects"][1]["key"] = "C1"
    definition["questions"][1]["show_if"]["values"] = ["也许"]
    problems = definition_checks.validate_definition(definition)
    assert problems == [
        "year：应为整数，实际是文本",
        "subjects[1].key：编号“C1”重复",
        "questions[1].show_if.values[0]：“也许”不是 questions[0] 的选项",
    ]


def test_semantic_checks_skip_sections_with_wrong_shapes(app):
    definition = base_definition()
    definition["subjects"] = [{"key": 1}, {"key": 1}]
    problems = definition_checks.validate_definition(definition)
    assert "subjects[0].key：应为文本，实际是整数" in problems
    assert "subjects[0].name：缺少必填项" in problems
    assert not any("重复" in p for p in problems)
    assert not any(p.startswith("groups") for p in problems)  # groups refer to subjects: skipped


NOT_A_DEFINITION = {
    "None": (None, "问卷定义：应为对象（{…}），实际是空值（null）"),
    "number": (5, "问卷定义：应为对象（{…}），实际是整数"),
    "list": ([1, 2], "问卷定义：应为对象（{…}），实际是列表（[…]）"),
    "JSON list text": ("[1, 2]", "问卷定义：应为对象（{…}），实际是列表（[…]）"),
    "not JSON": ('{"kind": ', "不是有效的 JSON：第 1 行第 10 列附近格式有误"),
    "empty text": ("", "不是有效的 JSON：第 1 行第 1 列附近格式有误"),
    "NaN in JSON": ('{"year": NaN}', "不是有效的 JSON：不允许 NaN，数值必须是有限的数字"),
    "not UTF-8": (b"\xff\xfe{", "文件不是 UTF-8 编码的文本"),
    "duplicate JSON key": ('{"year": 2026, "year": 2027}', "JSON 中同一个对象里字段“year”出现了不止一次"),
    "empty object": ({}, "format_version：缺少必填项"),
    "set": ({1, 2}, "问卷定义：应为对象（{…}），实际是set"),
    "object": (object(), "问卷定义：应为对象（{…}），实际是object"),
    "non-string keys": ({1: 2, "format_version": 1}, "1：不认识的字段（请检查拼写）"),
}


@pytest.mark.parametrize("case", list(NOT_A_DEFINITION), ids=str)
def test_anything_that_is_not_a_definition_gets_a_message_not_an_exception(app, case):
    data, expected = NOT_A_DEFINITION[case]
    _assert_rejected(app, data, expected)


@pytest.mark.parametrize(
    "garbage",
    [
        {"format_version": 1, "kind": "democratic", "year": 2026, "title": "t", "scale": None},
        {
            "format_version": 1,
            "kind": "democratic",
            "year": 2026,
            "title": "t",
            "scale": {"kind": "options"},
            "subjects": [None, 3, "x"],
            "groups": [[]],
            "questions": [{"show_if": 5}],
        },
        {"subjects": [{"key": {"a": [float("inf")]}}], "rules": [], "dimensions": "x"},
        [[[[]]]] * 3,
        {"a": {"b": {"c": {}}}},
    ],
    ids=range(5),
)
def test_validation_never_raises_on_garbage(garbage):
    problems = definition_checks.validate_definition(garbage)
    assert problems and all(isinstance(p, str) and "：" in p for p in problems)


def test_validation_is_guarded_against_unexpected_failures(monkeypatch):
    def explode(data):
        raise RecursionError("too deep")

    monkeypatch.setattr(definition_checks, "_problems", explode)
    assert definition_checks.validate_definition(base_definition()) == ["问卷定义：内容结构异常，无法检查"]


def _x_errors(node) -> set[str]:
    if isinstance(node, dict):
        own = {node["x-error"]} if "x-error" in node else set()
        return own.union(*(_x_errors(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_x_errors(value) for value in node))
    return set()


def test_every_schema_error_text_is_in_the_message_catalog():
    listed = {str(text) for text in definition_checks.SCHEMA_ERROR_TEXTS}
    assert _x_errors(definition_checks.definition_schema()) == listed


def test_schema_is_a_valid_draft_2020_12_schema_shipped_in_the_package():
    schema = definition_checks.definition_schema()
    Draft202012Validator.check_schema(schema)
    assert definition_checks.SCHEMA_PATH.is_relative_to(ROOT / "survey_app")
    assert not (ROOT / "docs" / "survey-definition.schema.json").exists()  # one source of truth
    assert "survey_app/schemas/survey-definition.schema.json" in (
        ROOT / "docs" / "survey-format.md"
    ).read_text(encoding="utf-8")


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

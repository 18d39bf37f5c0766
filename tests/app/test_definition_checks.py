"""Checking survey definitions: every problem in Chinese with its location, for schema
and semantic mistakes and for anything that is not a definition; nothing is imported."""

from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from survey_app.errors import ValidationFailed
from survey_app.extensions import db
from survey_app.services.design import definition_checks, definitions
from tests.app.definition_helpers import base_definition, row_counts

ROOT = Path(__file__).resolve().parents[2]


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

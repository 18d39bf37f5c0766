"""The shared JSON-document reader (services/platform/json_documents): limits, parsing,
and schema errors worded under the document's own noun, on a small schema of its own."""

import json
from dataclasses import replace

import pytest
from flask import session
from flask_babel import lazy_gettext as _l

from survey_app.services.platform.json_documents import JsonDocument

SCHEMA = {
    "type": "object",
    "required": ["name", "size"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1, "x-error": "不能为空"},
        "size": {"type": "integer", "minimum": 0},
        "kind": {"enum": ["a", "b"]},
        "items": {"type": "array", "items": {"type": "number"}},
    },
}


@pytest.fixture
def document(tmp_path):
    path = tmp_path / "thing.schema.json"
    path.write_text(json.dumps(SCHEMA), encoding="utf-8")
    return JsonDocument(noun=_l("考核细则"), schema_path=path, max_nesting=5, max_bytes=1024)


@pytest.fixture
def request_context(app):
    with app.test_request_context() as context:
        yield context


def problems_of(document: JsonDocument, data) -> list[str]:
    parsed, problems = document.parse(data)
    if problems:
        return problems
    return document.schema_messages(document.schema_errors(parsed)) + document.non_finite_problems(parsed)


def nested(levels: int) -> list:
    value: list = []
    for _ in range(levels - 1):
        value = [value]
    return value


@pytest.mark.usefixtures("request_context")
class TestReading:
    def test_nesting_up_to_the_limit_is_read_and_one_level_more_is_refused_with_the_noun(self, document):
        assert document.parse("[" * 5 + "]" * 5) == (nested(5), [])
        too_deep = ["JSON 嵌套层数过多（超过 5 层），这不是考核细则"]
        assert document.parse("[" * 6 + "]" * 6) == (None, too_deep)
        assert document.parse(nested(6)) == (None, too_deep)  # parsed data is measured too

    def test_nesting_deeper_than_the_interpreter_stack_is_a_message_not_a_recursion_error(self, document):
        deep = replace(document, max_bytes=None)
        expected = (None, ["JSON 嵌套层数过多（超过 5 层），这不是考核细则"])
        assert deep.parse("[" * 200_000 + "]" * 200_000) == expected
        assert deep.parse(nested(200_000)) == expected

    def test_files_over_the_size_limit_are_refused_before_parsing(self, document):
        big = b'{"name": "' + b"x" * 1024 + b'"}'
        assert document.parse(big) == (None, ["文件过大：考核细则的 JSON 不能超过 0 MB"])
        assert replace(document, max_bytes=None).parse(big)[1] == []

    @pytest.mark.parametrize(("raw", "expected"), [
        (b"\xff\xfe{", "文件不是 UTF-8 编码的文本"),
        ('{"name": ', "不是有效的 JSON：第 1 行第 10 列附近格式有误"),
        ('{"size": 1, "size": 2}', "JSON 中同一个对象里字段“size”出现了不止一次"),
        ('{"size": -' + "9" * 5000 + "}", "不是有效的 JSON：整数的位数过多（最多 4300 位）"),
    ])
    def test_broken_text_gets_one_clear_message(self, document, raw, expected):
        assert document.parse(raw) == (None, [expected])

    def test_a_byte_order_mark_is_accepted(self, document):
        assert document.parse('\ufeff{"name": "x", "size": 1}'.encode()) == ({"name": "x", "size": 1}, [])

    def test_nan_is_refused_while_parsing_or_located_afterwards(self, document):
        text = '{"name": "x", "size": 1, "items": [1, NaN]}'
        refusing = replace(document, refuse_non_finite_text=True)
        assert refusing.parse(text) == (None, ["不是有效的 JSON：不允许 NaN，数值必须是有限的数字"])
        assert problems_of(document, text) == ["items[1]：数值无效（不能是 NaN 或无穷大）"]


@pytest.mark.usefixtures("request_context")
class TestSchemaWording:
    def test_fields_apart_name_each_missing_or_unknown_field_at_its_place(self, document):
        assert problems_of(document, {"colour": "red"}) == [
            "name：缺少必填项", "size：缺少必填项", "colour：不认识的字段（请检查拼写）"]

    def test_fields_together_are_listed_at_their_object_named_by_the_noun(self, document):
        together = replace(document, fields_apart=False)
        assert problems_of(together, {"colour": "red"}) == [
            "考核细则：缺少必填项 name、size", "考核细则：不认识的字段 colour（请检查拼写）"]

    def test_values_found_are_named_only_when_asked(self, document):
        data = {"name": "x", "size": "big", "kind": "c"}
        assert problems_of(document, data) == [
            "size：应为整数，实际是文本", 'kind："c" 不是可用的取值，应为 a、b 之一']
        assert problems_of(replace(document, name_found=False), data) == [
            "size：类型不对，应为整数", "kind：不是可用的取值，应为 a、b 之一"]

    def test_the_root_is_called_by_the_documents_own_noun(self, document):
        assert problems_of(document, [1]) == ["考核细则：应为对象（{…}），实际是列表（[…]）"]
        survey = replace(document, noun=_l("问卷定义"))
        assert problems_of(survey, None) == ["问卷定义：应为对象（{…}），实际是空值（null）"]

    def test_schema_texts_and_bounds_are_worded(self, document):
        assert problems_of(document, {"name": "", "size": -1}) == ["name：不能为空", "size：不能小于 0"]

    def test_the_schema_is_a_copy(self, document):
        document.schema()["properties"].clear()
        assert "name" in document.schema()["properties"]


def test_messages_and_the_noun_follow_the_language(app, document):
    with app.test_request_context():
        session["locale"] = "en"  # before the first gettext: Babel keeps a request's locale
        assert document.parse(nested(6))[1] == ["Indicator systems: the JSON nests more than 5 levels deep"]
        assert problems_of(document, [1]) == ["Indicator systems: Wrong type: expected Object ({…}), found List ([…])"]

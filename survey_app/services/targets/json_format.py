"""The JSON form of an indicator system: parsing it safely and validating it against
survey_app/schemas/indicator-system.schema.json (both by platform/json_documents, under
the noun 考核细则), then the tree checks (checking.py); every problem in Chinese with its
JSON location, all at once.
"""

from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from jsonschema.exceptions import ValidationError as SchemaError

from survey_app.services.platform.json_documents import JsonDocument
from survey_app.services.targets.checking import PlacedNode, tree_problems

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "schemas" / "indicator-system.schema.json"
#: Lists and objects nest at most this deep before validation (a tree of MAX_DEPTH levels
#: needs about 2 × 8 + 4).
MAX_NESTING = 40
#: The largest JSON text read (a 2,000-indicator system is well under 2 MB).
MAX_BYTES = 4 * 1024 * 1024
#: How a system is read and its schema errors worded: missing and unknown fields are listed
#: together, so that the workbook can word a reason by sheet row (schema_reason).
SYSTEM = JsonDocument(noun=_l("考核细则"), schema_path=SCHEMA_PATH, max_nesting=MAX_NESTING, max_bytes=MAX_BYTES,
                      fields_apart=False, name_found=False)


def system_schema() -> dict[str, Any]:
    """The JSON Schema of the format (a copy)."""
    return SYSTEM.schema()


def checked_system(data: Any) -> tuple[dict[str, Any] | None, list[str]]:
    """Return (parsed data, problems) for any input (JSON text, bytes or parsed data): the
    data may be stored when there is no problem. Never raises."""
    try:
        parsed, problems = SYSTEM.parse(data)
        if problems:
            return None, problems
        problems = SYSTEM.schema_messages(SYSTEM.schema_errors(parsed)) + SYSTEM.non_finite_problems(parsed)
        if not problems:
            problems = tree_problems(float(parsed["points"]), parsed["indicators"], _where)
        return parsed, list(dict.fromkeys(problems))
    except Exception:  # noqa: BLE001 - garbage input must yield a message, never an exception
        return None, [_("内容结构异常，无法检查")]


def _where(node: PlacedNode | None) -> str:
    if node is None:
        return _("考核细则（总分值）")
    return _("%(path)s（指标 %(code)s“%(name)s”）", path=SYSTEM.location(node.path), code=node.code,
             name=node.data.get("name", ""))


def schema_errors(data: Any) -> list[SchemaError]:
    """The schema's errors of parsed data (the Excel reader words them by row)."""
    return SYSTEM.schema_errors(data)


def schema_reason(error: SchemaError) -> str:
    """What is wrong, without where (in Chinese)."""
    return SYSTEM.schema_reason(error)

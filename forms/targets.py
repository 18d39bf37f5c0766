"""Forms of the indicator-system pages: the upload of a 考核细则 (JSON or Excel)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired


class SystemImportForm(FlaskForm):
    document = FileField(_l("考核细则文件（.json 或 .xlsx）"), validators=[
        FileRequired(_l("请选择要上传的文件")),
        FileAllowed(["json", "xlsx"], _l("只能上传 JSON（.json）或 Excel 工作簿（.xlsx）文件")),
    ])

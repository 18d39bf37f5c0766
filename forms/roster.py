"""Roster upload form: one Excel workbook."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired


class RosterUploadForm(FlaskForm):
    workbook = FileField(
        _l("名册文件（.xlsx）"),
        validators=[
            FileRequired(_l("请选择要上传的名册文件")),
            FileAllowed(["xlsx"], _l("只能上传 Excel 工作簿（.xlsx）文件")),
        ],
    )

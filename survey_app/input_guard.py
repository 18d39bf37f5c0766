"""Refuse a request carrying a NUL character before any view sees it.

PostgreSQL cannot store NUL in text, and its driver refuses even to send one in a query
parameter, so a NUL in a path segment (`/o/%00`), a query argument or a form field (a
username `ad\\0min`) used to end in a 500 wherever the value reached a query. No honest
client sends one: the answer is a 400 with a Chinese message, and nothing is read or
changed. (Uploaded files are bytes, not text, and are not looked at here; JSON bodies are
checked by the API's own validation.)
"""

from flask import Flask, render_template, request
from flask_babel import gettext as _

_NUL = "\x00"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
#: Respondent forms checked by the ballot service itself, which refuses a NUL with the
#: ballot page again and the answers kept (a bare 400 page would lose them);
#: tests/app/test_hostile_input.py holds it.
_CHECKS_ITS_OWN_FORM = {"respondent.enter_code", "respondent.submit_ballot", "respondent.submit_open_ballot"}


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul_characters)


def _has_nul(pairs) -> bool:
    return any(_NUL in key or _NUL in value for key, value in pairs)


def _carries_nul() -> bool:
    if _NUL in request.path:
        return True
    if _has_nul(request.args.items(multi=True)):
        return True
    if (request.method in ("POST", "PUT", "PATCH") and request.mimetype in _FORM_TYPES
            and request.endpoint not in _CHECKS_ITS_OWN_FORM):
        if _has_nul(request.form.items(multi=True)):
            return True
        return any(_NUL in (upload.filename or "") for upload in request.files.values())
    return False


def refuse_nul_characters():
    if not _carries_nul():
        return None
    message = _("请求中含有空字符（NUL），无法处理；未做任何修改")
    if request.path.startswith("/api/"):
        return {"error": message}, 400, {"Cache-Control": "no-store"}
    return render_template("errors/error.html", status=400, message=message), 400

"""The respondent's side: type or scan a code, fill in the ballot on a phone, submit.

/s             type a code (for those who cannot scan)
/s/<code>      the ballot opened by a one-time code (the QR code's URL)
/o/<token>     the ballot of an open link (公众评议): one per browser, rate limited per IP
/s/thanks/<id> the thank-you page

Code pages need no CSRF token: the code in the URL is the only authority, no cookie is
involved, so a forged request could do nothing its sender could not do directly. Open
links keep CSRF protection, because there the browser's cookie and address are the
authority a foreign page could borrow.
"""

import gzip
import secrets
import threading
import time
import weakref
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer
from limits import parse as parse_limit
from markupsafe import Markup, escape

from survey_app.blueprints import code_guard
from survey_app.blueprints.errors import DATABASE_UNAVAILABLE, RETRY_AFTER, database_trouble, render_offline
from survey_app.extensions import csrf, db, limiter
from survey_app.models import Survey, SurveyStatus
from survey_app.services.respondents import ballots, codes
from survey_app.services.respondents.ballot_rules import BallotInvalid

bp = Blueprint("respondent", __name__)

#: Open-link ballots per address; more than OPEN_BURST_LIMIT are stored but flagged.
#: (Code guessing is limited in blueprints/code_guard.py.)
OPEN_LINK_LIMIT = "30 per hour"
OPEN_BURST_LIMIT = "3 per 10 minutes"
OPEN_DONE_KEY = "open_done"
_COMPRESSIBLE = {"text/html", "text/css", "text/javascript", "application/javascript", "application/json"}


def _config(name: str, default: str) -> str:
    return current_app.config.get(name, default)


def _page_admits_code() -> bool:
    """Whether the posted ballot page was opened by the code in the URL (its signed field).

    Such a page was served only after the code was found live, so its POST is no guess:
    no waiting imposed on the (perhaps shared) address may refuse it.
    """
    started = _unsign_started()
    return started is not None and started[1] == _code_digest(request.view_args.get("code", ""))


def _now() -> datetime:
    return datetime.now(UTC)


# ---- page helpers -----------------------------------------------------------------------


def _signer() -> TimestampSigner:
    return TimestampSigner(current_app.config["SECRET_KEY"], salt="ballot-started")


def _code_digest(code: str) -> str:
    return codes.keyed_hash(code, "ballot-page")[:24] if code else "-"


def _unsign_started() -> tuple[int, str] | None:
    """(render time, code digest) from the posted page's signed `started` field."""
    try:
        stamp, _sep, digest = _signer().unsign(request.form.get("started", "")).decode().partition(".")
        return int(stamp), digest or "-"
    except (BadSignature, ValueError):
        return None


def _duration() -> int | None:
    """Seconds since the ballot page was rendered, from its signed hidden field."""
    started = _unsign_started()
    return None if started is None else int(time.time()) - started[0]


def _submitted_values() -> dict[str, list[str]]:
    """The answer fields of the posted form (ratings, questions, name), as lists."""
    form = request.form
    return {key: form.getlist(key) for key in form if key.startswith(("r-", "q-", "c-")) or key == "name"}


def _challenge_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="open-link-challenge")


def _new_challenge() -> dict | None:
    """A small sum to solve, for open links when OPEN_LINK_CHALLENGE is on.

    Self-hosted and works without JavaScript: it stops scripts that post blindly, not a
    determined bot (the per-address limits and burst flags are the other layers).
    """
    if not current_app.config.get("OPEN_LINK_CHALLENGE"):
        return None
    a, b = secrets.choice(range(2, 10)), secrets.choice(range(2, 10))
    return {"question": _("%(a)d 加 %(b)d 等于几？", a=a, b=b),
            "token": _challenge_serializer().dumps(a + b)}


def _challenge_error() -> dict[str, str]:
    if not current_app.config.get("OPEN_LINK_CHALLENGE"):
        return {}
    try:
        expected = _challenge_serializer().loads(request.form.get("challenge_token", ""), max_age=4 * 3600)
    except BadSignature:
        expected = None
    if expected is None or request.form.get("challenge_answer", "").strip() != str(expected):
        return {"challenge": _("请填写正确的计算结果")}
    return {}


def _started(code: str | None) -> str:
    """The signed render time, and which code opened the page (a digest; "-" for links)."""
    return _signer().sign(f"{int(time.time())}.{_code_digest(code or '')}").decode()


@dataclass(frozen=True)
class _OwnFields:
    """What differs between two respondents' fresh pages of one ballot."""

    action: str
    idempotency_key: str
    started: str
    csrf: str | None = None  # open links only
    challenge: dict | None = None  # open links with OPEN_LINK_CHALLENGE: question, token


def _own_fields(action: str, *, is_open: bool, idempotency_key: str | None = None,
                code: str | None = None) -> _OwnFields:
    return _OwnFields(action, idempotency_key or secrets.token_urlsafe(16), _started(code),
                      generate_csrf() if is_open else None, _new_challenge() if is_open else None)


def _render_ballot(structure, own: _OwnFields, values=None, errors=None, *, is_open: bool = False) -> str:
    values = values or {}
    return render_template(
        "respondent/ballot.html",
        structure=structure,
        survey=structure.survey,
        action=own.action,
        chosen={key: vals[0] for key, vals in values.items() if len(vals) == 1},
        values=values,
        errors=errors or {},
        idempotency_key=own.idempotency_key,
        started=own.started,
        csrf=own.csrf,
        is_open=is_open,
        challenge=own.challenge,
    )


def _ballot_page(structure, action: str, values=None, errors=None, *, is_open: bool = False, status: int = 200,
                 code: str | None = None):
    own = _own_fields(action, is_open=is_open, idempotency_key=request.form.get("idempotency_key"), code=code)
    return _render_ballot(structure, own, values, errors, is_open=is_open), status


#: Where each respondent's own values go in a cached page. No text shown can produce "<"
#: (names and labels are escaped), so no survey wording can fake a mark.
_MARKS = _OwnFields(Markup("<ACTION>"), Markup("<IDEMPOTENCY-KEY>"), Markup("<STARTED>"), Markup("<CSRF>"),
                    {"question": Markup("<CHALLENGE>"), "token": Markup("<CHALLENGE-TOKEN>")})
#: Fresh ballot pages per database engine (so per app and per test database):
#: (ballots.page_version, language, open link?, challenge?) → the page with the marks.
_FRESH_PAGES: "weakref.WeakKeyDictionary[object, dict[tuple, str]]" = weakref.WeakKeyDictionary()
_FRESH_PAGES_PER_ENGINE = 32
_FRESH_PAGES_LOCK = threading.Lock()


def _fill_in(page: str, own: _OwnFields) -> str:
    pairs = [(_MARKS.action, own.action), (_MARKS.idempotency_key, own.idempotency_key),
             (_MARKS.started, own.started)]
    if own.csrf:
        pairs.append((_MARKS.csrf, own.csrf))
    if own.challenge:
        pairs += [(_MARKS.challenge[part], own.challenge[part]) for part in ("question", "token")]
    for mark, value in pairs:
        page = page.replace(mark, escape(value))
    return page


def _fresh_page(ballot: ballots.LiveBallot, action: str, *, is_open: bool = False, code: str | None = None) -> str:
    """The ballot page of a live code or open link, with no answers and no errors yet.

    Rendering it is most of the cost of opening a ballot (loading the structure, 600
    radios), and two respondents' pages differ only in the fields of `_OwnFields`. So it
    is rendered once per survey wording, group and language in each worker, with marks
    where those go, and they are filled in per request.
    """
    own = _own_fields(action, is_open=is_open, code=code)
    key = (ballots.page_version(ballot), str(get_locale()), is_open, own.challenge is not None)
    page = _FRESH_PAGES.get(db.engine, {}).get(key)
    if page is None:
        marks = replace(_MARKS, csrf=_MARKS.csrf if own.csrf else None,
                        challenge=_MARKS.challenge if own.challenge else None)
        page = _render_ballot(ballots.structure_of(ballot), marks, is_open=is_open)
        with _FRESH_PAGES_LOCK:  # gunicorn's threads share the cache
            cache = _FRESH_PAGES.setdefault(db.engine, {})
            if len(cache) >= _FRESH_PAGES_PER_ENGINE:
                cache.pop(next(iter(cache)))
            cache[key] = page
    return _fill_in(page, own)


def _refusal_page(message: str, reason: str, status: int):
    return render_template("respondent/refused.html", message=message, reason=reason), status


@bp.errorhandler(ballots.BallotRefused)
def refused(error: ballots.BallotRefused):
    db.session.rollback()
    return _refusal_page(error.message, error.reason, error.status)


def database_unavailable(error):
    """503 "submit again": the posted answers come back as hidden fields of a resubmit form.

    The idempotency key is among them, so a resubmit after a commit whose reply was lost
    is told "already stored". The page needs no database; ballot.js keeps its draft too.
    """
    database_trouble(error)
    fields = [(key, value) for key in request.form for value in request.form.getlist(key)] \
        if request.method == "POST" else []
    page = render_offline("respondent/unavailable.html", fields=fields, action=request.path)
    return page, 503, {"Retry-After": str(RETRY_AFTER)}


for _exception in DATABASE_UNAVAILABLE:
    bp.errorhandler(_exception)(database_unavailable)


@bp.errorhandler(429)
def too_many(error):
    message = getattr(error, "description", "") or _("操作太频繁，请稍后再试")
    return _refusal_page(message, "rate_limited", 429)


@bp.errorhandler(413)
def too_large(_error):
    return _refusal_page(_("提交的内容太长，请删减后重新提交"), "too_large", 413)


bp.after_app_request(code_guard.after_request)  # the API's code routes are guarded too


@bp.after_request
def no_store(response):
    # A ballot carries an idempotency key and perhaps answers: never cache it anywhere.
    response.headers.setdefault("Cache-Control", "no-store")
    return response


# ---- code entry -------------------------------------------------------------------------


@bp.route("/s", methods=["GET", "POST"])
@csrf.exempt
@code_guard.guarded()
def enter_code():
    if request.method == "GET":
        return render_template("respondent/enter_code.html", typed="", error=None)
    typed = request.form.get("code", "")[:40]
    code = codes.normalize_code(typed)
    try:
        if code is None:
            raise ballots.BallotRefused("unknown_code", _("评议码无效，请核对后重新输入"))
        ballots.find_live_code(code, _now(), code_guard.only_survey())  # refusals only: the page loads the ballot
    except ballots.BallotRefused as error:
        db.session.rollback()
        page = render_template("respondent/enter_code.html", typed=typed, error=error.message)
        return page, error.status
    return redirect(url_for("respondent.take_ballot", code=code), 303)


# ---- the ballot by code -----------------------------------------------------------------


@bp.get("/s/<code>")
@code_guard.guarded()
def take_ballot(code: str):
    live = ballots.find_live_code(code, _now(), code_guard.only_survey())
    if code != live.code:  # typed in lower case or with a dash: one canonical URL
        return redirect(url_for("respondent.take_ballot", code=live.code), 301)
    return _fresh_page(live.ballot, url_for("respondent.submit_ballot", code=live.code), code=live.code)


@bp.post("/s/<code>")
@csrf.exempt
@code_guard.guarded(admitted=_page_admits_code)
def submit_ballot(code: str):
    values = _submitted_values()
    try:
        result = ballots.submit_with_code(
            code, values, request.form.get("idempotency_key"), _now(), _duration(), code_guard.only_survey()
        )
    except BallotInvalid as invalid:
        db.session.rollback()
        context = ballots.open_code(code, _now(), code_guard.only_survey())
        action = url_for("respondent.submit_ballot", code=context.code)
        return _ballot_page(context.structure, action, values, invalid.field_errors, status=422, code=context.code)
    db.session.commit()
    return redirect(thanks_url(result.survey_id), 303)


#: How long the link of a thank-you page names its survey (a reload much later still thanks).
THANKS_MAX_AGE = 3600


def _thanks_signer() -> TimestampSigner:
    return TimestampSigner(current_app.config["SECRET_KEY"], salt="thanks-page")


def thanks_url(survey_id: int) -> str:
    """Where a stored ballot is redirected: the thank-you page, signed for its survey."""
    token = _thanks_signer().sign(str(survey_id)).decode()
    return url_for("respondent.thanks", survey_id=survey_id, t=token)


@bp.get("/s/thanks/<int:survey_id>")
def thanks(survey_id: int):
    """Thank the respondent; name the survey only to whoever was just sent here by it.

    Without the signed token of a submission's redirect, the page is the same for every id
    (existing or not, draft or not), so it reveals nothing about any survey.
    """
    try:
        signed = int(_thanks_signer().unsign(request.args.get("t", ""), max_age=THANKS_MAX_AGE)) == survey_id
    except (BadSignature, ValueError):
        signed = False
    survey = db.session.get(Survey, survey_id) if signed else None
    if survey is not None and survey.status is SurveyStatus.DRAFT:
        survey = None
    return render_template("respondent/thanks.html", survey=survey)


# ---- open links (公众评议) -----------------------------------------------------------------


def _already_voted(token: str) -> bool:
    return token in session.get(OPEN_DONE_KEY, [])


def _refuse_repeat() -> ballots.BallotRefused:
    return ballots.BallotRefused("already_voted", _("您已经在这台设备上提交过答卷，感谢参与"))


def _burst_flag() -> str | None:
    """Return "burst" when this address sent many open-link ballots lately.

    Counted in the rate limiter's storage (memory or Redis), never stored with a ballot.
    """
    if not limiter.enabled or not getattr(limiter, "initialized", False):
        return None
    item = parse_limit(_config("OPEN_BURST_LIMIT", OPEN_BURST_LIMIT))
    try:
        return None if limiter.limiter.hit(item, "open-burst", request.remote_addr or "-") else "burst"
    except Exception:  # a storage fault must not lose the ballot: store it unflagged
        current_app.logger.exception("rate-limit storage failed; the open-link ballot is not checked for bursts")
        return None


@bp.get("/o/<token>")
def take_open_ballot(token: str):
    if _already_voted(token):
        raise _refuse_repeat()
    ballot = ballots.find_live_link(token, _now())
    return _fresh_page(ballot, url_for("respondent.submit_open_ballot", token=token), is_open=True)


@bp.post("/o/<token>")
@limiter.limit(lambda: _config("OPEN_LINK_LIMIT", OPEN_LINK_LIMIT))
def submit_open_ballot(token: str):
    if _already_voted(token):
        raise _refuse_repeat()
    values = _submitted_values()
    try:
        challenge = _challenge_error()
        if challenge:
            raise BallotInvalid(challenge)
        result = ballots.submit_open(
            token, values, request.form.get("idempotency_key"), _now(), _duration(), _burst_flag()
        )
    except BallotInvalid as invalid:
        db.session.rollback()
        structure = ballots.open_link(token, _now())
        action = url_for("respondent.submit_open_ballot", token=token)
        return _ballot_page(structure, action, values, invalid.field_errors, is_open=True, status=422)
    db.session.commit()
    session[OPEN_DONE_KEY] = [*session.get(OPEN_DONE_KEY, [])[-20:], token]
    session.permanent = True
    return redirect(thanks_url(result.survey_id), 303)


# ---- compression ------------------------------------------------------------------------


@bp.after_app_request
def compress(response):
    """Gzip text responses: a phone on a weak signal pays for every byte.

    App-wide (static CSS and JS included) since no proxy in front can be assumed. A
    reverse proxy that compresses itself leaves these alone (Content-Encoding is set).
    """
    if (
        "gzip" not in request.headers.get("Accept-Encoding", "")
        or response.status_code != 200
        or response.mimetype not in _COMPRESSIBLE
        or "Content-Encoding" in response.headers
    ):
        return response
    source = response.response
    response.direct_passthrough = False
    body = response.get_data()
    if hasattr(source, "close"):
        source.close()  # a static file's handle: read in full, no longer needed
    if len(body) < 500:
        return response
    response.set_data(gzip.compress(body, compresslevel=6))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    if response.get_etag()[0]:
        # Same content, other encoding: a weak validator still lets clients revalidate.
        response.set_etag(response.get_etag()[0], weak=True)
    return response

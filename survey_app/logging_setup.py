"""Structured logs: one JSON object per line on stderr, with nothing of a respondent in them.

Every staff request ends in one line from the logger `survey_app.request` with its id,
method, path, status and duration. Respondents' requests (ballot pages, code entry, open
links, the ballot API and the static files a ballot page loads) do not: their time to the
millisecond would let anyone pair a phone's GET and POST (docs/anonymity.md, "Logs"). They
are counted instead, and one line per `LOG_RESPONDENT_WINDOW` (600 s) gives the counts by
method, path and status, stamped with the window's start and written by a timer at the
window's end, not by a respondent's request; a respondent request that fails on the server
(5xx) still gets its own line, for support. Paths carrying a secret or a ballot are redacted
(`/s/<code>` → `/s/<redacted>`, `/o/<token>` → `/o/<redacted>`, a ballot id in the
exclusion URL); query strings, bodies, cookies, the referrer and the user agent are never
logged; the client address only when `LOG_CLIENT_IP` is set. Every other record of the
`survey_app` loggers (Flask's "Exception on /s/…" included) goes through the same
redaction. Settings (environment `SURVEY_…`): `LOG_LEVEL` (INFO), `LOG_CLIENT_IP` (false),
`LOG_FORMAT` ("json", or "text" for a terminal). See docs/operations.md, "Logs".
"""

import atexit
import json
import logging
import os
import re
import secrets
import threading
import time
from collections import Counter
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request
from flask.logging import default_handler

LOGGER_NAME = "survey_app"
REQUEST_LOGGER = "survey_app.request"
LIMITER_LOGGER = "flask-limiter"
HANDLER_NAME = "pingyi-structured"
REDACTED = "<redacted>"

#: Paths whose segment is a secret (a code, an open-link token) or names a ballot.
_SECRET_PATHS = (
    (re.compile(r"/s/(?!thanks/)[^/\s?#\"'<>]+"), f"/s/{REDACTED}"),
    (re.compile(r"/o/[^/\s?#\"'<>]+"), f"/o/{REDACTED}"),
    (re.compile(r"(/admin/reports/\d+/quality)/[^/\s?#\"'<>]+"), rf"\1/{REDACTED}"),
)
#: SQLAlchemy error texts carry the statement's parameters: the ballot's ratings, a hash.
_SQL_PARAMETERS = re.compile(r"\[parameters: [^\n]*")
#: A request id from the proxy (nginx $request_id) is kept when it looks like one.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
#: Request fields a record may carry (set as `extra=` or taken from the request).
_FIELDS = ("request_id", "method", "path", "status", "duration_ms", "client_ip", "window_seconds", "requests")
#: Respondents' requests: counted per window, never logged one by one (unless 5xx).
_RESPONDENT_PATH = re.compile(r"^/(?:s|o)(?:/|$)|^/api/v1/ballot|^/static/")
RESPONDENT_WINDOW = 600


def redact(text: str) -> str:
    """Replace codes, open-link tokens, ballot ids in paths and SQL parameters in `text`."""
    for pattern, replacement in _SECRET_PATHS:
        text = pattern.sub(replacement, text)
    return _SQL_PARAMETERS.sub(f"[parameters: {REDACTED}]", text)


def redact_path(path: str) -> str:
    """Return a request path fit for a log line (never with a query string)."""
    return redact(path.split("?", 1)[0])


class RedactingFilter(logging.Filter):
    """Render each record's message once, redacted, so no handler sees the raw text."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "_pingyi_redacted", False):
            record.msg = redact(record.getMessage())
            record.args = None
            record._pingyi_redacted = True
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: timestamp, level, logger, message and the request fields.

    Used only on the handler that carries RedactingFilter, so the message arrives redacted;
    tracebacks, which the filter does not touch, are redacted here."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "timestamp": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),  # already redacted by RedactingFilter
        }
        for name in _FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if "request_id" not in entry and has_request_context():
            entry.update(_request_fields())
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def _timestamp(record: logging.LogRecord) -> str:
    """The record's time; a respondent tally's is its window's start, to the minute."""
    coarse = getattr(record, "window_start", None)
    if coarse is not None:
        return datetime.fromtimestamp(coarse, UTC).isoformat(timespec="minutes")
    return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


class RespondentTally:
    """Counts of respondents' requests per window, written as one line when it ends.

    A timer thread (one per worker process, started by the first request counted) writes
    the line at the window's end, so the line's own arrival time (journald stamps every
    line) says nothing about any respondent's request either.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter = Counter()
        self._window_start: float | None = None
        self._timer_pid: int | None = None
        self.window = RESPONDENT_WINDOW
        #: Off under test: tests flush by hand, and a timer could write into another test's log.
        self.use_timer = True

    def add(self, method: str, path: str, status: int) -> None:
        with self._lock:
            now = time.time()
            if self._window_start is None:
                self._window_start = now - now % self.window
            self._counts[(method, path, status)] += 1
            if self.use_timer and self._timer_pid != os.getpid():  # first request, or a forked worker
                self._timer_pid = os.getpid()
                threading.Thread(target=self._flush_at_window_ends, name="respondent-tally", daemon=True).start()

    def _flush_at_window_ends(self) -> None:
        while True:
            now = time.time()
            time.sleep(self.window - now % self.window + 0.5)
            self.flush()

    def flush(self) -> None:
        """Write the counts of the current window (if any) and start a new one."""
        with self._lock:
            counts, start = self._counts, self._window_start
            self._counts, self._window_start = Counter(), None
        if not counts or start is None:
            return
        requests = [{"method": m, "path": p, "status": st, "count": n}
                    for (m, p, st), n in sorted(counts.items(), key=lambda item: (item[0][1], item[0][0], item[0][2]))]
        summary = ", ".join(f"{r['method']} {r['path']} {r['status']} ×{r['count']}" for r in requests)
        logging.getLogger(REQUEST_LOGGER).info(
            "respondent requests in %d s: %s", self.window, summary,
            extra={"window_start": start, "window_seconds": self.window, "requests": requests})


respondent_tally = RespondentTally()
_flush_at_exit = []  # registered once, by the first app not under test (whose streams close first)


class TextFormatter(logging.Formatter):
    """A readable line for a terminal (`LOG_FORMAT=text`), redacted the same way."""

    def format(self, record: logging.LogRecord) -> str:
        fields = " ".join(f"{name}={getattr(record, name)}" for name in _FIELDS
                          if getattr(record, name, None) is not None)
        line = f"{_timestamp(record)} {record.levelname} {record.name}: {record.getMessage()} {fields}"
        if record.exc_info:
            line += "\n" + redact(self.formatException(record.exc_info))
        return line.rstrip()


def _request_fields() -> dict:
    return {"request_id": getattr(g, "request_id", None), "method": request.method,
            "path": redact_path(request.path)}


def handler() -> logging.Handler | None:
    """Return the handler installed by `init_app` (tests point its stream elsewhere)."""
    return next((h for h in logging.getLogger(LOGGER_NAME).handlers if h.get_name() == HANDLER_NAME), None)


def _install_handler(app: Flask) -> None:
    """Put one structured handler on the `survey_app` logger (replacing Flask's default
    one and any from an earlier app in this process)."""
    logger = logging.getLogger(LOGGER_NAME)
    # `logging.config.fileConfig` (Alembic's env.py, run by `flask db upgrade` in-process)
    # disables every logger that exists; ours must keep writing afterwards.
    for name, each in list(logging.root.manager.loggerDict.items()):
        if (name == LOGGER_NAME or name.startswith(LOGGER_NAME + ".")) and isinstance(each, logging.Logger):
            each.disabled = False
    for old in list(logger.handlers):
        if old is default_handler or old.get_name() == HANDLER_NAME:
            logger.removeHandler(old)
    new = logging.StreamHandler()  # stderr: gunicorn and systemd pass it to the journal
    new.set_name(HANDLER_NAME)
    new.setFormatter(TextFormatter() if app.config.get("LOG_FORMAT") == "text" else JsonFormatter())
    new.addFilter(RedactingFilter())
    logger.addHandler(new)
    # Flask-Limiter logs a storage fault it swallows (RATELIMIT_SWALLOW_ERRORS) on its own
    # logger, which has only a NullHandler: without ours the fault would be invisible.
    limiter_logger = logging.getLogger(LIMITER_LOGGER)
    for old in list(limiter_logger.handlers):
        if old.get_name() == HANDLER_NAME:
            limiter_logger.removeHandler(old)
    limiter_logger.addHandler(new)
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())  # also for handlers added elsewhere (caplog, root)
    logger.setLevel(str(app.config.get("LOG_LEVEL", "INFO")).upper())


def init_app(app: Flask) -> None:
    """Install the structured handler and log one line per request."""
    _install_handler(app)
    request_logger = logging.getLogger(REQUEST_LOGGER)
    respondent_tally.use_timer = not app.testing
    if not app.testing and not _flush_at_exit:
        _flush_at_exit.append(atexit.register(respondent_tally.flush))

    @app.before_request
    def start_request_log() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else secrets.token_hex(8)
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response):
        started = g.get("request_started")
        fields = {
            **_request_fields(),
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
        }
        respondent_tally.window = int(app.config.get("LOG_RESPONDENT_WINDOW", RESPONDENT_WINDOW))
        if _RESPONDENT_PATH.match(request.path) and response.status_code < 500:
            respondent_tally.add(fields["method"], fields["path"], fields["status"])
            return response  # no line of its own, no request id: nothing to pair
        if app.config.get("LOG_CLIENT_IP"):
            fields["client_ip"] = request.remote_addr
        # The load balancer asks every few seconds: keep its checks out of the INFO stream.
        level = logging.DEBUG if request.path == "/healthz" else logging.INFO
        request_logger.log(level, "%s %s %s", fields["method"], fields["path"], fields["status"], extra=fields)
        if fields["request_id"]:
            response.headers["X-Request-ID"] = fields["request_id"]
        return response

"""gunicorn settings for production (docs/operations.md); gunicorn reads this file by itself
when started from the repository's top folder: `gunicorn wsgi:app`.

Command-line options override it (`--bind`, `--workers`, `--threads`, `--access-logfile`),
so does WEB_CONCURRENCY for the worker count. bench/load.py starts the app with this
file; its figures (docs/benchmarks.md) are for these settings.
"""

import os
import re

from gunicorn.glogging import Logger

bind = "127.0.0.1:8000"
#: One process per core plus one: a request's work is mostly Python (the GIL), so each
#: process uses at most a core, and while one waits on PostgreSQL (commit, round trips)
#: the spare one keeps the cores busy (bench/submit.py: 2 → 3 workers on 2 cores,
#: 250 → 386 ballots/s; SQLite unchanged); the threads overlap the waits on the database.
#: docs/benchmarks.md.
workers = int(os.environ.get("WEB_CONCURRENCY", (os.cpu_count() or 2) + 1))
worker_class = "gthread"
threads = 4
#: Idle keep-alive connections a worker holds (phones in a hall, or the proxy's pool).
worker_connections = 1000
keepalive = 5
backlog = 2048
timeout = 60
graceful_timeout = 30
accesslog = "-"
#: Time, method, path without its query string (%(U)s, not %(r)s: "?code=<code>" would be
#: logged in clear), status, bytes, seconds. No address, user agent or referrer: with them
#: a phone's GET and POST pair up (docs/anonymity.md, "Logs").
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)s'

_CODE_IN_PATH = re.compile(r"/s/(?!thanks/)[^/?\s\"]+")
#: Respondents' requests, which the app counts instead of logging (survey_app/logging_setup.py).
_RESPONDENT_PATH = re.compile(r"^/(?:s|o)(?:/|$)|^/api/v1/ballot|^/static/")


class RedactingLogger(Logger):
    """Write "/s/…" instead of a one-time code in the access log (path and referrer), and
    no line for respondents' requests.

    A log line with the time and address of a code's use is exactly what must not exist
    beside the ballots (docs/anonymity.md); the reverse proxy's log needs the same care.
    """

    def access(self, resp, req, environ, request_time):
        # A respondent's request gets no line with its time to the second, as in the app's
        # log; one that failed on the server does (nothing of it was stored).
        if _RESPONDENT_PATH.match(environ.get("PATH_INFO", "")) and (resp.status_code or 500) < 500:
            return
        super().access(resp, req, environ, request_time)

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "f", "{referer}i", "{location}o", "{raw_uri}e", "{path_info}e"):
            value = atoms.get(key)
            if isinstance(value, str) and "/s/" in value:
                atoms[key] = _CODE_IN_PATH.sub("/s/…", value)
        return atoms


logger_class = RedactingLogger


def _without_server_header(default_headers):
    def headers(self):
        return [line for line in default_headers(self) if not line.lower().startswith("server:")]

    headers.drops_server = True
    return headers


def _hide_server_software() -> None:
    """No `Server: gunicorn` header: it tells a scanner which server (and which known
    flaws) to try, and gunicorn has no setting for it. Patched here, in the master before
    it forks, so every worker answers without it (deploy/gunicorn.conf.py loads this file).
    """
    from gunicorn.http import wsgi

    if not getattr(wsgi.Response.default_headers, "drops_server", False):
        wsgi.Response.default_headers = _without_server_header(wsgi.Response.default_headers)


_hide_server_software()

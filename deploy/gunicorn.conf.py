"""gunicorn settings of the systemd unit (deploy/systemd/pingyi.service):
`gunicorn --config deploy/gunicorn.conf.py wsgi:app`.

It takes the repository's own gunicorn.conf.py when there is one (workers, threads and
timeouts: the settings bench/load.py measured, docs/benchmarks.md), else the same
defaults below, and then makes the logs safe for respondents (docs/operations.md, "Logs"):

- `accesslog = None`: gunicorn's access log stays off. Its default format prints the
  request line (`"GET /s/<the one-time code> HTTP/1.1"`), the referrer (every request
  made from a ballot page carries `/s/<code>` in it) and the client address. The app
  writes one JSON line per request instead (survey_app/logging_setup.py): `/s/<redacted>`,
  `/o/<redacted>`, no query string, no referrer, no address unless SURVEY_LOG_CLIENT_IP.
- `errorlog = "-"`: gunicorn's own messages go to stderr, as the app's JSON lines do;
  systemd puts both in the journal.

Command-line options and GUNICORN_CMD_ARGS override this file, WEB_CONCURRENCY the number
of workers; never add `--access-logfile` back.
"""

import os
import runpy
from pathlib import Path

_REPOSITORY_CONFIG = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"

bind = "127.0.0.1:8000"
workers = int(os.environ.get("WEB_CONCURRENCY", (os.cpu_count() or 2) + 1))
worker_class = "gthread"
threads = 4
keepalive = 5
timeout = 60  # nginx waits 65 s (deploy/nginx/pingyi.conf): gunicorn gives up first
graceful_timeout = 30

if _REPOSITORY_CONFIG.is_file():
    globals().update(
        {name: value for name, value in runpy.run_path(str(_REPOSITORY_CONFIG)).items() if not name.startswith("_")}
    )

proc_name = "pingyi"
accesslog = None
errorlog = "-"
loglevel = "info"
capture_output = False

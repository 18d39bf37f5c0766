"""Real servers and real faults for the race and fault tests.

`LiveServers` starts the app under gunicorn (separate worker processes, so real
parallelism and real crashes) on the database of the `app` fixture; `FlakyProxy` stands
between an app and PostgreSQL and "restarts" the server by cutting every connection and
refusing new ones for a while. Nothing here is imported by the application.
"""

import contextlib
import html
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import func, select

from survey_app import create_app
from survey_app.config import TestingConfig
from survey_app.extensions import db
from survey_app.models import AccessCode, Answer, Ballot, CodeStatus, Rating
from survey_app.services.respondents import codes

REPO = Path(__file__).resolve().parents[2]
BOOT_TIMEOUT = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LiveServer:
    """One gunicorn master with its workers, serving `module` on a free loopback port."""

    def __init__(self, database_uri: str, folder: Path, *, workers: int, threads: int,
                 module: str = "wsgi:app", env: dict[str, str] | None = None):
        self.port = free_port()
        self.workers = workers
        self.log_path = folder / f"gunicorn-{self.port}.log"
        environment = {
            **{k: v for k, v in os.environ.items() if not k.startswith("SURVEY_")},
            "SURVEY_ENV": "testing",
            "SURVEY_SQLALCHEMY_DATABASE_URI": database_uri,
            "PYTHONPATH": str(REPO),
            **(env or {}),
        }
        command = [
            sys.executable, "-m", "gunicorn", "--preload",
            "--workers", str(workers), "--threads", str(threads),
            "--bind", f"127.0.0.1:{self.port}", "--timeout", "120", "--graceful-timeout", "2",
            module,
        ]
        self._log = open(self.log_path, "w")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(command, cwd=REPO, env=environment, stdout=self._log, stderr=self._log)
        self._wait_ready()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def worker_pids(self) -> list[int]:
        return [int(pid) for pid in re.findall(r"Booting worker with pid: (\d+)", self.log())]

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + BOOT_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log()}")
            if len(self.worker_pids()) >= self.workers:
                try:
                    if request(self.port, "GET", "/healthz", timeout=5)[0] == 200:
                        return
                except OSError:
                    pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not start in {BOOT_TIMEOUT}s:\n{self.log()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()


class LiveServers:
    """Start servers on the `app` fixture's database; stop them all at the end."""

    def __init__(self, app, folder: Path):
        self.uri = app.config["SQLALCHEMY_DATABASE_URI"]
        self.folder = folder
        self.started: list[LiveServer] = []

    def start(self, *, workers: int = 2, threads: int = 4, module: str = "wsgi:app",
              env: dict[str, str] | None = None) -> LiveServer:
        server = LiveServer(self.uri, self.folder, workers=workers, threads=threads, module=module, env=env)
        self.started.append(server)
        return server

    def stop_all(self) -> None:
        for server in self.started:
            server.stop()


# ---- HTTP -------------------------------------------------------------------------------


def encode_form(data: dict) -> bytes:
    return urlencode(data, doseq=True).encode()


def request(port: int, method: str, path: str, body: bytes | None = None, timeout: float = 60) -> tuple[int, str]:
    """Send one request on a fresh connection; return (status, body text)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body is not None else {}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", errors="replace")
    finally:
        connection.close()


def post_together(port: int, path: str, bodies: list[bytes], timeout: float = 60) -> list[tuple[int, str]]:
    """POST every body at the same instant, each from its own client; return the replies.

    Each client connects first, then all wait at a barrier and send together. A client
    whose connection fails gets status 0 and the error's text.
    """
    barrier = threading.Barrier(len(bodies))
    replies: list[tuple[int, str]] = [(0, "not sent")] * len(bodies)

    def send(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            connection.connect()
            barrier.wait(timeout=timeout)
            connection.request("POST", path, body=bodies[index],
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
            response = connection.getresponse()
            replies[index] = (response.status, response.read().decode("utf-8", errors="replace"))
        except (OSError, http.client.HTTPException, threading.BrokenBarrierError) as error:
            replies[index] = (0, repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout + 5)
    return replies


# ---- database checks --------------------------------------------------------------------


def code_status(app, code: str) -> CodeStatus:
    with app.app_context():
        return db.session.scalar(select(AccessCode.status).where(AccessCode.code_hash == codes.code_hash(code)))


def stored_rows(app) -> tuple[int, int, int]:
    """(ballots, ratings, answers) stored in the database."""
    with app.app_context():
        return tuple(
            db.session.scalar(select(func.count()).select_from(model)) for model in (Ballot, Rating, Answer)
        )


# ---- a PostgreSQL "restart" ---------------------------------------------------------------


class FlakyProxy:
    """A TCP proxy to PostgreSQL that can go down (every connection cut, new ones refused)
    and come back up on the same port, as a restarting server looks to its clients."""

    def __init__(self, host: str, port: int):
        self.upstream = (host, port)
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self.port = 0
        self.connections = 0
        self.come_up()

    def come_up(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(0.05)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def go_down(self) -> None:
        """Refuse new connections and cut every open one."""
        with self._lock:
            listener, self._listener = self._listener, None
            sockets, self._sockets = self._sockets, set()
        if listener is not None:
            listener.close()
        for sock in sockets:
            _close(sock)

    def restart(self, down_for: float = 0.0) -> None:
        self.go_down()
        time.sleep(down_for)
        self.come_up()

    def close(self) -> None:
        self.go_down()

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _address = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                _close(client)
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            with self._lock:
                if self._listener is not listener:  # went down meanwhile: this one is cut too
                    _close(client)
                    _close(upstream)
                    return
                self._sockets.update((client, upstream))
                self.connections += 1
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            _close(source)
            _close(target)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


# ---- the "submit again" page ----------------------------------------------------------------

_HIDDEN = re.compile(r'<input type="hidden" name="([^"]*)" value="([^"]*)">')


def resubmit_fields(page: str) -> dict[str, list[str]]:
    """The hidden fields of the 503 page's resubmit form, as test-client form data."""
    form = page.split('id="resubmit"', 1)[1].split("</form>", 1)[0]
    fields: dict[str, list[str]] = {}
    for name, value in _HIDDEN.findall(form):
        fields.setdefault(html.unescape(name), []).append(html.unescape(value))
    return fields


def other_app(uri: str, **config):
    """Another app instance (own engine and pool) on `uri`; dispose of it with `dispose`."""
    return create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=uri, **config)


def dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()

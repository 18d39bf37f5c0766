"""The load generator of bench/load.py: one process, asyncio, plain HTTP/1.1 keep-alive.

Run by the harness as `python bench/_client.py JOB RESULT` (pickles), one phase per run,
so its CPU time is measured on its own. Standard library only (no HTTP client package):
an asyncio.Protocol per connection parses status, headers and a Content-Length body,
which costs a few tens of microseconds per request, a small share of a ballot's cost.

A job is `concurrency` workers sharing one list of items; each worker keeps one
keep-alive connection (reopened when the server closes it), or with `keep_alive` off
opens one per request, and runs its items one after another. An item is one or more steps (requests) run in order on that connection; a GET
step may `extract` the page's hidden fields (`started`, `csrf_token`) and session cookie,
which a later POST step of the same item `fill`s in, as a browser would. The whole phase
stops at `deadline` seconds: unfinished steps count as errors ("timeout").
"""

import asyncio
import pickle
import re
import sys
import time
import zlib

_FIELD = re.compile(rb'name="(started|csrf_token)" value="([^"]*)"')
_COOKIE = re.compile(rb"(?im)^set-cookie:\s*(session=[^;\r\n]*)")


class Closed(Exception):
    """The server closed the connection before answering."""


class Connection(asyncio.Protocol):
    """One client connection: send a request, wait for its whole response."""

    def __init__(self) -> None:
        self.transport = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future | None = None
        self.closed = False

    def connection_made(self, transport) -> None:
        self.transport = transport

    def connection_lost(self, exc) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(Closed(str(exc) if exc else "closed"))

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.waiter is not None and not self.waiter.done():
            self._complete()

    def _complete(self) -> None:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buffer[:end])
        lower = head.lower()
        at = lower.find(b"\r\ncontent-length:")
        if at < 0:
            length = 0
        else:
            stop = lower.find(b"\r\n", at + 2)
            length = int(lower[at + 17: stop if stop > 0 else None])
        total = end + 4 + length
        if len(self.buffer) < total:
            return
        body = bytes(self.buffer[end + 4: total])
        del self.buffer[:total]
        if b"\r\nconnection: close" in lower:
            self.closed = True
        self.waiter.set_result((int(head[9:12]), head, body))

    async def request(self, data: bytes):
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(data)
        if self.buffer:
            self._complete()
        return await self.waiter


def _extract(head: bytes, body: bytes) -> dict[str, bytes]:
    if b"\r\ncontent-encoding: gzip" in head.lower():
        body = zlib.decompress(body, 47)
    found = {name.decode(): value for name, value in _FIELD.findall(body)}
    cookie = _COOKIE.search(head)
    if cookie:
        found["cookie"] = cookie.group(1)
    return found


def _request_bytes(step: dict, host: str, extracted: dict, extra: bytes = b"") -> bytes:
    body = step.get("body")
    headers = step.get("headers", b"") + extra
    if step.get("fill") and extracted:
        for name in ("started", "csrf_token"):
            if name in extracted:
                body += b"&" + name.encode() + b"=" + extracted[name]
        if "cookie" in extracted:
            headers += b"Cookie: " + extracted["cookie"] + b"\r\n"
    lines = f"{step['method']} {step['path']} HTTP/1.1\r\nHost: {host}\r\n".encode() + headers
    if body is None:
        return lines + b"\r\n"
    return (lines + b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\n\r\n" + body)


async def _run(job: dict) -> dict:
    loop = asyncio.get_running_loop()
    host, port = job["host"], job["port"]
    host_header = f"{host}:{port}"
    items = job["items"]
    keep_alive = job.get("keep_alive", True)
    # Without keep-alive every request has its own connection, as behind nginx with its
    # default upstream settings (HTTP/1.0, no upstream keepalive).
    close = b"" if keep_alive else b"Connection: close\r\n"
    results: list[list | None] = [None] * len(items)
    extracts: list[dict | None] = [None] * len(items)
    queue = iter(range(len(items)))
    first_sent = [None]
    last_done = [0.0]

    async def worker() -> None:
        connection = None
        for index in queue:
            outcomes = []
            results[index] = outcomes
            extracted: dict = {}
            for step in items[index]:
                data = _request_bytes(step, host_header, extracted, close)
                started = time.perf_counter()
                if first_sent[0] is None:
                    first_sent[0] = started
                try:
                    if connection is None or connection.closed or not keep_alive:
                        if connection is not None and connection.transport is not None:
                            connection.transport.close()
                        _transport, connection = await loop.create_connection(Connection, host, port)
                    status, head, body = await connection.request(data)
                    error = None if status == step["expect"] else f"HTTP {status}"
                except Exception as exc:  # noqa: BLE001 - any failure is one error of this step
                    status, error, connection = 0, type(exc).__name__, None
                finished = time.perf_counter()
                last_done[0] = max(last_done[0], finished)
                outcomes.append((status, finished - started, error))
                if error is None and step.get("extract"):
                    extracted = _extract(head, body)
                    extracts[index] = {k: v for k, v in extracted.items() if k == "started"}
        if connection is not None and connection.transport is not None:
            connection.transport.close()

    cpu_before = time.process_time()
    began = time.perf_counter()
    tasks = [asyncio.ensure_future(worker()) for _ in range(min(job["concurrency"], len(items)))]
    _done, pending = await asyncio.wait(tasks, timeout=job["deadline"])
    timed_out = bool(pending)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    ended = time.perf_counter()
    for index, item in enumerate(items):  # whatever never ran or never finished
        outcomes = results[index] or []
        outcomes.extend((0, None, "timeout") for _ in range(len(item) - len(outcomes)))
        results[index] = outcomes
    return {
        "results": results,
        "extracts": extracts,
        "wall": ended - began,
        "active": (last_done[0] - first_sent[0]) if first_sent[0] else 0.0,
        "client_cpu": time.process_time() - cpu_before,
        "timed_out": timed_out,
    }


def main() -> None:
    job_path, result_path = sys.argv[1], sys.argv[2]
    with open(job_path, "rb") as handle:
        job = pickle.load(handle)
    result = asyncio.run(_run(job))
    with open(result_path, "wb") as handle:
        pickle.dump(result, handle)


if __name__ == "__main__":
    main()

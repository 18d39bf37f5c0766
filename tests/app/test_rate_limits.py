"""Rate limits can never fail a request (issue #12, 15).

bench/load.py at 500 concurrent phones got one HTTP 500 in 1,000 open-link requests:
limits' in-memory storage, shared by gunicorn's threads, started its expiry timer twice
("RuntimeError: threads can only be started once"). The default storage is now a
lock-guarded one (survey_app/rate_storage.py), and any storage fault is logged and the
request allowed (RATELIMIT_SWALLOW_ERRORS, and the code guard's own handling).

The races need two threads at the same point at once; `SlowTimer` (a timer takes 2 ms to
build) and a tiny thread switch interval make them likely: on limits' own memory storage
(the default before), the storage test fails every time (its expiry sweep dies with a
KeyError), as the app failed under real load. The route test guards the whole path; it did
not reproduce the fault on the old storage in a test's few hundred requests.
"""

import logging
import os
import secrets
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from limits import parse
from limits.strategies import FixedWindowRateLimiter

from survey_app import create_app, rate_storage
from survey_app.config import TestingConfig
from survey_app.extensions import db, limiter
from tests.app.respondent_helpers import complete_values, form_data, issue_codes

THREADS = 12


class SlowTimer(threading.Timer):
    """A timer slow to build: two threads both see the old one finished, as under load."""

    def __init__(self, *args, **kwargs):
        time.sleep(0.002)
        super().__init__(*args, **kwargs)


@pytest.fixture
def slow_timers(monkeypatch):
    monkeypatch.setattr(threading, "Timer", SlowTimer)
    crashed = []
    monkeypatch.setattr(threading, "excepthook", lambda args: crashed.append(repr(args.exc_value)))
    yield crashed


def _limited_app(app, **config):
    limited = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                         RATELIMIT_ENABLED=True, **config)
    with limited.app_context():
        limiter.reset()
    return limited


def _dispose(limited) -> None:
    with limited.app_context():
        limiter.reset()
        db.session.remove()
        db.engine.dispose()


def test_the_default_storage_is_thread_safe_and_never_limits_own_memory_storage(app):
    limited = _limited_app(app)
    try:
        assert limited.config["RATELIMIT_STORAGE_URI"] == rate_storage.SCHEME
        assert isinstance(limiter.storage, rate_storage.LockedMemoryStorage)
    finally:
        _dispose(limited)
    plain = _limited_app(app, RATELIMIT_STORAGE_URI="memory://")  # an old setting is upgraded
    try:
        assert isinstance(limiter.storage, rate_storage.LockedMemoryStorage)
    finally:
        _dispose(plain)


def test_many_threads_updating_the_default_storage_at_once_raise_nothing(app, slow_timers):
    """limits' memory storage fails here within a second or two: its expiry sweep (a timer
    thread) dies on keys popped under it (KeyError), its timer is started twice."""
    limited = _limited_app(app)
    try:
        with limited.app_context():
            storage = limiter.storage
    finally:
        _dispose(limited)
    strategy = FixedWindowRateLimiter(storage)
    item = parse("1000 per second")  # windows of a second: keys expire all the time
    errors = []
    stop = time.monotonic() + 2.0

    def work(n: int) -> None:
        i = 0
        while time.monotonic() < stop:
            try:
                strategy.hit(item, "stress", str(n), str(i % 50))
                storage.acquire_entry(f"moving-{n}-{i % 7}", 5, 1)
            except Exception as error:  # noqa: BLE001 - any error is the failure
                errors.append(repr(error))
            i += 1

    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as a loaded server does
    try:
        threads = [threading.Thread(target=work, args=(n,)) for n in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        time.sleep(0.1)
    finally:
        sys.setswitchinterval(switch)
    assert errors == [] and slow_timers == [], (errors[:3], slow_timers[:3])


def test_limited_routes_under_many_threads_never_answer_500(app, make_survey, slow_timers):
    survey_id = make_survey(publish=True)
    live = issue_codes(app, survey_id, count=THREADS)
    with app.app_context():
        from survey_app.models import Survey
        from survey_app.services.respondents import codes

        survey = db.session.get(Survey, survey_id)
        token = codes.create_open_link(survey, codes.find_group(survey, "served"), actor=None).token
        db.session.commit()
    open_values = complete_values(app, survey_id, group_key="served")
    limited = _limited_app(app, OPEN_LINK_LIMIT="1000 per hour", LOGIN_RATE_LIMIT="1000 per minute")

    def phone(n: int) -> list[int]:
        client = limited.test_client()
        address = {"REMOTE_ADDR": f"10.7.0.{n}"}
        statuses = []
        for round_ in range(6):
            statuses.append(client.get(f"/s/ZZZZZZZ{round_}", environ_base=address).status_code)
            statuses.append(client.post("/s", data={"code": live[n]}, environ_base=address).status_code)
            statuses.append(client.post("/auth/login", data={"username": "nobody", "password": "x"},
                                        environ_base=address).status_code)
            statuses.append(client.post(f"/o/{token}", data=form_data(open_values, f"open-{n}-{round_}-" + "o" * 12),
                                        environ_base=address).status_code)
            time.sleep(0.012)
        return statuses

    try:
        with ThreadPoolExecutor(THREADS) as pool:
            statuses = [s for each in pool.map(phone, range(THREADS)) for s in each]
    finally:
        _dispose(limited)
    assert 500 not in statuses, statuses.count(500)
    assert set(statuses) <= {200, 303, 404, 409, 429}  # 409: this browser already answered the open link
    assert slow_timers == []


def test_a_failing_storage_allows_the_request_and_logs_an_error(app, make_survey, monkeypatch, caplog):
    survey_id = make_survey(publish=True)
    live = issue_codes(app, survey_id, count=1)[0]
    with app.app_context():
        from survey_app.models import Survey
        from survey_app.services.respondents import codes

        survey = db.session.get(Survey, survey_id)
        token = codes.create_open_link(survey, codes.find_group(survey, "served"), actor=None).token
        db.session.commit()
    limited = _limited_app(app)

    def down(*_args, **_kwargs):
        raise ConnectionError("rate-limit storage unreachable")

    try:
        with limited.app_context():
            storage = limiter.storage
        for method in ("incr", "get", "get_expiry", "acquire_entry", "get_moving_window", "clear"):
            monkeypatch.setattr(storage, method, down)
        client = limited.test_client()
        with caplog.at_level(logging.ERROR):
            assert client.get("/s/ZZZZZZZZ").status_code == 404
            assert client.get(f"/s/{live}").status_code == 200
            assert client.post("/auth/login", data={"username": "nobody", "password": "x"}).status_code == 200
            values = complete_values(app, survey_id, group_key="served")
            assert client.post(f"/o/{token}", data=form_data(values, "down-" + "d" * 17)).status_code == 303
    finally:
        monkeypatch.undo()
        _dispose(limited)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors and all("rate-limit storage unreachable" in (r.exc_text or str(r.exc_info)) for r in errors)


def _redis_reachable(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


@pytest.mark.skipif(not _redis_reachable(REDIS_URL), reason="no Redis at TEST_REDIS_URL")
def test_code_guessing_counts_in_redis_and_an_unreachable_redis_allows_everything(app, make_survey, caplog):
    """Production's storage: the guard counts there (shared by every worker); when Redis is
    down, every route answers as if unlimited and the fault is logged."""
    survey_id = make_survey(publish=True)
    live = issue_codes(app, survey_id, count=1)[0]
    prefix = f"pingyi-test-{secrets.token_hex(6)}"  # shared Redis: never reset, only our keys
    limits = {"CODE_FAILURE_LIMIT": "2 per minute", "RATELIMIT_KEY_PREFIX": prefix}
    shared = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                        RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=REDIS_URL, **limits)
    other_worker = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                              RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=REDIS_URL, **limits)
    try:
        assert [shared.test_client().get(f"/s/ZZZZZZZ{i}").status_code for i in range(2)] == [404, 404]
        assert other_worker.test_client().get(f"/s/{live}").status_code == 429  # counted for every worker
    finally:
        for each in (shared, other_worker):
            with each.app_context():
                db.session.remove()
                db.engine.dispose()
    down = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                      RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0", **limits)
    try:
        client = down.test_client()
        with caplog.at_level(logging.ERROR):
            assert [client.get(f"/s/ZZZZZZZ{i}").status_code for i in range(4)] == [404] * 4
            assert client.get(f"/s/{live}").status_code == 200
            assert client.post("/auth/login", data={"username": "nobody", "password": "x"}).status_code == 200
    finally:
        with down.app_context():
            db.session.remove()
            db.engine.dispose()
    assert any(r.levelno >= logging.ERROR for r in caplog.records)


def test_production_without_redis_says_so_at_start(app, caplog, monkeypatch):
    from survey_app import logging_setup
    from survey_app.config import ProductionConfig

    monkeypatch.setattr(logging_setup, "_flush_at_exit", ["registered"])  # no exit flush into pytest's streams
    monkeypatch.setattr(logging_setup.respondent_tally, "use_timer", False)
    settings = {"SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                "PUBLIC_BASE_URL": "https://pingyi.example.gov.cn", "RATELIMIT_STORAGE_URI": "memory://"}
    with caplog.at_level(logging.WARNING):
        production = create_app(ProductionConfig, **settings)
    try:
        assert production.config["RATELIMIT_STORAGE_URI"] == rate_storage.SCHEME  # never the unsafe one
        assert any("REDIS_URL is not set" in r.getMessage() for r in caplog.records)
    finally:
        logging_setup.respondent_tally.use_timer = False
        with production.app_context():
            db.session.remove()
            db.engine.dispose()

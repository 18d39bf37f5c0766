"""Pingyi (评议): the Flask application factory, the only place where things are wired."""

import logging
import os
from functools import partial
from pathlib import Path

from flask import Flask, has_request_context, session
from sqlalchemy import event
from sqlalchemy.engine import make_url
from werkzeug.routing import IntegerConverter

from survey_app import input_guard, logging_setup
from survey_app.config import Config, ProductionConfig, config_from_environment

PACKAGE_DIR = Path(__file__).resolve().parent


def create_app(config: type[Config] | None = None, **overrides) -> Flask:
    """Build the application: config, extensions, blueprints and CLI commands."""
    app = Flask(
        __name__,
        template_folder="../templates",
        instance_relative_config=True,
    )
    config = config or config_from_environment()
    app.config.from_object(config)
    app.config.from_prefixed_env("SURVEY")
    app.config.update(overrides)
    app.url_map.converters["int"] = _DatabaseIdConverter
    _default_database(app)
    _refuse_unsafe_production(app, config)

    logging_setup.init_app(app)
    input_guard.init_app(app)
    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    _register_template_helpers(app)
    _trust_reverse_proxy(app)
    _check_fonts()
    return app


def _check_fonts() -> None:
    """Log, at start-up, what the chart and PDF fonts cannot draw (boxes in every export)."""
    from analytics import charts
    from survey_app.services.platform import pdf_fonts

    logger = logging.getLogger("survey_app.fonts")
    chart_fonts = charts.check_fonts()
    for capability, characters in chart_fonts.missing.items():
        logger.error("chart fonts %s draw no %s (%s): charts will show empty boxes; install fonts-noto-cjk",
                     ", ".join(chart_fonts.families), capability, characters)
    pdf_font = pdf_fonts.register_fonts()
    for capability, characters in pdf_font.missing.items():
        logger.error("PDF font %s draws no %s (%s): PDFs will show empty boxes", pdf_font.path, capability,
                     characters)


class _DatabaseIdConverter(IntegerConverter):
    """<int:…> up to the largest 32-bit id: a longer number cannot name a row, so its URL
    is a plain 404 before any query (a database would overflow on it)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def _trust_reverse_proxy(app: Flask) -> None:
    """Behind nginx, take the client address from X-Forwarded-For so per-IP limits work.

    PROXY_COUNT is the number of proxies in front (0: none, the default).
    """
    count = int(app.config.get("PROXY_COUNT", 0))
    if count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def _default_database(app: Flask) -> None:
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        os.makedirs(app.instance_path, exist_ok=True)
        path = Path(app.instance_path) / "pingyi.db"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"


def _refuse_unsafe_production(app: Flask, config: type[Config]) -> None:
    if issubclass(config, ProductionConfig):
        missing = [key for key in ProductionConfig.REQUIRED if not app.config.get(key)]
        if missing:
            raise RuntimeError(f"ProductionConfig needs SURVEY_{', SURVEY_'.join(missing)}")


def _connect_timeout(app: Flask) -> None:
    """Give PostgreSQL connections a connect timeout unless the URI names one."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql" or "connect_timeout" in url.query:
        return
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args") or {})
    connect_args.setdefault("connect_timeout", int(app.config.get("DATABASE_CONNECT_TIMEOUT", 5)))
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**options, "connect_args": connect_args}


def _sqlite_pragmas(busy_timeout_ms: int, dbapi_connection, _record) -> None:
    """WAL lets readers run beside the writer; busy_timeout makes writers wait, not fail.

    busy_timeout comes first so that the other pragmas wait for a lock too (switching to
    WAL, or a last connection's checkpoint, can hold one briefly). Transactions stay
    pysqlite's default: BEGIN is sent just before the first write, which therefore waits
    for the write lock instead of upgrading a stale read snapshot (which would fail at once
    with "database is locked"); tests/app/test_faults.py holds this.
    """
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")  # an acknowledged ballot survives a power loss
    cursor.close()


def _configure_engines(app: Flask) -> None:
    """Per-connection settings of the app's engines (SQLite pragmas)."""
    from survey_app.extensions import db

    with app.app_context():
        engines = list(db.engines.values())
    busy_timeout_ms = int(app.config.get("SQLITE_BUSY_TIMEOUT_MS", 10000))
    for engine in engines:
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", partial(_sqlite_pragmas, busy_timeout_ms))


def _rate_limit_storage(app: Flask) -> None:
    """Never limits' thread-unsafe "memory://"; say so when production has no Redis."""
    from survey_app import rate_storage  # registers "locked-memory://" with limits

    uri = app.config.get("RATELIMIT_STORAGE_URI") or rate_storage.SCHEME
    if uri.startswith("memory://"):
        uri = rate_storage.SCHEME
    app.config["RATELIMIT_STORAGE_URI"] = uri
    if app.config.get("RATELIMIT_SHARED_STORAGE_EXPECTED") and not uri.startswith(("redis", "rediss")):
        app.logger.warning("REDIS_URL is not set: rate limits are kept per worker process, so each "
                           "of gunicorn's workers allows the full limit (docs/operations.md)")


def _select_locale() -> str:
    """Chinese first: English only when the user chose it with the language switch."""
    if has_request_context() and session.get("locale") == "en":
        return "en"
    return "zh_CN"


def _init_extensions(app: Flask) -> None:
    from survey_app import sessions
    from survey_app.extensions import babel, csrf, db, limiter, login_manager, migrate
    from survey_app.services.platform import file_store

    _connect_timeout(app)
    db.init_app(app)
    _configure_engines(app)
    migrate.init_app(app, db, directory=str(PACKAGE_DIR / "migrations"))
    csrf.init_app(app)
    _rate_limit_storage(app)
    limiter.init_app(app)
    babel.init_app(
        app,
        locale_selector=_select_locale,
        default_translation_directories=str(PACKAGE_DIR / "translations"),
    )
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    login_manager.login_message_category = "warning"
    sessions.init_app(app)
    file_store.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from survey_app.blueprints import (
        admin,
        answers,
        api,
        assessments,
        auth,
        briefs,
        codes,
        dossiers,
        errors,
        inspection,
        main,
        negotiation,
        registers,
        reports,
        respondent,
        results_api,
        rosters,
        talks,
        target_scores,
        targets,
        tokens,
        uploads,
        year_end,
    )
    from survey_app.blueprints.access import enforce

    # One place decides every request's access (services/platform/permissions.py, docs/permissions.md).
    app.before_request(enforce)
    uploads.init_app(app)  # first of all hooks: an upload route's size limit applies before CSRF reads the form
    for module in (main, auth, admin, rosters, reports, respondent, api, codes, results_api, tokens, assessments,
                   dossiers, briefs, inspection, talks, answers, targets, negotiation, year_end, target_scores,
                   registers, errors):
        app.register_blueprint(module.bp)


def _register_cli(app: Flask) -> None:
    from survey_app import cli

    cli.register(app)


def _register_template_helpers(app: Flask) -> None:
    from flask_babel import get_locale

    from survey_app import labels
    from survey_app.blueprints.access import may
    from survey_app.services.platform.audit_text import describe

    app.jinja_env.globals.update(
        labels=labels,
        describe_audit=describe,
        get_locale=get_locale,
        has_endpoint=lambda name: name in app.view_functions,
        may=may,
    )

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'",
        )
        return response

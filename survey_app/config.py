"""Configuration classes; environment variables prefixed SURVEY_ override them."""

import os


class Config:
    """Settings shared by every environment."""

    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None  # None: SQLite in the instance folder
    #: pool_pre_ping tests a pooled connection before each use, so after a database restart
    #: the next request reconnects instead of failing (docs/operations.md, "Failure behaviour").
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    #: SQLite: how long a write waits for the write lock (busy_timeout, milliseconds) before
    #: the respondent is asked to submit again. Writers queue; none fails under contention.
    SQLITE_BUSY_TIMEOUT_MS = 10000
    #: PostgreSQL: seconds to wait for a new connection (a server down or unreachable) before
    #: the "submit again" page, rather than until the worker's timeout.
    DATABASE_CONNECT_TIMEOUT = 5
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # a form left open through a long meeting must still submit
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024  # roster workbooks and survey definitions
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"
    #: Redis in production (shared by every worker and server); without it, a lock-guarded
    #: memory storage per process (survey_app/rate_storage.py): limits' own "memory://" is
    #: not thread-safe under gunicorn's threads, so create_app never uses it.
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL", "locked-memory://")
    RATELIMIT_HEADERS_ENABLED = True
    #: A rate-limit storage fault (Redis down) is logged and the request allowed: a limit
    #: must never cost a respondent their ballot or an organizer their login.
    RATELIMIT_SWALLOW_ERRORS = True
    LOGIN_RATE_LIMIT = "10 per minute"
    #: Failed sign-ins on one username (from browsers that never signed in to it) before
    #: it is refused for the rest of the window; docs/operations.md has the arithmetic.
    ACCOUNT_LOGIN_LIMIT = "5 per 15 minutes;20 per day"
    #: A staff session unused this long is signed out (checked on the server).
    IDLE_TIMEOUT_MINUTES = 30
    #: Reverse proxies in front of the app (nginx: 1), for the client's address.
    PROXY_COUNT = 0
    #: Evidence files and photos (docs/operations.md, "Evidence files"): "local" keeps them
    #: in FILES_LOCAL_DIR (default instance/files), "s3" in an S3-compatible bucket (MinIO),
    #: which several app servers share.
    FILES_BACKEND = "local"
    FILES_LOCAL_DIR: str | None = None
    FILES_S3_BUCKET: str | None = None
    FILES_S3_ENDPOINT_URL: str | None = None  # MinIO: "https://minio.internal:9000"; AWS: None
    FILES_S3_REGION = "us-east-1"
    FILES_S3_ACCESS_KEY_ID: str | None = None  # None: boto3's chain (AWS_* variables, a role)
    FILES_S3_SECRET_ACCESS_KEY: str | None = None
    FILES_S3_ADDRESSING_STYLE = "path"  # MinIO needs path-style URLs (no bucket subdomain)
    FILES_S3_TIMEOUT = 5  # seconds: a store that is down fails an upload quickly
    FILES_MAX_DOCUMENT_BYTES = 10 * 1024 * 1024  # evidence documents (PDF or image)
    FILES_MAX_PHOTO_BYTES = 8 * 1024 * 1024  # visit photos
    #: 一线考察 coverage (docs/inspection.md, "Coverage"): N, the days before and after a
    #: milestone within which a visit to its project counts; and the month ("YYYY-MM") the
    #: inspection log began (None: the month of the earliest visit recorded).
    INSPECTION_WINDOW_DAYS = 7
    INSPECTION_COVERAGE_SINCE: str | None = None


class DevelopmentConfig(Config):
    """Local use: an SQLite file in the instance folder and a fixed development key."""

    SECRET_KEY = "dev-only-not-secret"
    DEBUG = False


class TestingConfig(Config):
    """The test suite: CSRF off (one test turns it back on), fast password hashing."""

    TESTING = True
    SECRET_KEY = "test-only-not-secret"
    WTF_CSRF_ENABLED = False
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    RATELIMIT_ENABLED = False
    PUBLIC_BASE_URL = "http://localhost"


class ProductionConfig(Config):
    """Production: refuses to start without a real secret key and database URI."""

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    REQUIRED = ("SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "PUBLIC_BASE_URL")
    #: Warn at start-up without REDIS_URL: per-process limits multiply by the worker count.
    RATELIMIT_SHARED_STORAGE_EXPECTED = True


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_environment() -> type[Config]:
    """Pick the config class named by SURVEY_ENV (development by default)."""
    return CONFIGS[os.environ.get("SURVEY_ENV", "development")]

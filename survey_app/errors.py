"""Domain exceptions raised by services and mapped to HTTP responses by blueprints.

Each carries a message in the user's language (Chinese msgid, translated by Babel).
"""


class DomainError(Exception):
    """Base of every error a user can cause; the message is safe to show."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidTransition(DomainError):
    """A lifecycle step that the survey's current state does not allow."""


class StructureLocked(DomainError):
    """A structural edit on a survey that is no longer a draft."""


class ValidationFailed(DomainError):
    """Input that breaks a rule; `errors` lists every problem found."""

    def __init__(self, message: str, errors: list[str] | None = None):
        super().__init__(message)
        self.errors = errors or [message]


class NotFound(DomainError):
    """A referenced object does not exist."""


class ConfirmationRequired(DomainError):
    """An irreversible step asked for without the user's explicit confirmation."""


class StorageUnavailable(DomainError):
    """The file store (a folder or an S3-compatible object store) cannot answer: a fault of
    the deployment, not of the user; answered with 503 and "try again"."""


class FileCorrupted(StorageUnavailable):
    """A stored file whose bytes no longer hash to its key (changed or damaged on disk)."""

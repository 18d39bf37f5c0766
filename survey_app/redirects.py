"""Where a `next` parameter may send the browser: a path on this site, nothing else."""

from urllib.parse import unquote, urlsplit


def local_target(target: str | None) -> str | None:
    """Return `target` when it is a path on this site, else None.

    Browsers forgive a lot: they drop tabs and newlines inside a URL, read a backslash as
    a slash, and treat "//host" as another site. So any control character, whitespace or
    backslash refuses the target (also percent-encoded), and the parsed URL must have no
    scheme or host and a path that starts with exactly one slash.
    """
    if not target or len(target) > 2000:
        return None
    decoded = unquote(target)
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 or ch == "\\" for ch in target + decoded):
        return None
    try:
        parts = urlsplit(target)
    except ValueError:
        return None
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith("//") or decoded.startswith("//"):
        return None
    return target

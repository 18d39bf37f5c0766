"""Posting files in tests: the multipart body encoded up front.

Werkzeug's test client spools a large `data={"f": (stream, name)}` body to a temporary
file that it never closes (a ResourceWarning, an error in this suite). A body encoded
here is plain bytes, and the app's own parsing of it is what the test exercises.
"""

from io import BytesIO

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart


def multipart(fields: dict) -> dict:
    """Keyword arguments for `client.post`: `fields` maps a name to a text value, to
    (bytes, file name), or to a list of (bytes, file name) for several files."""
    encoded = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, tuple):
                data, file_name = item
                item = FileStorage(BytesIO(data), file_name)
            encoded.append((name, item))
    boundary, body = encode_multipart(_MultiDict(encoded))
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


class _MultiDict(list):
    """The pairs, as `encode_multipart` iterates them (`.items(multi=True)`)."""

    def items(self, multi: bool = False):
        return iter(self)

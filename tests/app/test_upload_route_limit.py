"""A route that takes evidence files carries a file of the document limit, over the app's
global 8 MiB body limit; other routes keep the global limit (blueprints/uploads.py)."""

import pytest
from flask import request

from survey_app.blueprints.uploads import accepts_upload
from survey_app.models import FilePurpose
from survey_app.services.platform import permissions
from tests.app.upload_helpers import multipart

MIB = 1024 * 1024


@pytest.fixture
def probes(app, monkeypatch):
    @accepts_upload(FilePurpose.DOCUMENT)
    def take_document():
        return str(len(request.files["file"].read()))

    app.add_url_rule("/probe/document", "probe_document", take_document, methods=["POST"])
    app.add_url_rule("/probe/plain", "probe_plain", lambda: str(len(request.files["file"].read())),
                     methods=["POST"])
    monkeypatch.setitem(permissions.ROUTES, "probe_document", permissions.Need.PUBLIC)
    monkeypatch.setitem(permissions.ROUTES, "probe_plain", permissions.Need.PUBLIC)
    app.config["WTF_CSRF_ENABLED"] = False
    return app.test_client()


def test_an_upload_route_takes_a_file_over_the_global_limit(probes):
    nine_mib = b"%PDF" + b"x" * (9 * MIB)
    response = probes.post("/probe/document", **multipart({"file": (nine_mib, "材料.pdf")}))
    assert response.status_code == 200 and response.data == str(len(nine_mib)).encode()


def test_other_routes_keep_the_global_limit(probes):
    response = probes.post("/probe/plain", **multipart({"file": (b"x" * (9 * MIB), "材料.pdf")}))
    assert response.status_code == 413 and "上传的文件太大" in response.get_data(as_text=True)


def test_an_upload_route_still_refuses_a_body_over_its_own_limit(probes):
    response = probes.post("/probe/document", **multipart({"file": (b"x" * (12 * MIB), "材料.pdf")}))
    assert response.status_code == 413

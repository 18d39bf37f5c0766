"""Small hardening of issue #12, finding 14: no server banner, a CSP that pins <base> and
form targets, and nginx's static files keeping the security headers."""

import http.client
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NGINX = ROOT / "deploy" / "nginx" / "pingyi.conf"


def _nginx_config() -> str:
    """The nginx file without its comments."""
    return re.sub(r"#[^\n]*", "", NGINX.read_text())


def _directives(policy: str) -> dict[str, str]:
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


def test_the_csp_pins_base_and_form_targets(client):
    policy = _directives(client.get("/auth/login").headers["Content-Security-Policy"])
    assert policy["base-uri"] == "base-uri 'none'"
    assert policy["form-action"] == "form-action 'self'"
    assert policy["object-src"] == "object-src 'none'"


def _server_block_headers(text: str) -> dict[str, str]:
    """The add_header lines of the server block outside any location."""
    outside = re.sub(r"location[^{]*\{[^}]*\}", "", text)
    return dict(re.findall(r'^\s*add_header\s+(\S+)\s+"([^"]*)"', outside, re.M))


def _location_headers(text: str, location: str) -> dict[str, str]:
    block = re.search(r"location\s+" + re.escape(location) + r"\s*\{([^}]*)\}", text).group(1)
    return dict(re.findall(r'^\s*add_header\s+(\S+)\s+"([^"]*)"', block, re.M))


def test_nginx_static_files_keep_hsts_and_the_apps_security_headers(client):
    text = _nginx_config()
    static = _location_headers(text, "/static/")
    # nginx drops every inherited add_header in a location that sets its own.
    for name, value in _server_block_headers(text).items():
        assert static.get(name) == value, name
    app_headers = client.get("/auth/login").headers
    for name in ("X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"):
        assert static[name] == app_headers[name]
    policy = _directives(static["Content-Security-Policy"])
    assert policy["base-uri"] == "base-uri 'none'" and policy["frame-ancestors"] == "frame-ancestors 'none'"
    for line in re.findall(r"^\s*add_header .*$", text, re.M):
        if "Cache-Control" not in line:
            assert line.rstrip().endswith("always;"), line  # also on 404 and errors


def test_no_other_location_sets_its_own_headers():
    text = _nginx_config()
    for location in re.findall(r"^\s*location\s+([^{]+?)\s*\{", text, re.M):
        if location != "/static/":
            assert not _location_headers(text, location), location


def test_gunicorn_sends_no_server_banner(servers):
    server = servers.start(workers=1, threads=1)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    assert response.status == 200
    assert response.getheader("Server") is None

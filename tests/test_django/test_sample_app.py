"""The sample app's pages (its urls are part of this folder's URLconf)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.core.management import call_command
from django.test import Client

from scalekit_emulator import EmulatorHandle
from tests.processes import ROOT, Process, answers, free_port, start_process, wait_until

from .conftest import HTML, sign_in

pytestmark = pytest.mark.django_db

SIGN_OUT = '<form method="post" action="/logout">'
WHEN = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC"


def session_ids(page: bytes) -> list[str]:
    return re.findall(r'action="/sessions/([^"/]+)/revoke"', page.decode())


def test_home_and_dashboard(scalekit: EmulatorHandle) -> None:
    client = Client()
    home = client.get("/", **HTML)
    assert home.status_code == 200 and b'href="/login"' in home.content
    sign_in(client, scalekit)
    home = client.get("/", **HTML).content.decode()
    assert "alice@acme.test" in home and SIGN_OUT in home
    assert '<button type="submit">Sign out</button>' in home
    assert "csrfmiddlewaretoken" in home
    dashboard = client.get("/dashboard", **HTML).content.decode()
    assert "alice@acme.test" in dashboard and "org_acme" in dashboard
    assert "organization:settings, users:read, users:write" in dashboard
    me = client.get("/api/me").json()
    assert me["session_id"] in dashboard and "active" in dashboard
    assert "unavailable" not in dashboard


def test_every_page_says_who_is_signed_in(scalekit: EmulatorHandle, settings: Any) -> None:
    settings.SCALEKIT_ERROR_TEMPLATE = "django_app/error.html"  # as the sample's settings
    client = Client()
    assert "Signed in as" not in client.get("/", **HTML).content.decode()
    sign_in(client, scalekit, email="bob@acme.test")
    for path in ("/", "/dashboard", "/sessions"):
        page = client.get(path, **HTML).content.decode()
        nav = page[page.index("<nav>") : page.index("</nav>")]
        assert "Signed in as <strong>bob@acme.test</strong>" in nav, path
    denied = client.get("/admin", **HTML).content.decode()  # the 403 page too
    assert "Signed in as <strong>bob@acme.test</strong>" in denied


def test_dates_have_one_format(scalekit: EmulatorHandle) -> None:
    client = Client()
    sign_in(client, scalekit)
    dashboard = client.get("/dashboard", **HTML).content.decode()
    cells = re.findall(
        r"<th>(Access token expires|Created|Last active|Idle expiry)</th><td>([^<]*)</td>",
        dashboard,
    )
    assert len(cells) == 4
    assert all(re.fullmatch(WHEN, value) for _, value in cells), cells
    sessions = client.get("/sessions", **HTML).content.decode()
    row = sessions[sessions.index("(this one)") :]
    assert len(re.findall(r"<td>" + WHEN + "</td>", row.split("</tr>")[0])) == 2


def test_dashboard_degrades_when_the_session_api_fails(scalekit: EmulatorHandle) -> None:
    client = Client()
    sign_in(client, scalekit)
    session_id = client.get("/api/me").json()["session_id"]
    scalekit.inject_fault(f"/api/v1/sessions/{session_id}", status=500, count=10)
    page = client.get("/dashboard", **HTML)
    assert page.status_code == 200 and b"Session details unavailable." in page.content


def test_sessions_revoke_and_sign_out_everywhere(scalekit: EmulatorHandle) -> None:
    first, second = Client(), Client()
    sign_in(first, scalekit)
    sign_in(second, scalekit)
    mine = second.get("/api/me").json()["session_id"]
    page = first.get("/sessions", **HTML)
    assert page.status_code == 200
    listed = session_ids(page.content)
    assert mine in listed and len(listed) == 2
    assert b'<button type="submit">Revoke</button>' in page.content
    assert b'<button type="submit">Sign out everywhere</button>' in page.content
    assert first.get(f"/sessions/{mine}/revoke").status_code == 405
    revoked = first.post(f"/sessions/{mine}/revoke")
    assert revoked.status_code == 302 and revoked["Location"] == "/sessions"
    record = scalekit.session(mine)
    assert record is not None and record["status"] == "revoked"
    assert len(session_ids(first.get("/sessions", **HTML).content)) == 1

    bob = Client()
    sign_in(bob, scalekit, email="bob@acme.test")
    bobs = bob.get("/api/me").json()["session_id"]
    refused = first.post(f"/sessions/{bobs}/revoke")
    assert refused.status_code == 403
    assert (scalekit.session(bobs) or {})["status"] == "active"
    assert first.post("/sessions/ses_unknown/revoke").status_code == 403

    out = first.post("/sessions/revoke-all", HTTP_ORIGIN="http://localhost:8000")
    assert out.status_code == 302 and out["Location"].startswith(scalekit.url)
    assert out.cookies["scalekit_session"]["max-age"] == 0
    assert first.get("/api/me").status_code == 401
    assert session_ids(bob.get("/sessions", **HTML).content)  # Bob keeps his sessions


def test_csrf_is_enforced_on_sample_forms(scalekit: EmulatorHandle) -> None:
    client = Client(enforce_csrf_checks=True)
    sign_in(client, scalekit)
    page = client.get("/sessions", **HTML).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    assert client.post("/sessions/revoke-all").status_code == 403
    assert client.post("/logout").status_code == 403
    out = client.post("/logout", {"csrfmiddlewaretoken": token.group(1)})
    assert out.status_code == 302


def test_admin_page(scalekit: EmulatorHandle) -> None:
    anonymous = Client().get("/admin", **HTML)
    assert anonymous.status_code == 302 and anonymous["Location"] == "/login?return_to=%2Fadmin"
    alice = Client()
    sign_in(alice, scalekit)
    assert b"organization:settings" in alice.get("/admin", **HTML).content
    bob = Client()
    sign_in(bob, scalekit, email="bob@acme.test")
    assert bob.get("/admin", **HTML).status_code == 403


def test_user_values_are_escaped(scalekit: EmulatorHandle) -> None:
    client = Client()
    from scalekit_django.testing import login_as

    login_as(client, user_id="usr_x", email="<script>x</script>@e.test", name="<b>n</b>")
    page = client.get("/dashboard", **HTML).content.decode()
    assert "<script>x" not in page and "&lt;script&gt;x&lt;/script&gt;@e.test" in page
    assert "<b>n</b>" not in page


def test_migrations_are_complete() -> None:
    call_command("makemigrations", "scalekit_django", "--check", "--dry-run", verbosity=0)


def test_manage_py_check_is_clean(scalekit: EmulatorHandle, tmp_path: Path) -> None:
    env = {
        **os.environ,
        **scalekit.env(),
        "DJANGO_SECRET_KEY": "check-secret-" + "c" * 40,
        "DJANGO_DB_PATH": str(tmp_path / "db.sqlite3"),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    manage = str(ROOT / "sample_apps" / "django_app" / "manage.py")
    for command in (["check", "--fail-level", "WARNING"], ["makemigrations", "--check"]):
        result = subprocess.run(
            [sys.executable, manage, *command],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def offline_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a fresh shell: no Scalekit settings of the developer's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCALEKIT_", "APP_BASE"))}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return {**env, "DJANGO_DB_PATH": str(tmp_path / "db.sqlite3"), **extra}


def manage(env: dict[str, str], *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "sample_apps" / "django_app" / "manage.py"), *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_manage_py_commands_start_no_emulator(tmp_path: Path) -> None:
    env = offline_env(tmp_path)
    for command in (["check", "--fail-level", "WARNING"], ["makemigrations", "--check"]):
        result = manage(env, *command)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "emulator" not in result.stderr


def test_sample_settings_read_the_environment(tmp_path: Path) -> None:
    show = (
        "from django.conf import settings as s; "
        "print(s.SCALEKIT_APP_BASE_URL, s.SCALEKIT_REDIS_URL, s.SCALEKIT_REDIS_PREFIX)"
    )
    cases = [
        ({"PORT": "8123"}, "http://127.0.0.1:8123  "),
        ({"SCALEKIT_APP_BASE_URL": "https://sk.example/"}, "https://sk.example  "),
        (
            {"APP_BASE_URL": "https://app.example", "SCALEKIT_APP_BASE_URL": "https://sk.example"},
            "https://app.example  ",
        ),
        (
            {"SCALEKIT_REDIS_URL": "redis://127.0.0.1:9/0", "SCALEKIT_REDIS_PREFIX": "demo:"},
            "http://127.0.0.1:8001 redis://127.0.0.1:9/0 demo:",
        ),
    ]
    for extra, expected in cases:
        result = manage(offline_env(tmp_path, **extra), "shell", "-v", "0", "-c", show)
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.rstrip("\n") == expected, extra


def start_run_py(tmp_path: Path) -> tuple[Process, str]:
    """``run.py`` on a free port, once it says it serves (its own log line, so a process of
    someone else's that grabbed the port cannot pass for it) and answers there."""
    port = free_port()
    env = offline_env(
        tmp_path, PORT=str(port), SCALEKIT_COOKIE_SECRET="run-secret-" + "r" * 32, DJANGO_DEBUG=""
    )
    run_py = ROOT / "sample_apps" / "django_app" / "run.py"
    process = start_process("django_app", [sys.executable, str(run_py)], env, tmp_path)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(
            process,
            lambda: f"Open {url}" in process.output() and answers(f"{url}/", 200),
            "serving",
        )
    except BaseException:
        process.stop(signal.SIGKILL)
        raise
    return process, url


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_run_py_stops_cleanly(tmp_path: Path, signum: signal.Signals) -> None:
    process, _ = start_run_py(tmp_path)
    code = process.stop(signum, timeout=30)
    output = process.output()
    assert code == 0, output
    assert "Traceback" not in output and "KeyboardInterrupt" not in output, output
    assert "bundled Scalekit emulator" in output and "stopping" in output, output


def test_run_py_serves_the_admins_static_files_without_debug(tmp_path: Path) -> None:
    process, url = start_run_py(tmp_path)
    try:
        login_page = httpx.get(f"{url}/django-admin/login/", timeout=10)
        assert login_page.status_code == 200
        stylesheets = re.findall(r'href="(/static/admin/css/[^"]+\.css)"', login_page.text)
        assert stylesheets, login_page.text
        for path in stylesheets:
            css = httpx.get(url + path, timeout=10)
            assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
        assert httpx.get(f"{url}/static/admin/css/missing.css", timeout=10).status_code == 404
    finally:
        code = process.stop(signal.SIGTERM, timeout=30)
    assert code == 0, process.output()


def test_sample_database_lives_in_the_sample_folder(tmp_path: Path) -> None:
    env = offline_env(tmp_path)
    env.pop("DJANGO_DB_PATH")
    show = "from django.conf import settings as s; print(s.DATABASES['default']['NAME'])"
    result = manage(env, "shell", "-v", "0", "-c", show)
    assert result.returncode == 0, result.stdout + result.stderr
    path = Path(result.stdout.strip())
    assert path == ROOT / "sample_apps" / "django_app" / "db.sqlite3"
    patterns = (ROOT / ".gitignore").read_text().split()
    assert any(fnmatch(path.name, pattern) for pattern in patterns), "not ignored by git"

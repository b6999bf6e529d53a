"""What the three ``*_overhead.py`` scripts share: one emulator, the settings, the cookies and
tokens of each variant, interleaved in-process timing, real servers driven by ``wrk``, and the
refresh and first-bearer figures.

Every figure is a ratio against a baseline measured in the same run, rounds interleaved and
medians reported: the machine may be shared, so absolute numbers mean little. Not a test.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from scalekit_core.testing import cookie_header, make_session_cookies
from scalekit_core.web import IntegrationSettings, settings_from_mapping
from scalekit_emulator import Emulator, EmulatorServer

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "2000"))
WRK_SECONDS = int(os.environ.get("BENCH_WRK_SECONDS", "2"))
WRK_CONNECTIONS = 32
COOKIE_SECRET = "benchmark-cookie-secret-" + "c" * 32
OFFICIAL_COOKIE = "sk_session"
#: In-process figures are CPU time of this process: on a shared machine, time spent waiting
#: for a core is not the code's cost (wall time serves the refresh, which waits on I/O).
cpu_clock = time.process_time
#: The variants every script compares, in print order.
VARIANTS = ("unprotected", "ours", "official")


def env_of(emulator_url: str) -> dict[str, str]:
    """The app settings (``SCALEKIT_*``), as a server subprocess receives them too."""
    return {
        "SCALEKIT_ENVIRONMENT_URL": emulator_url,
        "SCALEKIT_CLIENT_ID": "skc_emulator_client",
        "SCALEKIT_CLIENT_SECRET": "emulator-client-secret",
        "SCALEKIT_APP_BASE_URL": "http://localhost:8000",
        "SCALEKIT_COOKIE_SECRET": COOKIE_SECRET,
    }


def our_settings(env: Mapping[str, str] | None = None) -> IntegrationSettings:
    return settings_from_mapping(env if env is not None else os.environ)


def our_cookie(settings: IntegrationSettings) -> str:
    """A warm session: valid for an hour, nothing to refresh or rewrite."""
    cookies = make_session_cookies(
        settings.session,
        user_id="usr_alice",
        email="alice@acme.test",
        roles=["admin"],
        permissions=["organization:settings", "users:read", "users:write"],
        organization_id="org_acme",
        refresh_token="rt_" + "r" * 40,
    )
    return cookie_header(cookies)


def official_cookie(access_token: str) -> str:
    """The official helpers' warm session: their own sealed cookie, as their callback writes it."""
    from scalekit.middleware.session_crypto import encrypt_session

    payload = {
        "access_token": access_token,
        "refresh_token": "rt_" + "r" * 40,
        "id_token": "",
        "user": {"sub": "usr_alice", "email": "alice@acme.test", "oid": "org_acme"},
        "expires_at": time.time() + 3600,
    }
    return f"{OFFICIAL_COOKIE}={encrypt_session(payload, COOKIE_SECRET)}"


def official_client(env: Mapping[str, str]) -> Any:
    """The official SDK's client (it fetches a client-credentials token when built)."""
    from scalekit import ScalekitClient as OfficialClient

    return OfficialClient(
        env["SCALEKIT_ENVIRONMENT_URL"], env["SCALEKIT_CLIENT_ID"], env["SCALEKIT_CLIENT_SECRET"]
    )


@contextmanager
def emulator() -> Iterator[tuple[EmulatorServer, dict[str, str]]]:
    """A running emulator and the settings pointing at it (also set in ``os.environ``)."""
    with EmulatorServer(Emulator()) as server:
        env = env_of(server.url)
        os.environ.update(env)
        yield server, env


def cookie_headers(server: EmulatorServer, env: Mapping[str, str]) -> dict[str, str]:
    """The ``Cookie`` header each variant's warm session is sent with."""
    token = server.emulator.issue_tokens()["access_token"]
    return {
        "unprotected": our_cookie(our_settings(env)),
        "ours": our_cookie(our_settings(env)),
        "official": official_cookie(token),
    }


# --- in process -------------------------------------------------------------------------------


def compare(
    label: str, runs: Mapping[str, Callable[[int], float]], requests: int = REQUESTS
) -> None:
    """Median µs per request of each ``runs[name](n)`` (seconds for ``n`` requests), rounds
    interleaved (the order rotates), printed against the first one."""
    names = list(runs)
    for name in names:
        runs[name](max(1, requests // 10))  # warm-up
    samples: dict[str, list[float]] = {name: [] for name in names}
    for index in range(ROUNDS):
        order = names[index % len(names) :] + names[: index % len(names)]
        for name in order:
            samples[name].append(runs[name](requests) / requests * 1e6)
    medians = {name: statistics.median(values) for name, values in samples.items()}
    base = medians[names[0]]
    print(label)
    for name in names:
        us = medians[name]
        extra = f"  (+{us - base:5.1f} µs)" if name != names[0] else ""
        print(f"  {name:<12} {us:8.1f} µs/request   throughput x{base / us:4.2f}{extra}")


def timed(call: Callable[[], object]) -> Callable[[int], float]:
    def run(n: int) -> float:
        start = cpu_clock()
        for _ in range(n):
            call()
        return cpu_clock() - start

    return run


# --- over a real server -----------------------------------------------------------------------


def _on_cpu(cpu: int) -> Callable[[], None] | None:
    """A ``preexec_fn`` keeping a child process on one CPU (with two or more), so that the
    server under test and ``wrk`` never take turns on the same core: the servers on CPU 0,
    ``wrk`` on CPU 1. ``None`` where that cannot be done."""
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if len(cpus) < 2:
        return None
    chosen = cpus[cpu]
    return lambda: os.sched_setaffinity(0, {chosen})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def servers(
    commands: Mapping[str, Callable[[int], list[str]]], env: Mapping[str, str]
) -> Iterator[dict[str, str]]:
    """Start one server per variant (``commands[name](port)``), yield their base URLs."""
    processes: dict[str, subprocess.Popen[bytes]] = {}
    urls: dict[str, str] = {}
    child_env = {**os.environ, **env, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'benchmarks'}"}
    try:
        for name, command in commands.items():
            port = free_port()
            processes[name] = subprocess.Popen(
                command(port),
                env={**child_env, "BENCH_VARIANT": name},
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                preexec_fn=_on_cpu(0),
            )
            urls[name] = f"http://127.0.0.1:{port}"
        for name, url in urls.items():
            _wait_for(url, processes[name])
        yield urls
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for(url: str, process: subprocess.Popen[bytes]) -> None:
    import httpx

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server for {url} exited ({process.returncode})")
        try:
            httpx.get(url + "/health", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"the server for {url} did not start")


def wrk(url: str, cookie: str, seconds: int = WRK_SECONDS) -> float:
    """Requests per second ``wrk`` measures (one thread, ``WRK_CONNECTIONS`` connections)."""
    binary = shutil.which("wrk") or "/usr/bin/wrk"
    out = subprocess.run(
        [binary, "-t1", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s", "-H", f"Cookie: {cookie}", url],
        check=True,
        capture_output=True,
        text=True,
        preexec_fn=_on_cpu(1),
    ).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        raise RuntimeError(f"{url}: {non_2xx.group(1)} non-2xx responses")
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if match is None:
        raise RuntimeError(f"unexpected wrk output: {out}")
    return float(match.group(1))


def compare_http(
    label: str, urls: Mapping[str, str], cookies: Callable[[], Mapping[str, str]]
) -> None:
    """Throughput of ``/profile`` on each server, rounds interleaved, against the first.

    ``cookies()`` gives each variant's warm session and is called before every ``wrk`` run:
    ``wrk`` never takes the cookies a response sets, and a session whose ``last_seen`` is
    a minute old is rewritten on every request (the rolling idle timeout), which a browser,
    taking the rewritten cookie, sees once a minute.
    """
    names = list(urls)
    for name in names:
        wrk(urls[name] + "/profile", cookies()[name], 1)  # warm-up
    samples: dict[str, list[float]] = {name: [] for name in names}
    for index in range(ROUNDS):
        order = names[index % len(names) :] + names[: index % len(names)]
        for name in order:
            samples[name].append(wrk(urls[name] + "/profile", cookies()[name]))
    # Each round's throughput against the baseline's of the same round: the machine's speed
    # drifts over a run, and a round's servers were measured seconds apart.
    base = samples[names[0]]
    print(label)
    for name in names:
        ratios = [value / first for value, first in zip(samples[name], base, strict=True)]
        print(
            f"  {name:<12} {statistics.median(samples[name]):8.0f} req/s"
            f"   x{statistics.median(ratios):4.2f}  (rounds x{min(ratios):4.2f}-{max(ratios):4.2f})"
        )


def python_tool(name: str) -> str:
    """A console script of this interpreter's environment (gunicorn, uvicorn)."""
    candidate = Path(sys.executable).with_name(name)
    return str(candidate) if candidate.exists() else name


# --- refresh and first-time bearer tokens -----------------------------------------------------


def fresh_tokens(server: EmulatorServer, count: int) -> list[dict[str, Any]]:
    """``count`` token responses of new sign-ins (each access token never seen before)."""
    return [server.emulator.issue_tokens() for _ in range(count)]


def due_cookies(server: EmulatorServer, settings: IntegrationSettings, count: int) -> list[str]:
    """Cookie headers of sessions whose access token is due for refresh (a real refresh token
    of the emulator, the user's real subject and issuer)."""
    import jwt

    headers = []
    for tokens in fresh_tokens(server, count):
        claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
        cookies = make_session_cookies(
            settings.session,
            user_id=claims["sub"],
            claims={"iss": claims["iss"]},
            expires_in=5,
            refresh_token=tokens["refresh_token"],
        )
        headers.append(cookie_header(cookies))
    return headers


def refresh_figure(
    server: EmulatorServer,
    settings: IntegrationSettings,
    web: Callable[[list[str]], float],
    batch: int = 20,
) -> None:
    """A request that refreshes its session (``web(cookie_headers)``: seconds for all) vs a
    bare refresh POST to the same emulator on a pooled connection."""
    env = env_of(server.url)
    # The emulator serves from a thread of this process: after each answer it still holds
    # the GIL for a while, and the app's thread would wait up to the 5 ms switch interval
    # for it (a cost no remote Scalekit imposes). A short interval keeps that out of both sides.
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(0.0002)
    try:
        _refresh_rounds(server, settings, web, env, batch)
    finally:
        sys.setswitchinterval(switch_interval)


def _refresh_rounds(
    server: EmulatorServer,
    settings: IntegrationSettings,
    web: Callable[[list[str]], float],
    env: Mapping[str, str],
    batch: int,
) -> None:
    import httpx

    web(due_cookies(server, settings, 3))  # warm-up: connection pool, JWKS
    ours: list[float] = []
    bare: list[float] = []
    with httpx.Client() as http:

        def post(refresh_token: str) -> None:
            answer = http.post(
                f"{server.url}/oauth/token",
                data={
                    "grant_type": "refresh_token",
                    "refresh_token": refresh_token,
                    "client_id": env["SCALEKIT_CLIENT_ID"],
                    "client_secret": env["SCALEKIT_CLIENT_SECRET"],
                },
            )
            assert answer.status_code == 200, answer.text

        post(fresh_tokens(server, 1)[0]["refresh_token"])
        for _ in range(ROUNDS):
            cookies = due_cookies(server, settings, batch)
            ours.append(web(cookies) / batch)
            tokens = [t["refresh_token"] for t in fresh_tokens(server, batch)]
            start = time.perf_counter()
            for token in tokens:
                post(token)
            bare.append((time.perf_counter() - start) / batch)
    a, b = statistics.median(ours), statistics.median(bare)
    print(
        f"  refresh: a refreshing request {a * 1e3:6.2f} ms, a bare refresh POST {b * 1e3:6.2f} ms"
        f"   added {(a - b) * 1e3:5.2f} ms  (target <= 2 ms)"
    )


def bearer_figure(
    server: EmulatorServer,
    env: Mapping[str, str],
    web: Callable[[list[str]], float],
    batch: int = 100,
) -> None:
    """What a bearer token seen for the first time costs a request over the same token seen
    before (``web(tokens)``: seconds for one request per token, in order), vs the core
    validating such a token itself: the web path's share of a first-time validation."""
    from scalekit_core import ScalekitClient

    client = ScalekitClient(
        env["SCALEKIT_ENVIRONMENT_URL"], env["SCALEKIT_CLIENT_ID"], env["SCALEKIT_CLIENT_SECRET"]
    )

    def core(tokens: list[str]) -> float:
        start = cpu_clock()
        for token in tokens:
            client.validate_access_token_and_get_claims(token)
        return cpu_clock() - start

    def access(count: int) -> list[str]:
        return [t["access_token"] for t in fresh_tokens(server, count)]

    for run in (core, web):
        run(access(5))  # warm-up: JWKS fetched, code paths loaded
    surcharge: list[float] = []
    alone: list[float] = []
    firsts: list[float] = []
    for _ in range(ROUNDS):
        tokens = access(batch)
        first = web(tokens) / batch
        firsts.append(first)
        surcharge.append(first - web(tokens) / batch)
        alone.append(core(access(batch)) / batch)
    a, b = statistics.median(surcharge), statistics.median(alone)
    print(
        f"  first-time bearer token: a request takes {statistics.median(firsts) * 1e6:6.1f} µs,"
        f" {a * 1e6:6.1f} µs more than with a repeated token; the core validates one in"
        f" {b * 1e6:6.1f} µs   ratio {a / b:4.2f}  (target <= 1.2)"
    )
    client.close()

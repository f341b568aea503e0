"""The official Python MCP client drives `computer-use serve --http` (streamable HTTP) against the private
desktop, plus the HTTP server's own rules checked with raw requests: loopback by default, a bearer token
required (and enforced) off loopback, Host/Origin checks, `/health`, several clients at once, SIGTERM.

The server binds port 0 and prints `listening on http://ADDR/mcp` on stderr; the tests read it from there.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import common as c
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

MODES = ("legacy", "auto")
TOKEN = "test-token-0123456789abcdef"


@dataclass
class Served:
    process: subprocess.Popen
    url: str
    stderr_path: Path

    @property
    def host_port(self) -> tuple[str, int]:
        m = re.match(r"http://(.+):(\d+)/mcp$", self.url)
        assert m, self.url
        return m.group(1), int(m.group(2))

    def stderr(self) -> str:
        return self.stderr_path.read_text()


_count = 0


@contextlib.contextmanager
def serve(*args: str, **env: str) -> Iterator[Served]:
    """Starts `serve --http ARGS` and waits for its address; stops it with SIGTERM and requires exit 0."""
    global _count
    _count += 1
    stderr_path = c.SCRATCH / f"http-{_count}.log"
    with open(stderr_path, "w") as errlog:
        process = subprocess.Popen(
            [c.BIN, "serve", "--http", *args],
            env=c.server_env(**env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=errlog,
        )
    try:
        deadline = time.monotonic() + 10
        url = None
        while url is None:
            m = re.search(r"listening on (http://\S+/mcp)", stderr_path.read_text())
            if m:
                url = m.group(1)
            elif process.poll() is not None:
                raise AssertionError(f"serve exited with {process.returncode}: {stderr_path.read_text()}")
            elif time.monotonic() > deadline:
                raise AssertionError(f"serve printed no address within 10 s: {stderr_path.read_text()}")
            else:
                time.sleep(0.02)
        yield Served(process, url, stderr_path)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                raise AssertionError(f"serve ignored SIGTERM for 15 s: {stderr_path.read_text()}") from None
    assert process.returncode == 0, f"serve exited with {process.returncode}: {stderr_path.read_text()}"


@contextlib.asynccontextmanager
async def connect(url: str, mode: str, token: str | None = None) -> AsyncIterator[Client]:
    if token is None:
        async with Client(url, mode=mode, read_timeout_seconds=60) as client:
            yield client
        return
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(60, read=300)) as http:
        async with Client(streamable_http_client(url, http_client=http), mode=mode, read_timeout_seconds=60) as client:
            yield client


def raw(served: Served, method: str, path: str, headers: dict[str, str], body: bytes | None = None):
    """One HTTP request with exactly these headers (Host included); returns (status, headers, body)."""
    host, port = served.host_port
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for k, v in headers.items():
            conn.putheader(k, v)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


INITIALIZE = json.dumps(
    {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}},
    }
).encode()
MCP_HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}


def with_client(mode: str, check):
    async def test() -> None:
        with serve("127.0.0.1:0") as served:
            async with connect(served.url, mode) as client:
                await check(client)

    return test


def cancel(mode: str):
    async def test() -> None:
        with serve("127.0.0.1:0") as served:
            async with connect(served.url, mode) as client:
                await c.check_cancel(client, served.stderr_path)

    return test


async def identity_and_health() -> None:
    with serve("127.0.0.1:0") as served:
        assert served.url.startswith("http://127.0.0.1:"), served.url
        status, _, body = raw(served, "GET", "/health", {"Host": "anything.example"})
        assert status == 200, (status, body)
        health = json.loads(body)
        assert health["ok"] is True and health["name"] == "computer-use", health
        async with connect(served.url, "legacy") as client:
            assert client.server_info is not None and client.server_info.name == "computer-use"
            assert client.server_info.version == health["version"]


async def shared_by_clients() -> None:
    """Several clients at once share the VM session: every call of each succeeds, in its own order. What is
    remembered per caller is each client's own: its first look is an image though the others already saw the
    (static) screen, and its next looks are "unchanged since" its own frame. A client of the sessionless
    revision (`auto` negotiates 2026-07-28, which has no MCP session) is remembered by the conversation it
    names in `_meta["computer-use/session"]`."""
    with serve("127.0.0.1:0") as served:

        async def worker(n: int, mode: str) -> None:
            meta = {"computer-use/session": f"conversation-{n}"} if mode == "auto" else None
            async with connect(served.url, mode) as client:
                frame = (await c.check_screenshot(client, meta=meta))["frame"]
                for i in range(3):
                    if i > 0:
                        try:
                            await c.check_unchanged(client, frame, meta=meta)
                        except AssertionError as e:
                            raise AssertionError(f"client {n} ({mode}): {e}") from None
                    details = c.ok(await client.call_tool("vm_exec", {"command": f"echo client-{n}-{i}"}), "vm_exec")
                    assert details["stdout"].strip() == f"client-{n}-{i}", details

        await asyncio.gather(worker(1, "legacy"), worker(2, "legacy"), worker(3, "auto"))


async def loopback_default_refuses_foreign_hosts() -> None:
    with serve("127.0.0.1:0") as served:
        host, port = served.host_port
        status, _, _ = raw(served, "POST", "/mcp", {"Host": f"{host}:{port}", **MCP_HEADERS}, INITIALIZE)
        assert status == 200, status
        status, _, body = raw(served, "POST", "/mcp", {"Host": f"evil.example:{port}", **MCP_HEADERS}, INITIALIZE)
        assert status == 403, (status, body)
        assert b"--allow-host" in body, body
        status, _, body = raw(
            served,
            "POST",
            "/mcp",
            {"Host": f"{host}:{port}", "Origin": "https://evil.example", **MCP_HEADERS},
            INITIALIZE,
        )
        assert status == 403, (status, body)


async def non_loopback_needs_a_token() -> None:
    out = subprocess.run(
        [c.BIN, "serve", "--http", "0.0.0.0:0"],
        env=c.server_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert out.returncode == 1, (out.returncode, out.stderr)
    assert "refusing" in out.stderr and "COMPUTER_USE_MCP_TOKEN" in out.stderr, out.stderr
    assert "listening" not in out.stderr, out.stderr


async def token_is_enforced() -> None:
    # Bound to every interface, with the token from the environment (as recommended).
    with serve("0.0.0.0:0", COMPUTER_USE_MCP_TOKEN=TOKEN) as served:
        _, port = served.host_port
        local = {"Host": f"127.0.0.1:{port}", **MCP_HEADERS}
        status, headers, body = raw(served, "POST", "/mcp", local, INITIALIZE)
        assert status == 401, (status, body)
        assert headers.get("www-authenticate", headers.get("WWW-Authenticate")) == "Bearer", headers
        assert TOKEN.encode() not in body
        status, _, _ = raw(
            served, "POST", "/mcp", {**local, "Authorization": "Bearer wrong-token-0123456789"}, INITIALIZE
        )
        assert status == 401, status
        status, _, body = raw(
            served,
            "POST",
            "/mcp",
            {**local, "Host": f"evil.example:{port}", "Authorization": f"Bearer {TOKEN}"},
            INITIALIZE,
        )
        assert status == 403, (status, body)
        status, _, _ = raw(served, "POST", "/mcp", {**local, "Authorization": f"Bearer {TOKEN}"}, INITIALIZE)
        assert status == 200, status
        assert TOKEN not in served.stderr(), "the token reached the log"
        url = f"http://127.0.0.1:{port}/mcp"
        for mode in MODES:
            async with connect(url, mode, token=TOKEN) as client:
                await c.check_listing(client)
                await c.check_screenshot(client)


async def sigterm_with_a_client_connected() -> None:
    with serve("127.0.0.1:0") as served:
        async with connect(served.url, "legacy") as client:
            await c.check_screenshot(client)
            began = time.monotonic()
            served.process.send_signal(signal.SIGTERM)
            code = await asyncio.to_thread(served.process.wait, 15)
            elapsed = time.monotonic() - began
            assert code == 0, (code, served.stderr())
            assert elapsed < 5, f"shutdown took {elapsed:.1f} s"
            print(f"  stopped {elapsed * 1000:.0f} ms after SIGTERM with a client connected")


def tests() -> list[tuple[str, c.Test]]:
    out: list[tuple[str, c.Test]] = [("http/identity_and_health", identity_and_health)]
    for mode in MODES:
        out += [
            (f"http/{mode}/list_tools", with_client(mode, c.check_listing)),
            (f"http/{mode}/screenshot", with_client(mode, c.check_screenshot)),
            (f"http/{mode}/click", with_client(mode, c.check_click)),
            (f"http/{mode}/type_key", with_client(mode, c.check_type_and_key)),
            (f"http/{mode}/exec", with_client(mode, c.check_exec)),
            (f"http/{mode}/errors", with_client(mode, c.check_errors)),
            (f"http/{mode}/cancel", cancel(mode)),
        ]
    out += [
        ("http/shared_by_clients", shared_by_clients),
        ("http/loopback_default_refuses_foreign_hosts", loopback_default_refuses_foreign_hosts),
        ("http/non_loopback_needs_a_token", non_loopback_needs_a_token),
        ("http/token_is_enforced", token_is_enforced),
        ("http/sigterm_with_a_client_connected", sigterm_with_a_client_connected),
    ]
    return out


if __name__ == "__main__":
    c.run_tests(tests())
    sys.exit(0)

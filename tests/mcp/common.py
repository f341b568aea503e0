"""Shared helpers for the MCP client tests: a tiny async test runner, the private desktop's environment,
effects read back from the desktop (xdotool, files), image decoding, and the checks both transports share.

The tests drive the real `computer-use serve` binary with the official Python MCP SDK (`mcp` on PyPI), so
they prove what a third-party client sees. They run under tests/mcp/run.sh, which starts the desktop and
exports CUA_PORT, CUA_DISPLAY and COMPUTER_USE_BIN.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import shlex
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types import ImageContent, TextContent

INVALID_PARAMS = -32602
# Tool names the seed defines; the registry may hold more, never fewer.
SEED_TOOLS = {"vm_screenshot", "vm_click", "vm_type", "vm_key", "vm_launch", "vm_exec", "vm_scroll"}


def need_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        sys.exit(f"error: {name} is not set; run these tests through tests/mcp/run.sh")
    return value


BIN = need_env("COMPUTER_USE_BIN")
CUA_PORT = need_env("CUA_PORT")
CUA_DISPLAY = need_env("CUA_DISPLAY")
SCRATCH = Path(os.environ.get("MCP_SCRATCH") or tempfile.mkdtemp(prefix="computer-use-mcp-test-"))


def server_env(**extra: str) -> dict[str, str]:
    """Environment for `computer-use serve`: the private desktop's server, nothing from the caller's config."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPUTER_USE_")}
    env.update(
        COMPUTER_USE_PROVIDER="url",
        COMPUTER_USE_SERVER_URL=f"ws://127.0.0.1:{CUA_PORT}/ws",
        RUST_LOG="warn,computer_use=info",
    )
    env.update(extra)
    return env


# ---------------------------------------------------------------------------------------------------------
# Runner


Test = Callable[[], Awaitable[None]]


def run_tests(tests: list[tuple[str, Test]]) -> None:
    """Runs each test in order, prints PASS/FAIL with timings, exits 1 if any failed (0 tests is a failure)."""
    if not tests:
        sys.exit("error: no tests collected")
    failed = []
    for name, test in tests:
        began = time.monotonic()
        try:
            asyncio.run(test())
        except BaseException as e:  # noqa: BLE001 - report every failure, including cancellation
            if isinstance(e, KeyboardInterrupt):
                raise
            failed.append(name)
            print(f"FAIL {name} ({time.monotonic() - began:.1f} s)", flush=True)
            traceback.print_exception(e)
            continue
        print(f"PASS {name} ({time.monotonic() - began:.1f} s)", flush=True)
    print(f"{len(tests) - len(failed)} passed, {len(failed)} failed", flush=True)
    if failed:
        print("failed: " + ", ".join(failed), flush=True)
        sys.exit(1)


async def eventually(check: Callable[[], Any], timeout: float = 10.0, every: float = 0.1) -> Any:
    """Polls `check` (sync) until it returns something truthy; returns it, or None after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            return None
        await asyncio.sleep(every)


# ---------------------------------------------------------------------------------------------------------
# The desktop, observed directly (not through the server under test)


def in_display(*argv: str) -> str:
    out = subprocess.run(argv, env={**os.environ, "DISPLAY": CUA_DISPLAY}, capture_output=True, text=True, timeout=10)
    if out.returncode != 0:
        raise AssertionError(f"{shlex.join(argv)} failed ({out.returncode}): {out.stderr.strip()}")
    return out.stdout


def mouse_location() -> tuple[int, int]:
    fields = dict(kv.split(":", 1) for kv in in_display("xdotool", "getmouselocation").split())
    return int(fields["x"]), int(fields["y"])


def windows_named(title: str) -> list[str]:
    out = subprocess.run(
        ["xdotool", "search", "--name", f"^{re.escape(title)}$"],
        env={**os.environ, "DISPLAY": CUA_DISPLAY},
        capture_output=True,
        text=True,
        timeout=10,
    )
    return out.stdout.split()


# ---------------------------------------------------------------------------------------------------------
# Results


def texts(result: Any) -> str:
    return "\n".join(b.text for b in result.content if isinstance(b, TextContent))


def images(result: Any) -> list[ImageContent]:
    return [b for b in result.content if isinstance(b, ImageContent)]


def ok(result: Any, what: str) -> dict[str, Any]:
    """Asserts a successful result and returns its structured content."""
    assert not result.is_error, f"{what} failed: {texts(result)}"
    structured = result.structured_content
    assert isinstance(structured, dict) and structured.get("ok") is True, f"{what}: structuredContent {structured!r}"
    return structured


def image_size(data: bytes, mime: str) -> tuple[int, int]:
    """Width and height from the PNG or JPEG header; fails if the bytes are not that format."""
    if mime == "image/png":
        assert data[:8] == b"\x89PNG\r\n\x1a\n", f"not a PNG: {data[:8]!r}"
        assert data[12:16] == b"IHDR", "PNG without IHDR first"
        return struct.unpack(">II", data[16:24])
    if mime == "image/jpeg":
        assert data[:3] == b"\xff\xd8\xff", f"not a JPEG: {data[:3]!r}"
        i = 2
        while i + 9 < len(data):
            assert data[i] == 0xFF, f"JPEG marker expected at {i}"
            marker = data[i + 1]
            length = struct.unpack(">H", data[i + 2 : i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return width, height
            i += 2 + length
        raise AssertionError("JPEG without a SOF marker")
    raise AssertionError(f"unexpected image MIME type {mime}")


# ---------------------------------------------------------------------------------------------------------
# Checks shared by the stdio and HTTP tests


async def check_listing(client: Client) -> None:
    listed = await client.list_tools()
    names = {t.name for t in listed.tools}
    assert SEED_TOOLS <= names, f"missing tools: {sorted(SEED_TOOLS - names)}"
    assert all(n.startswith("vm_") for n in names), sorted(names)
    for tool in listed.tools:
        schema = tool.input_schema
        assert schema.get("type") == "object", f"{tool.name}: {schema}"
        # Lean: the argument types refuse unknown fields by name (check_errors), the listing carries no
        # `additionalProperties` or schemars titles.
        assert "additionalProperties" not in schema and "title" not in schema, f"{tool.name}: {schema}"
        assert tool.description, f"{tool.name} has no description"
    expected = subprocess.run([BIN, "tools", "--json"], capture_output=True, text=True, timeout=10, check=True)
    cli = [t["name"] for t in json.loads(expected.stdout)["tools"]]
    assert [t.name for t in listed.tools] == cli, "tools/list and `computer-use tools --json` differ"


async def check_screenshot(client: Client, scale: float = 0.5, meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """`scale` is the configured screenshotScale (the default is 0.5); `meta` goes in the call's `_meta`."""
    result = await client.call_tool("vm_screenshot", {}, meta=meta)
    details = ok(result, "vm_screenshot")
    shots = images(result)
    assert len(shots) == 1, f"expected one image, got {len(shots)}"
    shot = shots[0]
    assert shot.mime_type in ("image/png", "image/jpeg"), shot.mime_type
    data = base64.b64decode(shot.data, validate=True)
    width, height = image_size(data, shot.mime_type)
    assert (width, height) == (details["width"], details["height"]), (width, height, details)
    assert details["mimeType"] == shot.mime_type
    assert (details["screenWidth"], details["screenHeight"]) == (1280, 800), details
    assert abs(width / 1280 - details["scale"]) < 0.01, details
    assert abs(details["scale"] - scale) < 0.01, f"expected scale {scale}: {details}"
    assert 0 < width <= 1280 and 0 < height <= 800, (width, height)
    text = texts(result)
    assert f"frame {details['frame']}" in text and f"{width}x{height}" in text, text
    return details


async def check_unchanged(client: Client, frame: int, meta: dict[str, Any] | None = None) -> None:
    """The same caller looks again at a static screen: "unchanged since frame N" (its own last frame), no
    image, the frame's size in the details."""
    result = await client.call_tool("vm_screenshot", {}, meta=meta)
    details = ok(result, "vm_screenshot (unchanged)")
    assert not images(result), f"an unchanged screen was sent again: {texts(result)} {details}"
    assert details["unchangedSince"] == frame and details["frame"] == frame, details
    assert (details["width"], details["height"]) == (640, 400), details
    assert f"unchanged since frame {frame}" in texts(result), texts(result)


async def check_click(client: Client) -> None:
    shot = await check_screenshot(client)
    scale = shot["scale"]
    for x, y in [(100, 60), (321, 207)]:
        result = await client.call_tool("vm_click", {"x": x, "y": y})
        ok(result, "vm_click")
        want = (x / scale, y / scale)

        def near(want: tuple[float, float] = want) -> bool:
            got = mouse_location()
            return abs(got[0] - want[0]) <= 2 and abs(got[1] - want[1]) <= 2

        # The X server may apply the motion a moment after the server answers.
        assert await eventually(near, timeout=3), f"pointer at {mouse_location()}, expected ~{want}"


async def focused_xterm(client: Client, title: str) -> None:
    """Launches an xterm that accepts synthetic keys at the top-left and clicks into it (through MCP)."""
    result = await client.call_tool(
        "vm_launch",
        {
            "app": "xterm",
            # /bin/sh without rc files: a login shell's rc (pyenv init, say) can take seconds to show a prompt.
            "args": ["-xrm", "XTerm*allowSendEvents: true", "-geometry", "80x20+0+0", "-T", title, "-e", "/bin/sh"],
        },
    )
    ok(result, "vm_launch")
    assert await eventually(lambda: windows_named(title)), f"xterm `{title}` did not appear within 10 s"
    await asyncio.sleep(0.5)  # let the shell start
    shot = await check_screenshot(client)
    # Screen point (200, 100) is inside an 80x20 xterm at +0+0.
    ok(await client.call_tool("vm_click", {"x": 200 * shot["scale"], "y": 100 * shot["scale"]}), "vm_click")
    await asyncio.sleep(0.2)


async def check_type_and_key(client: Client) -> None:
    token = uuid.uuid4().hex[:12]
    title = f"mcp-test-{token}"
    target = SCRATCH / f"typed-{token}.txt"
    await focused_xterm(client, title)
    ok(await client.call_tool("vm_type", {"text": f"echo typed-{token} > {target}"}), "vm_type")
    assert not target.exists(), "the line ran before Enter was pressed"
    ok(await client.call_tool("vm_key", {"keys": "enter"}), "vm_key")
    got = await eventually(lambda: target.exists() and target.read_text().strip())
    assert got == f"typed-{token}", f"{target} holds {got!r}"
    ok(await client.call_tool("vm_type", {"text": "exit"}), "vm_type")
    ok(await client.call_tool("vm_key", {"keys": "enter"}), "vm_key")
    assert await eventually(lambda: not windows_named(title)), "the xterm did not exit"


async def check_exec(client: Client) -> None:
    token = uuid.uuid4().hex[:8]
    result = await client.call_tool("vm_exec", {"command": f"echo out-{token}; echo err-{token} >&2; exit 3"})
    details = ok(result, "vm_exec")
    assert details["returnCode"] == 3, details
    assert details["stdout"].strip() == f"out-{token}", details
    assert details["stderr"].strip() == f"err-{token}", details
    assert f"out-{token}" in texts(result), texts(result)


async def check_errors(client: Client) -> None:
    # Malformed: an unknown field, a wrong type, an unknown tool -> JSON-RPC invalid params.
    for name, args, needle in [
        ("vm_click", {"x": 10, "y": 10, "z": 1}, "z"),
        ("vm_click", {"x": "ten", "y": 10}, "vm_click"),
        ("vm_no_such_tool", {}, "vm_no_such_tool"),
    ]:
        try:
            result = await client.call_tool(name, args)
        except MCPError as e:
            assert e.code == INVALID_PARAMS, f"{name} {args}: code {e.code} ({e.message})"
            assert needle in e.message, f"{name} {args}: {e.message}"
        else:
            raise AssertionError(f"{name} {args} should be a protocol error, got {result!r}")
    # A tool that fails: a point off the screen is refused, with a message the model can act on.
    result = await client.call_tool("vm_click", {"x": 100000, "y": 5})
    assert result.is_error, f"an off-screen click should fail: {texts(result)}"
    assert texts(result), "a failure must carry text for the model"
    structured = result.structured_content
    assert structured["ok"] is False and structured["error"] == "rejected", structured
    assert structured["outcome"] == "not_sent" and structured["hard"] is False, structured
    # A failing guest command is a result, not an error.
    details = ok(await client.call_tool("vm_exec", {"command": "false"}), "vm_exec false")
    assert details["returnCode"] == 1, details


async def check_cancel(client: Client, stderr_path: Path | None) -> None:
    """A call the client abandons stops waiting on the server: the next shell call answers at once."""
    began = time.monotonic()
    try:
        await client.call_tool("vm_exec", {"command": "sleep 30"}, read_timeout_seconds=1.5)
    except MCPError as e:
        assert "timed out" in e.message, e.message
    else:
        raise AssertionError("a 30 s sleep answered within a 1.5 s timeout")
    details = ok(await client.call_tool("vm_exec", {"command": "echo after-cancel"}), "vm_exec after cancel")
    assert details["stdout"].strip() == "after-cancel", details
    elapsed = time.monotonic() - began
    assert elapsed < 15, f"the call after the cancelled one waited: {elapsed:.1f} s"
    if stderr_path is not None:

        def log() -> str:
            return re.sub(r"\x1b\[[0-9;]*m", "", stderr_path.read_text())

        logged = await eventually(lambda: re.search(r"tool=vm_exec ms=(\d+) kind=\"?ambiguous", log()), timeout=5)
        assert logged, f"the server did not report the cancelled call; stderr:\n{log()}"
        # The server stopped waiting when the client gave up (1.5 s), not when the 30 s sleep ended.
        assert int(logged.group(1)) < 10_000, logged.group(0)

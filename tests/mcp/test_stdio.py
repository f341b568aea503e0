"""The official Python MCP client drives `computer-use serve --stdio` against the private desktop.

Each check gets a fresh server process (as a client that spawns us would), in both connection modes of the
SDK: `legacy` (the `initialize` handshake, what most clients and the OpenClaw shim's JS SDK do) and `auto`
(the SDK's default: `server/discover`, then the 2026-07-28 protocol if the server offers it). Effects are
read back from the desktop itself: the pointer position via xdotool, typed text via a file the shell wrote.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import common as c
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client

MODES = ("legacy", "auto")


@contextlib.asynccontextmanager
async def connect(
    mode: str, stderr_path: Path | None = None, args: list[str] | None = None, env: dict[str, str] | None = None
) -> AsyncIterator[Client]:
    params = StdioServerParameters(
        command=c.BIN,
        args=["serve", "--stdio", *(args or [])],
        env=env if env is not None else c.server_env(),
    )
    stderr_path = stderr_path or c.SCRATCH / "stdio-stderr.log"
    with open(stderr_path, "w") as errlog:
        async with Client(stdio_client(params, errlog=errlog), mode=mode, read_timeout_seconds=60) as client:
            yield client


def with_client(mode: str, check):
    async def test() -> None:
        async with connect(mode) as client:
            await check(client)

    return test


def identity(mode: str):
    async def test() -> None:
        async with connect(mode) as client:
            info = client.server_info
            assert info is not None and info.name == "computer-use", info
            assert info.version, info
            assert client.server_capabilities.tools is not None, client.server_capabilities
            if mode == "legacy":
                assert client.instructions and "vm_screenshot" in client.instructions, client.instructions
            print(f"  {mode}: protocol {client.protocol_version}, server {info.name} {info.version}")

    return test


def cancel(mode: str):
    async def test() -> None:
        stderr_path = c.SCRATCH / f"stdio-cancel-{mode}.log"
        async with connect(mode, stderr_path) as client:
            await c.check_cancel(client, stderr_path)

    return test


async def plugin_config() -> None:
    """The OpenClaw shim's path: the plugin config object as JSON instead of files or environment."""
    env = {k: v for k, v in c.server_env().items() if not k.startswith("COMPUTER_USE_")}
    block = json.dumps({"provider": "url", "serverUrl": f"ws://127.0.0.1:{c.CUA_PORT}/ws", "screenshotScale": 0.25})
    async with connect("legacy", args=["--plugin-config", block], env=env) as client:
        details = await c.check_screenshot(client, 0.25)
        assert details["width"] == 320, details


def tests() -> list[tuple[str, c.Test]]:
    out: list[tuple[str, c.Test]] = []
    for mode in MODES:
        out += [
            (f"stdio/{mode}/identity", identity(mode)),
            (f"stdio/{mode}/list_tools", with_client(mode, c.check_listing)),
            (f"stdio/{mode}/screenshot", with_client(mode, c.check_screenshot)),
            (f"stdio/{mode}/click", with_client(mode, c.check_click)),
            (f"stdio/{mode}/type_key", with_client(mode, c.check_type_and_key)),
            (f"stdio/{mode}/exec", with_client(mode, c.check_exec)),
            (f"stdio/{mode}/errors", with_client(mode, c.check_errors)),
            (f"stdio/{mode}/cancel", cancel(mode)),
        ]
    out.append(("stdio/plugin_config", plugin_config))
    return out


if __name__ == "__main__":
    c.run_tests(tests())
    sys.exit(0)

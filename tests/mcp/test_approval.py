"""Human approval through MCP elicitation, with the official Python MCP client against the real server.

`guards.approval` names `vm_exec`; the core asks the client (`elicitation/create`) before anything is sent. The
client's elicitation callback accepts (the command runs: its file appears), declines or cancels (refused, no
file), or never answers within `timeoutSecs` (refused, no file); a client that did not declare the elicitation
capability is refused with how to configure it (fail closed). Files are read on the desktop's machine, which is
the guest here.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import itertools
from collections.abc import AsyncIterator

import common as c
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp_types import ElicitResult

TIMEOUT_SECS = 3
COUNTER = itertools.count(1)


@contextlib.asynccontextmanager
async def connect(callback) -> AsyncIterator[Client]:
    env = {k: v for k, v in c.server_env().items() if not k.startswith("COMPUTER_USE_")}
    block = json.dumps(
        {
            "provider": "url",
            "serverUrl": f"ws://127.0.0.1:{c.CUA_PORT}/ws",
            "guards": {"approval": {"tools": ["vm_exec"], "timeoutSecs": TIMEOUT_SECS}},
        }
    )
    params = StdioServerParameters(command=c.BIN, args=["serve", "--stdio", "--plugin-config", block], env=env)
    with open(c.SCRATCH / "approval-stderr.log", "a") as errlog:
        kwargs = {"elicitation_callback": callback} if callback else {}
        # `legacy`: the 2025 protocol, where a server may send requests (elicitation) to its client.
        async with Client(stdio_client(params, errlog=errlog), mode="legacy", read_timeout_seconds=60, **kwargs) as client:
            yield client


def answering(action: str, asked: list[str], delay: float = 0.0):
    async def callback(_context, params) -> ElicitResult:
        asked.append(params.message)
        if delay:
            await asyncio.sleep(delay)
        return ElicitResult(action=action, content={} if action == "accept" else None)

    return callback


async def run_exec(callback) -> tuple[object, object]:
    # The scratch folder's random mktemp suffix may be scrubbed from the prompt as a possible secret,
    # so the assertions look for this short readable file name, not the whole path.
    target = c.SCRATCH / f"approval-{next(COUNTER)}"
    async with connect(callback) as client:
        result = await client.call_tool("vm_exec", {"command": f"touch {target}"})
    return result, target


def message(result) -> str:
    return (result.structured_content or {}).get("message", "") if result.is_error else ""


async def accepted() -> None:
    asked: list[str] = []
    result, target = await run_exec(answering("accept", asked))
    assert not result.is_error, c.texts(result)
    assert target.exists(), "the approved command did not run"
    assert len(asked) == 1 and "vm_exec" in asked[0] and f"/{target.name}" in asked[0], asked
    print(f"  asked: {asked[0]!r}")


def refused_with(action: str, want: str, delay: float = 0.0):
    async def test() -> None:
        asked: list[str] = []
        result, target = await run_exec(answering(action, asked, delay))
        assert result.is_error, f"{action}: the call was not refused: {c.texts(result)}"
        assert want in message(result), message(result)
        assert not target.exists(), f"{action}: the refused command ran"
        assert len(asked) == 1, asked
        print(f"  refused: {message(result)}")

    return test


async def no_capability() -> None:
    result, target = await run_exec(None)
    assert result.is_error, c.texts(result)
    assert "did not declare the `elicitation` capability" in message(result), message(result)
    assert not target.exists()
    print(f"  refused: {message(result)}")


async def other_tools_are_not_asked() -> None:
    asked: list[str] = []
    async with connect(answering("decline", asked)) as client:
        result = await client.call_tool("vm_status", {})
    assert not result.is_error, c.texts(result)
    assert asked == [], asked


def tests() -> list[tuple[str, c.Test]]:
    return [
        ("approval/accept_runs_the_call", accepted),
        ("approval/decline_refuses", refused_with("decline", "the person asked declined (declined)")),
        ("approval/cancel_refuses", refused_with("cancel", "the person asked declined (cancelled)")),
        ("approval/timeout_refuses", refused_with("accept", f"nobody approved it within {TIMEOUT_SECS} s", TIMEOUT_SECS + 3)),
        ("approval/no_elicitation_capability_fails_closed", no_capability),
        ("approval/unnamed_tools_are_not_asked", other_tools_are_not_asked),
    ]


if __name__ == "__main__":
    c.run_tests(tests())
    sys.exit(0)

#!/usr/bin/env bash
# Proves the MCP server with a real third-party client: the official Python `mcp` SDK (pinned in
# requirements.txt) drives `computer-use serve --stdio` and `serve --http` against a private desktop
# (Xvfb + openbox + the real cua-computer-server, started with `computer-use vm up`), and the tests check the
# effects on that desktop (pointer position, files the shell wrote), not just the replies.
#
# Usage: tests/mcp/run.sh [stdio|http|approval]...     (default: all three)
#        tests/mcp/run.sh --install           only create (or reuse) the client's venv and print MCP_VENV=<path>
#
# Environment:
#   COMPUTER_USE_BIN    the binary to test (default: builds and uses target/debug/computer-use)
#   COMPUTER_USE_CACHE  cache root (default: $HOME/.cache/computer-use); the venv is <cache>/mcp-venv
#   PY                  a CPython >= 3.10 to build the venv from (default: like scripts/bootstrap, pyenv's
#                       3.12/3.13 first, then python3.12, python3.13, python3)
#   MCP_KEEP=1          keep the state directory (desktop logs, server stderr) even when all tests pass
# Exit status: 0 when every test passed; 1 otherwise.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
say() { printf 'mcp-tests: %s\n' "$*" >&2; }
die() {
	printf 'mcp-tests: error: %s\n' "$*" >&2
	exit 1
}

install_only=0
if [[ "${1:-}" == --install ]]; then
	install_only=1
	shift
	[[ $# -eq 0 ]] || die "--install takes no other arguments"
fi
suites=("$@")
[[ ${#suites[@]} -gt 0 ]] || suites=(stdio http approval)
for s in "${suites[@]}"; do
	[[ "$s" == stdio || "$s" == http || "$s" == approval ]] || die "unknown suite '$s' (use stdio, http and/or approval)"
done

# ---------------------------------------------------------------------------------------------------------
# The binary

if ((!install_only)); then
	if [[ -z "${COMPUTER_USE_BIN:-}" ]]; then
		say "building computer-use (cargo build -p computer-use-cli)"
		cargo build -q -p computer-use-cli
		COMPUTER_USE_BIN="$repo/target/debug/computer-use"
	fi
	[[ -x "$COMPUTER_USE_BIN" ]] || die "COMPUTER_USE_BIN=$COMPUTER_USE_BIN is not executable"
	export COMPUTER_USE_BIN
fi
# Keep the repository clean of __pycache__ (the tests import common.py from their own directory).
export PYTHONDONTWRITEBYTECODE=1

# ---------------------------------------------------------------------------------------------------------
# The venv with the pinned client, rebuilt when requirements.txt changes

CACHE="${COMPUTER_USE_CACHE:-$HOME/.cache/computer-use}"
VENV="$CACHE/mcp-venv"
REQUIREMENTS="$repo/tests/mcp/requirements.txt"

python_ok() {
	"$1" -c 'import sys, platform
sys.exit(0 if platform.python_implementation() == "CPython" and sys.version_info[:2] >= (3, 10) else 1)' \
		>/dev/null 2>&1
}

# The same search as scripts/bootstrap (which needs 3.12/3.13 for cua-computer-server), widened to any
# CPython >= 3.10 as a last resort (the mcp SDK's own floor).
find_python() {
	local candidate root
	if [[ -n "${PY:-}" ]]; then
		python_ok "$PY" && printf '%s\n' "$PY"
		return
	fi
	if command -v pyenv >/dev/null 2>&1 && root=$(pyenv root 2>/dev/null); then
		while IFS= read -r candidate; do
			if python_ok "$candidate"; then
				printf '%s\n' "$candidate"
				return 0
			fi
		done < <(compgen -G "$root/versions/3.1[23].*/bin/python3" | sort -V)
	fi
	for candidate in python3.12 python3.13 python3; do
		if command -v "$candidate" >/dev/null 2>&1 && python_ok "$candidate"; then
			command -v "$candidate"
			return 0
		fi
	done
	return 1
}

want=$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)
if [[ ! -x "$VENV/bin/python" || "$(cat "$VENV/.requirements.sha256" 2>/dev/null)" != "$want" ]]; then
	if [[ -e "$VENV" && ! -f "$VENV/pyvenv.cfg" ]]; then
		die "$VENV exists but is not a venv; move it away"
	fi
	py=$(find_python) || die "no CPython >= 3.10 found (looked at \$PY, \$(pyenv root)/versions/3.1[23].*, python3.12, python3.13, python3); set PY=/path/to/python3"
	say "creating $VENV from $py with $(grep -m1 '^mcp==' "$REQUIREMENTS")"
	mkdir -p "$CACHE"
	rm -rf -- "$VENV"
	"$py" -m venv "$VENV" || die "'$py -m venv $VENV' failed (on Debian, install the matching pythonX.Y-venv package)"
	"$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$REQUIREMENTS" ||
		die "pip could not install $REQUIREMENTS"
	# Written last: its presence means the venv is complete.
	printf '%s\n' "$want" >"$VENV/.requirements.sha256"
fi
if ((install_only)); then
	printf 'MCP_VENV=%s\n' "$VENV"
	exit 0
fi

# ---------------------------------------------------------------------------------------------------------
# A private desktop (its own display, port and state), torn down on exit

state=$(mktemp -d "${TMPDIR:-/tmp}/computer-use-mcp-desktop.XXXXXX")
keep=${MCP_KEEP:-0}
cleanup() {
	"$COMPUTER_USE_BIN" vm down --state-dir "$state" >/dev/null 2>&1 || true
	if [[ "$keep" == 1 ]]; then say "kept $state (desktop logs, server stderr in scratch/)"; else rm -rf -- "$state"; fi
}
trap cleanup EXIT

free_port() {
	"$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

up=0
for attempt in 1 2 3 4 5; do
	display=":$((200 + RANDOM % 700))"
	port=$(free_port)
	rc=0
	CUA_STATE_DIR="$state" CUA_DISPLAY="$display" CUA_PORT="$port" CUA_OWNER_PID=$$ \
		"$COMPUTER_USE_BIN" vm up >"$state/up.log" 2>&1 || rc=$?
	if ((rc == 0)); then
		up=1
		break
	fi
	# 3: the display is taken, 4: the port is taken; anything else is a real failure.
	if ((rc != 3 && rc != 4)); then
		cat "$state/up.log" >&2
		die "computer-use vm up failed ($rc)"
	fi
	say "attempt $attempt: display $display or port $port was taken; retrying"
done
((up)) || die "could not find a free display and port in 5 attempts"
export CUA_DISPLAY="$display" CUA_PORT="$port"
# Where the tests put server stderr logs and the files the typed shell commands write.
export MCP_SCRATCH="$state/scratch"
mkdir -p "$MCP_SCRATCH"
say "desktop up: display $CUA_DISPLAY, cua-computer-server on 127.0.0.1:$CUA_PORT"

# ---------------------------------------------------------------------------------------------------------
# The tests

failed=()
for suite in "${suites[@]}"; do
	say "running test_$suite.py ($("$VENV/bin/python" -c 'import importlib.metadata as m; print("mcp", m.version("mcp"))'))"
	if ! "$VENV/bin/python" -u "tests/mcp/test_$suite.py"; then
		failed+=("$suite")
	fi
done
if ((${#failed[@]})); then
	keep=1
	say "FAILED: ${failed[*]}"
	exit 1
fi
say "all MCP client tests passed"

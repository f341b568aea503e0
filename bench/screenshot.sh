#!/usr/bin/env bash
# The screenshot benchmark of the "vm_* tools" issue: on a busy 2880x1800 desktop, in one run, side by side,
# median/p90 of >= 30 runs each:
#   - the raw JPEG capture over a minimal WebSocket client (the floor),
#   - `vm_screenshot` end to end through the core (and through our MCP server, if it is built),
#   - the server's own /mcp `computer_screenshot`,
#   - the Python SDK's `screenshot()` plus a Pillow resize + JPEG encode,
#   - our processing step alone vs Pillow's on the same captured JPEG,
# plus the coordinate checks (a move to the image centre must put the pointer at the screen centre; where the
# server's /mcp click at the centre of its image lands). Prints ONE markdown table to stdout and writes it to
# bench/RESULTS-screenshot.md; progress goes to stderr. The desktop is always torn down.
#
# Usage: bench/screenshot.sh            (table on stdout)
#
# Environment:
#   SCREENSHOT_BENCH_RUNS (30)      timed runs per row (>= 30)
#   SCREENSHOT_BENCH_MCP_RUNS (30)  timed runs of the server's /mcp screenshot (~1.5 s each: PNG + Lanczos; >= 10)
#   CUA_SCREEN (2880x1800x24)       screen of the private desktop
#   SCREENSHOT_BENCH_MAX_LOAD       e.g. 1.0: after building, wait until the 1-minute load average is at most
#                                   this before measuring (the machine may be shared), for at most
#   SCREENSHOT_BENCH_LOAD_WAIT (900) seconds; then measure anyway and say so
#   SCREENSHOT_BENCH_KEEP=1         keep the work directory (rust.tsv, py.tsv, captured and model images)
#   COMPUTER_USE_CACHE ($HOME/.cache/computer-use)   the Python venv lives in $COMPUTER_USE_CACHE/bench-venv
#   BENCH_PYTHON                    CPython 3.12 to build that venv from (default: pyenv's newest 3.12)
#   Anything `computer-use vm up` reads (CUA_VENV, COMPUTER_USE_CACHE, ...); the desktop comes from
#   bench/private-desktop.bash.
#
# Exit status: 0 when the table was printed (targets met or not: this is a benchmark); non-zero when
# something could not run.
set -euo pipefail

NAME=screenshot.sh
# shellcheck source=bench/private-desktop.bash
source "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/private-desktop.bash"
BENCH_DIR="$BENCH_ROOT/bench"
CACHE="${COMPUTER_USE_CACHE:-$HOME/.cache/computer-use}"
VENV="$CACHE/bench-venv"
REQUIREMENTS="$BENCH_DIR/requirements-screenshot.txt"
RESULTS="$BENCH_DIR/RESULTS-screenshot.md"
MAX_LOAD="${SCREENSHOT_BENCH_MAX_LOAD:-}"
LOAD_WAIT="${SCREENSHOT_BENCH_LOAD_WAIT:-900}"
RUNS="${SCREENSHOT_BENCH_RUNS:-30}"
MCP_RUNS="${SCREENSHOT_BENCH_MCP_RUNS:-30}"
SCREEN="${CUA_SCREEN:-2880x1800x24}"
WORK=""
SERVE_PID=""
XTERM_PIDS=()

# Run when the script exits, before the desktop goes down.
screenshot_cleanup() {
	local pid
	if [[ -n "$SERVE_PID" ]]; then
		kill -- "-$SERVE_PID" 2>/dev/null || kill "$SERVE_PID" 2>/dev/null
	fi
	for pid in "${XTERM_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	if [[ -n "$WORK" && "${SCREENSHOT_BENCH_KEEP:-}" == 1 ]]; then
		say "kept $WORK"
	elif [[ -n "$WORK" ]]; then
		rm -rf -- "$WORK"
	fi
}
on_exit screenshot_cleanup

if ! [[ "$RUNS" =~ ^[0-9]+$ ]] || ((RUNS < 30)); then die "SCREENSHOT_BENCH_RUNS must be a number >= 30, got '$RUNS'"; fi
if ! [[ "$MCP_RUNS" =~ ^[0-9]+$ ]] || ((MCP_RUNS < 10)); then die "SCREENSHOT_BENCH_MCP_RUNS must be a number >= 10, got '$MCP_RUNS'"; fi
if [[ -n "$MAX_LOAD" ]] && ! [[ "$MAX_LOAD" =~ ^[0-9]+(\.[0-9]+)?$ ]]; then die "SCREENSHOT_BENCH_MAX_LOAD must be a number like 1.0, got '$MAX_LOAD'"; fi
if ! [[ "$LOAD_WAIT" =~ ^[0-9]+$ ]]; then die "SCREENSHOT_BENCH_LOAD_WAIT must be whole seconds, got '$LOAD_WAIT'"; fi
[[ "$SCREEN" =~ ^[0-9]+x[0-9]+$ ]] && SCREEN="${SCREEN}x24"
[[ "$SCREEN" =~ ^([0-9]+)x([0-9]+)x[0-9]+$ ]] || die "CUA_SCREEN must look like 2880x1800x24, got '$SCREEN'"
SCREEN_W=${BASH_REMATCH[1]} SCREEN_H=${BASH_REMATCH[2]}
command -v xdotool >/dev/null || die "xdotool is missing (the coordinate checks read the pointer with it); run scripts/bootstrap"
command -v xterm >/dev/null || die "xterm is missing (it fills the screen); run scripts/bootstrap"

# ---------------------------------------------------------------------------------------------------------
# Python venv: CPython 3.12 (cua-computer needs >= 3.12), the pinned requirements; rebuilt when they change.
find_python() {
	if [[ -n "${BENCH_PYTHON:-}" ]]; then
		printf '%s\n' "$BENCH_PYTHON"
		return
	fi
	local root candidate
	root=$(pyenv root 2>/dev/null || printf '%s' "$HOME/.pyenv")
	# Newest 3.12.x first.
	while IFS= read -r candidate; do
		if [[ -n "$candidate" && -x "$candidate/bin/python3" ]]; then
			printf '%s\n' "$candidate/bin/python3"
			return
		fi
	done < <(shopt -s nullglob; printf '%s\n' "$root"/versions/3.12.* | sort -V -r)
	command -v python3.12 || true
}

ensure_venv() {
	local stamp="$VENV/.requirements" python
	if [[ -x "$VENV/bin/python" ]] && cmp -s "$REQUIREMENTS" "$stamp"; then
		return 0
	fi
	python=$(find_python)
	[[ -n "$python" && -x "$python" ]] ||
		die "no CPython 3.12 found (looked in \$(pyenv root)/versions/3.12.* and for python3.12); install one (pyenv install 3.12) or set BENCH_PYTHON"
	"$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' ||
		die "$python is not CPython 3.12 (cua-computer needs 3.12); set BENCH_PYTHON"
	say "creating the Python venv $VENV from $python"
	rm -rf -- "$VENV"
	"$python" -m venv "$VENV"
	"$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQUIREMENTS" >&2 ||
		die "pip install -r $REQUIREMENTS failed (see above)"
	cp -- "$REQUIREMENTS" "$stamp"
}

# ---------------------------------------------------------------------------------------------------------
cd -- "$BENCH_ROOT"
ensure_venv
PY="$VENV/bin/python"

# Build first, so compiling neither runs during the measurement nor competes with it.
say "building (release): the screenshot bench and the computer-use binary"
cargo bench -p computer-use --bench screenshot --no-run >&2
CLI_BUILT=1
cargo build --release -p computer-use-cli >&2 || {
	CLI_BUILT=0
	say "the computer-use binary did not build; the MCP-server row will be n/a"
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/screenshot-bench.XXXXXX")
export CUA_SCREEN="$SCREEN"
desktop_up
export DISPLAY="$CUA_DISPLAY"

# ---------------------------------------------------------------------------------------------------------
# Four xterms, one per quadrant, full of varied text (the "busy desktop": JPEG and PNG both have real work).
# Anti-aliased DejaVu Sans Mono when fontconfig has it, else xterm's default bitmap font. -hold keeps each
# window after its command ends, so nothing keeps redrawing during the measurement.
font=()
if command -v fc-list >/dev/null && fc-list 2>/dev/null | grep -q 'DejaVu Sans Mono'; then
	font=(-fa 'DejaVu Sans Mono' -fs 10)
fi
half_w=$((SCREEN_W / 2)) half_h=$((SCREEN_H / 2))
positions=("0 0" "$half_w 0" "0 $half_h" "$half_w $half_h")
# Long lines wrap at the window's width, so every window is full edge to edge. Each command waits 3 s so the
# windows are tiled before it prints (xterm does not re-wrap on resize).
contents=(
	'seq 1 30000 | tr "\\n" " "'
	'head -c 60000 /dev/urandom | base64 -w 0'
	'ls -lR /usr/lib 2>/dev/null | head -n 400'
	'od -A x -t x1z -v -w32 /usr/bin/bash | head -n 400'
)
for i in "${!contents[@]}"; do
	xterm -hold "${font[@]}" -geometry 200x60+0+0 -T "shotbench-$i" \
		-e sh -c "sleep 3; ${contents[$i]}" </dev/null >/dev/null 2>&1 &
	XTERM_PIDS+=("$!")
done
mapped=0
for ((i = 0; i < 150; i++)); do
	mapped=$({ xdotool search --onlyvisible --name '^shotbench-[0-3]$' 2>/dev/null || true; } | wc -l)
	((mapped >= 4)) && break
	sleep 0.1
done
((mapped >= 4)) || die "only $mapped of 4 xterm windows appeared on $DISPLAY within 15 s"
# Tile them: each window (with its frame) covers one quadrant.
for i in "${!contents[@]}"; do
	wid=$(xdotool search --onlyvisible --name "^shotbench-$i\$" | head -n1)
	read -r x y <<<"${positions[$i]}"
	xdotool windowsize "$wid" "$((half_w - 8))" "$((half_h - 30))" windowmove "$wid" "$x" "$y"
done
sleep 4

# ---------------------------------------------------------------------------------------------------------
# Our MCP server, if it exists yet: `computer-use --config FILE serve --http 127.0.0.1:PORT`, with the same
# configuration as the Rust rows (url provider, defaults, guard thresholds raised so 30+ identical screenshots
# of a static screen are not refused as a loop).
SERVE_URL=""
SERVE_NOTE="n/a (not built yet: target/release/computer-use serve --help failed)"
BIN="$BENCH_ROOT/target/release/computer-use"
if ((CLI_BUILT == 0)); then
	# An older binary may still be in target/: it would not be this source, so it is not measured.
	SERVE_NOTE="n/a (cargo build --release -p computer-use-cli failed at this source; see the build log)"
elif [[ -x "$BIN" ]] && serve_help=$("$BIN" serve --help 2>&1); then
	if grep -q -- '--http <' <<<"$serve_help"; then
		serve_port=$((20000 + RANDOM % 30000))
		cat >"$WORK/serve.json5" <<-EOF
			{
			  provider: "url",
			  serverUrl: "ws://127.0.0.1:$CUA_PORT/ws",
			  guards: {
			    rate: { screenshotsPerMinute: 1000000, screenshotBurst: 1000000, actionsPerMinute: 1000000, actionBurst: 1000000 },
			    loop: { repeatWarn: 1000000, repeatRefuse: 1000000, alternationWarn: 1000000, alternationRefuse: 1000000,
			            identicalScreenshotsWarn: 1000000, identicalScreenshotsRefuse: 1000000 },
			  },
			}
		EOF
		say "starting our MCP server: computer-use --config $WORK/serve.json5 serve --http 127.0.0.1:$serve_port"
		env -u COMPUTER_USE_MCP_TOKEN setsid "$BIN" --config "$WORK/serve.json5" serve --http "127.0.0.1:$serve_port" \
			</dev/null >"$WORK/serve.log" 2>&1 &
		SERVE_PID=$!
		for ((i = 0; i < 100; i++)); do
			if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$serve_port/mcp"; then
				SERVE_URL="http://127.0.0.1:$serve_port/mcp"
				break
			fi
			kill -0 "$SERVE_PID" 2>/dev/null || break
			sleep 0.1
		done
		if [[ -z "$SERVE_URL" ]]; then
			tail -n 20 "$WORK/serve.log" >&2 || true
			SERVE_NOTE="n/a (computer-use serve --http did not answer on 127.0.0.1:$serve_port/mcp; see its log)"
		fi
	else
		SERVE_NOTE="n/a (computer-use serve has no --http ADDR option yet)"
	fi
fi

# ---------------------------------------------------------------------------------------------------------
# Optionally wait for a quiet machine (other builds share it).
LOAD_NOTE=""
if [[ -n "$MAX_LOAD" ]]; then
	waited=0
	until awk -v max="$MAX_LOAD" '{ exit !($1 <= max) }' /proc/loadavg; do
		if ((waited >= LOAD_WAIT)); then
			LOAD_NOTE="waited ${LOAD_WAIT}s for load <= $MAX_LOAD in vain; measured anyway"
			say "$LOAD_NOTE"
			break
		fi
		((waited % 60 == 0)) && say "waiting for the 1-minute load average ($(cut -d' ' -f1 /proc/loadavg)) to reach $MAX_LOAD"
		sleep 10
		waited=$((waited + 10))
	done
	[[ -n "$LOAD_NOTE" ]] || LOAD_NOTE="waited ${waited}s for load <= $MAX_LOAD"
fi
printf '%s\n' "$LOAD_NOTE" >"$WORK/load-note"
say "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
cut -d' ' -f1-3 /proc/loadavg >"$WORK/load-before"
date -u '+%Y-%m-%d %H:%M UTC' >"$WORK/date"
say "Rust side (raw floor, vm_screenshot, processing, coordinate check)"
CUA_WS_URL="ws://127.0.0.1:$CUA_PORT/ws" SCREENSHOT_BENCH_DIR="$WORK" SCREENSHOT_BENCH_RUNS="$RUNS" \
	cargo bench -q -p computer-use --bench screenshot >&2
cut -d' ' -f1-3 /proc/loadavg >"$WORK/load-mid"
say "Python side (/mcp, Python SDK, Pillow${SERVE_URL:+, our MCP server})"
"$PY" "$BENCH_DIR/screenshot_py.py" run --dir "$WORK" --port "$CUA_PORT" --runs "$RUNS" --mcp-runs "$MCP_RUNS" \
	${SERVE_URL:+--serve-url "$SERVE_URL"} --serve-note "$SERVE_NOTE" >&2
cut -d' ' -f1-3 /proc/loadavg >"$WORK/load-after"
say "load average after: $(cat "$WORK/load-after")"

"$PY" "$BENCH_DIR/screenshot_py.py" merge --dir "$WORK" --screen "${SCREEN_W}x${SCREEN_H}" >"$WORK/table.md"
cp -- "$WORK/table.md" "$RESULTS"
cat -- "$WORK/table.md"
say "written to $RESULTS"

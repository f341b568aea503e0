#!/usr/bin/env bash
# Round-trip latency of our cua-protocol client versus a minimal raw WebSocket client, on a private desktop:
# builds the `roundtrip` bench, starts Xvfb + openbox + the real cua-computer-server (scripts/desktop) on a
# free display and port, fills the screen with text so PNG encoding is not trivial, runs the bench (it prints
# a markdown table to stdout) and always tears the desktop down again.
#
# Usage: bench/protocol.sh
#   The table goes to stdout, progress to stderr: bench/protocol.sh > roundtrip.md
#
# Environment:
#   CUA_SCREEN (1280x800x24)   screen size of the private desktop
#   CUA_BENCH_RUNTIME (multi_thread)   or current_thread: takes cross-thread wake-ups out of the comparison
#   Anything scripts/desktop reads (COMPUTER_USE_CACHE, CUA_VENV, COMPUTER_USE_NO_INSTALL, ...).
#
# Exit status: 0 when the table was printed (whether or not the targets were met: this is a benchmark);
# non-zero when the desktop could not start or the bench could not run.
set -euo pipefail

SELF=$(readlink -f -- "${BASH_SOURCE[0]}")
ROOT=$(dirname -- "$(dirname -- "$SELF")")
DESKTOP="$ROOT/scripts/desktop"
STATE_DIR=""
XTERM_PIDS=()
BENCH_PID=""

say() { printf 'protocol.sh: %s\n' "$*" >&2; }
die() {
	printf 'protocol.sh: error: %s\n' "$*" >&2
	exit 1
}

cleanup() {
	local rc=$? pid
	set +e
	if [[ -n "$BENCH_PID" ]]; then
		kill -TERM -- "-$BENCH_PID" 2>/dev/null
		wait "$BENCH_PID" 2>/dev/null
	fi
	for pid in "${XTERM_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	if [[ -n "$STATE_DIR" ]]; then
		CUA_STATE_DIR="$STATE_DIR" "$DESKTOP" down
		rm -rf -- "$STATE_DIR"
	fi
	return "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

cd -- "$ROOT"

# Build first, so compiling neither runs against a live desktop nor competes with the measurement.
say "building the roundtrip bench (cargo bench --no-run)"
cargo bench -p cua-protocol --bench roundtrip --no-run

STATE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/cua-protocol-bench.XXXXXX")
export CUA_STATE_DIR="$STATE_DIR"
# If this script is killed outright, the desktop's watchdog still takes it down.
export CUA_OWNER_PID=$$

# A random display and port; scripts/desktop exits 3 (display busy) or 4 (port busy): then try others.
started=0
for attempt in 1 2 3 4 5 6 7 8; do
	export CUA_DISPLAY=":$((200 + RANDOM % 700))"
	export CUA_PORT=$((20000 + RANDOM % 30000))
	say "starting a private desktop on $CUA_DISPLAY, port $CUA_PORT (attempt $attempt)"
	rc=0
	"$DESKTOP" up >&2 || rc=$?
	if ((rc == 0)); then
		started=1
		break
	fi
	((rc == 3 || rc == 4)) || die "scripts/desktop up failed (exit $rc; see above)"
done
((started)) || die "no free display/port found in 8 attempts"

# Four xterms, one per quadrant, full of varied text (digits, random base64, a file listing, a hex dump), so
# the PNG has real content. -hold keeps each window after its command ends, so nothing keeps running.
# Sizes are in characters of xterm's default 6x13 font.
screen=${CUA_SCREEN:-1280x800}
width=${screen%%x*} height=${screen#*x} height=${height%%x*}
cols=$((width / 2 / 6 - 2)) rows=$((height / 2 / 13 - 2)) x2=$((width / 2)) y2=$((height / 2))
geometry=("${cols}x${rows}+0+0" "${cols}x${rows}+${x2}+0" "${cols}x${rows}+0+${y2}" "${cols}x${rows}+${x2}+${y2}")
contents=(
	'seq 1 100000'
	'head -c 300000 /dev/urandom | base64'
	'ls -l /usr/bin /usr/lib'
	'od -A x -t x1z -v /usr/bin/bash | head -n 20000'
)
for i in "${!geometry[@]}"; do
	DISPLAY="$CUA_DISPLAY" xterm -hold -geometry "${geometry[$i]}" -T "bench-$i" \
		-e sh -c "${contents[$i]}" </dev/null >/dev/null 2>&1 &
	XTERM_PIDS+=("$!")
done
# Wait until all four windows are mapped, then let them finish printing.
for ((i = 0; i < 100; i++)); do
	mapped=$({ DISPLAY="$CUA_DISPLAY" xdotool search --onlyvisible --name '^bench-[0-3]$' 2>/dev/null || true; } | wc -l)
	((mapped >= 4)) && break
	sleep 0.1
done
((mapped >= 4)) || die "only $mapped of 4 xterm windows appeared on $CUA_DISPLAY within 10 s"
sleep 3

say "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# In its own process group and waited for in the background, so a TERM/INT to this script stops the bench at
# once (bash runs traps only between foreground commands) and cleanup can end exactly this group. Without job
# control setsid does not fork, so $! is cargo's pid and its group id.
CUA_WS_URL="ws://127.0.0.1:$CUA_PORT/ws" setsid cargo bench -p cua-protocol --bench roundtrip &
BENCH_PID=$!
wait "$BENCH_PID"
BENCH_PID=""
say "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

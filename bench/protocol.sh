#!/usr/bin/env bash
# Round-trip latency of our cua-protocol client versus a minimal raw WebSocket client, on a private desktop:
# builds the `roundtrip` bench, starts Xvfb + openbox + the real cua-computer-server (bench/private-desktop.bash)
# on a free display and port, fills the screen with text so PNG encoding is not trivial, runs the bench (it prints
# a markdown table to stdout) and always tears the desktop down again.
#
# Usage: bench/protocol.sh
#   The table goes to stdout, progress to stderr: bench/protocol.sh > roundtrip.md
#
# Environment:
#   CUA_SCREEN (1280x800x24)   screen size of the private desktop
#   CUA_BENCH_RUNTIME (multi_thread)   or current_thread: takes cross-thread wake-ups out of the comparison
#   Anything `computer-use vm up` reads (COMPUTER_USE_CACHE, CUA_VENV, ...).
#
# Exit status: 0 when the table was printed (whether or not the targets were met: this is a benchmark);
# non-zero when the desktop could not start or the bench could not run.
set -euo pipefail

NAME=protocol.sh
# shellcheck source=bench/private-desktop.bash
source "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/private-desktop.bash"
XTERM_PIDS=()
kill_xterms() { ((${#XTERM_PIDS[@]} == 0)) || kill "${XTERM_PIDS[@]}" 2>/dev/null; }
on_exit kill_xterms
cd -- "$BENCH_ROOT"

# Build first, so compiling neither runs against a live desktop nor competes with the measurement.
say "building the roundtrip bench (cargo bench --no-run)"
cargo bench -p cua-protocol --bench roundtrip --no-run

desktop_up

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

CUA_WS_URL="ws://127.0.0.1:$CUA_PORT/ws" run_bench cargo bench -p cua-protocol --bench roundtrip

# Sourced by bench/lanes.sh and bench/soak.sh: a private desktop (Xvfb + openbox + the real
# cua-computer-server, via scripts/desktop) on a free display and port for one benchmark run, a bench run in
# its own process group, and a cleanup that always tears both down. Not a script of its own.
#
# The sourcing script sets NAME (for messages) before sourcing, then calls:
#   desktop_up              starts the desktop; exports CUA_DISPLAY, CUA_PORT, CUA_WS_URL
#   run_bench CMD...        runs CMD in its own process group and waits (TERM/INT stop it at once)
# Environment: CUA_SCREEN (1280x800x24) and anything scripts/desktop reads.

BENCH_ROOT=$(dirname -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")")
BENCH_DESKTOP="$BENCH_ROOT/scripts/desktop"
BENCH_STATE_DIR=""
BENCH_PID=""

say() { printf '%s: %s\n' "$NAME" "$*" >&2; }
die() {
	printf '%s: error: %s\n' "$NAME" "$*" >&2
	exit 1
}

bench_cleanup() {
	local rc=$?
	set +e
	if [[ -n "$BENCH_PID" ]]; then
		kill -TERM -- "-$BENCH_PID" 2>/dev/null
		wait "$BENCH_PID" 2>/dev/null
	fi
	if [[ -n "$BENCH_STATE_DIR" ]]; then
		CUA_STATE_DIR="$BENCH_STATE_DIR" "$BENCH_DESKTOP" down
		rm -rf -- "$BENCH_STATE_DIR"
	fi
	return "$rc"
}
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

desktop_up() {
	BENCH_STATE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/cu-$NAME-bench.XXXXXX")
	export CUA_STATE_DIR="$BENCH_STATE_DIR"
	# If the script is killed outright, the desktop's watchdog still takes it down.
	export CUA_OWNER_PID=$$
	local attempt rc
	for attempt in 1 2 3 4 5 6 7 8; do
		export CUA_DISPLAY=":$((200 + RANDOM % 700))"
		export CUA_PORT=$((20000 + RANDOM % 30000))
		say "starting a private desktop on $CUA_DISPLAY, port $CUA_PORT (attempt $attempt)"
		rc=0
		"$BENCH_DESKTOP" up >&2 || rc=$?
		if ((rc == 0)); then
			export CUA_WS_URL="ws://127.0.0.1:$CUA_PORT/ws"
			return 0
		fi
		# scripts/desktop exits 3 (display busy) or 4 (port busy): then try others.
		((rc == 3 || rc == 4)) || die "scripts/desktop up failed (exit $rc; see above)"
	done
	die "no free display/port found in 8 attempts"
}

run_bench() {
	say "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
	# In its own process group and waited for in the background, so a TERM/INT to the script stops the bench
	# at once (bash runs traps only between foreground commands) and cleanup can end exactly this group.
	setsid "$@" &
	BENCH_PID=$!
	wait "$BENCH_PID"
	BENCH_PID=""
	say "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
}

# Sourced by every benchmark that measures against a real desktop (bench/protocol.sh, screenshot.sh, lanes.sh,
# soak.sh): one way to get a private desktop — Xvfb + openbox + the real cua-computer-server, started by
# `computer-use vm up` (the same Rust lifecycle as the product and the tests) on a free display and port — and a
# cleanup that always tears it down, with whatever else the script registered. Not a script of its own.
#
# The sourcing script sets NAME (for messages) before sourcing, then calls:
#   desktop_up         starts the desktop; exports CUA_DISPLAY, CUA_PORT, CUA_WS_URL and CUA_STATE_DIR
#   run_bench CMD...   runs CMD in its own process group and waits (TERM/INT stop it at once)
#   on_exit CMD...     runs CMD when the script exits, before the desktop goes down (latest first)
# Environment: CUA_SCREEN (1280x800x24), CUA_VENV, COMPUTER_USE_CACHE (as for `computer-use vm up`);
#   COMPUTER_USE_BIN   the binary to start the desktop with (default: builds target/debug/computer-use)

BENCH_ROOT=$(dirname -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")")
BENCH_STATE_DIR=""
BENCH_PID=""
BENCH_EXIT_HOOKS=()

say() { printf '%s: %s\n' "$NAME" "$*" >&2; }
die() {
	printf '%s: error: %s\n' "$NAME" "$*" >&2
	exit 1
}

on_exit() { BENCH_EXIT_HOOKS=("$(printf '%q ' "$@")" "${BENCH_EXIT_HOOKS[@]}"); }

bench_cleanup() {
	local rc=$? hook
	set +e
	if [[ -n "$BENCH_PID" ]]; then
		kill -TERM -- "-$BENCH_PID" 2>/dev/null
		wait "$BENCH_PID" 2>/dev/null
	fi
	for hook in "${BENCH_EXIT_HOOKS[@]}"; do eval "$hook"; done
	if [[ -n "$BENCH_STATE_DIR" ]]; then
		"$COMPUTER_USE_BIN" vm down --state-dir "$BENCH_STATE_DIR" >/dev/null
		rm -rf -- "$BENCH_STATE_DIR"
	fi
	return "$rc"
}
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

desktop_up() {
	if [[ -z "${COMPUTER_USE_BIN:-}" ]]; then
		say "building computer-use (it starts the desktop)"
		(cd -- "$BENCH_ROOT" && cargo build -q --locked -p computer-use-cli) || die "cargo build -p computer-use-cli failed"
		COMPUTER_USE_BIN="$BENCH_ROOT/target/debug/computer-use"
	fi
	[[ -x "$COMPUTER_USE_BIN" ]] || die "COMPUTER_USE_BIN=$COMPUTER_USE_BIN is not executable"
	BENCH_STATE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/cu-$NAME-bench.XXXXXX")
	export CUA_STATE_DIR="$BENCH_STATE_DIR"
	# If the script is killed outright, the desktop's watchdog still takes it down.
	export CUA_OWNER_PID=$$
	local attempt rc
	for attempt in 1 2 3 4 5 6 7 8; do
		export CUA_DISPLAY=":$((200 + RANDOM % 700))"
		export CUA_PORT=$((20000 + RANDOM % 30000))
		say "starting a private ${CUA_SCREEN:-1280x800x24} desktop on $CUA_DISPLAY, port $CUA_PORT (attempt $attempt)"
		rc=0
		"$COMPUTER_USE_BIN" vm up >&2 || rc=$?
		if ((rc == 0)); then
			export CUA_WS_URL="ws://127.0.0.1:$CUA_PORT/ws"
			return 0
		fi
		# `vm up` exits 3 (display taken) or 4 (port taken): then try others.
		((rc == 3 || rc == 4)) || die "computer-use vm up failed (exit $rc; see above)"
	done
	die "no free display/port found in 8 attempts"
}

run_bench() {
	say "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
	# In its own process group and waited for in the background, so a TERM/INT to the script stops the bench
	# at once (bash runs traps only between foreground commands) and cleanup can end exactly this group.
	# Without job control setsid does not fork, so $! is the command's pid and its group id.
	setsid "$@" &
	BENCH_PID=$!
	wait "$BENCH_PID"
	BENCH_PID=""
	say "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
}

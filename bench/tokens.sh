#!/usr/bin/env bash
# The tokens benchmark of the "fewer tokens, fewer silent failures" issue, on one private desktop in one run:
# a scripted 30-step agent session with `screenshot.skipUnchanged` off and on (images sent, image bytes,
# estimated tokens), the cost of effect reporting per input action (default vs `checkEffects`), and the
# unchanged reply vs the raw capture (target: at most 1.05x). Builds the `tokens` bench (release), starts a
# private desktop (Xvfb + openbox + the real cua-computer-server), runs it, prints the report on stdout and
# writes it to bench/RESULTS-tokens.md; the desktop is always torn down.
#
# Usage: bench/tokens.sh
#
# Environment:
#   TOKENS_BENCH_RUNS (30)   rounds of the interleaved measurements (at least 30)
#   CUA_SCREEN (1280x800x24) and anything `computer-use vm up` reads (bench/private-desktop.bash).
#
# Exit status: 0 when the report was printed (target met or not: this is a benchmark); non-zero when the
# desktop could not start or the bench could not run.
set -euo pipefail
NAME=tokens
# shellcheck source=bench/private-desktop.bash
source "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/private-desktop.bash"
cd -- "$BENCH_ROOT"
RESULTS="$BENCH_ROOT/bench/RESULTS-tokens.md"

# Build first, so compiling neither runs against a live desktop nor competes with the measurement.
say "building the tokens bench (cargo bench --no-run)"
cargo bench -p computer-use --bench tokens --no-run >&2

desktop_up
export DISPLAY="$CUA_DISPLAY"
body=$(mktemp "${TMPDIR:-/tmp}/tokens-bench.XXXXXX")
on_exit rm -f -- "$body"
before=$(cut -d' ' -f1-3 /proc/loadavg)
date=$(date -u '+%Y-%m-%d %H:%M UTC')
run_bench cargo bench -q -p computer-use --bench tokens >"$body"
after=$(cut -d' ' -f1-3 /proc/loadavg)
{
	printf '# Tokens benchmark (fewer tokens, fewer silent failures)\n\n'
	printf 'Run %s by `bench/tokens.sh` (release build, private %s desktop, real cua-computer-server 0.3.46, %s cores; load average before: %s, after: %s). Default configuration (screenshotScale 0.5, JPEG q80 from a q90 capture) except the guards'"'"' thresholds, raised so measurement loops are not refused.\n\n' \
		"$date" "${CUA_SCREEN:-1280x800x24}" "$(nproc)" "$before" "$after"
	cat -- "$body"
} >"$RESULTS"
cat -- "$RESULTS"
say "written to $RESULTS"

#!/usr/bin/env bash
# The soak of the reliability issue: 10,000 mixed actions (moves, cursor reads, screenshots, shell commands,
# file writes and reads; two callers, one per lane) through the core against the real cua-computer-server,
# with every reply checked by content. Reports errors and this process's resident memory and open file
# descriptors at the start, every 1,000 actions and at the end (markdown tables on stdout). Builds the `soak`
# bench, starts a private desktop on a free display and port, and always tears it down again.
#
# Usage: bench/soak.sh > soak.md
#   Quick smoke run: SOAK_ACTIONS=300 SOAK_SAMPLE_EVERY=100 bench/soak.sh
#
# Environment:
#   SOAK_ACTIONS (10000)  measured actions (after SOAK_WARMUP, default 200)
#   SOAK_SAMPLE_EVERY (1000)  resource sample interval, in actions
#   CUA_SCREEN (1280x800x24) and anything `computer-use vm up` reads (bench/private-desktop.bash).
#
# Exit status: 0 when the tables were printed (whether or not the targets were met: this is a benchmark);
# non-zero when the desktop could not start or the bench could not run.
set -euo pipefail
NAME=soak
# shellcheck source=bench/private-desktop.bash
source "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/private-desktop.bash"
cd -- "$BENCH_ROOT"

say "building the soak bench (cargo bench --no-run)"
cargo bench -p computer-use --bench soak --no-run

desktop_up
run_bench cargo bench -p computer-use --bench soak

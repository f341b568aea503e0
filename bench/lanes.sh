#!/usr/bin/env bash
# The lanes benchmark of the reliability issue: screenshot latency idle vs while `vm_exec sleep 30` runs on
# the shell lane (target: median ≤ 1.2x idle), and actions per second on one VM through the core vs the raw
# cua-protocol client. Builds the `lanes` bench, starts a private desktop (Xvfb + openbox + the real
# cua-computer-server) on a free display and port, runs the bench (markdown tables on stdout) and always tears
# the desktop down again.
#
# Usage: bench/lanes.sh > lanes.md
#   Quick smoke run: LANES_RUNS=5 LANES_SLEEP_S=5 LANES_ACTIONS=25 bench/lanes.sh
#
# Environment:
#   LANES_RUNS (30)      screenshots per block (idle before, during the exec, idle after)
#   LANES_SLEEP_S (30)   length of the long exec; it must outlast the busy block
#   LANES_ACTIONS (300)  actions per side and kind in the throughput comparison
#   CUA_SCREEN (1280x800x24) and anything `computer-use vm up` reads (bench/private-desktop.bash).
#
# Exit status: 0 when the tables were printed (whether or not the target was met: this is a benchmark);
# non-zero when the desktop could not start or the bench could not run.
set -euo pipefail
NAME=lanes
# shellcheck source=bench/private-desktop.bash
source "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/private-desktop.bash"
cd -- "$BENCH_ROOT"

# Build first, so compiling neither runs against a live desktop nor competes with the measurement.
say "building the lanes bench (cargo bench --no-run)"
cargo bench -p computer-use --bench lanes --no-run

desktop_up
run_bench cargo bench -p computer-use --bench lanes

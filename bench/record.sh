#!/usr/bin/env bash
# The recordings benchmark (issue 15): what recording costs per step next to no recording, in one run on one
# private desktop (Xvfb + openbox + the real cua-computer-server, four terminals of text on it), the writer's own
# cost, and how fast `record view`'s page of 500 steps opens in headless Chromium (from disk, over WebDriver).
# Prints markdown tables on stdout; always tears the desktop down.
#
# Usage: bench/record.sh > record.md
#   Quick smoke run: RECORD_SHOTS=5 RECORD_MOVES=20 RECORD_STEPS=50 bench/record.sh
#
# Environment:
#   RECORD_SHOTS (100)  screenshots per side;  RECORD_MOVES (300) moves per side;  RECORD_STEPS (500) viewer steps
#   CUA_SCREEN (1280x800x24) and anything `computer-use vm up` reads (bench/private-desktop.bash).
# Needs chromium and chromedriver (scripts/bootstrap installs them; scripts/programs).
#
# Exit status: 0 when the tables were printed (whether or not the targets were met: this is a benchmark).
set -euo pipefail
NAME=record
# shellcheck source=bench/private-desktop.bash
source "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/private-desktop.bash"
cd -- "$BENCH_ROOT"

say "building the record bench (cargo bench --no-run)"
cargo bench -p computer-use-cli --bench record --no-run

desktop_up
run_bench cargo bench -p computer-use-cli --bench record

#!/usr/bin/env bash
# Screenshot pipeline benchmark: our Rust steps vs Pillow, same machine, same run, same inputs
# (a synthetic busy 2880x1800 desktop saved by Pillow exactly as cua-computer-server saves it:
# PNG optimize=True and JPEG q85). Prints one markdown table (median and p90 of N runs).
#
#   bench/imaging.sh            # N = IMAGING_BENCH_RUNS (default 30)
#   PILLOW_PYTHON=/path/python bench/imaging.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PILLOW_PYTHON:-/root/.cache/computer-use/cua-venv-0.3.46/bin/python}"
if [[ ! -x "$python" ]] || ! "$python" -c 'import PIL' 2>/dev/null; then
    echo "imaging.sh: no Python with Pillow at '$python'." >&2
    echo "Set PILLOW_PYTHON to a python that has Pillow (e.g. the cua-computer-server venv, or" >&2
    echo "'python3 -m venv /tmp/pil && /tmp/pil/bin/pip install pillow' then PILLOW_PYTHON=/tmp/pil/bin/python)." >&2
    exit 2
fi
runs="${IMAGING_BENCH_RUNS:-30}"
if (( runs < 30 )); then
    echo "imaging.sh: IMAGING_BENCH_RUNS=$runs; the table needs at least 30 runs" >&2
    exit 2
fi
export IMAGING_BENCH_RUNS="$runs"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$root"
echo "building (release)..." >&2
# Build once and run the binary directly, so both runs use the same build.
exe="$(cargo bench -p computer-use-imaging --bench imaging --no-run --message-format=json \
    | grep -o '"executable":"[^"]*/imaging-[^"]*"' | tail -1 | cut -d'"' -f4)"
if [[ -z "$exe" || ! -x "$exe" ]]; then
    echo "imaging.sh: could not build the imaging bench (see cargo's output above)" >&2
    exit 1
fi
bench() { "$exe" "$@"; }

bench generate "$work" >&2
"$python" bench/imaging_pillow.py prepare "$work"
echo "inputs: PNG $(stat -c %s "$work/desktop.png") B, JPEG q85 $(stat -c %s "$work/desktop.jpg") B" >&2
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
"$python" bench/imaging_pillow.py run "$work"
bench run "$work"
echo
echo "Pillow: $(head -1 "$work/pillow.tsv" | sed 's/^# //'); Python: $("$python" -c 'import sys; print(sys.version.split()[0])')"
echo "Inputs: PNG $(stat -c %s "$work/desktop.png") B, JPEG q85 $(stat -c %s "$work/desktop.jpg") B. Machine: $(nproc) cores," \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg)" \
    "(a loaded machine inflates all figures; each column times its rows round-robin, so a load burst spreads over all rows)."

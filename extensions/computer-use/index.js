// OpenClaw plugin shim for computer-use: exposes the `computer-use` binary's vm_* tools to OpenClaw agents.
//
// Why it exists: OpenClaw loads plugins as JavaScript, while everything computer-use does (VM lookup, the
// cua-computer-server protocol, screenshots, coordinates, guards) lives in the Rust binary. This file only
// glues the two: it asks the binary for its tool list, registers those tools, and forwards each call to the
// binary's MCP server over stdio, translating the MCP result into OpenClaw's tool-result shape. It has no tool
// behaviour of its own: no validation, defaults, retries or timeouts that belong to a tool.
//
// Human approval: the binary decides which calls need a person (`guards.approval`); the shim only relays. Its
// `before_tool_call` hook asks the child to classify each vm_* call (`computer-use/classifyApproval`); for a
// call that needs approval the child answers with what to show and a one-time token, and the hook answers
// OpenClaw with `requireApproval`. Only when OpenClaw reports `allow-once` does the shim keep the token, and it
// sends it with that one call (MCP `_meta`, which the model cannot write). The child accepts a token once, for
// exactly the call it classified, until shortly after the timeout; a call that needs approval and comes without
// a valid token is refused there (fail closed). Denied, timed out or cancelled: OpenClaw never runs the call.
//
// Process model: one `computer-use serve --stdio` child per gateway process, started lazily by the first tool
// call (so commands that merely load plugins, like `openclaw config validate` or `openclaw plugins list`, never
// spawn it or touch a VM, and the first start and a restart after a crash share one code path), restarted on
// the next call if it died (with a short backoff), and stopped by the registered service's `stop` on gateway
// shutdown or when this process exits. A config hot reload that changes the plugin config restarts it.

import { execFileSync } from "node:child_process";
import { accessSync, constants as fsConstants, statSync } from "node:fs";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { failureText, isHardFailure, toOpenClawResult } from "./result.js";

const PLUGIN_ID = "computer-use";
const PLUGIN_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO_DIR = path.resolve(PLUGIN_DIR, "..", "..");
const BUILD_HINT = `build it with \`cargo build --release\` in ${REPO_DIR}, put \`computer-use\` on PATH, or set COMPUTER_USE_BIN`;
/** `tools --json` answers without contacting a VM; this only bounds a broken binary. */
const LIST_TIMEOUT_MS = 10_000;
/**
 * Safety net for a wedged child only: the binary enforces the real connect/command timeouts itself, so this is
 * deliberately far above any of them.
 */
const CALL_TIMEOUT_MS = 15 * 60_000;
const RESTART_BACKOFF_MS = [0, 250, 1_000, 5_000];
/** The child's request that classifies a call before it is made (see `serve --host-approvals`). */
const CLASSIFY_METHOD = "computer-use/classifyApproval";
/** The `_meta` key that carries the one-time approval token with an approved call. */
const APPROVAL_META_KEY = "computer-use/approval";
/** Classification is an in-memory check in the child; this bounds a wedged child, below OpenClaw's hook budget. */
const CLASSIFY_TIMEOUT_MS = 10_000;
/** The hook's budget: a first call may have to start the child before it can classify. */
const HOOK_TIMEOUT_MS = 20_000;
/** How long an approved token is kept for its call, past which the child would refuse it anyway. */
const APPROVED_KEEP_MS = 60_000;

/**
 * Process-wide state, shared through `globalThis`: `register` runs many times per process, and the gateway may
 * import this module more than once (a fresh module instance per plugin registry), yet there must be one
 * catalog and one child per gateway process.
 */
const STATE_KEY = Symbol.for("computer-use.openclaw-shim.state");
globalThis[STATE_KEY] ??= {
  /** `{key, bin, tools}` of the last successful `tools --json`, keyed by binary path + mtime + tool set. */
  catalog: null,
  /** `{key, client, transport, ready}` of the running (or starting) MCP child. */
  child: null,
  /** Consecutive child failures, for the restart backoff. */
  failures: 0,
  lastStartAt: 0,
  /** Tokens of calls a person allowed, by OpenClaw tool call id: `{tool, token, until}`, each used once. */
  approved: new Map(),
  logger: console,
  exitHookInstalled: false,
};
const state = globalThis[STATE_KEY];

/** Finds the binary: COMPUTER_USE_BIN, then PATH, then this repository's release and debug builds. */
export function resolveBinary(env = process.env) {
  if (env.COMPUTER_USE_BIN) return isExecutable(env.COMPUTER_USE_BIN) ? env.COMPUTER_USE_BIN : null;
  const candidates = (env.PATH ?? "")
    .split(path.delimiter)
    .filter(Boolean)
    .map((dir) => path.join(dir, "computer-use"));
  candidates.push(
    path.join(REPO_DIR, "target", "release", "computer-use"),
    path.join(REPO_DIR, "target", "debug", "computer-use"),
  );
  return candidates.find(isExecutable) ?? null;
}

function isExecutable(file) {
  try {
    accessSync(file, fsConstants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Runs `computer-use tools --json --plugin-config <config>` once per binary build and plugin config; returns
 * `{bin, tools}` or throws with a reason. The binary applies the config's tool policy (`tools.allow`/`deny`), so a
 * denied tool is never registered: the policy lives in Rust only.
 */
function loadCatalog(configJson) {
  const bin = resolveBinary();
  if (!bin) {
    const wanted = process.env.COMPUTER_USE_BIN
      ? `COMPUTER_USE_BIN=${process.env.COMPUTER_USE_BIN} is not an executable file`
      : "the `computer-use` binary was not found (COMPUTER_USE_BIN, PATH, target/release, target/debug)";
    throw new Error(`${wanted}; ${BUILD_HINT}`);
  }
  const key = `${bin}:${statSync(bin).mtimeMs}:${configJson}`;
  if (state.catalog?.key === key) return state.catalog;
  let stdout;
  try {
    stdout = execFileSync(bin, ["tools", "--json", "--plugin-config", configJson], {
      encoding: "utf8",
      timeout: LIST_TIMEOUT_MS,
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (err) {
    const stderr = err.stderr ? String(err.stderr).trim() : "";
    throw new Error(`\`${bin} tools --json\` failed: ${stderr || err.message}; rebuild it (${BUILD_HINT})`);
  }
  let tools;
  try {
    ({ tools } = JSON.parse(stdout));
  } catch (err) {
    throw new Error(`\`${bin} tools --json\` printed invalid JSON (${err.message}); rebuild it (${BUILD_HINT})`);
  }
  const valid =
    Array.isArray(tools) &&
    tools.every((t) => typeof t?.name === "string" && t.inputSchema && typeof t.inputSchema === "object");
  if (!valid) {
    throw new Error(`\`${bin} tools --json\` did not print {"tools":[{name, description, inputSchema}]}; rebuild it`);
  }
  state.catalog = { key, bin, tools };
  return state.catalog;
}

/** Starts (or returns) the MCP child for this plugin config; waits out the restart backoff after failures. */
async function ensureClient(bin, configJson) {
  const key = `${bin}\n${configJson}`;
  if (state.child && state.child.key !== key) {
    state.logger.info?.(`[${PLUGIN_ID}] plugin config or binary changed; restarting the computer-use child`);
    await stopChild();
  }
  if (state.child) return state.child.ready;

  const wait = RESTART_BACKOFF_MS[Math.min(state.failures, RESTART_BACKOFF_MS.length - 1)];
  const sinceLast = Date.now() - state.lastStartAt;
  const transport = new StdioClientTransport({
    command: bin,
    args: ["serve", "--stdio", "--host-approvals", "--plugin-config", configJson],
    env: { ...process.env },
    stderr: "pipe",
  });
  const client = new Client({ name: "openclaw-computer-use-shim", version: "0.1.0" }, { capabilities: {} });
  const child = { key, client, transport, ready: null };
  forwardStderr(transport.stderr);
  client.onclose = () => {
    if (state.child === child) {
      state.child = null;
      state.failures += 1;
      state.logger.warn?.(`[${PLUGIN_ID}] computer-use child exited; it restarts on the next tool call`);
    }
  };
  child.ready = (async () => {
    if (sinceLast < wait) await new Promise((resolve) => setTimeout(resolve, wait - sinceLast));
    state.lastStartAt = Date.now();
    try {
      await client.connect(transport);
    } catch (err) {
      if (state.child === child) state.child = null;
      state.failures += 1;
      await transport.close().catch(() => {});
      throw new Error(`could not start \`${bin} serve --stdio\`: ${err.message}`);
    }
    state.logger.info?.(`[${PLUGIN_ID}] computer-use child started (pid ${transport.pid}, gateway pid ${process.pid})`);
    return client;
  })();
  state.child = child;
  installExitHook();
  return child.ready;
}

async function stopChild() {
  const child = state.child;
  state.child = null;
  if (!child) return;
  state.logger.info?.(`[${PLUGIN_ID}] stopping the computer-use child (pid ${child.transport.pid})`);
  await child.client.close().catch(() => {});
}

/** Kills the child synchronously if the gateway exits without stopping services (crash, process.exit). */
function installExitHook() {
  if (state.exitHookInstalled) return;
  state.exitHookInstalled = true;
  process.once("exit", () => {
    const pid = state.child?.transport.pid;
    if (pid) {
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
  });
}

/** The child logs through `tracing` to stderr; pass each line on at the level it names. */
function forwardStderr(stream) {
  if (!stream) return;
  let buffered = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk) => {
    buffered += chunk;
    let newline;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, newline).trimEnd();
      buffered = buffered.slice(newline + 1);
      if (!line) continue;
      const log = state.logger;
      const text = `[${PLUGIN_ID}] ${line}`;
      if (/\bERROR\b/.test(line)) log.error?.(text);
      else if (/\bWARN\b/.test(line)) log.warn?.(text);
      else log.info?.(text);
    }
  });
}

function pluginConfigOf(api) {
  return api.pluginConfig ?? api.config?.plugins?.entries?.[PLUGIN_ID]?.config ?? {};
}

/**
 * The `_meta` key that tells the binary which agent is calling; its `agentVms` config maps agents to VMs. The
 * mapping itself lives in the binary (one source of truth for every face); the shim only says who is asking.
 */
const AGENT_META_KEY = "computer-use/agent";
/**
 * The `_meta` key with the agent's session key: the binary keeps one recording per VM, agent and session
 * (`record.dir`), and remembers the last screenshot it sent per session, so an unchanged screen is answered
 * "unchanged since frame N" only to the session that holds that image. Like the agent id, it comes from
 * OpenClaw's trusted tool context, never from the model.
 */
const SESSION_META_KEY = "computer-use/session";

/** What the binary should know of the caller: the agent, and its session (the key, else the session id). */
function callerMeta(ctx) {
  const meta = {};
  if (typeof ctx?.agentId === "string" && ctx.agentId) meta[AGENT_META_KEY] = ctx.agentId;
  const session = [ctx?.sessionKey, ctx?.sessionId].find((v) => typeof v === "string" && v);
  if (session) meta[SESSION_META_KEY] = session;
  return Object.keys(meta).length > 0 ? meta : undefined;
}

/**
 * The `before_tool_call` hook: asks the child whether this call needs a person's approval (the rules are the
 * binary's) and, if so, answers OpenClaw with `requireApproval`. The token is kept only on `allow-once`.
 * A call the child cannot classify is blocked: whether it needs approval is unknown.
 */
async function beforeToolCall(event, ctx, bin, configJson) {
  const name = event?.toolName;
  let reply;
  try {
    const client = await ensureClient(bin, configJson);
    const params = { name, arguments: event.params ?? {} };
    const meta = callerMeta(ctx);
    if (meta) params._meta = meta;
    reply = await client.request({ method: CLASSIFY_METHOD, params }, ResultSchema, {
      timeout: CLASSIFY_TIMEOUT_MS,
      signal: ctx?.abortSignal,
    });
  } catch (err) {
    return {
      block: true,
      blockReason: `${name} was not run: computer-use could not say whether it needs a person's approval (${err?.message ?? String(err)})`,
    };
  }
  const approval = reply?.approval;
  if (approval === null || approval === undefined) return undefined;
  const { title, description, timeoutMs, token } = approval;
  if (typeof title !== "string" || typeof description !== "string" || typeof token !== "string" || !Number.isFinite(timeoutMs)) {
    return { block: true, blockReason: `${name} was not run: computer-use answered the approval check with ${JSON.stringify(approval).slice(0, 200)}` };
  }
  const callId = event.toolCallId;
  return {
    requireApproval: {
      title,
      description,
      severity: "warning",
      timeoutMs,
      // One approval runs one call: `allow-always` would promise trust the binary does not keep.
      allowedDecisions: ["allow-once", "deny"],
      onResolution(decision) {
        if (decision !== "allow-once" || typeof callId !== "string" || !callId) return;
        const now = Date.now();
        for (const [id, entry] of state.approved) if (entry.until < now) state.approved.delete(id);
        state.approved.set(callId, { tool: name, token, until: now + APPROVED_KEEP_MS });
      },
    },
  };
}

/** The token a person allowed for this call, once; undefined if there is none. */
function takeApproval(toolCallId, toolName) {
  const entry = state.approved.get(toolCallId);
  if (!entry) return undefined;
  state.approved.delete(toolCallId);
  return entry.tool === toolName && entry.until >= Date.now() ? entry.token : undefined;
}

function makeTool(tool, bin, configJson, caller) {
  return {
    name: tool.name,
    label: tool.title ?? tool.annotations?.title ?? tool.name,
    description: tool.description ?? "",
    parameters: tool.inputSchema,
    executionMode: "sequential",
    async execute(toolCallId, params, signal) {
      let result;
      try {
        const client = await ensureClient(bin, configJson);
        const request = { name: tool.name, arguments: params ?? {} };
        const meta = { ...caller };
        const token = takeApproval(toolCallId, tool.name);
        if (token) meta[APPROVAL_META_KEY] = token;
        if (Object.keys(meta).length) request._meta = meta;
        result = await client.callTool(request, undefined, {
          signal,
          timeout: CALL_TIMEOUT_MS,
        });
      } catch (err) {
        throw new Error(`${tool.name} failed: ${err?.message ?? String(err)}`);
      }
      state.failures = 0; // the child answered: it is healthy, whatever the tool's outcome
      // A hard failure (the VM or its server is unreachable, or the action's outcome is unknown) is a failed
      // call for OpenClaw, not an answer: throw it. Soft failures are results the model reads.
      if (isHardFailure(result)) throw new Error(`${tool.name} failed: ${failureText(result)}`);
      return toOpenClawResult(result);
    },
  };
}

const plugin = {
  id: PLUGIN_ID,
  name: "Computer Use (Lume VM)",
  description: "vm_* tools that drive a VM desktop through cua-computer-server, served by the computer-use binary",
  register(api) {
    state.logger = api.logger ?? console;
    const configJson = JSON.stringify(pluginConfigOf(api));
    let catalog;
    try {
      catalog = loadCatalog(configJson);
    } catch (err) {
      state.logger.error?.(`[${PLUGIN_ID}] no vm_* tools registered: ${err.message}`);
      return;
    }
    // A factory per tool, so each agent's instance carries its id (`ctx.agentId`) and session key
    // (`ctx.sessionKey`) to the binary; `name` lets the gateway check the names against the manifest's
    // contracts.tools without calling the factory.
    for (const tool of catalog.tools) {
      api.registerTool((ctx) => makeTool(tool, catalog.bin, configJson, callerMeta(ctx)), { name: tool.name });
    }
    // Human approval for the calls the binary names (guards.approval). Without the hook API no call can be
    // approved, and the binary refuses those calls.
    if (typeof api.on === "function" && catalog.tools.length) {
      api.on("before_tool_call", (event, ctx) => beforeToolCall(event, ctx, catalog.bin, configJson), {
        matcher: catalog.tools.map((tool) => tool.name),
        timeoutMs: HOOK_TIMEOUT_MS,
      });
    } else {
      state.logger.warn?.(`[${PLUGIN_ID}] this OpenClaw has no api.on: calls that guards.approval names will be refused`);
    }
    api.registerService?.({
      id: `${PLUGIN_ID}-mcp-child`,
      start() {},
      stop: stopChild,
    });
  },
};

export default plugin;

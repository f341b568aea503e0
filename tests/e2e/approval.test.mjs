// Human approval on the OpenClaw face, end to end: the pinned gateway with the real shim, the real `computer-use`
// binary (`guards.approval.tools: ["vm_exec"]`), the real cua-computer-server on a private Xvfb desktop, and the
// Lume API fake (real Lume is macOS-only). A person's answer is given the ways a deployment gives it: an approval
// client on the gateway's WebSocket (tests/e2e/approval-client.mjs, what the Control UI does) and the CLI
// (`openclaw approvals pending` / `resolve`). Calls go through `POST /tools/invoke`, which runs the same
// `before_tool_call` → `requireApproval` → execute path as an agent's turn.
//
// Effects are checked on the desktop: an approved `vm_exec` writes its file there; a denied, timed-out or
// unapproved one never does, and never reaches the binary (its audit log has no line for it). The one-time token
// is attacked at the binary's own door too: forged, replayed, or presented with other arguments, over the same
// MCP stdio protocol the shim speaks.
// Needs: tests/e2e/install.sh, `cargo build -p computer-use-cli -p testkit`, the desktop parts (scripts/bootstrap).

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { connectApprovalClient } from "./approval-client.mjs";
import { textOf } from "./fake-model.mjs";
import { rustBinaries, startDesktop, startLumeFake } from "./fixtures.mjs";
import { lastJson, openclaw } from "./gateway.mjs";
import { REPO_DIR, removeUnlessKept, startStack } from "./stack.mjs";

const SHIM_DIR = path.join(REPO_DIR, "extensions", "computer-use");
const VM_NAME = "openclaw-vm";
/**
 * Long enough for two `openclaw approvals` CLI runs (each starts the whole CLI: 8 s and more on a loaded 2-core
 * machine); the timeout test waits it out once.
 */
const TIMEOUT_SECS = 45;

let bins;
let desktop;
let lume;
let stack;
let approver;
let outDir;
let auditPath;
let pluginConfig;

before(async () => {
  bins = rustBinaries();
  outDir = mkdtempSync(path.join(tmpdir(), "cu-e2e-approval-"));
  auditPath = path.join(outDir, "audit.jsonl");
  desktop = await startDesktop(bins.computerUse);
  lume = await startLumeFake(bins.lumeFake, VM_NAME);
  pluginConfig = {
    vmName: VM_NAME,
    lumeApiUrl: lume.url,
    serverPort: desktop.port,
    guards: { approval: { tools: ["vm_exec"], timeoutSecs: TIMEOUT_SECS } },
    audit: { path: auditPath },
  };
  // One scripted agent turn: the worker calls vm_exec from its own agent loop (the last test).
  const script = {
    worker: [{ tool: "vm_exec", args: { command: `touch ${path.join(outDir, "agent-turn")}` } }, { text: "WORKER-DONE" }],
  };
  stack = await startStack({ script, pluginDir: SHIM_DIR, pluginConfig, env: { COMPUTER_USE_BIN: bins.computerUse } });
  approver = await connectApprovalClient({ port: stack.gateway.port, token: stack.dirs.token });
});

after(async () => {
  await approver?.close();
  await stack?.stop();
  await lume?.stop();
  await desktop?.down();
  removeUnlessKept([stack?.dirs.root, outDir, desktop?.stateDir]);
});

/** `vm_exec {command: touch <file>}` as worker, through the gateway; resolves when the gateway answers. */
function invokeTouch(file, extraArgs = {}) {
  return stack.gateway.invokeTool("vm_exec", { command: `touch ${file}`, ...extraArgs }, "worker");
}

/** The audit lines the binary wrote for vm_exec calls whose command names `file`. */
function auditLinesFor(file) {
  if (!existsSync(auditPath)) return [];
  return readFileSync(auditPath, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line))
    .filter((line) => line.tool === "vm_exec" && JSON.stringify(line.args).includes(file));
}

const forFile = (file) => (request) => request.request?.toolName === "vm_exec" && request.request.description?.includes(file);

test("approved with `openclaw approvals resolve … allow-once`: the call runs once and its file appears", async (t) => {
  const file = path.join(outDir, "approved");
  const call = invokeTouch(file);
  const request = await approver.waitForRequest(forFile(file));
  assert.match(request.request.title, /^Approve vm_exec on VM default$/);
  assert.match(request.request.description, /guards\.approval\.tools\[0\] `vm_exec` names it/);
  assert.deepEqual(request.request.allowedDecisions, ["allow-once", "deny"]);
  assert.equal(request.request.agentId, "worker");
  assert.ok(!existsSync(file), "nothing may run before the person answers");

  const t0 = Date.now();
  const pending = await openclaw(stack.dirs, ["approvals", "pending", "--json"]);
  assert.equal(pending.code, 0, pending.stderr);
  const listed = lastJson(pending.stdout).approvals.find((a) => a.id === request.id);
  assert.ok(listed, `openclaw approvals pending does not list ${request.id}:\n${pending.stdout}`);
  const resolved = await openclaw(stack.dirs, ["approvals", "resolve", request.id, "allow-once"]);
  assert.equal(resolved.code, 0, `${resolved.stdout}\n${resolved.stderr}`);
  t.diagnostic(`openclaw approvals pending + resolve: ${Date.now() - t0} ms`);

  const result = await call;
  assert.equal(result.status, 200, JSON.stringify(result.body).slice(0, 2000));
  assert.equal(result.body.result.details.ok, true, JSON.stringify(result.body.result));
  assert.ok(existsSync(file), "the approved command did not run on the desktop");
  const lines = auditLinesFor(file);
  assert.equal(lines.length, 1, JSON.stringify(lines));
  assert.equal(lines[0].outcome, "ok");
});

test("denied: the call is blocked, nothing reaches the binary, no file", async () => {
  const file = path.join(outDir, "denied");
  const call = invokeTouch(file);
  const request = await approver.waitForRequest(forFile(file));
  await approver.resolve(request.id, "deny");
  const result = await call;
  assert.equal(result.status, 403, JSON.stringify(result.body).slice(0, 2000));
  assert.equal(result.body.error.type, "tool_call_blocked");
  assert.match(result.body.error.message, /Denied by user/);
  assert.ok(!existsSync(file), "a denied command ran");
  assert.deepEqual(auditLinesFor(file), [], "a denied call reached the binary");
});

test("no answer within guards.approval.timeoutSecs: refused, no file", async (t) => {
  const file = path.join(outDir, "timed-out");
  const t0 = Date.now();
  const call = invokeTouch(file);
  const request = await approver.waitForRequest(forFile(file));
  assert.ok(request.expiresAtMs - request.createdAtMs <= TIMEOUT_SECS * 1000 + 1000, JSON.stringify(request));
  const result = await call;
  const waited = Date.now() - t0;
  t.diagnostic(`refused after ${waited} ms (timeoutSecs ${TIMEOUT_SECS})`);
  assert.equal(result.status, 403, JSON.stringify(result.body).slice(0, 2000));
  assert.match(result.body.error.message, /timed out/i);
  assert.ok(waited >= TIMEOUT_SECS * 1000 - 500, `refused after ${waited} ms, before the timeout`);
  assert.ok(!existsSync(file), "a timed-out command ran");
  assert.deepEqual(auditLinesFor(file), []);
});

test("the model cannot approve its own call: an approval token in the arguments is refused", async () => {
  const file = path.join(outDir, "forged-in-args");
  const forged = "0".repeat(64);
  const result = await invokeTouch(file, { _meta: { "computer-use/approval": forged } });
  // The arguments are not vm_exec's (a closed schema): nobody is asked, and the binary refuses the call as malformed
  // (a JSON-RPC invalid-params error, which the shim throws: the gateway answers 500).
  assert.equal(approver.requests.filter(forFile(file)).length, 0, "a malformed call was put to a person");
  assert.equal(result.status, 500, JSON.stringify(result.body).slice(0, 2000));
  await stack.gateway.waitForOutput(/vm_exec failed: .*_meta/, 5_000);
  assert.ok(!existsSync(file));
  assert.deepEqual(auditLinesFor(file).map((line) => line.outcome), ["invalid_arguments"], "refused as malformed, never run");
});

test("with no approval client connected the call is blocked at once (no approval route)", async () => {
  await approver.close();
  try {
    const file = path.join(outDir, "no-route");
    const result = await invokeTouch(file);
    assert.equal(result.status, 403, JSON.stringify(result.body).slice(0, 2000));
    assert.match(result.body.error.message, /no approval route/);
    assert.ok(!existsSync(file));
  } finally {
    approver = await connectApprovalClient({ port: stack.gateway.port, token: stack.dirs.token });
  }
});

/** An MCP client of the real binary in the shim's mode, from the shim's own SDK. */
async function binaryClient() {
  const require = createRequire(path.join(SHIM_DIR, "package.json"));
  const { Client } = await import(require.resolve("@modelcontextprotocol/sdk/client/index.js"));
  const { StdioClientTransport } = await import(require.resolve("@modelcontextprotocol/sdk/client/stdio.js"));
  const { ResultSchema } = await import(require.resolve("@modelcontextprotocol/sdk/types.js"));
  const transport = new StdioClientTransport({
    command: bins.computerUse,
    args: ["serve", "--stdio", "--host-approvals", "--plugin-config", JSON.stringify(pluginConfig)],
    stderr: "ignore",
  });
  const client = new Client({ name: "e2e-approval-attacker", version: "0" }, { capabilities: {} });
  await client.connect(transport);
  const classify = async (args) =>
    (await client.request({ method: "computer-use/classifyApproval", params: { name: "vm_exec", arguments: args } }, ResultSchema)).approval;
  const exec = (args, token) =>
    client.callTool({ name: "vm_exec", arguments: args, ...(token ? { _meta: { "computer-use/approval": token } } : {}) });
  return { classify, exec, close: () => client.close() };
}

const refusal = (result) => (result.isError ? result.structuredContent?.message : null);

test("the binary accepts an approval token once, for exactly its call: forged, replayed and misused tokens are refused", async () => {
  const bin = await binaryClient();
  try {
    const file = path.join(outDir, "token-lines");
    const args = { command: `echo run >> ${file}` };
    const count = () => (existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean).length : 0);

    const none = await bin.exec(args);
    assert.match(refusal(none), /no approval came with the call/);

    const approval = await bin.classify(args);
    assert.equal(typeof approval?.token, "string", JSON.stringify(approval));
    assert.equal(approval.timeoutMs, TIMEOUT_SECS * 1000);
    const forged = approval.token.replace(/^./, (c) => (c === "0" ? "1" : "0"));
    assert.match(refusal(await bin.exec(args, forged)), /not one this computer-use process issued/);
    assert.match(refusal(await bin.exec(args, "not-even-hex")), /not one this computer-use process issued/);
    assert.equal(count(), 0, "a forged token ran the command");

    const ran = await bin.exec(args, approval.token);
    assert.notEqual(ran.isError, true, JSON.stringify(ran));
    assert.equal(count(), 1);
    assert.match(refusal(await bin.exec(args, approval.token)), /already used/);
    assert.equal(count(), 1, "a replayed token ran the command again");

    const other = await bin.classify(args);
    assert.match(refusal(await bin.exec({ command: `echo other >> ${file}` }, other.token)), /issued for another call/);
    assert.match(refusal(await bin.exec(args, other.token)), /already used/, "a token shown with another call is void");
    assert.equal(count(), 1);
  } finally {
    await bin.close();
  }
});

test("an agent's own turn takes the same hook: a CLI run has nobody to ask, so the call is refused and nothing runs", async (t) => {
  // `openclaw agent` is a non-interactive run: OpenClaw 2026.9.6 has no surface to ask on and refuses the approval
  // outright (approvals come from chat channels, the Control UI or `openclaw tui` runs). The worker's model reads
  // the refusal; the command never reaches the binary.
  const file = path.join(outDir, "agent-turn");
  const run = await stack.gateway.runAgent("worker", "Touch the file.", { timeoutMs: 240_000 });
  t.diagnostic(`worker turn: ${run.ms} ms`);
  const toolResults = stack.model.requests
    .filter((r) => r.reply?.agent === "worker")
    .at(-1)
    .body.messages.filter((m) => m.role === "tool")
    .map(textOf);
  assert.equal(toolResults.length, 1, JSON.stringify(toolResults));
  assert.match(toolResults[0], /non-interactive CLI runs have no approval-capable initiating surface/);
  assert.ok(!existsSync(file), "the unapproved command ran");
  assert.deepEqual(auditLinesFor(file), [], "the unapproved call reached the binary");
});

// Tests of the shim's process handling (index.js) against test/fake-computer-use.mjs, a FAKE of the Rust binary
// that speaks real MCP over stdio through the same SDK: registration, lazy start, hard vs soft failures, restart
// after a crash, cancellation, config changes and shutdown. The Rust binary itself is exercised by tests/e2e.
// Needs the shim's dependencies (`npm install --prefix extensions/computer-use`, done by tests/e2e/install.sh).
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const fake = path.join(here, "fake-computer-use.mjs");
const logFile = path.join(mkdtempSync(path.join(tmpdir(), "cu-shim-")), "fake.jsonl");
process.env.COMPUTER_USE_BIN = fake;
process.env.FAKE_CU_LOG = logFile;
const { default: plugin } = await import("../index.js");

function events() {
  if (!existsSync(logFile)) return [];
  return readFileSync(logFile, "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line));
}

function mockApi(pluginConfig) {
  const api = {
    pluginConfig,
    tools: new Map(),
    services: [],
    hooks: [],
    logs: [],
    logger: {},
    factories: new Map(),
    // OpenClaw calls a factory per agent run with the run's context; the mock materialises each tool once for
    // an agent `worker` and keeps the factory for tests that need another agent.
    registerTool(factory, opts) {
      assert.equal(typeof factory, "function", "tools are registered as factories (per-agent instances)");
      assert.equal(typeof opts?.name, "string", "a factory must name its tool for contracts.tools");
      api.factories.set(opts.name, factory);
      api.tools.set(opts.name, factory({ agentId: "worker" }));
    },
    registerService(service) {
      api.services.push(service);
    },
    on(name, handler, opts) {
      api.hooks.push({ name, handler, opts });
    },
  };
  for (const level of ["debug", "info", "warn", "error"]) api.logger[level] = (msg) => api.logs.push({ level, msg });
  return api;
}

async function waitFor(predicate, what, ms = 5_000) {
  const until = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; events: ${JSON.stringify(events())}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const api = mockApi({ vmName: "test-vm", serverPort: 5001 });

test("register is synchronous, idempotent and registers every tool the binary lists without starting it", () => {
  assert.equal(plugin.register(api), undefined);
  plugin.register(api);
  const names = ["vm_echo", "vm_image", "vm_soft_fail", "vm_hard_fail", "vm_rpc_error", "vm_crash", "vm_guarded", "vm_classify_error", "vm_slow"];
  assert.deepEqual([...api.tools.keys()], names);
  const hook = api.hooks.at(-1);
  assert.equal(hook.name, "before_tool_call");
  assert.deepEqual(hook.opts.matcher, names, "the approval hook sees exactly the binary's tools");
  const echo = api.tools.get("vm_echo");
  assert.equal(echo.executionMode, "sequential");
  assert.deepEqual(echo.parameters.required, ["text"]);
  assert.equal(typeof echo.label, "string");
  assert.equal(events().length, 0, "no child may start before the first call");
});

test("the first call starts the child with the plugin config and maps its result", async () => {
  const result = await api.tools.get("vm_echo").execute("call-1", { text: "hi" });
  assert.deepEqual(result, { content: [{ type: "text", text: "echo: hi" }], details: { ok: true, echoed: "hi" } });
  const starts = events().filter((e) => e.event === "start");
  assert.equal(starts.length, 1);
  assert.deepEqual(starts[0].pluginConfig, { vmName: "test-vm", serverPort: 5001 });
  assert.ok(starts[0].argv.includes("--host-approvals"), "the child is told that OpenClaw asks the person");
  await waitFor(() => api.logs.some((l) => l.msg.includes("serving MCP on stdio")), "child stderr in the logger");
});

test("images come back as flat blocks, soft failures are returned, hard failures and JSON-RPC errors are thrown", async () => {
  const image = await api.tools.get("vm_image").execute("call-2", {});
  assert.equal(image.content[1].type, "image");
  assert.equal(image.content[1].mimeType, "image/png");
  assert.deepEqual(image.details, { ok: true, width: 2, height: 1 });

  const soft = await api.tools.get("vm_soft_fail").execute("call-3", {});
  assert.equal(soft.details.ok, false);
  assert.match(soft.details.error, /not a key name/);

  await assert.rejects(api.tools.get("vm_hard_fail").execute("call-3b", {}), /vm_hard_fail failed: VM 'test-vm' is not running/);
  await assert.rejects(api.tools.get("vm_rpc_error").execute("call-4", {}), /vm_rpc_error failed: .*not available/);
  assert.equal(events().filter((e) => e.event === "start").length, 1, "one child served all calls");
});

test("a child that dies mid-call is a hard failure, and the next call restarts it", async () => {
  await assert.rejects(api.tools.get("vm_crash").execute("call-5", {}), /vm_crash failed/);
  const result = await api.tools.get("vm_echo").execute("call-6", { text: "again" });
  assert.equal(result.details.echoed, "again");
  const pids = new Set(events().filter((e) => e.event === "start").map((e) => e.pid));
  assert.equal(pids.size, 2);
  assert.ok(api.logs.some((l) => l.level === "warn" && /child exited/.test(l.msg)));
});

test("aborting the signal cancels the call in the child", async () => {
  const controller = new AbortController();
  const call = api.tools.get("vm_slow").execute("call-7", { ms: 10_000 }, controller.signal);
  await waitFor(() => events().some((e) => e.event === "call" && e.tool === "vm_slow"), "the slow call to arrive");
  controller.abort(new Error("user stopped the run"));
  await assert.rejects(call, /vm_slow failed/);
  await waitFor(() => events().some((e) => e.event === "cancelled"), "notifications/cancelled in the child");
});

test("a changed plugin config (hot reload) restarts the child with the new config", async () => {
  const reloaded = mockApi({ vmName: "other-vm" });
  plugin.register(reloaded);
  await reloaded.tools.get("vm_echo").execute("call-8", { text: "x" });
  const starts = events().filter((e) => e.event === "start");
  assert.deepEqual(starts.at(-1).pluginConfig, { vmName: "other-vm" });
  await waitFor(() => events().filter((e) => e.event === "stdin-closed").length >= 1, "the old child to be closed");
});

test("the service's stop closes the child", async () => {
  const before = events().filter((e) => e.event === "stdin-closed").length;
  await api.services.at(-1).stop({});
  await waitFor(() => events().filter((e) => e.event === "stdin-closed").length === before + 1, "child shutdown");
});

test("a missing binary logs how to build it and registers nothing, without throwing", () => {
  process.env.COMPUTER_USE_BIN = path.join(here, "does-not-exist");
  const broken = mockApi({});
  assert.doesNotThrow(() => plugin.register(broken));
  assert.equal(broken.tools.size, 0);
  const error = broken.logs.find((l) => l.level === "error");
  assert.ok(error, "an error must be logged");
  assert.match(error.msg, /cargo build --release/);
  assert.match(error.msg, /COMPUTER_USE_BIN=/);
  process.env.COMPUTER_USE_BIN = fake;
});

/** Runs the approval hook as OpenClaw would for `tool` called with `params` as call `id` by `agentId`. */
function hook(tool, params, id, agentId = "worker") {
  return api.hooks.at(-1).handler({ toolName: tool, params, toolCallId: id }, { agentId });
}

const lastCall = (tool) => events().filter((e) => e.event === "call" && e.tool === tool).at(-1);

test("a call the binary does not name needs no approval: the hook makes no decision", async () => {
  assert.equal(await hook("vm_echo", { text: "plain" }, "ap-0"), undefined);
  const classified = events().filter((e) => e.event === "classify").at(-1);
  assert.deepEqual(classified, { ...classified, tool: "vm_echo", args: { text: "plain" }, meta: { "computer-use/agent": "worker" } });
});

test("a call the binary names is put to a person; only allow-once sends its one-time token, with that call only", async () => {
  const answer = await hook("vm_guarded", { text: "go" }, "ap-1");
  const approval = answer?.requireApproval;
  assert.ok(approval, `expected requireApproval, got ${JSON.stringify(answer)}`);
  assert.equal(approval.title, "Approve vm_guarded on VM default");
  assert.match(approval.description, /vm_guarded \{"text":"go"\}/);
  assert.equal(approval.timeoutMs, 5000);
  assert.deepEqual(approval.allowedDecisions, ["allow-once", "deny"], "no allow-always: the binary keeps no standing trust");
  const tool = api.tools.get("vm_guarded");

  // Another call (another id) gets nothing from this approval, before or after it is resolved.
  const early = await tool.execute("ap-other", { text: "go" });
  assert.equal(early.details.ok, false);
  assert.equal(lastCall("vm_guarded").meta["computer-use/approval"], undefined);

  approval.onResolution("allow-once");
  const other = await tool.execute("ap-other", { text: "go" });
  assert.equal(other.details.ok, false, "an approval is for its own call id only");
  const ran = await tool.execute("ap-1", { text: "go" });
  assert.deepEqual(ran.details, { ok: true, ran: "go" });
  assert.equal(typeof lastCall("vm_guarded").meta["computer-use/approval"], "string");

  // Replayed by OpenClaw (the same call id again): the shim holds no token any more.
  const again = await tool.execute("ap-1", { text: "go" });
  assert.equal(again.details.ok, false);
  assert.equal(lastCall("vm_guarded").meta["computer-use/approval"], undefined);
});

test("deny, timeout and cancellation never send a token", async () => {
  const tool = api.tools.get("vm_guarded");
  for (const [i, decision] of ["deny", "timeout", "cancelled", "allow-always"].entries()) {
    const id = `ap-no-${i}`;
    const { requireApproval } = await hook("vm_guarded", { text: decision }, id);
    requireApproval.onResolution(decision);
    const result = await tool.execute(id, { text: decision });
    assert.equal(result.details.ok, false, `${decision} must not run the call`);
    assert.equal(lastCall("vm_guarded").meta["computer-use/approval"], undefined, decision);
  }
});

test("a token in the tool's arguments is just an argument: the model cannot approve its own call", async () => {
  const { requireApproval } = await hook("vm_guarded", { text: "forge" }, "ap-forge");
  const forged = await api.tools.get("vm_guarded").execute("ap-forge", { text: "forge", _meta: { "computer-use/approval": "f".repeat(32) } });
  assert.equal(forged.details.ok, false);
  const call = lastCall("vm_guarded");
  assert.equal(call.meta["computer-use/approval"], undefined);
  assert.ok(requireApproval, "the call was still put to a person");
});

test("a call that cannot be classified is blocked with the reason", async () => {
  const answer = await hook("vm_classify_error", {}, "ap-err");
  assert.equal(answer.block, true);
  assert.match(answer.blockReason, /vm_classify_error was not run: computer-use could not say whether it needs a person's approval \(.*classification broke/);
});

test("each agent's tool instance tells the binary which agent and session is calling (agentVms, recordings, the last image)", async () => {
  const lab = api.factories.get("vm_echo")({ agentId: "worker-lab", sessionKey: "agent:worker-lab:main" });
  await lab.execute("call-agent-1", { text: "from the lab" });
  await api.tools.get("vm_echo").execute("call-agent-2", { text: "from the worker" });
  const noAgent = api.factories.get("vm_echo")({});
  await noAgent.execute("call-agent-3", { text: "from nobody" });
  const inSession = api.factories.get("vm_echo")({ agentId: "worker", sessionKey: "agent:worker:main", sessionId: "s-1" });
  await inSession.execute("call-agent-4", { text: "from a session" });
  const sessionIdOnly = api.factories.get("vm_echo")({ agentId: "worker", sessionId: "s-2" });
  await sessionIdOnly.execute("call-agent-5", { text: "from a session id" });
  const calls = events().filter((e) => e.event === "call" && e.tool === "vm_echo");
  const metaOf = (text) => calls.find((e) => e.args?.text === text)?.meta;
  assert.deepEqual(metaOf("from the lab"), {
    "computer-use/agent": "worker-lab",
    "computer-use/session": "agent:worker-lab:main",
  });
  assert.deepEqual(metaOf("from the worker"), { "computer-use/agent": "worker" });
  assert.equal(metaOf("from nobody"), undefined, "no agent and no session, no _meta");
  // The session: its key, else its id (recordings and the last image are kept per session).
  assert.deepEqual(metaOf("from a session"), {
    "computer-use/agent": "worker",
    "computer-use/session": "agent:worker:main",
  });
  assert.deepEqual(metaOf("from a session id"), { "computer-use/agent": "worker", "computer-use/session": "s-2" });
  await api.services.at(-1).stop(); // the stop test above already ran: leave no child behind
});

test("the plugin config's toolset picks what the binary lists (`tools --json --plugin-config J`)", () => {
  const seed = mockApi({ toolset: "seed" });
  plugin.register(seed);
  assert.deepEqual([...seed.tools.keys()], ["vm_echo", "vm_image"]);
  const full = mockApi({});
  plugin.register(full);
  assert.equal(full.tools.size, api.tools.size, "without a toolset every tool is listed again");
  assert.ok(full.tools.size > 2);
});

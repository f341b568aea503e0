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
  assert.deepEqual([...api.tools.keys()], ["vm_echo", "vm_image", "vm_soft_fail", "vm_hard_fail", "vm_rpc_error", "vm_crash", "vm_slow"]);
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

test("each agent's tool instance tells the binary which agent and conversation is calling (agentVms, the last image)", async () => {
  const lab = api.factories.get("vm_echo")({ agentId: "worker-lab" });
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
  assert.deepEqual(metaOf("from the lab"), { "computer-use/agent": "worker-lab" });
  assert.deepEqual(metaOf("from the worker"), { "computer-use/agent": "worker" });
  assert.equal(metaOf("from nobody"), undefined, "no agent, no _meta");
  // The conversation: the session key, else the session id (the binary remembers the last image per conversation).
  assert.deepEqual(metaOf("from a session"), {
    "computer-use/agent": "worker",
    "computer-use/conversation": "agent:worker:main",
  });
  assert.deepEqual(metaOf("from a session id"), { "computer-use/agent": "worker", "computer-use/conversation": "s-2" });
  await api.services.at(-1).stop(); // the stop test above already ran: leave no child behind
});

test("the plugin config's toolset picks what the binary lists (`tools --json --toolset T`)", () => {
  const seed = mockApi({ toolset: "seed" });
  plugin.register(seed);
  assert.deepEqual([...seed.tools.keys()], ["vm_echo", "vm_image"]);
  const full = mockApi({});
  plugin.register(full);
  assert.equal(full.tools.size, 7, "without a toolset every tool is listed again");
});

// The JS shim inside the real pinned gateway, with extensions/computer-use/test/fake-computer-use.mjs (a FAKE of
// the Rust binary speaking real MCP over stdio) in place of `computer-use`. It proves the harness (gateway, fake
// model, config) and the shim↔gateway contract without the Rust build: registration, `/tools/invoke` results,
// soft and hard failures, the policy refusal, a main → sessions_send → worker conversation, and shutdown.
// openclaw.test.mjs runs the same path with the real binary, server and desktop.

import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { imagePartsOf, textOf, toolNamesOffered } from "./fake-model.mjs";
import { imageInfo, imagePartBytes } from "./images.mjs";
import { PLUGIN_ID, REPO_DIR, removeUnlessKept, startStack } from "./stack.mjs";

const SHIM_DIR = path.join(REPO_DIR, "extensions", "computer-use");
const FAKE_BIN = path.join(SHIM_DIR, "test", "fake-computer-use.mjs");
const FAKE_TOOLS = ["vm_echo", "vm_image", "vm_soft_fail", "vm_hard_fail", "vm_rpc_error", "vm_crash", "vm_guarded", "vm_classify_error", "vm_slow"];
const nonce = `n${process.pid}x${Date.now()}`;
const cleanup = [];
let stack;
let fakeLog;

/** The shim with a manifest that declares the fake's tools (OpenClaw 2026.9 requires `contracts.tools`). */
function pluginCopy(root) {
  const dir = path.join(root, PLUGIN_ID);
  mkdirSync(dir);
  for (const file of ["index.js", "result.js", "package.json"]) cpSync(path.join(SHIM_DIR, file), path.join(dir, file));
  assert.ok(existsSync(path.join(SHIM_DIR, "node_modules")), "run tests/e2e/install.sh (installs the shim's npm dependencies)");
  symlinkSync(path.join(SHIM_DIR, "node_modules"), path.join(dir, "node_modules"));
  const manifest = JSON.parse(readFileSync(path.join(SHIM_DIR, "openclaw.plugin.json"), "utf8"));
  manifest.contracts = { ...manifest.contracts, tools: FAKE_TOOLS };
  writeFileSync(path.join(dir, "openclaw.plugin.json"), JSON.stringify(manifest, null, 2));
  return dir;
}

function fakeEvents() {
  if (!existsSync(fakeLog)) return [];
  return readFileSync(fakeLog, "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line));
}

before(async () => {
  const root = mkdtempSync(path.join(tmpdir(), "cu-e2e-shim-"));
  cleanup.push(root);
  fakeLog = path.join(root, "fake-computer-use.jsonl");
  const script = {
    main: [
      { tool: "sessions_send", args: { agentId: "worker", message: `Echo ${nonce} and take a screenshot.`, timeoutSeconds: 180 } },
      { text: "main: the worker answered" },
    ],
    worker: [
      { tool: "vm_echo", args: { text: nonce } },
      { tool: "vm_image", args: {} },
      { text: `worker: echoed ${nonce}` },
    ],
  };
  stack = await startStack({ script, pluginDir: pluginCopy(root), env: { COMPUTER_USE_BIN: FAKE_BIN, FAKE_CU_LOG: fakeLog } });
});

after(async () => {
  await stack?.stop();
  removeUnlessKept([...cleanup, stack?.dirs.root]);
});

test("the gateway loads the shim and lists every tool the binary reports", async (t) => {
  t.diagnostic(`config validated in ${stack.timings.validateMs} ms; gateway ready ${stack.timings.readyMs} ms after launch`);
  assert.doesNotMatch(stack.gateway.output(), /no vm_\* tools registered|contracts\.tools/);
  const catalog = await stack.gateway.call("tools.catalog", { agentId: "worker" });
  const ours = catalog.groups.flatMap((group) => group.tools).filter((tool) => tool.pluginId === PLUGIN_ID);
  assert.deepEqual(ours.map((tool) => tool.id).sort(), [...FAKE_TOOLS].sort());
  assert.equal(fakeEvents().filter((e) => e.event === "start").length, 0, "the child starts on the first call, not at load");
});

test("/tools/invoke as worker: text, structured details, real images, soft and hard failures", async () => {
  const echo = await stack.gateway.invokeTool("vm_echo", { text: "hi" }, "worker");
  assert.equal(echo.status, 200, JSON.stringify(echo.body));
  assert.deepEqual(echo.body.result, { content: [{ type: "text", text: "echo: hi" }], details: { ok: true, echoed: "hi" } });

  const image = await stack.gateway.invokeTool("vm_image", {}, "worker");
  assert.equal(image.status, 200, JSON.stringify(image.body));
  const block = image.body.result.content.find((b) => b.type === "image");
  assert.equal(block.mimeType, "image/png");
  assert.deepEqual(imageInfo(Buffer.from(block.data, "base64")), { format: "png", width: 2, height: 1 });

  const soft = await stack.gateway.invokeTool("vm_soft_fail", {}, "worker");
  assert.equal(soft.status, 200, "a soft failure is a result the model reads, not an error");
  assert.equal(soft.body.result.details.ok, false);
  assert.match(soft.body.result.details.error, /not a key name/);

  const hard = await stack.gateway.invokeTool("vm_hard_fail", {}, "worker");
  assert.equal(hard.status, 500, "a result the binary marks hard must be thrown");
  assert.match(stack.gateway.output(), /vm_hard_fail failed: VM 'test-vm' is not running/);

  const rpc = await stack.gateway.invokeTool("vm_rpc_error", {}, "worker");
  assert.equal(rpc.status, 500, "a JSON-RPC error must be thrown (hard failure)");
  assert.match(stack.gateway.output(), /vm_rpc_error failed: .*not available/);
});

test("/tools/invoke as main is refused: main's policy denies vm_*", async () => {
  const refused = await stack.gateway.invokeTool("vm_echo", { text: "x" }, "main");
  assert.equal(refused.status, 404, JSON.stringify(refused.body));
  assert.ok(!fakeEvents().some((e) => e.event === "call" && e.args?.text === "x"), "the call must not reach the binary");
});

test("main delegates to worker with sessions_send; the worker's tools run and its reply reaches main", async (t) => {
  const run = await stack.gateway.runAgent("main", "Ask the worker to echo and take a screenshot.");
  t.diagnostic(`main → worker → main conversation: ${run.ms} ms`);
  assert.equal(run.json.status, "ok", JSON.stringify(run.json).slice(0, 2000));
  assert.deepEqual(run.json.result.payloads.map((p) => p.text), ["main: the worker answered"]);

  // The worker's calls reached the binary.
  assert.ok(fakeEvents().some((e) => e.event === "call" && e.tool === "vm_echo" && e.args.text === nonce));

  const requests = stack.model.requests.filter((r) => r.reply);
  const forWorker = requests.filter((r) => r.reply.agent === "worker");
  const forMain = requests.filter((r) => r.reply.agent === "main");
  assert.ok(forWorker.length >= 3, `the worker ran its script: ${JSON.stringify(requests.map((r) => r.reply))}`);
  for (const r of forMain) {
    assert.deepEqual(toolNamesOffered(r.body).filter((n) => n.startsWith("vm_")), [], "main must never be offered vm_*");
  }
  assert.deepEqual(
    toolNamesOffered(forWorker[0].body).filter((n) => n.startsWith("vm_")).sort(),
    [...FAKE_TOOLS].sort(),
  );

  // The screenshot reached the model as an image (OpenClaw sends it as a user message after the tool result).
  const last = forWorker.at(-1).body.messages;
  const images = last.flatMap(imagePartsOf);
  assert.equal(images.length, 1, "exactly one image reached the worker's model");
  assert.deepEqual(imageInfo(imagePartBytes(images[0])), { format: "png", width: 2, height: 1 });

  // The worker's reply came back to main as the sessions_send result.
  const mainAfter = forMain.at(-1).body.messages;
  const sendResult = mainAfter.find((m) => m.role === "tool");
  const parsed = JSON.parse(textOf(sendResult));
  assert.equal(parsed.status, "ok", textOf(sendResult));
  assert.match(parsed.reply, new RegExp(`worker: echoed ${nonce}`));
});

test("stopping the gateway stops the child through the plugin's service", async () => {
  const stopped = await stack.stop();
  assert.equal(stopped.code, 0, `gateway exit ${JSON.stringify(stopped)}`);
  assert.equal(stopped.leftovers, false, "a process of the gateway's group outlived it");
  assert.match(stack.gateway.output(), /stopping the computer-use child/);
  assert.ok(fakeEvents().some((e) => e.event === "stdin-closed"), "the child saw its stdin close (graceful stop)");
});

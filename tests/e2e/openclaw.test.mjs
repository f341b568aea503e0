// The whole system through the pinned OpenClaw gateway: the seed's Phase 8 setup (docs-config.json5, made
// runnable by stack.mjs: fake model, sandbox off because no Docker engine runs here) with the real shim, the real
// `computer-use` binary, the real cua-computer-server on a private Xvfb desktop, and the Lume API fake standing
// in for macOS-only Lume. Checks effects for real: the screenshot shows this desktop, the text the worker typed
// lands in a file, and the model received the image.
// Needs: tests/e2e/install.sh, `cargo build -p computer-use-cli -p testkit`, the desktop parts (scripts/bootstrap).

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { imagePartsOf, textOf, toolNamesOffered } from "./fake-model.mjs";
import { binaryTools, DESKTOP_SCREEN, rustBinaries, startDesktop, startLumeFake } from "./fixtures.mjs";
import { imageInfo, imagePartBytes, meanColor } from "./images.mjs";
import { PLUGIN_ID, REPO_DIR, removeUnlessKept, startStack } from "./stack.mjs";

const SHIM_DIR = path.join(REPO_DIR, "extensions", "computer-use");
const VM_NAME = "openclaw-vm";
const TYPED = "Hello from worker agent";
// A distinctive desktop background, so a screenshot can be shown to be of this desktop.
const ROOT_COLOR = [0x3a, 0x7b, 0xd5];
const nonce = `n${process.pid}x${Date.now()}`;

let bins;
let tools;
let desktop;
let lume;
let stack;
let outDir;
let outFile;

/** The seed's tool arguments this test scripts; fails early, with the real schema, if the binary differs. */
function assertToolArgs(name, props) {
  const tool = tools.find((t) => t.name === name);
  assert.ok(tool, `the binary offers no ${name}; it offers ${tools.map((t) => t.name).join(", ")}`);
  const have = Object.keys(tool.inputSchema.properties ?? {});
  for (const prop of props) {
    assert.ok(have.includes(prop), `${name} has no \`${prop}\` argument (schema: ${JSON.stringify(tool.inputSchema)}); update this test's script`);
  }
}

before(async () => {
  bins = rustBinaries();
  tools = binaryTools(bins.computerUse);
  assertToolArgs("vm_screenshot", []);
  assertToolArgs("vm_launch", ["app", "args"]);
  assertToolArgs("vm_click", ["x", "y"]);
  assertToolArgs("vm_type", ["text"]);
  assertToolArgs("vm_key", ["keys"]);

  outDir = mkdtempSync(path.join(tmpdir(), "cu-e2e-out-"));
  outFile = path.join(outDir, "out.txt");
  desktop = await startDesktop();
  const hex = `#${ROOT_COLOR.map((c) => c.toString(16).padStart(2, "0")).join("")}`;
  execFileSync("xsetroot", ["-display", desktop.display, "-solid", hex]);
  lume = await startLumeFake(bins.lumeFake, VM_NAME);

  // The seed's Step 6 smoke test, scripted: main delegates, the worker opens a terminal, types, checks.
  const script = {
    main: [
      {
        tool: "sessions_send",
        args: {
          agentId: "worker",
          message: `Open a terminal, type '${TYPED}' into ${outFile}, take a screenshot, and tell me the result.`,
          timeoutSeconds: 240,
        },
      },
      { text: "Main: the worker finished." },
    ],
    worker: [
      { tool: "vm_launch", args: { app: "xterm", args: ["-xrm", "XTerm*allowSendEvents: true", "-geometry", "80x20+0+0", "-e", "/bin/sh"] } },
      // A click inside the new window focuses it, as a person would; the pause lets the xterm map first.
      // (40, 40) is inside the 80x20 xterm at the top-left whether it is read as screen or screenshot pixels.
      { tool: "vm_click", args: { x: 40, y: 40 }, delayMs: 2500 },
      { tool: "vm_type", args: { text: `echo ${TYPED} > ${outFile}` } },
      { tool: "vm_key", args: { keys: "enter" } },
      { tool: "vm_screenshot", args: {} },
      { text: `WORKER-DONE ${nonce}: typed the text and took a screenshot.` },
    ],
  };
  stack = await startStack({
    script,
    pluginDir: SHIM_DIR,
    // `vms.worker-vm` inherits every top-level key (the same Lume VM); `agentVms` sends the worker's calls to it,
    // so a status naming `worker-vm` proves the gateway's agent id reached the binary's mapping.
    // Lossless PNG screenshots: the test decodes them itself (images.mjs, node:zlib) to check the desktop's colour;
    // the default JPEG path is covered by the Rust and MCP tests.
    pluginConfig: {
      vmName: VM_NAME,
      lumeApiUrl: lume.url,
      serverPort: desktop.port,
      screenshot: { encoding: "png" },
      vms: { "worker-vm": {} },
      agentVms: { worker: "worker-vm" },
    },
    env: { COMPUTER_USE_BIN: bins.computerUse },
  });
});

after(async () => {
  await stack?.stop();
  await lume?.stop();
  await desktop?.down();
  removeUnlessKept([stack?.dirs.root, outDir, desktop?.stateDir]);
});

test("the plugin loads and registers every tool the binary offers, as its manifest declares", async (t) => {
  t.diagnostic(`config validated in ${stack.timings.validateMs} ms; gateway ready ${stack.timings.readyMs} ms after launch`);
  const names = tools.map((tool) => tool.name).sort();
  const manifest = JSON.parse(readFileSync(path.join(SHIM_DIR, "openclaw.plugin.json"), "utf8"));
  assert.deepEqual([...manifest.contracts.tools].sort(), names, "openclaw.plugin.json contracts.tools is out of date");
  assert.doesNotMatch(stack.gateway.output(), /no vm_\* tools registered|contracts\.tools/);
  const catalog = await stack.gateway.call("tools.catalog", { agentId: "worker" });
  const ours = catalog.groups.flatMap((group) => group.tools).filter((tool) => tool.pluginId === PLUGIN_ID);
  assert.deepEqual(ours.map((tool) => tool.id).sort(), names);
});

test("/tools/invoke vm_screenshot as worker returns a real image of the desktop", async (t) => {
  const t0 = Date.now();
  const shot = await stack.gateway.invokeTool("vm_screenshot", {}, "worker");
  t.diagnostic(`first vm_screenshot (starts the child, connects to the server): ${Date.now() - t0} ms`);
  assert.equal(shot.status, 200, JSON.stringify(shot.body).slice(0, 2000));
  const { content, details } = shot.body.result;
  assert.equal(details.ok, true, JSON.stringify(details));
  const images = content.filter((block) => block.type === "image");
  assert.equal(images.length, 1, JSON.stringify(content.map((block) => block.type)));
  const bytes = Buffer.from(images[0].data, "base64");
  const info = imageInfo(bytes);
  assert.equal(info.format, "png", "the config asks for lossless PNG screenshots");
  assert.equal(images[0].mimeType, "image/png");
  if (typeof details.width === "number") {
    assert.deepEqual([details.width, details.height], [info.width, info.height], "details.width/height must describe the returned image");
  }
  const [screenW, screenH] = DESKTOP_SCREEN.split("x").map(Number);
  assert.ok(Math.abs(info.width / info.height - screenW / screenH) < 0.02, `aspect of ${info.width}x${info.height} is not the desktop's ${DESKTOP_SCREEN}`);
  const color = meanColor(bytes);
  for (const [i, channel] of color.entries()) {
    assert.ok(Math.abs(channel - ROOT_COLOR[i]) <= 24, `mean colour ${color} is not the desktop background ${ROOT_COLOR}`);
  }
});

test("the worker's calls reach the VM agentVms maps it to (the shim passes the calling agent's id)", async () => {
  const status = await stack.gateway.invokeTool("vm_status", {}, "worker");
  assert.equal(status.status, 200, JSON.stringify(status.body).slice(0, 2000));
  const text = status.body.result.content.filter((block) => block.type === "text").map((block) => block.text).join("\n");
  assert.match(text, /VM `worker-vm` via lume/, text);
});

test("/tools/invoke vm_screenshot as main is refused by main's policy", async () => {
  const refused = await stack.gateway.invokeTool("vm_screenshot", {}, "main");
  assert.equal(refused.status, 404, JSON.stringify(refused.body));
});

test("Step 6 as a conversation: main → sessions_send → worker types into a terminal → the reply reaches main", async (t) => {
  const run = await stack.gateway.runAgent("main", "Open a terminal in the VM, type 'Hello from worker agent', take a screenshot, and show me the result.", { timeoutMs: 300_000 });
  t.diagnostic(`main → worker → main conversation: ${run.ms} ms`);
  assert.equal(run.json.status, "ok", JSON.stringify(run.json).slice(0, 2000));
  assert.deepEqual(run.json.result.payloads.map((p) => p.text), ["Main: the worker finished."]);

  // The effect, for real: the worker's keystrokes ran a command in the xterm.
  const until = Date.now() + 15_000;
  while (!existsSync(outFile) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 200));
  assert.ok(existsSync(outFile), `${outFile} was never written: the typed command did not run in the terminal`);
  assert.equal(readFileSync(outFile, "utf8"), `${TYPED}\n`);

  const requests = stack.model.requests.filter((r) => r.reply);
  const forWorker = requests.filter((r) => r.reply.agent === "worker");
  const forMain = requests.filter((r) => r.reply.agent === "main");
  for (const r of forMain) {
    assert.deepEqual(toolNamesOffered(r.body).filter((n) => n.startsWith("vm_")), [], "main must never be offered vm_*");
  }
  const offered = toolNamesOffered(forWorker[0].body);
  for (const tool of tools) assert.ok(offered.includes(tool.name), `${tool.name} was not offered to the worker`);

  // The worker ran all five scripted tool calls (their effects are checked above and below).
  const workerFinal = forWorker.at(-1).body.messages;
  const toolResults = workerFinal.filter((m) => m.role === "tool").map(textOf);
  assert.equal(toolResults.length, 5, JSON.stringify(toolResults).slice(0, 2000));

  // The screenshot reached the model as a real image.
  const images = workerFinal.flatMap(imagePartsOf);
  assert.equal(images.length, 1, "exactly one image reached the worker's model");
  const info = imageInfo(imagePartBytes(images[0]));
  assert.ok(info.width >= 320 && info.height >= 200, JSON.stringify(info));

  // The worker's reply came back to main as the sessions_send result.
  const sendResult = forMain.at(-1).body.messages.find((m) => m.role === "tool");
  const parsed = JSON.parse(textOf(sendResult));
  assert.equal(parsed.status, "ok", textOf(sendResult));
  assert.match(parsed.reply, new RegExp(`WORKER-DONE ${nonce}`));
});

test("with the real binary: a soft failure is a result the model reads, a hard one fails the call", async () => {
  // Soft: an unknown key is refused before anything is sent; the model reads why.
  const soft = await stack.gateway.invokeTool("vm_key", { keys: "notakey" }, "worker");
  assert.equal(soft.status, 200, JSON.stringify(soft.body).slice(0, 2000));
  assert.equal(soft.body.result.details.ok, false);
  assert.equal(soft.body.result.details.hard, false);
  assert.match(soft.body.result.details.error, /notakey/);

  // Hard: the VM stops (Lume says so) and its server goes away; the binary marks the failure hard and the shim
  // throws it, so the gateway answers the invoke with an error.
  const stop = await fetch(`${lume.url}/lume/vms/${VM_NAME}/stop`, { method: "POST" });
  assert.equal(stop.status, 200, await stop.text());
  await desktop.down();
  const hard = await stack.gateway.invokeTool("vm_screenshot", {}, "worker");
  assert.equal(hard.status, 500, JSON.stringify(hard.body).slice(0, 2000));
  assert.match(stack.gateway.output(), /vm_screenshot failed: .*(not running|may or may not)/);
});

test("stopping the gateway stops the computer-use child", async () => {
  const started = [...stack.gateway.output().matchAll(/computer-use child started \(pid (\d+)/g)].map((m) => Number(m[1]));
  assert.equal(started.length, 1, "one child per gateway");
  const stopped = await stack.stop();
  assert.equal(stopped.code, 0, `gateway exit ${JSON.stringify(stopped)}`);
  assert.equal(stopped.leftovers, false, "a process of the gateway's group outlived it");
  const stat = existsSync(`/proc/${started[0]}/stat`) ? readFileSync(`/proc/${started[0]}/stat`, "utf8") : "";
  assert.ok(!stat || /\) [ZX] /.test(stat), `the computer-use child ${started[0]} is still running`);
});

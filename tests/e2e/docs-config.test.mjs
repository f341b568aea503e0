// The configuration the README prints (docs-config.json5) must be accepted by the pinned gateway's own
// validator, with the plugin's config actually checked against the plugin manifest's schema. Negative controls
// prove the validator would catch the mistakes the seed's config had. Needs no Rust binary and no gateway run.

import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { lastJson, makeGatewayDirs, openclaw, validateConfig } from "./gateway.mjs";
import { DOCS_CONFIG_PATH, loadDocsConfig, PLUGIN_ID, parseJson5, REPO_DIR, removeUnlessKept } from "./stack.mjs";

let dirs;
before(() => {
  dirs = makeGatewayDirs();
});
after(() => removeUnlessKept([dirs?.root]));

/** Validates `config` written next to the test dirs, from the repo root (relative plugin paths resolve from the CWD). */
async function validateObject(name, config) {
  const file = path.join(dirs.root, `${name}.json5`);
  writeFileSync(file, JSON.stringify(config, null, 2));
  return validateConfig(dirs, { configPath: file, cwd: REPO_DIR });
}

function issuesText(run) {
  return JSON.stringify(run.report?.issues ?? run.report ?? `${run.stdout}\n${run.stderr}`);
}

test("the documented config passes `openclaw config validate` of the pinned gateway", async () => {
  const run = await validateConfig(dirs, { configPath: DOCS_CONFIG_PATH, cwd: REPO_DIR });
  assert.equal(run.valid, true, `docs-config.json5 is invalid: ${issuesText(run)}`);
  const unavailable = (run.report.warnings ?? []).filter((w) => /unavailable|not found/i.test(w.message));
  assert.deepEqual(unavailable, [], "the plugin must be found, or its config is not checked at all");
});

test("the documented config keeps the seed's posture: main sandboxed and without vm_*, worker with vm_* only", () => {
  const docs = loadDocsConfig();
  assert.equal(docs.agents.defaults.sandbox.mode, "all");
  const { main, worker } = docs.agents.entries;
  assert.equal(main.sandbox.mode, "all");
  assert.equal(main.sandbox.docker.network, "none");
  assert.ok(main.tools.deny.includes("vm_*"));
  assert.deepEqual(main.subagents.allowAgents, ["worker"]);
  assert.deepEqual(worker.tools.allow, ["vm_*", "sessions_send", "session_status"]);
  assert.ok(worker.tools.deny.includes("exec"));
  assert.deepEqual(worker.subagents.allowAgents, []);
  assert.deepEqual(Object.keys(docs.plugins.entries[PLUGIN_ID].config).sort(), [
    "commandTimeoutMs",
    "connectTimeoutMs",
    "logVerbose",
    "lumeApiUrl",
    "maxScreenshotBytes",
    "screenshotScale",
    "serverPort",
    "vmName",
  ]);
});

test("negative control: the seed's `isDefault` and `sandbox.network` are rejected", async () => {
  const config = loadDocsConfig();
  config.agents.entries.main.isDefault = true;
  config.agents.entries.main.sandbox.network = "none";
  const run = await validateObject("seed-keys", config);
  assert.equal(run.valid, false, "the validator accepted keys 2026.9.6 does not know");
  assert.match(issuesText(run), /isDefault/);
  assert.match(issuesText(run), /network/);
});

test("negative control: a bad plugin config value is rejected through the plugin manifest's schema", async () => {
  const config = loadDocsConfig();
  config.plugins.entries[PLUGIN_ID].config.serverPort = "five thousand";
  config.plugins.entries[PLUGIN_ID].config.vmNmae = "typo";
  const run = await validateObject("bad-plugin-config", config);
  assert.equal(run.valid, false, "the plugin config was not checked against the manifest's configSchema");
  assert.match(issuesText(run), /plugins\.entries\.computer-use/);
});

/** `openclaw sandbox explain --agent <agent> --json` for a config file. */
async function explainSandbox(configPath, agent) {
  const env = { ...dirs.env, OPENCLAW_CONFIG_PATH: configPath };
  const run = await openclaw({ ...dirs, env }, ["sandbox", "explain", "--agent", agent, "--json"], { cwd: REPO_DIR });
  assert.equal(run.code, 0, `sandbox explain failed:\n${run.stdout}\n${run.stderr}`);
  return lastJson(run.stdout);
}

test("in the documented, sandboxed setup the worker's sandbox tool policy lets vm_* through", async () => {
  const worker = await explainSandbox(DOCS_CONFIG_PATH, "worker");
  assert.equal(worker.sandbox.sessionIsSandboxed, true);
  assert.ok(worker.sandbox.tools.allow.includes("vm_*"), JSON.stringify(worker.sandbox.tools));

  // Negative control: without the worker's `tools.sandbox.tools.alsoAllow`, the sandbox policy drops vm_*.
  const config = loadDocsConfig();
  delete config.agents.entries.worker.tools.sandbox;
  const file = path.join(dirs.root, "no-sandbox-allow.json5");
  writeFileSync(file, JSON.stringify(config, null, 2));
  const bare = await explainSandbox(file, "worker");
  assert.ok(!bare.sandbox.tools.allow.some((entry) => entry.startsWith("vm_")), JSON.stringify(bare.sandbox.tools));
});

test("the documented install command links the plugin without a terminal", async () => {
  // `openclaw plugins install -l` as the README prints it; it edits the config in OPENCLAW_CONFIG_PATH.
  const file = path.join(dirs.root, "install-target.json5");
  writeFileSync(file, "{}\n");
  const env = { ...dirs.env, OPENCLAW_CONFIG_PATH: file };
  const args = ["plugins", "install", "-l", "./extensions/computer-use", "--force", "--accept-capabilities"];
  const run = await openclaw({ ...dirs, env }, args, { cwd: REPO_DIR });
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  const written = parseJson5(readFileSync(file, "utf8"));
  assert.deepEqual(written.plugins.load.paths, [path.join(REPO_DIR, "extensions", "computer-use")]);
  assert.equal(written.plugins.entries[PLUGIN_ID].enabled, true);
});

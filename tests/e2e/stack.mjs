// The E2E stack: the pinned gateway, the scripted fake model, and the gateway config BUILT FROM the documented
// config (docs-config.json5), so the tests run the setup the README prints and differ from it only where a test
// machine must:
// - the agents' model is the scripted fake model (no LLM, no network);
// - the Docker sandbox is off: no Docker engine runs on the test machines. The documented config keeps
//   `sandbox.mode: "all"`; vm_* run in the gateway process either way, so the tool path under test is the same;
// - the plugin is loaded from an absolute path, with test values for the VM, Lume URL and server port;
// - a local, token-authenticated loopback gateway on a free port and a temporary workspace;
// - automatic session-store maintenance only warns: the state is new, so there is nothing to clean, and on a
//   loaded 2-core machine 2026.9.6's background maintenance intermittently broke the worker's first turn
//   ("Agent database cleanup failed" from `sessions_send`).

import { readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { startFakeModel } from "./fake-model.mjs";
import { freePort, makeGatewayDirs, openclawBinDir, startGateway, validateConfig, writeConfig } from "./gateway.mjs";

export const E2E_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REPO_DIR = path.resolve(E2E_DIR, "..", "..");
export const DOCS_CONFIG_PATH = path.join(E2E_DIR, "docs-config.json5");
export const PLUGIN_ID = "computer-use";

/** Parses JSON5 with the pinned gateway's own json5 dependency (the parser OpenClaw uses for its config). */
export function parseJson5(text) {
  const require = createRequire(path.join(openclawBinDir(), "..", "gateway", "node_modules", "openclaw", "package.json"));
  return require("json5").parse(text);
}

export function loadDocsConfig() {
  return parseJson5(readFileSync(DOCS_CONFIG_PATH, "utf8"));
}

/**
 * The test config: the documented config with the changes listed at the top of this file.
 * `pluginConfig` entries override the documented plugin config values.
 */
export function testConfig({ docs, port, modelBaseUrl, workspace, pluginDir, pluginConfig = {} }) {
  const config = structuredClone(docs);
  const model = "fake/fake-1";
  config.gateway = { mode: "local", port, bind: "loopback", auth: { mode: "token", token: "${OPENCLAW_GATEWAY_TOKEN}" } };
  config.models = {
    mode: "merge",
    providers: {
      fake: {
        baseUrl: modelBaseUrl,
        apiKey: "fake-key",
        api: "openai-completions",
        models: [
          { id: "fake-1", name: "Fake 1", reasoning: false, input: ["text", "image"], contextWindow: 128000, maxTokens: 4096 },
        ],
      },
    },
  };
  config.agents.defaults = { ...config.agents.defaults, model, workspace, sandbox: { mode: "off" } };
  for (const entry of Object.values(config.agents.entries)) {
    entry.model = model;
    if (entry.sandbox) entry.sandbox = { mode: "off" };
  }
  config.session = { ...config.session, maintenance: { mode: "warn" } };
  config.plugins.load.paths = [pluginDir];
  const entry = config.plugins.entries[PLUGIN_ID];
  entry.config = { ...entry.config, ...pluginConfig };
  return config;
}

/**
 * Starts the fake model with `script`, writes and validates the test config, and starts the gateway.
 * `env` is added to the gateway's environment (e.g. COMPUTER_USE_BIN). Throws with the validator's report or
 * the gateway's output when a part does not come up. Returns
 * `{dirs, config, model, gateway, timings: {validateMs, readyMs}, stop()}`.
 */
export async function startStack({ script, pluginDir, pluginConfig, env = {} }) {
  const dirs = makeGatewayDirs(env);
  const model = await startFakeModel({ script, recordPath: path.join(dirs.root, "model-requests.jsonl") });
  try {
    const port = await freePort();
    const config = testConfig({
      docs: loadDocsConfig(),
      port,
      modelBaseUrl: model.baseUrl,
      workspace: dirs.workspace,
      pluginDir,
      pluginConfig,
    });
    writeConfig(dirs, config);
    const t0 = Date.now();
    const validation = await validateConfig(dirs);
    const validateMs = Date.now() - t0;
    if (!validation.valid) {
      throw new Error(`the test config is invalid:\n${validation.stdout}\n${validation.stderr}`);
    }
    const gateway = await startGateway(dirs, port);
    return {
      dirs,
      config,
      model,
      gateway,
      timings: { validateMs, readyMs: gateway.readyMs },
      async stop() {
        const result = await gateway.stop();
        await model.close();
        return result;
      },
    };
  } catch (error) {
    await model.close();
    throw error;
  }
}

/** Removes the tests' temporary directories, unless E2E_KEEP=1 asks to keep them for a post-mortem. */
export function removeUnlessKept(paths) {
  for (const dir of paths.filter(Boolean)) {
    if (process.env.E2E_KEEP === "1") process.stderr.write(`e2e: kept ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

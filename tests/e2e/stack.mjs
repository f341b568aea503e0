// Builds the E2E gateway config FROM the documented config (docs-config.json5), so the tests run the setup the
// README prints and differ from it only where a test machine must:
// - the agents' model is the scripted fake model (no LLM, no network);
// - the Docker sandbox is off: no Docker engine runs on the test machines. The documented config keeps
//   `sandbox.mode: "all"`; vm_* run in the gateway process either way, so the tool path under test is the same;
// - the plugin is loaded from an absolute path, with test values for the VM, Lume URL and server port;
// - a local, token-authenticated loopback gateway on a free port and a temporary workspace.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openclawBinDir } from "./gateway.mjs";

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
  config.plugins.load.paths = [pluginDir];
  const entry = config.plugins.entries[PLUGIN_ID];
  entry.config = { ...entry.config, ...pluginConfig };
  return config;
}

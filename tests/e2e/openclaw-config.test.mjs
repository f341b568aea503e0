// `computer-use openclaw config --write` on a commented, hand-edited openclaw.json: the result must pass the
// pinned gateway's own `openclaw config validate` (with the plugin found, so its config is checked against the
// manifest schema), keep the user's comments, pass `computer-use doctor --offline`'s posture audit, and stay
// unchanged on a second run. Negative control: the seed's minimal config fails both the validator and the
// doctor. Needs the built `computer-use` binary and the pinned openclaw (tests/e2e/install.sh); no gateway run.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import process from "node:process";
import { after, before, test } from "node:test";
import { makeGatewayDirs, validateConfig } from "./gateway.mjs";
import { PLUGIN_ID, parseJson5, REPO_DIR, removeUnlessKept } from "./stack.mjs";

const BIN = process.env.COMPUTER_USE_BIN ?? path.join(REPO_DIR, "target", "debug", "computer-use");

/** A user's existing 2026.9 config, the way people write JSON5: comments, trailing commas, unquoted keys. */
const EXISTING = `// Production gateway: edited by hand, keep these notes!
{
  /* The gateway itself */
  gateway: { mode: 'local', port: 18789, bind: 'loopback', },
  agents: {
    ownership: 'explicit',
    defaults: { sandbox: { mode: 'all', scope: 'agent', workspaceAccess: 'rw' }, },
    entries: {
      main: {
        name: 'Main',
        // main only talks and delegates
        sandbox: { mode: 'all', scope: 'agent', workspaceAccess: 'rw', docker: { network: 'none' } },
        tools: { allow: ['group:fs', 'group:sessions', 'message'], deny: ['group:runtime', 'group:web'], },
        subagents: { allowAgents: ['search'], },
      },
      search: { name: 'Search', tools: { allow: ['group:web', 'sessions_send'], }, }, // the search agent
    },
  },
}
`;

/** The seed's "Minimal config (dev/test)" agents, as the seed prints them. */
const SEED_MINIMAL = {
  agents: {
    defaults: { sandbox: { mode: "all", scope: "agent", workspaceAccess: "rw" } },
    list: [
      {
        id: "main", name: "Main", isDefault: true, model: "claude-sonnet-4-20250514",
        sandbox: { mode: "all", scope: "agent", workspaceAccess: "rw", network: "none" },
        tools: { allow: ["group:fs", "memory_search", "memory_get", "group:sessions", "message"], deny: ["group:runtime", "group:web", "vm_*"] },
        subagents: { allowAgents: ["worker"] },
      },
      {
        id: "worker", name: "Computer Worker", model: "claude-sonnet-4-20250514",
        tools: { allow: ["vm_*", "sessions_send", "session_status"], deny: ["exec"] },
        subagents: { allowAgents: [] },
      },
    ],
  },
  plugins: { load: { paths: ["./extensions/computer-use"] }, entries: { [PLUGIN_ID]: { enabled: true, config: { vmName: "openclaw-vm" } } } },
};

let dirs;
before(() => {
  if (!existsSync(BIN)) throw new Error(`missing ${BIN}; build it first: cargo build -p computer-use-cli`);
  dirs = makeGatewayDirs();
});
after(() => removeUnlessKept([dirs?.root]));

/** Runs the computer-use binary with the test's environment (the pinned openclaw first on PATH). */
function computerUse(args) {
  return new Promise((resolve) => {
    execFile(BIN, args, { env: dirs.env, cwd: REPO_DIR, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

async function doctorOffline(file) {
  const run = await computerUse(["doctor", "--offline", "--json", "--config", file]);
  let report = null;
  try {
    report = JSON.parse(run.stdout);
  } catch {
    assert.fail(`doctor --json printed no JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
  return { ...run, report };
}

function issues(run) {
  return JSON.stringify(run.report?.issues ?? run.report ?? `${run.stdout}\n${run.stderr}`);
}

test("openclaw config --write merges into a commented openclaw.json that the pinned gateway then accepts", async () => {
  const file = path.join(dirs.root, "openclaw.json");
  writeFileSync(file, EXISTING);
  const before = await validateConfig(dirs, { configPath: file, cwd: REPO_DIR });
  assert.equal(before.valid, true, `the starting config must itself be valid: ${issues(before)}`);

  const write = await computerUse(["openclaw", "config", "--write", "--json", "--config", file]);
  assert.equal(write.code, 0, `${write.stdout}\n${write.stderr}`);
  const { changes } = JSON.parse(write.stdout);
  // `openclaw --version` (the pinned 2026.9.6 on PATH) selected the 2026.9 shape.
  assert.ok(changes.some((c) => c.includes("toolSearch")), JSON.stringify(changes));
  assert.ok(changes.some((c) => c.includes("agents.entries.main.subagents.allowAgents")), JSON.stringify(changes));

  const text = readFileSync(file, "utf8");
  for (const comment of ["// Production gateway: edited by hand, keep these notes!", "/* The gateway itself */", "// main only talks and delegates", "// the search agent"]) {
    assert.ok(text.includes(comment), `lost ${comment}:\n${text}`);
  }
  const config = parseJson5(text);
  assert.deepEqual(config.agents.entries.main.subagents.allowAgents, ["search", "worker"]);
  assert.deepEqual(config.agents.entries.search, { name: "Search", tools: { allow: ["group:web", "sessions_send"] } });
  assert.equal(config.gateway.port, 18789);
  assert.deepEqual(config.plugins.load.paths, [path.join(REPO_DIR, "extensions", "computer-use")]);

  const run = await validateConfig(dirs, { configPath: file, cwd: REPO_DIR });
  assert.equal(run.valid, true, `the merged config is invalid: ${issues(run)}\n${text}`);
  const unavailable = (run.report.warnings ?? []).filter((w) => /unavailable|not found/i.test(w.message));
  assert.deepEqual(unavailable, [], "the plugin must be found, or its config is not checked at all");

  const doctor = await doctorOffline(file);
  const failed = doctor.report.checks.filter((c) => c.status === "fail");
  assert.deepEqual(failed, [], `doctor --offline failed:\n${doctor.stdout}`);
  assert.equal(doctor.code, 0);
  const byId = Object.fromEntries(doctor.report.checks.map((c) => [c.id, c.status]));
  for (const id of ["posture.keys", "posture.plugin.enabled", "posture.plugin.path", "posture.plugin.config", "posture.main.vm_tools", "posture.main.delegate", "posture.worker.tools", "posture.worker.host", "posture.worker.sandbox", "posture.worker.subagents", "posture.agents.vm_tools", "posture.tool_search"]) {
    assert.equal(byId[id], "pass", `${id}: ${JSON.stringify(doctor.report.checks.find((c) => c.id === id))}`);
  }

  // A second run finds everything in place.
  const again = await computerUse(["openclaw", "config", "--write", "--config", file]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /nothing changed/);
  assert.equal(readFileSync(file, "utf8"), text);
});

test("openclaw config --write into a missing file gives a complete config the gateway accepts", async () => {
  const file = path.join(dirs.root, "fresh.json");
  const write = await computerUse(["openclaw", "config", "--write", "--config", file]);
  assert.equal(write.code, 0, `${write.stdout}\n${write.stderr}`);
  const run = await validateConfig(dirs, { configPath: file, cwd: REPO_DIR });
  assert.equal(run.valid, true, `invalid: ${issues(run)}\n${readFileSync(file, "utf8")}`);
  const doctor = await doctorOffline(file);
  assert.equal(doctor.code, 0, doctor.stdout);
});

test("negative control: the seed's minimal config fails the validator and the doctor on the same keys", async () => {
  const file = path.join(dirs.root, "seed.json");
  writeFileSync(file, JSON.stringify(SEED_MINIMAL, null, 2));
  const run = await validateConfig(dirs, { configPath: file, cwd: REPO_DIR });
  assert.equal(run.valid, false);
  assert.match(issues(run), /isDefault/);
  const doctor = await doctorOffline(file);
  assert.equal(doctor.code, 1, "doctor must exit non-zero on a failed check");
  const keys = doctor.report.checks.find((c) => c.id === "posture.keys");
  assert.equal(keys.status, "fail");
  assert.match(keys.message, /isDefault/);
  assert.match(keys.message, /sandbox\.network/);
  assert.match(keys.fix, /sandbox\.docker\.network/);
});

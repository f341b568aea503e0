#!/usr/bin/env node
// A FAKE of the Rust `computer-use` binary, for testing the JS shim (and the E2E gateway harness) without it.
// It implements only the two entry points the shim uses, with the same shapes:
//   fake-computer-use.mjs tools --json [--plugin-config J]  → {"tools":[{name, description, inputSchema}]}
//                                                             (J with `toolset: "seed"`: vm_echo and vm_image only)
//   fake-computer-use.mjs serve --stdio [--host-approvals] [--plugin-config J] → an MCP server over stdio
// Its tools exist to provoke each path of the shim: plain text + structured content, a real PNG image, a soft
// failure (isError, hard: false), a hard failure (isError, hard: true), a JSON-RPC error, a crash mid-call, a
// slow call that can be cancelled, and a call that needs a person's approval.
// Approval, as the real binary does it with --host-approvals (its rules here are the fake's own: `vm_guarded`
// always needs approval; classifying `vm_classify_error` fails): `computer-use/classifyApproval` answers
// `{approval: null}` or `{approval: {title, description, timeoutMs, token}}`; `vm_guarded` runs only with a token
// it issued for exactly those arguments, once, in `_meta["computer-use/approval"]`, else it is refused (soft).
// Every event is appended as a JSON line to $FAKE_CU_LOG (when set) so tests can assert what the child saw.
import { randomBytes } from "node:crypto";
import { appendFileSync } from "node:fs";
import process from "node:process";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
} from "@modelcontextprotocol/sdk/types.js";

// A valid 2x1 PNG (one red, one blue pixel): OpenClaw rejects image data it cannot decode.
const PNG_2X1 =
  "iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAIAAAB7QOjdAAAAD0lEQVQI12P4z8DAwPAfAAcAAf921adgAAAAAElFTkSuQmCC";

const TOOLS = [
  {
    name: "vm_echo",
    description: "FAKE: echoes `text` back as text and structured content.",
    inputSchema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
  },
  {
    name: "vm_image",
    description: "FAKE: returns a 2x1 PNG screenshot.",
    inputSchema: { type: "object", properties: {} },
  },
  {
    name: "vm_soft_fail",
    description: "FAKE: returns an isError result the model should read.",
    inputSchema: { type: "object", properties: {} },
  },
  {
    name: "vm_hard_fail",
    description: "FAKE: returns an isError result marked hard (the VM is unreachable), as the binary does.",
    inputSchema: { type: "object", properties: {} },
  },
  {
    name: "vm_rpc_error",
    description: "FAKE: answers with a JSON-RPC error instead of a result.",
    inputSchema: { type: "object", properties: {} },
  },
  {
    name: "vm_crash",
    description: "FAKE: exits the process in the middle of the call.",
    inputSchema: { type: "object", properties: {} },
  },
  {
    name: "vm_guarded",
    description: "FAKE: needs a person's approval (the fake's rule); writes nothing, answers `approved`.",
    inputSchema: { type: "object", properties: { text: { type: "string" } } },
  },
  {
    name: "vm_classify_error",
    description: "FAKE: its approval classification fails with a JSON-RPC error.",
    inputSchema: { type: "object", properties: {} },
  },
  {
    name: "vm_slow",
    description: "FAKE: answers after `ms` milliseconds unless cancelled.",
    inputSchema: { type: "object", properties: { ms: { type: "number" } } },
  },
];

function log(event) {
  if (process.env.FAKE_CU_LOG) appendFileSync(process.env.FAKE_CU_LOG, `${JSON.stringify({ pid: process.pid, ...event })}\n`);
}

const CLASSIFY_METHOD = "computer-use/classifyApproval";
const APPROVAL_META_KEY = "computer-use/approval";
/** Tokens issued by this process: token → the arguments (JSON) they allow, until used. */
const issued = new Map();

function classify(params) {
  log({ event: "classify", tool: params?.name, args: params?.arguments, meta: params?._meta });
  if (params?.name === "vm_classify_error") throw new McpError(ErrorCode.InternalError, "classification broke");
  if (params?.name !== "vm_guarded") return { approval: null };
  const token = randomBytes(16).toString("hex");
  issued.set(token, JSON.stringify(params.arguments ?? {}));
  return {
    approval: {
      title: "Approve vm_guarded on VM default",
      description: `vm_guarded ${JSON.stringify(params.arguments ?? {})} on VM \`default\`. Needs approval because the fake says so.`,
      timeoutMs: 5000,
      token,
    },
  };
}

function guarded(args, meta) {
  const token = meta?.[APPROVAL_META_KEY];
  const allowed = typeof token === "string" && issued.get(token) === JSON.stringify(args);
  if (typeof token === "string") issued.delete(token);
  if (!allowed) {
    const message = `Approval: vm_guarded was not run: ${token ? "the approval that came with it does not hold" : "no approval came with the call"}; nothing was sent.`;
    return {
      content: [{ type: "text", text: message }],
      structuredContent: { ok: false, error: "rejected", outcome: "not_sent", hard: false, message },
      isError: true,
    };
  }
  return { content: [{ type: "text", text: "approved" }], structuredContent: { ok: true, ran: args.text ?? null } };
}

async function callTool(name, args, signal, meta) {
  switch (name) {
    case "vm_guarded":
      return guarded(args, meta);
    case "vm_echo":
      return {
        content: [{ type: "text", text: `echo: ${args.text}` }],
        structuredContent: { ok: true, echoed: args.text },
      };
    case "vm_image":
      return {
        content: [
          { type: "text", text: "Screenshot 2x1 (PNG)" },
          { type: "image", data: PNG_2X1, mimeType: "image/png" },
        ],
        structuredContent: { ok: true, width: 2, height: 1 },
      };
    case "vm_soft_fail":
      return {
        content: [{ type: "text", text: "Key 'foo' is not a key name; did you mean 'f'?" }],
        structuredContent: { ok: false, error: "rejected", outcome: "not_sent", hard: false, message: "Key 'foo' is not a key name; did you mean 'f'?" },
        isError: true,
      };
    case "vm_hard_fail":
      return {
        content: [{ type: "text", text: "VM 'test-vm' is not running. Start it with: lume run test-vm --no-display" }],
        structuredContent: { ok: false, error: "unavailable", outcome: "not_sent", hard: true, message: "VM 'test-vm' is not running." },
        isError: true,
      };
    case "vm_crash":
      process.exit(3);
      break;
    case "vm_slow":
      await new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, args.ms ?? 10_000);
        signal.addEventListener("abort", () => {
          clearTimeout(timer);
          log({ event: "cancelled", tool: name });
          reject(new Error("cancelled"));
        });
      });
      return { content: [{ type: "text", text: "slow done" }] };
    default:
      throw new Error(`unknown tool ${name}`);
  }
}

async function serve(argv) {
  const at = argv.indexOf("--plugin-config");
  const pluginConfig = at >= 0 ? JSON.parse(argv[at + 1]) : null;
  log({ event: "start", pluginConfig, argv });
  const server = new Server({ name: "fake-computer-use", version: "0.0.0" }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: TOOLS }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    log({ event: "call", tool: request.params.name, args: request.params.arguments, meta: request.params._meta });
    if (request.params.name === "vm_rpc_error" || !TOOLS.some((t) => t.name === request.params.name)) {
      // A throw from a low-level handler becomes a JSON-RPC error, like rmcp's answer to an unknown tool.
      throw new McpError(ErrorCode.InvalidParams, `tool ${request.params.name} is not available`);
    }
    return callTool(request.params.name, request.params.arguments ?? {}, extra.signal, request.params._meta);
  });
  if (argv.includes("--host-approvals")) {
    server.fallbackRequestHandler = async (request) => {
      if (request.method === CLASSIFY_METHOD) return classify(request.params);
      throw new McpError(ErrorCode.MethodNotFound, `unknown method ${request.method}`);
    };
  }
  process.stderr.write(" INFO fake-computer-use: serving MCP on stdio\n");
  process.stdin.on("end", () => {
    log({ event: "stdin-closed" });
    process.exit(0);
  });
  await server.connect(new StdioServerTransport());
}

const [command, flag, ...rest] = process.argv.slice(2);
if (command === "tools" && flag === "--json") {
  // A config with `toolset: "seed"` lists a subset, as the real binary lists the guide's seven.
  const config = rest[0] === "--plugin-config" ? JSON.parse(rest[1] ?? "{}") : {};
  const seed = config?.toolset === "seed";
  const listed = seed ? TOOLS.filter((t) => ["vm_echo", "vm_image"].includes(t.name)) : TOOLS;
  process.stdout.write(`${JSON.stringify({ tools: listed })}\n`);
} else if (command === "serve" && flag === "--stdio") {
  await serve(process.argv.slice(2));
} else {
  process.stderr.write("usage: fake-computer-use.mjs tools --json | serve --stdio [--host-approvals] [--plugin-config JSON]\n");
  process.exit(2);
}

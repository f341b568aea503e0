// A FAKE language model for the real-gateway E2E tests: a scripted OpenAI-compatible chat-completions server on
// 127.0.0.1, so a real OpenClaw gateway can run real agent turns (tool calls, delegation) with no LLM and no
// network. It records every request it gets, so tests can assert what the gateway sent: the tools each agent
// was offered, the tool results, and the images a screenshot tool produced.
//
// Which reply: the agent comes from the prompt's line `Runtime: agent=<id>`. OpenClaw's agent-to-agent
// "reply step" and "announce step" prompts get the literal REPLY_SKIP / ANNOUNCE_SKIP, which ends a
// `sessions_send` exchange without a ping-pong loop. Any other request follows the script: per agent an ordered
// list of steps, each either a tool call `{tool, args}` or a final answer `{text}` (either may add `delayMs`, a
// pause before answering, e.g. to let a launched window appear). The step is the number of tool results already
// in the conversation, so one scripted run per session: start a fresh session (or gateway) for each script.
// Requests for an agent the script does not name, or with no agent line, get the text "OK".
//
// Script file: {"main": [{"tool": "sessions_send", "args": {...}}, {"text": "done"}], "worker": [...]}
// Use: import {startFakeModel} from "./fake-model.mjs", or run
//   node fake-model.mjs --script script.json --record requests.jsonl [--port N]
// which prints `listening on http://127.0.0.1:PORT` (the provider's baseUrl is that URL + "/v1").

import { appendFileSync, readFileSync } from "node:fs";
import http from "node:http";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const REPLY_STEP = /Agent-to-agent reply step/i;
const ANNOUNCE_STEP = /Agent-to-agent announce step/i;
const AGENT_LINE = /Runtime: agent=([A-Za-z0-9_-]+)/g;

/** Plain text of a chat message's content (string or array of parts). */
export function textOf(message) {
  const content = message?.content;
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part) => (typeof part === "string" ? part : (part?.text ?? "")))
    .filter(Boolean)
    .join("\n");
}

/** Image parts of a message, whatever shape the gateway used (`image_url` data URL or inline base64). */
export function imagePartsOf(message) {
  if (!Array.isArray(message?.content)) return [];
  return message.content.filter(
    (part) => part?.type === "image_url" || part?.type === "image" || part?.type === "input_image",
  );
}

/** Names of the function tools offered in a request body. */
export function toolNamesOffered(body) {
  return (body?.tools ?? []).map((tool) => tool?.function?.name ?? tool?.name).filter(Boolean);
}

/**
 * The agent id of a request, from its `Runtime: agent=<id>` line (2026.9.6 puts it in the user turn, older
 * versions in the system prompt); the last occurrence wins. Null when there is none.
 */
export function agentOf(body) {
  let agent = null;
  for (const message of body?.messages ?? []) {
    if (!["system", "developer", "user"].includes(message.role)) continue;
    for (const match of textOf(message).matchAll(AGENT_LINE)) agent = match[1];
  }
  return agent;
}

/** Decides the reply to one request: `{kind, text?, tool?, args?, delayMs?, step?}`. */
export function chooseReply(script, body) {
  const messages = body?.messages ?? [];
  const system = messages
    .filter((m) => m.role === "system" || m.role === "developer")
    .map(textOf)
    .join("\n");
  const lastUser = textOf(messages.findLast((m) => m.role === "user"));
  const agent = agentOf(body);
  if (REPLY_STEP.test(system) || REPLY_STEP.test(lastUser)) return { kind: "reply-skip", agent, text: "REPLY_SKIP" };
  if (ANNOUNCE_STEP.test(system) || ANNOUNCE_STEP.test(lastUser)) {
    return { kind: "announce-skip", agent, text: "ANNOUNCE_SKIP" };
  }
  const steps = agent ? script[agent] : undefined;
  if (!Array.isArray(steps) || steps.length === 0) return { kind: "unscripted", agent, text: "OK" };
  const step = Math.min(messages.filter((m) => m.role === "tool").length, steps.length - 1);
  const { tool, args, text, delayMs } = steps[step];
  if (tool) return { kind: "tool", agent, step, tool, args: args ?? {}, delayMs };
  return { kind: "text", agent, step, text: text ?? "", delayMs };
}

function chunk(id, model, delta, finishReason, extra = {}) {
  return { id, object: "chat.completion.chunk", created: 0, model, choices: [{ index: 0, delta, finish_reason: finishReason }], ...extra };
}

function writeReply(res, body, reply, serial) {
  const id = `chatcmpl-${serial}`;
  const model = body?.model ?? "fake";
  const usage = { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 };
  const toolCall = reply.kind === "tool" && {
    id: `call_${serial}`,
    type: "function",
    function: { name: reply.tool, arguments: JSON.stringify(reply.args) },
  };
  if (body?.stream === false) {
    const message = toolCall
      ? { role: "assistant", content: null, tool_calls: [toolCall] }
      : { role: "assistant", content: reply.text };
    const finish = toolCall ? "tool_calls" : "stop";
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ id, object: "chat.completion", created: 0, model, choices: [{ index: 0, message, finish_reason: finish }], usage }));
    return;
  }
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  const send = (data) => res.write(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
  if (toolCall) {
    send(chunk(id, model, { role: "assistant", tool_calls: [{ index: 0, ...toolCall }] }, null));
    send(chunk(id, model, {}, "tool_calls", { usage }));
  } else {
    send(chunk(id, model, { role: "assistant", content: reply.text }, null));
    send(chunk(id, model, {}, "stop", { usage }));
  }
  send("[DONE]");
  res.end();
}

/**
 * Starts the fake model. `script` is the parsed script object; every request is appended to `recordPath` (JSON
 * lines `{at, path, reply, body}`) when given, and kept in memory either way.
 * Returns `{url, baseUrl, port, requests, close}`; `requests` is the live list of `{at, path, reply, body}`.
 */
export async function startFakeModel({ script, recordPath, port = 0 } = {}) {
  const requests = [];
  let serial = 0;
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const part of req) chunks.push(part);
    const raw = Buffer.concat(chunks).toString("utf8");
    let body = null;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      // recorded as null; answered below
    }
    serial += 1;
    const path = req.url ?? "";
    const reply = req.method === "POST" && path.endsWith("/chat/completions") && body ? chooseReply(script, body) : null;
    const entry = { at: new Date().toISOString(), path, reply, body };
    requests.push(entry);
    if (recordPath) appendFileSync(recordPath, `${JSON.stringify(entry)}\n`);
    if (req.method === "GET" && path.endsWith("/models")) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ object: "list", data: [{ id: "fake-1", object: "model", owned_by: "fake" }] }));
      return;
    }
    if (!reply) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: `fake model: no route for ${req.method} ${path}` } }));
      return;
    }
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    writeReply(res, body, reply, serial);
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  const actual = server.address().port;
  const url = `http://127.0.0.1:${actual}`;
  return {
    url,
    baseUrl: `${url}/v1`,
    port: actual,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: { script: { type: "string" }, record: { type: "string" }, port: { type: "string", default: "0" } },
  });
  if (!values.script) {
    process.stderr.write("usage: node fake-model.mjs --script script.json [--record requests.jsonl] [--port N]\n");
    process.exit(2);
  }
  const script = JSON.parse(readFileSync(values.script, "utf8"));
  const model = await startFakeModel({ script, recordPath: values.record, port: Number(values.port) });
  process.stdout.write(`listening on ${model.url}\n`);
}

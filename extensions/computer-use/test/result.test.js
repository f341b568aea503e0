// Unit tests of the MCP → OpenClaw result mapping (result.js): the contract between the Rust tools and the
// OpenClaw agent loop. No process is spawned.
import assert from "node:assert/strict";
import { test } from "node:test";
import { toOpenClawResult } from "../result.js";

test("a success keeps text and flat image blocks and spreads structuredContent into details", () => {
  const result = toOpenClawResult({
    content: [
      { type: "text", text: "Screenshot 1280x800 (JPEG, scale 1.0)" },
      { type: "image", data: "/9j/AAAA", mimeType: "image/jpeg" },
    ],
    structuredContent: { ok: true, width: 1280, height: 800 },
  });
  assert.deepEqual(result, {
    content: [
      { type: "text", text: "Screenshot 1280x800 (JPEG, scale 1.0)" },
      { type: "image", data: "/9j/AAAA", mimeType: "image/jpeg" },
    ],
    details: { ok: true, width: 1280, height: 800 },
  });
});

test("isError is a soft failure: returned with details.ok false and the text as details.error", () => {
  const result = toOpenClawResult({
    content: [{ type: "text", text: "Key 'foo' is not a key name" }],
    structuredContent: { ok: true, code: "unknown_key" },
    isError: true,
  });
  assert.equal(result.details.ok, false, "isError must win over a structured ok");
  assert.equal(result.details.error, "Key 'foo' is not a key name");
  assert.equal(result.details.code, "unknown_key");
  assert.equal(result.isError, true, "mirrored for OpenClaw 2.x");
  assert.deepEqual(result.content, [{ type: "text", text: "Key 'foo' is not a key name" }]);
});

test("a result without structuredContent still carries details.ok", () => {
  assert.deepEqual(toOpenClawResult({ content: [{ type: "text", text: "ok" }] }).details, { ok: true });
  assert.deepEqual(toOpenClawResult({ content: [{ type: "text", text: "no" }], isError: true }).details, {
    ok: false,
    error: "no",
  });
});

test("every result has at least one text block, even when the tool sent only an image or nothing", () => {
  const imageOnly = toOpenClawResult({ content: [{ type: "image", data: "iVBO", mimeType: "image/png" }] });
  assert.equal(imageOnly.content[0].type, "text");
  assert.equal(imageOnly.content[1].type, "image");
  const empty = toOpenClawResult({ content: [], isError: true });
  assert.equal(empty.content.length, 1);
  assert.match(empty.details.error, /failed/);
});

test("blocks OpenClaw cannot show are replaced by a note, never passed through", () => {
  const result = toOpenClawResult({
    content: [
      { type: "image", data: "", mimeType: "image/png" },
      { type: "audio", data: "AAAA", mimeType: "audio/wav" },
      { type: "resource", resource: { uri: "file:///x", text: "embedded text" } },
    ],
  });
  assert.deepEqual(
    result.content.map((b) => b.type),
    ["text", "text", "text"],
  );
  assert.match(result.content[0].text, /image block without data/);
  assert.match(result.content[1].text, /audio block is not supported/);
  assert.equal(result.content[2].text, "embedded text");
});

test("only an isError result marked hard by the binary is a hard failure", async () => {
  const { isHardFailure, failureText } = await import("../result.js");
  const failed = (structuredContent) => ({ content: [{ type: "text", text: "VM down" }], structuredContent, isError: true });
  assert.equal(isHardFailure(failed({ ok: false, hard: true })), true);
  assert.equal(isHardFailure(failed({ ok: false, hard: false })), false);
  assert.equal(isHardFailure(failed(undefined)), false, "no structured content: soft, as before");
  assert.equal(isHardFailure({ content: [], structuredContent: { hard: true } }), false, "not an error result");
  assert.equal(failureText(failed({ hard: true })), "VM down");
  assert.equal(failureText({ content: [], structuredContent: { message: "m" }, isError: true }), "m");
});

// Translates an MCP `tools/call` result into OpenClaw's tool-result shape. Kept apart from index.js so it can be
// unit-tested without spawning anything.
//
// OpenClaw wants `{content: [{type:"text", text} | {type:"image", data, mimeType}], details}` with flat image
// blocks and `details.ok` on every result. The binary marks each failed result `isError: true` and says in
// `structuredContent.hard` whether it is hard:
// - soft (`hard: false`: refused before sending, or the server reported a failure): a result the model should
//   read; returned with `details.ok === false` and `details.error` set to its text (OpenClaw's telemetry counts
//   it as failed). `isError` is mirrored on the result for OpenClaw 2.x, which read it.
// - hard (`hard: true`: the VM or its server is unreachable, or the action may or may not have happened):
//   index.js throws it, so OpenClaw marks the call failed. So are transport and JSON-RPC errors and a dead child.

/** @param {{content?: unknown[], structuredContent?: object, isError?: boolean}} result */
export function toOpenClawResult(result) {
  const isError = result?.isError === true;
  const content = [];
  for (const block of Array.isArray(result?.content) ? result.content : []) {
    const mapped = mapBlock(block);
    if (mapped) content.push(mapped);
  }
  const text = content
    .filter((block) => block.type === "text")
    .map((block) => block.text)
    .join("\n")
    .trim();
  if (!content.some((block) => block.type === "text")) {
    content.unshift({ type: "text", text: isError ? "The tool failed without a message." : "Done." });
  }
  const structured = isPlainObject(result?.structuredContent) ? result.structuredContent : {};
  const details = { ...structured, ok: !isError };
  if (isError) details.error = text || "The tool failed without a message.";
  return isError ? { content, details, isError: true } : { content, details };
}

/** Whether an MCP result is a failure the binary marked hard (see above). */
export function isHardFailure(result) {
  return result?.isError === true && isPlainObject(result.structuredContent) && result.structuredContent.hard === true;
}

/** A failed result's text: its text blocks, else its structured message. */
export function failureText(result) {
  const text = (Array.isArray(result?.content) ? result.content : [])
    .filter((block) => block?.type === "text" && typeof block.text === "string")
    .map((block) => block.text)
    .join("\n")
    .trim();
  return text || result?.structuredContent?.message || "the tool failed without a message";
}

function mapBlock(block) {
  if (!isPlainObject(block)) return null;
  switch (block.type) {
    case "text":
      return typeof block.text === "string" ? { type: "text", text: block.text } : null;
    case "image":
      // A block without real data would poison the stored conversation; say so instead of passing it on.
      if (typeof block.data === "string" && block.data && typeof block.mimeType === "string") {
        return { type: "image", data: block.data, mimeType: block.mimeType };
      }
      return { type: "text", text: "(an image block without data or mimeType was dropped)" };
    case "resource":
      return typeof block.resource?.text === "string" ? { type: "text", text: block.resource.text } : null;
    default:
      return { type: "text", text: `(a ${String(block.type)} block is not supported by OpenClaw and was dropped)` };
  }
}

function isPlainObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

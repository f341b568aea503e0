// An approval client for the real-gateway tests: the part of an OpenClaw deployment that shows approval prompts
// to a person (the Control UI, `openclaw tui`, a chat channel). OpenClaw 2026.9.6 creates a plugin approval only
// when such a client is connected; otherwise it blocks the call at once ("no approval route").
//
// It connects to the gateway's WebSocket the way its own backend helpers do (client `gateway-client`, mode
// `backend`, the gateway token, from loopback), asking for the `operator.approvals` scope and advertising the
// `plugin-approvals` capability, collects `plugin.approval.requested` events, and can answer them with
// `plugin.approval.resolve`. Node 24's built-in WebSocket; nothing installed.

const PROTOCOL = 4;
const CONNECT_TIMEOUT_MS = 20_000;

/**
 * Connects as an approval client. Returns `{requests, waitForRequest(predicate, ms), resolve(id, decision),
 * close()}`; `requests` holds every `plugin.approval.requested` payload (`{id, request: {title, description,
 * toolName, toolCallId, agentId, allowedDecisions, ...}, expiresAtMs}`).
 */
export async function connectApprovalClient({ port, token }) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}`);
  const requests = [];
  const pending = new Map();
  const listeners = new Set();
  let nextId = 1;
  let closed = null;

  const send = (method, params) => {
    const id = `t${nextId++}`;
    ws.send(JSON.stringify({ type: "req", id, method, params }));
    return new Promise((resolve, reject) => pending.set(id, { resolve, reject, method }));
  };

  let onChallenge;
  const challenge = new Promise((resolve) => {
    onChallenge = resolve;
  });
  ws.addEventListener("message", (message) => {
    let frame;
    try {
      frame = JSON.parse(String(message.data));
    } catch {
      return;
    }
    if (frame.type === "event" && frame.event === "connect.challenge") onChallenge(frame.payload);
    if (frame.type === "event" && frame.event === "plugin.approval.requested") {
      requests.push(frame.payload);
      for (const listener of listeners) listener();
    }
    if (frame.type === "res" && pending.has(frame.id)) {
      const { resolve, reject, method } = pending.get(frame.id);
      pending.delete(frame.id);
      if (frame.ok) resolve(frame.payload);
      else reject(new Error(`${method}: ${JSON.stringify(frame.error)}`));
    }
  });
  ws.addEventListener("close", (event) => {
    closed = event;
    for (const { reject, method } of pending.values()) reject(new Error(`${method}: the gateway closed the socket (${event.code} ${event.reason})`));
    pending.clear();
  });

  const within = (promise, what) =>
    Promise.race([
      promise,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`approval client: no ${what} within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS)),
    ]);
  await within(new Promise((resolve, reject) => {
    ws.addEventListener("open", resolve, { once: true });
    ws.addEventListener("error", () => reject(new Error(`approval client: cannot connect to ws://127.0.0.1:${port}`)), { once: true });
  }), "WebSocket open");
  await within(challenge, "connect.challenge");
  const hello = await within(
    send("connect", {
      minProtocol: PROTOCOL,
      maxProtocol: PROTOCOL,
      client: { id: "gateway-client", version: "e2e", platform: process.platform, mode: "backend" },
      role: "operator",
      scopes: ["operator.admin", "operator.approvals"],
      caps: ["plugin-approvals"],
      auth: { token },
    }),
    "hello-ok",
  );
  const granted = hello?.auth?.scopes ?? [];
  if (!granted.includes("operator.approvals")) {
    ws.close();
    throw new Error(`approval client: the gateway did not grant operator.approvals (granted: ${JSON.stringify(granted)})`);
  }

  return {
    requests,
    /** The first request (already received or still to come) that `predicate` accepts. */
    waitForRequest(predicate, ms = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = requests.find(predicate);
          if (found) return finish(null, found);
          if (closed) return finish(new Error(`approval client closed (${closed.code}) before the request came`));
        };
        const timer = setTimeout(
          () => finish(new Error(`no matching plugin approval request within ${ms} ms; got ${JSON.stringify(requests).slice(0, 2000)}`)),
          ms,
        );
        const finish = (error, value) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(error);
          else resolve(value);
        };
        listeners.add(check);
        check();
      });
    },
    /** `plugin.approval.resolve {id, decision}`: what a person's click sends. */
    resolve(id, decision) {
      return send("plugin.approval.resolve", { id, decision });
    },
    async close() {
      if (closed) return;
      const done = new Promise((resolve) => ws.addEventListener("close", resolve, { once: true }));
      ws.close();
      await done;
    },
  };
}

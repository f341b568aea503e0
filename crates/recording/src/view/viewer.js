// The recording viewer: everything it shows is in this page (no request leaves it; the page's Content Security
// Policy forbids any). Images sit in <script type="text/plain"> blocks as base64 and become <img> elements only
// when their step is shown, so a page of hundreds of steps opens without decoding hundreds of screenshots.
"use strict";
(function () {
  const DATA = JSON.parse(document.getElementById("data").textContent);
  const steps = DATA.steps;
  const byCall = new Map(steps.map((s, i) => [s.call, i]));
  const strip = document.getElementById("strip");
  const screens = document.getElementById("screens");
  const info = document.getElementById("info");
  const search = document.getElementById("search");
  const counter = document.getElementById("counter");
  const SVG = "http://www.w3.org/2000/svg";
  let current = 0;
  let matches = null; // indices matching the search, or null

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v;
      else e.setAttribute(k, v);
    }
    for (const c of children) if (c != null) e.append(c);
    return e;
  }
  function svg(tag, attrs) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    return e;
  }
  const failed = (s) => s.outcome !== "ok" || (s.replay && s.replay.status === "diverged");
  const warned = (s) => (s.warnings || []).length > 0;

  function imageSrc(ref) {
    const block = ref && document.getElementById(ref.key);
    return block ? "data:" + ref.mime + ";base64," + block.textContent.trim() : null;
  }

  // The image the agent had in front of it at step i: its own, else the latest earlier one (an earlier
  // step's after-input screenshot counts: it is newer than that step's own image).
  function before(i) {
    if (steps[i].image) return { ref: steps[i].image, from: i };
    for (let j = i - 1; j >= 0; j--) {
      if (steps[j].after) return { ref: steps[j].after, from: j };
      if (steps[j].image) return { ref: steps[j].image, from: j };
    }
    return null;
  }
  // What the screen looked like after step i: its own after-input screenshot, else the next image.
  function after(i) {
    if (steps[i].after) return { ref: steps[i].after, from: i };
    for (let j = i + 1; j < steps.length; j++) {
      if (steps[j].image) return { ref: steps[j].image, from: j };
    }
    return null;
  }

  // ---- filmstrip ----
  const cells = steps.map((s, i) => {
    const classes = ["cell"];
    if (failed(s)) classes.push("fail");
    else if (warned(s)) classes.push("warn");
    if (s.parent != null) classes.push("nested");
    if (s.replay && s.replay.status === "diverged") classes.push("diverged");
    const thumb = s.thumb
      ? el("img", { class: "thumb", src: s.thumb, loading: "lazy", decoding: "async", alt: "" })
      : el("span", { class: "nothumb" }, s.tool.replace(/^vm_/, ""));
    const cell = el("button", { class: classes.join(" "), "data-i": String(i), title: s.tool },
      thumb, el("span", { class: "label" }, s.step + " " + s.tool.replace(/^vm_/, "")));
    cell.addEventListener("click", () => show(i));
    strip.append(cell);
    return cell;
  });

  // ---- one image with what happened on it ----
  function frame(ref, title, draw) {
    const box = el("div", { class: "shot" }, el("h2", {}, title));
    const src = ref && !ref.missing ? imageSrc(ref) : null;
    if (!src) {
      box.append(el("div", { class: "none" }, ref ? "Image dropped to stay within record.maxBytes (or never written)." : "No image."));
      return box;
    }
    const img = el("img", { src, width: String(ref.width), height: String(ref.height), decoding: "async", alt: title });
    const overlay = svg("svg", { viewBox: "0 0 " + ref.width + " " + ref.height, preserveAspectRatio: "none" });
    if (draw) draw(overlay, ref);
    box.append(el("div", { class: "frame" }, img, overlay));
    return box;
  }
  function toImage(ref, x, y) {
    const r = ref.region;
    if (!r || r[2] <= 0 || r[3] <= 0) return [x, y];
    return [(x - r[0]) * ref.width / r[2], (y - r[1]) * ref.height / r[3]];
  }
  function drawInput(s) {
    return (overlay, ref) => {
      const l = s.landed;
      if (!l) return;
      const scale = Math.max(ref.width, ref.height) / 100;
      if (l.path && l.path.length > 1) {
        const pts = l.path.map(([x, y]) => toImage(ref, x, y));
        overlay.append(svg("polyline", { class: "path", points: pts.map((p) => p.join(",")).join(" ") }));
        overlay.append(svg("circle", { class: "marker start", cx: pts[0][0], cy: pts[0][1], r: scale * 0.8 }));
      }
      const [x, y] = toImage(ref, l.x, l.y);
      const isScroll = s.tool === "vm_scroll";
      overlay.append(svg("circle", { id: "marker", class: isScroll ? "scroll" : "marker", cx: x, cy: y, r: scale * 1.2,
        "data-x": x, "data-y": y }));
      overlay.append(svg("line", { class: "cross", x1: x - scale * 2, y1: y, x2: x + scale * 2, y2: y }));
      overlay.append(svg("line", { class: "cross", x1: x, y1: y - scale * 2, x2: x, y2: y + scale * 2 }));
      if (isScroll && s.args && typeof s.args.direction === "string") {
        const d = { up: [0, -1], down: [0, 1], left: [-1, 0], right: [1, 0] }[s.args.direction] || [0, 0];
        overlay.append(svg("line", { class: "cross", x1: x, y1: y, x2: x + d[0] * scale * 5, y2: y + d[1] * scale * 5 }));
      }
    };
  }
  function drawRegions(regions, recordedWidth) {
    return (overlay, ref) => {
      const k = ref.width / (recordedWidth || ref.width);
      for (const [x, y, w, h] of regions || []) {
        overlay.append(svg("rect", { class: "region", x: x * k, y: y * k, width: w * k, height: h * k }));
      }
    };
  }

  function renderScreens(i) {
    const s = steps[i];
    screens.replaceChildren();
    const r = s.replay;
    if (r && r.image) {
      const against = r.against != null ? steps[r.against - 1] : s;
      const rec = against && (against.image || against.after);
      const which = against && against.after && !against.image ? "after input" : "image";
      screens.append(el("div", { class: "pair" },
        frame(rec, "Recorded (step " + (r.against || s.step) + ", " + which + ")", drawRegions(r.regions, rec && rec.width)),
        frame(r.image, "Replay", drawRegions(r.regions, rec && rec.width))));
    }
    const b = before(i);
    if (s.landed && b) {
      const title = b.from === i ? "Where the input landed" :
        "Where the input landed, on the screen the agent saw (step " + steps[b.from].step + ")";
      screens.append(frame(b.ref, title, drawInput(s)));
      const a = after(i);
      if (a) screens.append(frame(a.ref, a.from === i ? "After the input" : "After: step " + steps[a.from].step, null));
      return;
    }
    if (s.image) {
      screens.append(frame(s.image, "The image the model received", null));
      if (s.after) screens.append(frame(s.after, "After the input", null));
      return;
    }
    if (s.after) {
      if (b && b.from !== i) screens.append(frame(b.ref, "Before (step " + steps[b.from].step + ")", null));
      screens.append(frame(s.after, "After the input", null));
      return;
    }
    if (b && (s.kind === "look" || s.kind === "input")) {
      const why = s.kind === "look" ? "No new image in this result; the latest image (step " : "The screen before this step (step ";
      screens.append(frame(b.ref, why + steps[b.from].step + ")", null));
      return;
    }
    screens.append(el("div", { class: "shot" }, el("div", { class: "none" }, "This step has no image.")));
  }

  // ---- the step's facts ----
  function pre(text) { return el("pre", {}, text); }
  function typed(s) {
    const a = s.args || {};
    if (s.tool === "vm_type" && a.text !== undefined) {
      if (typeof a.text === "string") return ["Typed", el("span", { class: "typed" }, a.text)];
      const r = a.text;
      return ["Typed", r.chars + " characters (redacted" + (r.sha256 ? ", sha256 " + r.sha256 : "") + ")"];
    }
    if (s.tool === "vm_key" && a.keys !== undefined) {
      const keys = Array.isArray(a.keys) ? a.keys.join(" ") : String(a.keys);
      return ["Keys", el("span", { class: "typed" }, keys)];
    }
    return null;
  }
  function renderInfo(i) {
    const s = steps[i];
    info.replaceChildren();
    const ok = s.outcome === "ok";
    info.append(el("h2", {}, "Step " + s.step + " of " + steps.length + ": " + s.tool + " ",
      el("span", { class: "badge " + (ok ? "ok" : "fail") }, s.outcome)));
    const dl = el("dl");
    const row = (k, v) => { if (v != null && v !== "") dl.append(el("dt", {}, k), el("dd", {}, v)); };
    row("Time", s.ts + " (+" + (s.tMs / 1000).toFixed(1) + " s)");
    row("Latency", s.latencyMs + " ms");
    if (s.parent != null) row("In batch", "step " + (byCall.has(s.parent) ? steps[byCall.get(s.parent)].step : "?"));
    if (s.guard) row("Refused by", el("span", { class: "badge fail" }, s.guard));
    const t = typed(s);
    if (t) row(t[0], t[1]);
    if (s.landed) row("Landed at", "screen (" + Math.round(s.landed.x) + ", " + Math.round(s.landed.y) + ")" +
      (s.landed.path ? ", a path of " + s.landed.path.length + " points" : ""));
    if (s.exec) row("Exit status", String(s.exec.returnCode));
    info.append(dl);
    if (s.replay) {
      const r = s.replay;
      const cls = r.status === "match" ? "ok" : r.status === "diverged" ? "fail" : "warn";
      info.append(el("div", {}, el("span", { class: "badge " + cls }, "replay: " + r.status), " ", r.message || ""));
    }
    for (const w of s.warnings || []) info.append(el("div", { class: "note" }, "! " + w.text));
    if (s.error) {
      info.append(el("div", { class: "err" }, s.error.message));
      if (s.error.hint) info.append(el("div", { class: "err" }, "hint: " + s.error.hint));
      info.append(el("div", { class: "meta" }, "effect: " + s.error.effect));
    }
    info.append(el("h3", {}, "Arguments"), pre(JSON.stringify(s.args, null, 2)));
    if (s.exec) {
      info.append(el("h3", {}, "stdout"), pre(s.exec.stdout || "(empty)"));
      if (s.exec.stderr) info.append(el("h3", {}, "stderr"), pre(s.exec.stderr));
    } else if (s.text) {
      info.append(el("h3", {}, "Result text"), pre(s.text));
    }
  }

  function show(i) {
    if (!steps.length) return;
    current = Math.max(0, Math.min(steps.length - 1, i));
    cells.forEach((c, j) => c.classList.toggle("current", j === current));
    cells[current].scrollIntoView({ block: "nearest", inline: "center" });
    renderScreens(current);
    renderInfo(current);
    document.body.dataset.step = String(steps[current].step);
    counter.textContent = (matches ? matches.length + " matching · " : "") + "step " + steps[current].step + "/" + steps.length;
  }
  function nextWhere(pred, dir) {
    for (let k = 1; k <= steps.length; k++) {
      const j = (current + dir * k + steps.length * k) % steps.length;
      if (pred(steps[j], j)) return j;
    }
    return -1;
  }

  // ---- search ----
  const haystack = steps.map((s) => [s.step, s.tool, s.outcome, s.guard, JSON.stringify(s.args), s.text,
    s.error && s.error.message, s.exec && s.exec.stdout, s.exec && s.exec.stderr,
    (s.warnings || []).map((w) => w.text).join(" ")].filter((x) => x != null).join("\n").toLowerCase());
  function applySearch() {
    const q = search.value.trim().toLowerCase();
    matches = q ? steps.map((_, i) => i).filter((i) => haystack[i].includes(q)) : null;
    const set = new Set(matches || []);
    cells.forEach((c, i) => c.classList.toggle("dim", matches !== null && !set.has(i)));
    document.body.dataset.matches = matches ? String(matches.length) : "";
    show(current);
  }
  search.addEventListener("input", applySearch);
  search.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      const set = new Set(matches || []);
      const j = nextWhere((_, j) => set.has(j), e.shiftKey ? -1 : 1);
      if (j >= 0) show(j);
    } else if (e.key === "Escape") {
      search.blur();
    }
  });

  // ---- keys ----
  document.addEventListener("keydown", (e) => {
    if (e.target === search || e.ctrlKey || e.metaKey || e.altKey) return;
    let j = -1;
    switch (e.key) {
      case "ArrowRight": j = current + 1; break;
      case "ArrowLeft": j = current - 1; break;
      case "Home": j = 0; break;
      case "End": j = steps.length - 1; break;
      case "f": j = nextWhere(failed, 1); break;
      case "F": j = nextWhere(failed, -1); break;
      case "/": e.preventDefault(); search.focus(); return;
      default: return;
    }
    e.preventDefault();
    if (j >= 0 && j < steps.length) show(j);
  });

  // ---- replay banner ----
  const banner = document.getElementById("banner");
  if (DATA.replay) {
    banner.textContent = DATA.replay.summary;
    banner.className = DATA.replay.ok ? "ok" : "bad";
  }

  document.body.dataset.count = String(steps.length);
  document.body.dataset.failures = String(steps.filter(failed).length);
  const start = DATA.replay && DATA.replay.focus ? DATA.replay.focus - 1 : 0;
  if (steps.length) show(start);
  else info.append(el("div", { class: "none" }, "This recording has no steps yet."));
  document.body.dataset.readyMs = String(Math.round(performance.now()));
  document.body.dataset.ready = "1";
})();

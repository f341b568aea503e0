"""Python side of the screenshot benchmark (bench/screenshot.sh), and the merge into one table.

Why: the targets compare our model-ready screenshot with what Python users get today, measured in the
same run on the same busy desktop as the Rust rows (crates/computer-use/benches/screenshot.rs):

- the server's own /mcp `computer_screenshot` (FastMCP, streamable HTTP): timed, then its `computer_click`
  at the centre of ITS image, with the pointer read back by xdotool (0.3.46 maps clicks as if the screen
  were 1920x1080, so on 2880x1800 it is expected to land elsewhere);
- the Python SDK (`cua-computer`): `Computer(use_host_computer_server=True, api_host, api_port)` connects
  to an existing server without provisioning a VM; `interface.screenshot()` (the server's PNG) plus a Pillow
  resize to the size our `vm_screenshot` returns, JPEG q80 and base64 (what a model needs);
- Pillow doing our processing step on the same captured JPEG the Rust side wrote (decode → bicubic, which
  is Catmull-Rom like ours → JPEG q80), and its steps;
- our MCP server (`computer-use serve --http`), when bench/screenshot.sh found it built.

`run` writes DIR/py.tsv (same `row`/`check`/`meta` lines as the Rust side). `merge` reads both and prints
the markdown table with the verdicts.
"""

import argparse
import asyncio
import base64
import io
import logging
import math
import os
import platform
import subprocess
import sys
import time

# No telemetry from the SDK (cua-core's PostHog/OTel): the machine may be offline, and retries would
# run during the measurement. These must be set before `computer` is imported.
os.environ["DO_NOT_TRACK"] = "1"
os.environ["CUA_TELEMETRY"] = "0"

TOLERANCE_PX = 2


def stats(samples):
    s = sorted(samples)
    n = len(s)
    rank = lambda p: s[min(n, max(1, math.ceil(p * n))) - 1]
    return n, rank(0.5), rank(0.9)


def clean(text):
    return str(text).replace("\t", " ").replace("\n", " ")


class Out:
    def __init__(self):
        self.lines = []

    def row(self, key, label, samples, size="", nbytes="", note=""):
        n, med, p90 = stats(samples)
        self.lines.append(
            f"row\t{key}\t{clean(label)}\t{n}\t{med:.2f}\t{p90:.2f}\t{size}\t{nbytes}\t{clean(note)}"
        )
        print(f"  {label}: n={n} median {med:.1f} ms, p90 {p90:.1f} ms", file=sys.stderr)

    def na(self, key, label, note):
        self.lines.append(f"row\t{key}\t{clean(label)}\t0\t\t\t\t\t{clean(note)}")

    def check(self, key, label, verdict, detail):
        self.lines.append(f"check\t{key}\t{clean(label)}\t{verdict}\t{clean(detail)}")
        print(f"  {label}: {verdict}: {detail}", file=sys.stderr)

    def meta(self, key, value):
        self.lines.append(f"meta\t{key}\t{clean(value)}")


def pointer():
    out = subprocess.run(
        ["xdotool", "getmouselocation", "--shell"], capture_output=True, text=True, check=True
    ).stdout
    vals = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    return int(vals["X"]), int(vals["Y"])


def screen_size():
    out = subprocess.run(["xdotool", "getdisplaygeometry"], capture_output=True, text=True, check=True)
    w, h = out.stdout.split()
    return int(w), int(h)


def read_tsv(path):
    rows, checks, meta = {}, {}, {}
    if not os.path.exists(path):
        return rows, checks, meta
    for line in open(path, encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        if f[0] == "row" and len(f) >= 9:
            rows[f[1]] = {
                "label": f[2],
                "n": int(f[3] or 0),
                "median": float(f[4]) if f[4] else None,
                "p90": float(f[5]) if f[5] else None,
                "size": f[6],
                "bytes": f[7],
                "note": f[8],
            }
        elif f[0] == "check" and len(f) >= 5:
            checks[f[1]] = {"label": f[2], "verdict": f[3], "detail": f[4]}
        elif f[0] == "meta" and len(f) >= 3:
            meta[f[1]] = f[2]
    return rows, checks, meta


async def timed_async(runs, warmup, fn):
    for _ in range(warmup):
        await fn()
    samples, last = [], None
    for _ in range(runs):
        start = time.perf_counter()
        last = await fn()
        samples.append((time.perf_counter() - start) * 1e3)
    return samples, last


def timed(runs, fn, warmup=2):
    for _ in range(warmup):
        fn()
    samples, last = [], None
    for _ in range(runs):
        start = time.perf_counter()
        last = fn()
        samples.append((time.perf_counter() - start) * 1e3)
    return samples, last


def first_image(result):
    for item in result.content:
        if getattr(item, "type", None) == "image":
            return item
    raise RuntimeError(f"the tool returned no image: {result}")


# ---- (a) the server's own /mcp --------------------------------------------------------------------------


async def server_mcp(out, port, runs):
    from mcp import Client
    from PIL import Image

    url = f"http://127.0.0.1:{port}/mcp"
    async with Client(url) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        shot_name = "computer_screenshot" if "computer_screenshot" in tools else next(
            (n for n in tools if "screenshot" in n), None
        )
        if shot_name is None:
            raise RuntimeError(f"{url} lists no screenshot tool: {sorted(tools)}")
        click_name = "computer_click" if "computer_click" in tools else None
        out.meta("mcp_tools", f"{shot_name} {tools[shot_name].input_schema}; "
                 f"{click_name} {tools[click_name].input_schema if click_name else '-'}")

        async def shot():
            result = await client.call_tool(shot_name, {})
            if result.is_error:
                raise RuntimeError(f"{shot_name} failed: {result.content}")
            return first_image(result)

        samples, image = await timed_async(runs, 2, shot)
        raw = base64.b64decode(image.data)
        im = Image.open(io.BytesIO(raw))
        w, h = im.size
        out.row(
            "mcp_shot",
            f"Server's own /mcp `{shot_name}` (Python `mcp` client, streamable HTTP)",
            samples,
            f"{w}x{h}",
            len(raw),
            f"n={runs}: server PNG capture → Pillow Lanczos → JPEG q85 optimize",
        )
        if click_name is None:
            out.check("mcp_click", "/mcp click at the centre of its image", "n/a", "no computer_click tool")
            return
        sw, sh = screen_size()
        cx, cy = w // 2, h // 2
        result = await client.call_tool(click_name, {"x": cx, "y": cy})
        time.sleep(0.1)
        got = pointer()
        want = (sw // 2, sh // 2)
        hit = abs(got[0] - want[0]) <= TOLERANCE_PX and abs(got[1] - want[1]) <= TOLERANCE_PX
        out.check(
            "mcp_click",
            "Server's /mcp click at the centre of its image → pointer at the screen centre",
            "PASS" if hit else "MISS",
            f"image {w}x{h}, click ({cx}, {cy}); xdotool: {got}; screen centre {want} ±{TOLERANCE_PX}; "
            f"off by ({got[0] - want[0]}, {got[1] - want[1]}) px"
            + (f"; tool error: {result.content}" if result.is_error else ""),
        )


# ---- (b) the Python SDK ---------------------------------------------------------------------------------


async def python_sdk(out, port, runs, target, quality):
    from computer import Computer
    from PIL import Image

    computer = Computer(
        use_host_computer_server=True,
        os_type="linux",
        api_host="127.0.0.1",
        api_port=port,
        telemetry_enabled=False,
        verbosity=logging.WARNING,
    )
    await computer.run()
    iface = computer.interface

    async def sdk_only():
        return await iface.screenshot()

    async def sdk_model_ready():
        data = await iface.screenshot()
        im = Image.open(io.BytesIO(data))
        im = im.convert("RGB").resize(target, Image.Resampling.BICUBIC)
        buf = io.BytesIO()
        im.save(buf, format="JPEG", quality=quality)
        return base64.b64encode(buf.getvalue())

    samples, b64 = await timed_async(runs, 2, sdk_model_ready)
    out.row(
        "sdk_shot",
        f"Python SDK `screenshot()` + Pillow resize + JPEG q{quality} + base64",
        samples,
        f"{target[0]}x{target[1]}",
        len(b64) * 3 // 4,
        "SDK asks for the server's default PNG (no format option); /cmd REST",
    )
    samples, data = await timed_async(runs, 1, sdk_only)
    im = Image.open(io.BytesIO(data))
    out.row(
        "sdk_raw",
        "  Python SDK `screenshot()` alone",
        samples,
        f"{im.size[0]}x{im.size[1]}",
        len(data),
        f"{im.format}",
    )
    try:
        iface.close()
    except Exception:  # noqa: BLE001 - closing is best effort
        pass


# ---- (c) Pillow processing on the same input ------------------------------------------------------------


def pillow(out, capture, runs, target, quality):
    from PIL import Image

    def load(draft=False):
        im = Image.open(io.BytesIO(capture))
        if draft:
            im.draft("RGB", target)
        im.load()
        return im

    def encode(im):
        buf = io.BytesIO()
        im.save(buf, format="JPEG", quality=quality)
        return buf.getvalue()

    def full(draft=False):
        return encode(load(draft).resize(target, Image.Resampling.BICUBIC))

    samples, data = timed(runs, full)
    out.row("prep_pillow", f"Pillow processing alone (decode → bicubic resize → JPEG q{quality}), one thread",
            samples, f"{target[0]}x{target[1]}", len(data), "same captured JPEG as ours")
    samples, data = timed(runs, lambda: full(draft=True))
    out.row("prep_pillow_draft", "Pillow processing with `draft()` (libjpeg DCT 1/2-scale decode)",
            samples, f"{target[0]}x{target[1]}", len(data), "an optimisation a Pillow user could add")
    samples, im = timed(runs, load)
    out.row("pstep_decode", "  step: JPEG decode (Pillow, libjpeg-turbo)", samples, f"{im.size[0]}x{im.size[1]}")
    samples, im2 = timed(runs, lambda: load(draft=True))
    out.row("pstep_decode_draft", "  Pillow JPEG decode with `draft()` (DCT 1/2 scale; libjpeg-turbo)", samples,
            f"{im2.size[0]}x{im2.size[1]}", "", "a scaled decode would cut our largest step")
    samples, small = timed(runs, lambda: im.resize(target, Image.Resampling.BICUBIC))
    out.row("pstep_resize", "  step: bicubic resize (Pillow)", samples, f"{target[0]}x{target[1]}")
    samples, data = timed(runs, lambda: encode(small))
    out.row("pstep_jpeg", f"  step: JPEG q{quality} encode (Pillow, libjpeg-turbo)", samples,
            f"{target[0]}x{target[1]}", len(data))


# ---- image quality of the model images -----------------------------------------------------------------


def psnr(a, b):
    from PIL import ImageChops, ImageStat

    sq = ImageStat.Stat(ImageChops.difference(a, b)).sum2
    mse = sum(sq) / (a.size[0] * a.size[1] * len(sq))
    return 10 * math.log10(255 * 255 / max(mse, 1e-12))


def quality_scores(out, d, capture, target, quality):
    """PSNR of the model images against a lossless grab of the same (static) screen, resized by Pillow
    bicubic: the relative cost of asking the server for a lower capture quality. Run before anything clicks."""
    from PIL import Image, ImageGrab

    truth = ImageGrab.grab().convert("RGB").resize(target, Image.Resampling.BICUBIC)
    for q in (90, 80, 70):
        path = os.path.join(d, f"out_q{q}.jpg")
        if os.path.exists(path):
            im = Image.open(path).convert("RGB")
            if im.size == truth.size:
                out.meta(f"psnr_q{q}", f"{psnr(im, truth):.2f}")
    buf = io.BytesIO()
    Image.open(io.BytesIO(capture)).resize(target, Image.Resampling.BICUBIC).save(buf, format="JPEG", quality=quality)
    out.meta("psnr_pillow", f"{psnr(Image.open(buf).convert('RGB'), truth):.2f}")


# ---- the server's own steps, replayed --------------------------------------------------------------------


def server_steps(out, runs, png_runs):
    """What cua-computer-server 0.3.46 does per `screenshot` (handlers/linux.py): ImageGrab.grab(), then
    JPEG (convert RGB, optimize=True) or PNG (optimize=True), then base64. Same Pillow version, same display."""
    from PIL import Image, ImageGrab

    samples, shot = timed(runs, ImageGrab.grab)
    out.row("srv_grab", "  server step: `ImageGrab.grab()` (X11 via XCB), replayed here", samples,
            f"{shot.size[0]}x{shot.size[1]}")

    def jpeg():
        buf = io.BytesIO()
        shot.convert("RGB").save(buf, format="JPEG", quality=90, optimize=True)
        return buf.getvalue()

    samples, data = timed(runs, jpeg)
    out.row("srv_jpeg", "  server step: JPEG q90 `optimize=True` encode (incl. RGB convert)", samples,
            f"{shot.size[0]}x{shot.size[1]}", len(data))
    samples, b64 = timed(runs, lambda: base64.b64encode(data).decode())
    out.row("srv_b64", "  server step: base64 of the JPEG", samples, "", len(b64))

    def png():
        buf = io.BytesIO()
        shot.save(buf, format="PNG", optimize=True)
        return buf.getvalue()

    samples, data = timed(png_runs, png, warmup=1)
    out.row("srv_png", "  server step: PNG `optimize=True` encode (what the SDK and /mcp ask for)", samples,
            f"{shot.size[0]}x{shot.size[1]}", len(data), f"n={png_runs}: slow")


# ---- (d) our MCP server ---------------------------------------------------------------------------------


async def our_mcp(out, url, runs):
    from mcp import Client
    from PIL import Image

    async with Client(url) as client:
        names = [t.name for t in (await client.list_tools()).tools]
        if "vm_screenshot" not in names:
            raise RuntimeError(f"{url} lists no vm_screenshot: {names}")

        async def shot():
            result = await client.call_tool("vm_screenshot", {})
            if result.is_error:
                raise RuntimeError(f"vm_screenshot failed: {result.content}")
            return first_image(result)

        samples, image = await timed_async(runs, 3, shot)
        raw = base64.b64decode(image.data)
        w, h = Image.open(io.BytesIO(raw)).size
        out.row("serve_shot", "`vm_screenshot` through our MCP server (`computer-use serve --http`, Python `mcp` client)",
                samples, f"{w}x{h}", len(raw), url)


class RawMcp:
    """A minimal streamable-HTTP MCP client (stdlib http.client, one keep-alive connection): separates what
    the server takes from what the Python `mcp` SDK adds on the client side (pydantic models, anyio streams)."""

    def __init__(self, url):
        import http.client
        from urllib.parse import urlsplit

        u = urlsplit(url)
        self.path = u.path or "/"
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        self.headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
        self.next_id = 0
        init = self.request("initialize", {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "screenshot-bench", "version": "0"}})
        self.headers["MCP-Protocol-Version"] = init["result"]["protocolVersion"]
        self.post({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def post(self, message):
        import json

        self.conn.request("POST", self.path, body=json.dumps(message), headers=self.headers)
        resp = self.conn.getresponse()
        body = resp.read()
        sid = resp.getheader("mcp-session-id")
        if sid:
            self.headers["Mcp-Session-Id"] = sid
        if resp.status >= 300:
            raise RuntimeError(f"HTTP {resp.status} from {self.path}: {body[:300]!r}")
        return resp.getheader("content-type", ""), body

    def request(self, method, params):
        import json

        self.next_id += 1
        ctype, body = self.post({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        if ctype.startswith("text/event-stream"):
            for line in body.decode().splitlines():
                if line.startswith("data:") and line[5:].strip():
                    msg = json.loads(line[5:])
                    if msg.get("id") == self.next_id:
                        return msg
            raise RuntimeError(f"no response to {method} in the event stream")
        return json.loads(body)

    def call(self, tool, args):
        msg = self.request("tools/call", {"name": tool, "arguments": args})
        if "error" in msg or msg["result"].get("isError"):
            raise RuntimeError(f"{tool} failed: {str(msg)[:300]}")
        return next(c for c in msg["result"]["content"] if c["type"] == "image")


def raw_mcp_row(out, key, label, url, tool, runs, warmup=3):
    client = RawMcp(url)
    samples, image = timed(runs, lambda: client.call(tool, {}), warmup=warmup)
    from PIL import Image

    raw = base64.b64decode(image["data"])
    w, h = Image.open(io.BytesIO(raw)).size
    out.row(key, label, samples, f"{w}x{h}", len(raw), "stdlib http.client + json; no MCP SDK")


# ---- run ------------------------------------------------------------------------------------------------


def cmd_run(args):
    import PIL

    out = Out()
    rust_rows, _, rust_meta = read_tsv(os.path.join(args.dir, "rust.tsv"))
    quality = int(rust_meta.get("jpeg_quality", "80"))
    size = rust_rows.get("vm_shot_default", {}).get("size", "")
    if "x" not in size:
        sys.exit("screenshot_py.py: rust.tsv has no vm_screenshot row; run the Rust bench first")
    target = tuple(int(v) for v in size.split("x"))
    capture = open(os.path.join(args.dir, "capture.jpg"), "rb").read()

    print("  image quality (PSNR vs a lossless grab)", file=sys.stderr)
    quality_scores(out, args.dir, capture, target, quality)
    print("  (a) the server's /mcp", file=sys.stderr)
    asyncio.run(server_mcp(out, args.port, args.mcp_runs))
    print("  (b) the Python SDK", file=sys.stderr)
    asyncio.run(python_sdk(out, args.port, args.runs, target, quality))
    print("  (c) Pillow on the captured JPEG", file=sys.stderr)
    pillow(out, capture, args.runs, target, quality)
    print("  the server's steps, replayed", file=sys.stderr)
    server_steps(out, args.runs, args.mcp_runs // 3 if args.mcp_runs >= 30 else 10)
    label = "`vm_screenshot` through our MCP server (`computer-use serve --http`)"
    if args.serve_url:
        print("  (d) our MCP server", file=sys.stderr)
        try:
            asyncio.run(our_mcp(out, args.serve_url, args.runs))
            raw_mcp_row(out, "serve_shot_raw", "  the same through a minimal HTTP client (where the SDK's time goes)",
                        args.serve_url, "vm_screenshot", args.runs)
        except Exception as e:  # noqa: BLE001 - reported in the table instead
            out.na("serve_shot", label, f"n/a (failed: {e})")
    else:
        out.na("serve_shot", label, args.serve_note)

    from importlib.metadata import version

    out.meta("python", f"CPython {platform.python_version()}, Pillow {PIL.__version__}, "
             f"cua-computer {version('cua-computer')}, mcp {version('mcp')}")
    with open(os.path.join(args.dir, "py.tsv"), "w", encoding="utf-8") as f:
        f.write("\n".join(out.lines) + "\n")


# ---- merge ----------------------------------------------------------------------------------------------


# Which PSNR (meta key) belongs to which row.
PSNR_OF = {"prep_ours": "psnr_q90", "prep_q80": "psnr_q80", "prep_q70": "psnr_q70", "prep_pillow": "psnr_pillow"}


def cmd_merge(args):
    rows, checks, meta = read_tsv(os.path.join(args.dir, "rust.tsv"))
    prow, pchecks, pmeta = read_tsv(os.path.join(args.dir, "py.tsv"))
    rows.update(prow)
    checks.update(pchecks)
    meta.update(pmeta)

    def text(name):
        p = os.path.join(args.dir, name)
        return open(p, encoding="utf-8").read().strip() if os.path.exists(p) else "?"

    floor = rows.get("raw_floor", {}).get("median")
    ours = rows.get("vm_shot_default", {}).get("median")
    mcp = rows.get("mcp_shot", {}).get("median")

    def fmt(v):
        return "" if v is None else f"{v:.1f}"

    sections = [
        ("**End to end** (image in the caller's hands; ÷ floor = median ÷ the raw floor's median)", [
            "raw_floor", "vm_shot_default", "vm_shot_full", "serve_shot", "mcp_shot", "sdk_shot"]),
        (f"**Processing alone** (the same captured JPEG → the size `vm_screenshot` returns, JPEG "
         f"q{meta.get('jpeg_quality', '80')})", [
            "prep_ours", "prep_ours_1t", "step_decode", "step_resize", "step_jpeg", "step_b64",
            "prep_pillow", "prep_pillow_draft", "pstep_decode", "pstep_resize", "pstep_jpeg"]),
        ("**Where the time goes**", [
            "vm_shot_unguarded", "bare_pipeline", "our_capture", "raw_q80", "raw_q70", "prep_q80", "prep_q70",
            "step_decode_half", "pstep_decode_draft", "serve_shot_raw", "sdk_raw",
            "srv_grab", "srv_jpeg", "srv_b64", "srv_png"]),
    ]
    lines = []
    cpu = "?"
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    lines.append("# Screenshot benchmark (vm_* tools issue)")
    lines.append("")
    load_note = text("load-note")
    lines.append(
        f"Run {text('date')} on {os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}. "
        f"Load average (1/5/15 min): {text('load-before')} before, {text('load-mid')} between the Rust and "
        f"Python sides, {text('load-after')} after (the machine is shared with other engineers' builds"
        f"{'; ' + load_note if load_note and load_note != '?' else ''}). "
        f"Screen {args.screen} (Xvfb + openbox, four xterms full of text), cua-computer-server 0.3.46 on "
        f"loopback. Release build; median/p90 by nearest rank after warm-up; the Rust wire rows are "
        f"interleaved (rotating order) so load drift hits them alike. {meta.get('python', '')}."
    )
    lines.append("")
    lines.append("| What | n | median ms | p90 ms | output | bytes | ÷ floor | notes |")
    lines.append("|---|---|---|---|---|---|---|---|")
    for title, keys in sections:
        lines.append(f"| {title} | | | | | | | |")
        for key in keys:
            r = rows.get(key)
            if r is None:
                continue
            ratio = ""
            if floor and r["median"] is not None and key in (
                    "vm_shot_default", "vm_shot_full", "serve_shot", "our_capture", "mcp_shot", "sdk_shot", "sdk_raw",
                    "raw_q80", "raw_q70", "serve_shot_raw", "vm_shot_unguarded", "bare_pipeline"):
                ratio = f"{r['median'] / floor:.2f}x"
            n = r["n"] if r["n"] else ""
            score = meta.get(PSNR_OF.get(key, ""), "")
            if score:
                r["note"] = (r["note"] + "; " if r["note"] else "") + f"PSNR {score} dB vs a lossless grab"
            lines.append(f"| {r['label']} | {n} | {fmt(r['median'])} | {fmt(r['p90'])} | {r['size']} | "
                         f"{r['bytes']} | {ratio} | {r['note']} |")

    # Verdicts, as rows of the same table.
    lines.append("| **Targets and checks** | | | | | | | |")

    def verdict(label, ok, detail):
        lines.append(f"| {label} | | | | | | **{'PASS' if ok else 'MISS'}** | {detail} |")

    if floor and ours:
        ratio = ours / floor
        verdict("`vm_screenshot` (default) ≤ 1.5× the raw floor", ratio <= 1.5,
                f"{ours:.1f} ÷ {floor:.1f} = {ratio:.2f}x")
        full = rows.get("vm_shot_full", {}).get("median")
        if full:
            verdict("`vm_screenshot` (scale 1.0) ≤ 1.5× the raw floor", full / floor <= 1.5,
                    f"{full:.1f} ÷ {floor:.1f} = {full / floor:.2f}x")
        serve = rows.get("serve_shot", {}).get("median")
        if serve:
            verdict("`vm_screenshot` through our MCP server ≤ 1.5× the raw floor", serve / floor <= 1.5,
                    f"{serve:.1f} ÷ {floor:.1f} = {serve / floor:.2f}x")
    if mcp and ours:
        verdict("`vm_screenshot` (default) ≥ 10× faster than the server's /mcp", mcp / ours >= 10,
                f"{mcp:.1f} ÷ {ours:.1f} = {mcp / ours:.2f}x faster")
        serve = rows.get("serve_shot", {}).get("median")
        if serve:
            verdict("`vm_screenshot` through our MCP server ≥ 10× faster than the server's /mcp",
                    mcp / serve >= 10, f"{mcp:.1f} ÷ {serve:.1f} = {mcp / serve:.2f}x faster")
    for key in ("coords_default", "coords_full", "mcp_click"):
        c = checks.get(key)
        if c:
            expected = " (expected MISS: the server's /mcp maps clicks as if the screen were 1920x1080)" \
                if key == "mcp_click" and c["verdict"] == "MISS" else ""
            lines.append(f"| {c['label']} | | | | | | **{c['verdict']}** | {c['detail']}{expected} |")
    lines.append("")
    notes = []
    if "move_path" in meta:
        notes.append(f"Coordinate check path: {meta['move_path']}.")
    notes.append("Python SDK: `Computer(use_host_computer_server=True, api_host=\"127.0.0.1\", api_port=PORT)` "
                 "connects to the running server without provisioning a VM.")
    if "mcp_tools" in meta:
        notes.append(f"Server /mcp tools used: {meta['mcp_tools']}.")
    if "capture_quality" in meta:
        notes.append(f"Raw floor and our capture both ask the server for JPEG q{meta['capture_quality']} "
                     "(`computer_use::tools::screen::CAPTURE_QUALITY`).")
    notes.append("Produced by `bench/screenshot.sh` (Rust: `crates/computer-use/benches/screenshot.rs`, "
                 "Python: `bench/screenshot_py.py`).")
    lines.extend(f"- {n}" for n in notes)
    print("\n".join(lines))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--dir", required=True)
    r.add_argument("--port", type=int, required=True)
    r.add_argument("--runs", type=int, default=30)
    r.add_argument("--mcp-runs", type=int, default=30)
    r.add_argument("--serve-url", default="")
    r.add_argument("--serve-note", default="n/a (not built yet)")
    m = sub.add_parser("merge")
    m.add_argument("--dir", required=True)
    m.add_argument("--screen", default="?")
    args = p.parse_args()
    if args.cmd == "run":
        cmd_run(args)
    else:
        cmd_merge(args)


if __name__ == "__main__":
    main()

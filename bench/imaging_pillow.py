"""Pillow side of the screenshot pipeline benchmark (run by bench/imaging.sh).

Why: cua-computer-server itself is Python + Pillow, so Pillow doing our steps is the baseline
the Rust pipeline has to beat. `prepare DIR` turns the synthetic desktop (DIR/desktop.rgb, raw
2880x1800 RGB written by the Rust bench) into exactly what the server sends: PNG with
optimize=True and JPEG q85 optimize=True. `run DIR` times Pillow doing each step and end to end,
and writes DIR/pillow.tsv (key, median ms, p90 ms, bytes, output file, width, height); output
files let the Rust side compute PSNR for both columns the same way.
"""

import io
import math
import os
import sys
import time

import PIL
from PIL import Image, features

W, H = 2880, 1800
HALF = (1440, 900)


def budget_size(w, h, long_edge=1568, max_pixels=1_150_000):
    """Same rule as ImagePolicy::target_size with the defaults (floor, never upscale)."""
    f = min(1.0, long_edge / max(w, h), math.sqrt(max_pixels / (w * h)))
    return max(1, math.floor(w * f + 1e-6)), max(1, math.floor(h * f + 1e-6))


BUDGET = budget_size(W, H)


def stats(samples):
    samples = sorted(samples)
    n = len(samples)
    rank = lambda p: samples[min(n, max(1, math.ceil(p * n))) - 1]
    return rank(0.5), rank(0.9)


def open_loaded(data, draft=None):
    im = Image.open(io.BytesIO(data))
    if draft:
        im.draft("RGB", draft)
    im.load()
    return im


def encode(im, fmt, **kw):
    buf = io.BytesIO()
    im.save(buf, format=fmt, **kw)
    return buf.getvalue()


def prepare(d):
    raw = open(os.path.join(d, "desktop.rgb"), "rb").read()
    im = Image.frombytes("RGB", (W, H), raw)
    # What cua-computer-server 0.3.46 does (handlers/linux.py screenshot()).
    im.save(os.path.join(d, "desktop.png"), format="PNG", optimize=True)
    im.save(os.path.join(d, "desktop.jpg"), format="JPEG", quality=85, optimize=True)


def run(d, runs):
    png = open(os.path.join(d, "desktop.png"), "rb").read()
    jpg = open(os.path.join(d, "desktop.jpg"), "rb").read()
    # Inputs of the resize and encode steps, made once outside the timing.
    decoded = open_loaded(jpg)
    half = decoded.resize(HALF, Image.BICUBIC)
    small = decoded.resize(BUDGET, Image.BICUBIC)
    assert open_loaded(jpg, HALF).size == HALF, "draft did not scale by 1/2"

    def e2e(data, size, fmt="JPEG", draft=False, **kw):
        im = open_loaded(data, size if draft else None)
        if im.size != size:
            im = im.resize(size, Image.BICUBIC)
        return encode(im, fmt, **kw)

    # (key, function, extension of the output file kept for PSNR, or "rgb" for raw pixels, or None)
    cases = [
        ("decode_png", lambda: open_loaded(png), None),
        ("decode_jpeg", lambda: open_loaded(jpg), None),
        ("decode_jpeg_dct_half", lambda: open_loaded(jpg, HALF), None),
        ("decode_jpeg_dct_quarter", lambda: open_loaded(jpg, (720, 450)), None),
        ("resize_bilinear", lambda: decoded.resize(HALF, Image.BILINEAR), "rgb"),
        ("resize_catmull", lambda: decoded.resize(HALF, Image.BICUBIC), "rgb"),
        ("resize_lanczos3", lambda: decoded.resize(HALF, Image.LANCZOS), "rgb"),
        ("resize_budget", lambda: decoded.resize(BUDGET, Image.BICUBIC), None),
        ("encode_jpeg_half", lambda: encode(half, "JPEG", quality=80), None),
        ("encode_jpeg_budget", lambda: encode(small, "JPEG", quality=80), None),
        ("encode_png_budget", lambda: encode(small, "PNG", compress_level=1), None),
        ("encode_png_full", lambda: encode(decoded, "PNG", compress_level=1), None),
        ("encode_webp_budget", lambda: encode(small, "WEBP", lossless=True, method=0), None),
        ("encode_webp_full", lambda: encode(decoded, "WEBP", lossless=True, method=0), None),
        ("e2e_jpeg_half", lambda: e2e(jpg, HALF, quality=80), "jpg"),
        ("e2e_jpeg_budget", lambda: e2e(jpg, BUDGET, quality=80), "jpg"),
        ("e2e_png_half", lambda: e2e(png, HALF, quality=80), "jpg"),
        ("e2e_png_budget", lambda: e2e(png, BUDGET, quality=80), "jpg"),
        ("e2e_jpeg_budget_png", lambda: e2e(jpg, BUDGET, "PNG", compress_level=1), "png"),
        ("e2e_jpeg_budget_webp", lambda: e2e(jpg, BUDGET, "WEBP", lossless=True, method=0), "webp"),
        # Pillow's fastest path: libjpeg-turbo DCT scaling to 1/2, then resize.
        ("e2e_jpeg_half_draft", lambda: e2e(jpg, HALF, draft=True, quality=80), "jpg"),
        ("e2e_jpeg_budget_draft", lambda: e2e(jpg, BUDGET, draft=True, quality=80), "jpg"),
    ]
    for _, fn, _ in cases:
        fn()
        fn()
    # Round-robin, like the Rust side: load bursts spread over all rows.
    samples = [[] for _ in cases]
    last = [None] * len(cases)
    for _ in range(runs):
        for i, (_, fn, _) in enumerate(cases):
            start = time.perf_counter()
            last[i] = fn()
            samples[i].append((time.perf_counter() - start) * 1e3)

    with open(os.path.join(d, "pillow.tsv"), "w") as f:
        f.write(f"# Pillow {PIL.__version__} libjpeg-turbo {features.version('jpg')} "
                f"zlib {features.version('zlib')} runs {runs}\n")
        for (key, _, ext), times, out in zip(cases, samples, last):
            med, p90 = stats(times)
            nbytes, name, size = (len(out) if isinstance(out, bytes) else 0), "-", ("-", "-")
            if ext == "rgb":
                name, size = f"pillow_{key}.rgb", out.size
                open(os.path.join(d, name), "wb").write(out.tobytes())
            elif ext:
                name = f"pillow_{key}.{ext}"
                open(os.path.join(d, name), "wb").write(out)
            f.write("\t".join(str(x) for x in (key, f"{med:.3f}", f"{p90:.3f}", nbytes, name, *size)) + "\n")
            print(f"  pillow {key}: {med:.1f} ms (p90 {p90:.1f})", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("prepare", "run"):
        sys.exit("usage: imaging_pillow.py prepare|run DIR")
    if sys.argv[1] == "prepare":
        prepare(sys.argv[2])
    else:
        run(sys.argv[2], max(1, int(os.environ.get("IMAGING_BENCH_RUNS", "30"))))

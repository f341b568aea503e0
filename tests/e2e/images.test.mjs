// images.mjs's PNG decoder, on PNGs written here with each of the five row filters (PNG specification, section
// 9) so every branch of the decoder is checked against pixels known in advance. Runs without the gateway.

import assert from "node:assert/strict";
import { test } from "node:test";
import { deflateSync } from "node:zlib";
import { decodePng, imageInfo, meanColor } from "./images.mjs";

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  // The decoder does not check CRCs; a zero CRC keeps this writer short.
  return Buffer.concat([head, data, Buffer.alloc(4)]);
}

function paeth(a, b, c) {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** A PNG of `pixels` (`channels` bytes per pixel, colour type `colorType`), row y filtered with `filterOf(y)`. */
function encodePng({ width, height, colorType, channels, pixels, filterOf, depth = 8, palette }) {
  const stride = width * channels;
  const rows = [];
  for (let y = 0; y < height; y += 1) {
    const filter = filterOf(y);
    const out = Buffer.alloc(stride + 1);
    out[0] = filter;
    for (let i = 0; i < stride; i += 1) {
      const x = pixels[y * stride + i];
      const a = i >= channels ? pixels[y * stride + i - channels] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + i] : 0;
      const c = y > 0 && i >= channels ? pixels[(y - 1) * stride + i - channels] : 0;
      const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter];
      out[i + 1] = (x - predictor) & 0xff;
    }
    rows.push(out);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = depth;
  ihdr[9] = colorType;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    ...(palette ? [chunk("PLTE", palette)] : []),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** Deterministic bytes that differ from row to row and pixel to pixel (so every filter has work to do). */
function noise(length, seed) {
  const out = Buffer.alloc(length);
  let state = seed;
  for (let i = 0; i < length; i += 1) {
    state = (state * 1103515245 + 12345) >>> 0;
    out[i] = state >>> 24;
  }
  return out;
}

test("RGB and RGBA PNGs decode exactly under each of the five row filters", () => {
  const [width, height] = [13, 10];
  for (const [colorType, channels] of [[2, 3], [6, 4]]) {
    const pixels = noise(width * height * channels, colorType);
    for (let filter = 0; filter <= 4; filter += 1) {
      const png = encodePng({ width, height, colorType, channels, pixels, filterOf: () => filter });
      const decoded = decodePng(png);
      const expected = Buffer.alloc(width * height * 3);
      for (let p = 0; p < width * height; p += 1) pixels.copy(expected, p * 3, p * channels, p * channels + 3);
      assert.deepEqual([decoded.width, decoded.height], [width, height]);
      assert.ok(decoded.rgb.equals(expected), `colour type ${colorType}, filter ${filter}: pixels differ`);
    }
  }
});

test("grey, grey+alpha and palette PNGs decode to their RGB colours; rows may mix filters", () => {
  const [width, height] = [9, 7];
  const grey = noise(width * height, 7);
  const decodedGrey = decodePng(encodePng({ width, height, colorType: 0, channels: 1, pixels: grey, filterOf: (y) => y % 5 }));
  assert.deepEqual([...decodedGrey.rgb.subarray(0, 6)], [grey[0], grey[0], grey[0], grey[1], grey[1], grey[1]]);

  const greyAlpha = noise(width * height * 2, 8);
  const decodedGa = decodePng(encodePng({ width, height, colorType: 4, channels: 2, pixels: greyAlpha, filterOf: (y) => (y * 3) % 5 }));
  assert.deepEqual([...decodedGa.rgb.subarray(3, 6)], [greyAlpha[2], greyAlpha[2], greyAlpha[2]]);

  const palette = Buffer.from([10, 20, 30, 200, 100, 50]);
  const indices = Buffer.from(Array.from({ length: width * height }, (_, i) => i % 2));
  const decodedP = decodePng(encodePng({ width, height, colorType: 3, channels: 1, pixels: indices, filterOf: (y) => 4 - (y % 5), palette }));
  assert.deepEqual([...decodedP.rgb.subarray(0, 6)], [10, 20, 30, 200, 100, 50]);
});

test("meanColor averages every pixel, and a solid image is its own colour", () => {
  const [width, height] = [16, 4];
  const solid = Buffer.alloc(width * height * 3);
  for (let p = 0; p < width * height; p += 1) solid.set([0x3a, 0x7b, 0xd5], p * 3);
  assert.deepEqual(meanColor(encodePng({ width, height, colorType: 2, channels: 3, pixels: solid, filterOf: (y) => y % 5 })), [0x3a, 0x7b, 0xd5]);

  // Half black, half white: the mean is the middle grey, rounded down.
  const halves = Buffer.alloc(width * height * 3);
  halves.fill(255, 0, halves.length / 2);
  assert.deepEqual(meanColor(encodePng({ width, height, colorType: 2, channels: 3, pixels: halves, filterOf: () => 4 })), [127, 127, 127]);
});

test("what the decoder cannot read is an error naming why", () => {
  const pixels = Buffer.alloc(4 * 4 * 6);
  assert.throws(() => decodePng(encodePng({ width: 4, height: 4, colorType: 2, channels: 6, pixels, filterOf: () => 0, depth: 16 })), /bit depth 16/);
  assert.throws(() => decodePng(Buffer.from("GIF89a not a png")), /bad signature/);
  const png = encodePng({ width: 4, height: 4, colorType: 2, channels: 3, pixels: Buffer.alloc(48), filterOf: () => 0 });
  assert.equal(imageInfo(png).format, "png");
  assert.throws(() => decodePng(png.subarray(0, png.length - 20)), /cut short|unexpected end|PNG image data/);
});

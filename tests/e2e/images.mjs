// Small image checks for the E2E tests: is a tool's image real PNG/JPEG data (format and size read from its
// header, the way OpenClaw rejects undecodable payloads), and what colour is a PNG on average (decoded here with
// node:zlib). No image library and no external program is needed.

import { inflateSync } from "node:zlib";

/** `{format, width, height}` from a PNG or baseline/progressive JPEG header; throws on anything else. */
export function imageInfo(bytes) {
  const buf = Buffer.from(bytes);
  if (buf.length > 24 && buf.readUInt32BE(0) === 0x89504e47 && buf.toString("latin1", 12, 16) === "IHDR") {
    return { format: "png", width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
  }
  if (buf.length > 4 && buf[0] === 0xff && buf[1] === 0xd8) {
    let at = 2;
    while (at + 9 < buf.length) {
      if (buf[at] !== 0xff) throw new Error(`JPEG marker expected at byte ${at}`);
      const marker = buf[at + 1];
      const length = buf.readUInt16BE(at + 2);
      // SOF0..SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
      if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
        return { format: "jpeg", width: buf.readUInt16BE(at + 7), height: buf.readUInt16BE(at + 5) };
      }
      at += 2 + length;
    }
    throw new Error("JPEG without a frame header");
  }
  throw new Error(`not a PNG or JPEG (first bytes ${buf.subarray(0, 8).toString("hex")})`);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Channels per pixel by PNG colour type: grey, RGB, palette index, grey+alpha, RGBA. */
const PNG_CHANNELS = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * Decodes an 8-bit, non-interlaced PNG (what our encoder and every screenshot tool write) to
 * `{width, height, rgb}`, `rgb` holding 3 bytes per pixel. Throws on other bit depths, interlacing, or a
 * damaged file, naming what it met.
 */
export function decodePng(bytes) {
  const buf = Buffer.from(bytes);
  if (buf.length < 8 || !buf.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error("not a PNG (bad signature)");
  let at = 8;
  let header;
  let palette;
  const idat = [];
  while (at + 8 <= buf.length) {
    const length = buf.readUInt32BE(at);
    const type = buf.toString("latin1", at + 4, at + 8);
    const data = buf.subarray(at + 8, at + 8 + length);
    if (data.length !== length) throw new Error(`PNG chunk ${type} is cut short`);
    if (type === "IHDR") {
      header = {
        width: data.readUInt32BE(0),
        height: data.readUInt32BE(4),
        depth: data[8],
        colorType: data[9],
        interlace: data[12],
      };
    } else if (type === "PLTE") {
      palette = data;
    } else if (type === "IDAT") {
      idat.push(data);
    } else if (type === "IEND") {
      break;
    }
    at += 12 + length; // length, type, data, CRC
  }
  if (!header) throw new Error("PNG without IHDR");
  const { width, height, depth, colorType, interlace } = header;
  const channels = PNG_CHANNELS[colorType];
  if (depth !== 8 || channels === undefined || interlace !== 0) {
    throw new Error(`unsupported PNG: bit depth ${depth}, colour type ${colorType}, interlace ${interlace} (8-bit, non-interlaced only)`);
  }
  if (colorType === 3 && !palette) throw new Error("palette PNG without PLTE");
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (raw.length !== height * (stride + 1)) {
    throw new Error(`PNG image data is ${raw.length} bytes, expected ${height * (stride + 1)} for ${width}x${height}`);
  }
  // Undo the per-row filters (PNG specification, section 9): each row is a filter byte, then `stride` bytes.
  const pixels = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y += 1) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    const prev = row - stride;
    for (let i = 0; i < stride; i += 1) {
      const a = i >= channels ? pixels[row + i - channels] : 0;
      const b = y > 0 ? pixels[prev + i] : 0;
      const c = y > 0 && i >= channels ? pixels[prev + i - channels] : 0;
      let predictor;
      switch (filter) {
        case 0: predictor = 0; break;
        case 1: predictor = a; break;
        case 2: predictor = b; break;
        case 3: predictor = (a + b) >> 1; break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default: throw new Error(`PNG row ${y} has unknown filter type ${filter}`);
      }
      pixels[row + i] = (raw[src + i] + predictor) & 0xff;
    }
  }
  const rgb = Buffer.alloc(width * height * 3);
  for (let p = 0; p < width * height; p += 1) {
    const s = p * channels;
    let r;
    let g;
    let b;
    if (colorType === 3) {
      const index = pixels[s];
      [r, g, b] = [palette[index * 3], palette[index * 3 + 1], palette[index * 3 + 2]];
    } else if (channels <= 2) {
      r = g = b = pixels[s];
    } else {
      [r, g, b] = [pixels[s], pixels[s + 1], pixels[s + 2]];
    }
    rgb[p * 3] = r;
    rgb[p * 3 + 1] = g;
    rgb[p * 3 + 2] = b;
  }
  return { width, height, rgb };
}

/** Average colour `[r, g, b]` (0–255, rounded down) of a PNG; alpha is ignored. */
export function meanColor(bytes) {
  const { width, height, rgb } = decodePng(bytes);
  const sum = [0, 0, 0];
  for (let i = 0; i < rgb.length; i += 3) {
    sum[0] += rgb[i];
    sum[1] += rgb[i + 1];
    sum[2] += rgb[i + 2];
  }
  return sum.map((s) => Math.floor(s / (width * height)));
}

/** The bytes of an image content part as the gateway sent it to the model (data URL or inline base64). */
export function imagePartBytes(part) {
  const url = part?.image_url?.url ?? part?.image_url ?? part?.url;
  if (typeof url === "string" && url.startsWith("data:")) return Buffer.from(url.slice(url.indexOf(",") + 1), "base64");
  const data = part?.data ?? part?.source?.data ?? part?.image;
  if (typeof data === "string") return Buffer.from(data, "base64");
  throw new Error(`no image data in part ${JSON.stringify(part).slice(0, 200)}`);
}

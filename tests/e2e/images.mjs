// Small image checks for the E2E tests: is a tool's image real PNG/JPEG data (format and size read from its
// header, the way OpenClaw rejects undecodable payloads), and what colour is it on average (ImageMagick, which
// scripts/bootstrap installs with the desktop). No image library is needed in Node.

import { execFileSync } from "node:child_process";

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

/** Average colour `[r, g, b]` (0–255) of a PNG/JPEG, computed by ImageMagick's `convert`. */
export function meanColor(bytes) {
  const out = execFileSync("convert", ["-", "-resize", "1x1!", "-format", "%[fx:int(255*r)],%[fx:int(255*g)],%[fx:int(255*b)]", "info:"], {
    input: Buffer.from(bytes),
    encoding: "utf8",
  });
  return out.trim().split(",").map(Number);
}

/** The bytes of an image content part as the gateway sent it to the model (data URL or inline base64). */
export function imagePartBytes(part) {
  const url = part?.image_url?.url ?? part?.image_url ?? part?.url;
  if (typeof url === "string" && url.startsWith("data:")) return Buffer.from(url.slice(url.indexOf(",") + 1), "base64");
  const data = part?.data ?? part?.source?.data ?? part?.image;
  if (typeof data === "string") return Buffer.from(data, "base64");
  throw new Error(`no image data in part ${JSON.stringify(part).slice(0, 200)}`);
}

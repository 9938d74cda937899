import fs from "node:fs";
import path from "node:path";
import { PNG } from "pngjs";

/**
 * Draws the app icons once; appPackage/color.png and appPackage/outline.png are committed.
 * Run again after changing the glyph: `npx tsx src/tools/makeIcons.ts`.
 * The glyph is a speech bubble with lines of text: contacts logged and followed up.
 */

/** NHS blue (NHS identity guidelines). */
export const NHS_BLUE: readonly [number, number, number] = [0x00, 0x5e, 0xb8];

const inRoundedRect = (x: number, y: number, [x0, y0, x1, y1]: readonly number[], r: number): boolean => {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
};

const inTriangle = (x: number, y: number, [ax, ay, bx, by, cx, cy]: readonly number[]): boolean => {
  const side = (px: number, py: number, qx: number, qy: number) => (x - qx) * (py - qy) - (px - qx) * (y - qy);
  const d1 = side(ax, ay, bx, by);
  const d2 = side(bx, by, cx, cy);
  const d3 = side(cx, cy, ax, ay);
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
};

/** The glyph in a unit square (0..1 both ways): true where it is white. */
function inGlyph(x: number, y: number): boolean {
  const bubble = inRoundedRect(x, y, [0.06, 0.1, 0.94, 0.72], 0.16) || inTriangle(x, y, [0.2, 0.66, 0.44, 0.66, 0.14, 0.92]);
  const line = (top: number, right: number) => inRoundedRect(x, y, [0.24, top, right, top + 0.08], 0.04);
  return bubble && !(line(0.24, 0.76) || line(0.38, 0.76) || line(0.52, 0.6));
}

/** Share of a pixel the glyph covers (4x4 samples), with the glyph drawn in [from, to) pixels. */
function coverage(px: number, py: number, from: number, to: number): number {
  let hits = 0;
  for (let sy = 0; sy < 4; sy += 1) {
    for (let sx = 0; sx < 4; sx += 1) {
      const x = (px + (sx + 0.5) / 4 - from) / (to - from);
      const y = (py + (sy + 0.5) / 4 - from) / (to - from);
      if (x >= 0 && x < 1 && y >= 0 && y < 1 && inGlyph(x, y)) hits += 1;
    }
  }
  return hits / 16;
}

/** 192x192: white glyph on NHS blue, kept inside the middle of the tile as Teams asks. */
export function colorIcon(): PNG {
  const size = 192;
  const png = new PNG({ width: size, height: size });
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      const c = coverage(x, y, 40, 152);
      const i = (y * size + x) * 4;
      for (let k = 0; k < 3; k += 1) png.data[i + k] = Math.round(NHS_BLUE[k] * (1 - c) + 255 * c);
      png.data[i + 3] = 255;
    }
  }
  return png;
}

/** 32x32: the same glyph in white on a transparent background (Teams tints it). */
export function outlineIcon(): PNG {
  const size = 32;
  const png = new PNG({ width: size, height: size });
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      const i = (y * size + x) * 4;
      png.data[i] = 255;
      png.data[i + 1] = 255;
      png.data[i + 2] = 255;
      png.data[i + 3] = Math.round(255 * coverage(x, y, 2, 30));
    }
  }
  return png;
}

if (require.main === module) {
  const dir = path.resolve(__dirname, "..", "..", "appPackage");
  fs.writeFileSync(path.join(dir, "color.png"), PNG.sync.write(colorIcon()));
  fs.writeFileSync(path.join(dir, "outline.png"), PNG.sync.write(outlineIcon()));
  process.stdout.write(`Wrote ${path.join(dir, "color.png")} and outline.png\n`);
}

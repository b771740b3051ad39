/**
 * Draws the demo token types' pictures: a round badge per type, in the type's colour, with a white
 * pictogram. Shapes are tests of a point (inside or not), sampled 4 x 4 per pixel for smooth edges,
 * and written as 8-bit RGBA PNGs with node:zlib. The PNGs beside this file are its output; run
 * `node scripts/demo/images/draw.ts` after changing a picture.
 */
import { writeFile } from "node:fs/promises";
import { deflateSync } from "node:zlib";

const SIZE = 128;
const SAMPLES = 4;

type Shape = (x: number, y: number) => boolean;
type Rgb = readonly [number, number, number];

// ---------------------------------------------------------------- shapes, in a -1..1 square

const circle = (cx: number, cy: number, r: number): Shape => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const ring = (cx: number, cy: number, r: number, width: number): Shape => (x, y) => {
  const d = Math.hypot(x - cx, y - cy);
  return d <= r && d >= r - width;
};
const rect = (x0: number, y0: number, x1: number, y1: number): Shape => (x, y) => x >= x0 && x <= x1 && y >= y0 && y <= y1;
const ellipse = (cx: number, cy: number, rx: number, ry: number, angle = 0): Shape => (x, y) => {
  const [c, s] = [Math.cos(angle), Math.sin(angle)];
  const u = (x - cx) * c + (y - cy) * s;
  const v = -(x - cx) * s + (y - cy) * c;
  return (u / rx) ** 2 + (v / ry) ** 2 <= 1;
};
/** Even-odd fill of a closed polygon. */
const polygon = (points: ReadonlyArray<readonly [number, number]>): Shape => (x, y) => {
  let inside = false;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const [xi, yi] = points[i]!;
    const [xj, yj] = points[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
};
const union = (...shapes: Shape[]): Shape => (x, y) => shapes.some((s) => s(x, y));
const minus = (shape: Shape, ...holes: Shape[]): Shape => (x, y) => shape(x, y) && !holes.some((h) => h(x, y));

function star(cx: number, cy: number, outer: number, inner: number): Shape {
  const points: Array<[number, number]> = [];
  for (let i = 0; i < 10; i++) {
    const r = i % 2 === 0 ? outer : inner;
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    points.push([cx + r * Math.cos(a), cy + r * Math.sin(a)]);
  }
  return polygon(points);
}

const cup = (cx: number, cy: number): Shape =>
  union(
    minus(ellipse(cx, cy - 0.05, 0.38, 0.42), rect(-1, -1, 1, cy - 0.12)),
    ring(cx + 0.38, cy + 0.08, 0.17, 0.08),
    rect(cx - 0.48, cy + 0.37, cx + 0.48, cy + 0.43),
  );

const steam = (cx: number, top: number): Shape => (x, y) => y >= top && y <= top + 0.3 && Math.abs(x - (cx + 0.05 * Math.sin((y - top) * 20))) <= 0.035;

const heart = (cx: number, cy: number, r: number): Shape =>
  union(circle(cx - r * 0.5, cy, r * 0.55), circle(cx + r * 0.5, cy, r * 0.55), polygon([[cx - r * 1.02, cy + r * 0.15], [cx + r * 1.02, cy + r * 0.15], [cx, cy + r * 1.25]]));

const person = (cx: number, cy: number, scale: number): Shape =>
  union(circle(cx, cy - 0.22 * scale, 0.16 * scale), minus(ellipse(cx, cy + 0.25 * scale, 0.3 * scale, 0.3 * scale), rect(-1, cy + 0.25 * scale, 1, 1)));

// ---------------------------------------------------------------- the badges

const WHITE: Rgb = [255, 255, 255];

export const PICTURES: Record<string, { colour: Rgb; mark: Shape }> = {
  "gold-membership": { colour: [196, 148, 24], mark: star(0, 0.03, 0.5, 0.21) },
  "lifetime-membership": { colour: [91, 42, 134], mark: union(ring(-0.24, 0, 0.27, 0.1), ring(0.24, 0, 0.27, 0.1)) },
  "journey-stamp": {
    colour: [15, 107, 79],
    mark: minus(ellipse(0, 0, 0.3, 0.45, 0.5), (x, y) => {
      // The bean's crease: a thin S across its long axis.
      const [c, s] = [Math.cos(0.5), Math.sin(0.5)];
      const u = x * c + y * s;
      const v = -x * s + y * c;
      return Math.abs(u - 0.08 * Math.sin(v * 7)) <= 0.035;
    }),
  },
  "coffee-voucher": { colour: [111, 78, 55], mark: union(cup(-0.06, 0.12), steam(-0.2, -0.5), steam(0.05, -0.55)) },
  "founder-badge": {
    colour: [31, 58, 95],
    mark: union(polygon([[-0.45, 0.3], [-0.45, -0.25], [-0.22, 0.02], [0, -0.35], [0.22, 0.02], [0.45, -0.25], [0.45, 0.3]]), rect(-0.45, 0.36, 0.45, 0.45)),
  },
  "coffee-101-stamp": {
    colour: [19, 122, 127],
    mark: union(polygon([[-0.5, -0.3], [-0.04, -0.2], [-0.04, 0.42], [-0.5, 0.32]]), polygon([[0.04, -0.2], [0.5, -0.3], [0.5, 0.32], [0.04, 0.42]])),
  },
  "store-visit-stamp": {
    colour: [181, 69, 43],
    mark: minus(union(polygon([[-0.52, -0.05], [0, -0.48], [0.52, -0.05]]), rect(-0.38, -0.06, 0.38, 0.42)), rect(-0.1, 0.12, 0.1, 0.43)),
  },
  "latte-lover-stamp": { colour: [169, 116, 79], mark: union(minus(cup(-0.06, 0.12), heart(-0.06, 0.1, 0.11)), steam(-0.06, -0.55)) },
  "friend-stamp": { colour: [42, 111, 176], mark: union(person(-0.22, 0.05, 1), person(0.24, 0.1, 0.85)) },
};

/** The RGBA pixels of a badge: a disc in `colour` with a thin white ring and the white mark. */
function render(colour: Rgb, mark: Shape): Uint8Array {
  const disc = circle(0, 0, 0.96);
  const edge = ring(0, 0, 0.86, 0.04);
  const pixels = new Uint8Array(SIZE * SIZE * 4);
  for (let py = 0; py < SIZE; py++) {
    for (let px = 0; px < SIZE; px++) {
      let [r, g, b, a] = [0, 0, 0, 0];
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const x = ((px + (sx + 0.5) / SAMPLES) / SIZE) * 2 - 1;
          const y = ((py + (sy + 0.5) / SAMPLES) / SIZE) * 2 - 1;
          if (!disc(x, y)) continue;
          const [cr, cg, cb] = edge(x, y) || mark(x, y) ? WHITE : colour;
          r += cr;
          g += cg;
          b += cb;
          a += 1;
        }
      }
      const i = (py * SIZE + px) * 4;
      // Colour averaged over the covered samples; alpha is the coverage.
      if (a > 0) pixels.set([Math.round(r / a), Math.round(g / a), Math.round(b / a), Math.round((a / SAMPLES ** 2) * 255)], i);
    }
  }
  return pixels;
}

// ---------------------------------------------------------------- PNG

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

/** An 8-bit RGBA PNG of `size` x `size` pixels. */
export function encodePng(pixels: Uint8Array, size = SIZE): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // depth 8, RGBA, deflate, no filter method variants, no interlace
  // Each row starts with its filter type: 0, none.
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rows.set(pixels.subarray(y * size * 4, (y + 1) * size * 4), y * (size * 4 + 1) + 1);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", header), chunk("IDAT", deflateSync(rows, { level: 9 })), chunk("IEND", new Uint8Array())]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [name, { colour, mark }] of Object.entries(PICTURES)) {
    const png = encodePng(render(colour, mark));
    await writeFile(new URL(`./${name}.png`, import.meta.url), png);
    console.log(`${name}.png ${png.length} bytes`);
  }
}

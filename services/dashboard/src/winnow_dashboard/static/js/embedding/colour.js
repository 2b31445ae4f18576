// Colouring the scatter: by a tag's bitmask (members emphasised) or by a custom-metadata field
// (numbers on a colour ramp, strings as categories); tag bitmasks built from a selection.
import { FADED, POINT, rgba } from "./scatter.js";

// Categorical colours; css/embedding.css has the matching legend swatches .emb-sw0 ... .emb-sw9.
export const CATEGORY_RGB = [
  [31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189],
  [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207],
];
const OTHER = rgba(200, 200, 200);
// Ramp stops (viridis-like), low -> high.
const RAMP = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];

/** Is bit `i` of a "0x..." hex bitmask set? Returns a tester over the parsed nibbles. */
export function bitTester(hex) {
  const digits = hex.replace(/^0x/i, "");
  const n = digits.length;
  const nibbles = new Uint8Array(n);
  for (let k = 0; k < n; k++) nibbles[k] = parseInt(digits[n - 1 - k], 16);
  return (i) => (i >> 2) < n && ((nibbles[i >> 2] >> (i & 3)) & 1) === 1;
}

/** The "0x..." bitmask (bit i = sample idx i, least significant first) of sample indices. */
export function bitmaskOf(indices) {
  if (!indices.length) return "0x0";
  const max = Math.max(...indices);
  const nibbles = new Uint8Array((max >> 2) + 1);
  for (const i of indices) nibbles[i >> 2] |= 1 << (i & 3);
  let out = "";
  for (let k = nibbles.length - 1; k >= 0; k--) out += nibbles[k].toString(16);
  return "0x" + (out.replace(/^0+/, "") || "0");
}

/** Colours for the members of a tag: members in the base colour on top, others faded. */
export function byTag(idx, bitmask) {
  const has = bitTester(bitmask);
  const colours = new Uint32Array(idx.length);
  const layer = new Uint8Array(idx.length);
  let members = 0;
  for (let i = 0; i < idx.length; i++) {
    if (has(idx[i])) { colours[i] = POINT; layer[i] = 1; members++; } else colours[i] = FADED;
  }
  return { colours, layer, members };
}

function ramp(t) {
  const x = Math.min(Math.max(t, 0), 1) * (RAMP.length - 1);
  const k = Math.min(Math.floor(x), RAMP.length - 2), f = x - k;
  const [a, b] = [RAMP[k], RAMP[k + 1]];
  return a.map((v, j) => Math.round(v + (b[j] - v) * f));
}

/** Colours by one metadata value per point (undefined: no value). Numbers -> ramp between
 * the min and max; anything else -> the 9 most frequent categories and "other". */
export function byValues(values) {
  const colours = new Uint32Array(values.length).fill(OTHER);
  const layer = new Uint8Array(values.length);
  const numeric = values.every((v) => v === undefined || typeof v === "number");
  if (numeric) {
    const nums = values.filter((v) => v !== undefined);
    const lo = Math.min(...nums), hi = Math.max(...nums);
    values.forEach((v, i) => {
      if (v === undefined) return;
      const [r, g, b] = ramp(hi > lo ? (v - lo) / (hi - lo) : 0.5);
      colours[i] = rgba(r, g, b);
      layer[i] = 1;
    });
    return { colours, layer, legend: { kind: "ramp", lo, hi, stops: RAMP } };
  }
  const counts = new Map();
  for (const v of values) if (v !== undefined) counts.set(String(v), (counts.get(String(v)) || 0) + 1);
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 9).map(([k]) => k);
  values.forEach((v, i) => {
    const k = top.indexOf(String(v));
    if (v === undefined || k < 0) return;
    colours[i] = rgba(...CATEGORY_RGB[k]);
    layer[i] = 1;
  });
  const other = counts.size > top.length;
  return { colours, layer, legend: { kind: "categories", names: top, other } };
}

/** Scalar leaves of a custom-metadata object by dotted path ({a: {b: 1}} -> {"a.b": 1}). */
export function flatten(obj, prefix = "", out = {}) {
  for (const [key, value] of Object.entries(obj || {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === "object" && !Array.isArray(value)) flatten(value, path, out);
    else if (["number", "string", "boolean"].includes(typeof value)) out[path] = value;
  }
  return out;
}

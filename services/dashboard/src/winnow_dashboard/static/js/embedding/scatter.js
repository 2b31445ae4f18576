// A canvas scatter for many points (100k+): positions in Float32Arrays, one colour per point
// (packed RGBA), drawn as pixel stamps into one ImageData (no path per point, no DOM node per
// point); pan, zoom and a lasso whose point-in-polygon test runs once, when the lasso closes.

/** A packed pixel for a Uint32Array view of ImageData (little-endian: ABGR in memory). */
export function rgba(r, g, b, a = 255) {
  return ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

export const BACKGROUND = rgba(255, 255, 255);
export const POINT = rgba(11, 92, 173, 200);
export const FADED = rgba(190, 198, 208);
export const SELECTED = rgba(230, 81, 0);

const MARGIN = 24; // CSS px kept free around the data when fitting the view

function stampOffsets(radius) {
  const out = [];
  for (let dy = -radius; dy <= radius; dy++) {
    for (let dx = -radius; dx <= radius; dx++) {
      if (dx * dx + dy * dy <= radius * radius + radius) out.push([dx, dy]);
    }
  }
  return out;
}

export class Scatter {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.n = 0;
    this.xs = new Float32Array(0);
    this.ys = new Float32Array(0);
    this.colours = new Uint32Array(0);
    this.layer = new Uint8Array(0); // 0: drawn first, 1: emphasised (drawn on top)
    this.selected = new Uint8Array(0);
    this.selectedCount = 0;
    this.view = { scale: 1, tx: 0, ty: 0 };
    this.lasso = [];
    this.lastDrawMs = 0;
    this.lastSelectMs = 0;
  }

  /** New points (Float32Arrays of equal length); colours reset, view fitted. */
  setData(xs, ys) {
    this.n = xs.length;
    this.xs = xs;
    this.ys = ys;
    this.colours = new Uint32Array(this.n).fill(POINT);
    this.layer = new Uint8Array(this.n);
    this.selected = new Uint8Array(this.n);
    this.selectedCount = 0;
    this.lasso = [];
    this.fit();
  }

  /** Per-point colours and emphasis (points with layer 1 are drawn over the others). */
  setColours(colours, layer) {
    this.colours = colours;
    this.layer = layer || new Uint8Array(this.n);
  }

  cssSize() {
    return { w: this.canvas.clientWidth || 300, h: this.canvas.clientHeight || 300 };
  }

  /** Scale and centre the view on the data's bounding box. */
  fit() {
    const { w, h } = this.cssSize();
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (let i = 0; i < this.n; i++) {
      const x = this.xs[i], y = this.ys[i];
      if (x < x0) x0 = x; if (x > x1) x1 = x;
      if (y < y0) y0 = y; if (y > y1) y1 = y;
    }
    if (!this.n) { x0 = y0 = -1; x1 = y1 = 1; }
    const dx = Math.max(x1 - x0, 1e-9), dy = Math.max(y1 - y0, 1e-9);
    const scale = Math.min((w - 2 * MARGIN) / dx, (h - 2 * MARGIN) / dy);
    this.view = { scale, tx: w / 2 - ((x0 + x1) / 2) * scale, ty: h / 2 + ((y0 + y1) / 2) * scale };
  }

  /** Zoom by `factor` keeping the CSS pixel (cx, cy) fixed (the canvas centre by default). */
  zoom(factor, cx, cy) {
    const { w, h } = this.cssSize();
    const x = cx === undefined ? w / 2 : cx, y = cy === undefined ? h / 2 : cy;
    const v = this.view;
    const scale = Math.min(Math.max(v.scale * factor, 1e-6), 1e9);
    const f = scale / v.scale;
    this.view = { scale, tx: x - (x - v.tx) * f, ty: y - (y - v.ty) * f };
  }

  pan(dx, dy) {
    this.view.tx += dx;
    this.view.ty += dy;
  }

  /** CSS pixel -> data coordinates. */
  toData(px, py) {
    const v = this.view;
    return [(px - v.tx) / v.scale, -(py - v.ty) / v.scale];
  }

  /** Match the backing store to the element's size and the device pixel ratio. */
  resize() {
    const dpr = window.devicePixelRatio || 1;
    const { w, h } = this.cssSize();
    const W = Math.max(1, Math.round(w * dpr)), H = Math.max(1, Math.round(h * dpr));
    if (this.canvas.width !== W || this.canvas.height !== H) {
      this.canvas.width = W;
      this.canvas.height = H;
    }
  }

  /** Redraw everything; the time it took is `lastDrawMs`. */
  draw() {
    const t0 = performance.now();
    this.resize();
    const W = this.canvas.width, H = this.canvas.height;
    if (!this.image || this.image.width !== W || this.image.height !== H) {
      this.image = this.ctx.createImageData(W, H);
      this.pixels = new Uint32Array(this.image.data.buffer);
    }
    const pixels = this.pixels;
    pixels.fill(BACKGROUND);
    const dpr = W / (this.cssSize().w || 1);
    const radius = Math.round((this.n <= 2000 ? 4 : this.n <= 20000 ? 2 : 1) * Math.max(1, dpr));
    const offsets = stampOffsets(radius);
    const s = this.view.scale * dpr, tx = this.view.tx * dpr, ty = this.view.ty * dpr;
    const { xs, ys, colours, layer, selected } = this;
    for (let pass = 0; pass < 3; pass++) {
      for (let i = 0; i < this.n; i++) {
        const level = selected[i] ? 2 : layer[i];
        if (level !== pass) continue;
        const px = (xs[i] * s + tx) | 0, py = (ty - ys[i] * s) | 0;
        if (px < -radius || py < -radius || px >= W + radius || py >= H + radius) continue;
        const colour = pass === 2 ? SELECTED : colours[i];
        const inside = px >= radius && py >= radius && px < W - radius && py < H - radius;
        for (let k = 0; k < offsets.length; k++) {
          const x = px + offsets[k][0], y = py + offsets[k][1];
          if (!inside && (x < 0 || y < 0 || x >= W || y >= H)) continue;
          pixels[y * W + x] = colour;
        }
      }
    }
    this.ctx.putImageData(this.image, 0, 0);
    this.drawLasso(dpr);
    this.lastDrawMs = performance.now() - t0;
    return this.lastDrawMs;
  }

  drawLasso(dpr) {
    if (this.lasso.length < 2) return;
    const ctx = this.ctx;
    ctx.save();
    ctx.scale(dpr, dpr);
    ctx.beginPath();
    ctx.moveTo(this.lasso[0][0], this.lasso[0][1]);
    for (const [x, y] of this.lasso.slice(1)) ctx.lineTo(x, y);
    ctx.closePath();
    ctx.fillStyle = "rgba(230, 81, 0, 0.08)";
    ctx.fill();
    ctx.setLineDash([5, 4]);
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = "#b33c00";
    ctx.stroke();
    ctx.restore();
  }

  /** Select the points inside a polygon given in CSS pixels (replacing the selection);
   * returns how many; the time it took is `lastSelectMs`. */
  selectPolygon(polygon) {
    const t0 = performance.now();
    const poly = polygon.map(([x, y]) => this.toData(x, y));
    const m = poly.length;
    const px = new Float64Array(m), py = new Float64Array(m);
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    poly.forEach(([x, y], k) => {
      px[k] = x; py[k] = y;
      if (x < x0) x0 = x; if (x > x1) x1 = x;
      if (y < y0) y0 = y; if (y > y1) y1 = y;
    });
    const selected = new Uint8Array(this.n);
    let count = 0;
    if (m >= 3) {
      for (let i = 0; i < this.n; i++) {
        const x = this.xs[i], y = this.ys[i];
        if (x < x0 || x > x1 || y < y0 || y > y1) continue;
        let inside = false;
        for (let a = 0, b = m - 1; a < m; b = a++) {
          if ((py[a] > y) !== (py[b] > y) &&
              x < ((px[b] - px[a]) * (y - py[a])) / (py[b] - py[a]) + px[a]) inside = !inside;
        }
        if (inside) { selected[i] = 1; count++; }
      }
    }
    this.selected = selected;
    this.selectedCount = count;
    this.lastSelectMs = performance.now() - t0;
    return count;
  }

  clearSelection() {
    this.selected = new Uint8Array(this.n);
    this.selectedCount = 0;
    this.lasso = [];
  }

  /** Positions (into the data arrays) of the selected points. */
  selectedPositions() {
    const out = [];
    for (let i = 0; i < this.n; i++) if (this.selected[i]) out.push(i);
    return out;
  }
}

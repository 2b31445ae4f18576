// One metadata histogram: bars on a canvas with axis labels, and the same numbers as text
// (a summary sentence and a table of bins) for readers that cannot see the canvas.
import { h } from "../dom.js";

const HEIGHT = 180;
const PAD = { left: 44, right: 12, top: 12, bottom: 42 };

/** "1.23k", "0.0123", "42" — short, for axis labels and bin ranges. */
export function fmtNumber(x) {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1e6) return `${(x / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`;
  if (a >= 1e4) return `${(x / 1e3).toFixed(a >= 1e5 ? 0 : 1)}k`;
  if (a >= 1000) return String(Math.round(x));
  if (a >= 100 || x === Math.round(x)) return String(Math.round(x * 10) / 10);
  return x.toPrecision(3);
}

/** A sentence describing the histogram: sample count, range, the fullest bin. */
export function summary(hist) {
  const total = hist.counts.reduce((a, b) => a + b, 0);
  const lo = hist.edges[0];
  const hi = hist.edges[hist.edges.length - 1];
  if (total === 0) return `${hist.name}: no sample has a value.`;
  const missingNote = hist.nMissing ? `; ${hist.nMissing} without a value` : "";
  if (lo === hi) return `${hist.name}: all ${total} samples are ${fmtNumber(lo)}${missingNote}.`;
  let top = 0;
  hist.counts.forEach((c, i) => { if (c > hist.counts[top]) top = i; });
  return `${hist.name}: ${total} samples from ${fmtNumber(lo)} to ${fmtNumber(hi)}; ` +
    `most (${hist.counts[top]}) between ${fmtNumber(hist.edges[top])} and ` +
    `${fmtNumber(hist.edges[top + 1])}${missingNote}.`;
}

function draw(canvas, hist) {
  const cssWidth = Math.max(240, canvas.parentElement ? canvas.parentElement.clientWidth - 2 : 320);
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(cssWidth * ratio);
  canvas.height = Math.round(HEIGHT * ratio);
  canvas.classList.add("hist-canvas");
  const ctx = canvas.getContext("2d");
  ctx.scale(ratio, ratio);
  ctx.clearRect(0, 0, cssWidth, HEIGHT);
  const plotW = cssWidth - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const max = Math.max(1, ...hist.counts);
  const n = hist.counts.length;
  const barW = plotW / Math.max(1, n);
  ctx.fillStyle = "#0b5cad";
  hist.counts.forEach((c, i) => {
    const barH = (c / max) * plotH;
    ctx.fillRect(PAD.left + i * barW + 1, PAD.top + plotH - barH, Math.max(1, barW - 2), barH);
  });
  // Axes.
  ctx.strokeStyle = "#59636e";
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(PAD.left, PAD.top);
  ctx.lineTo(PAD.left, PAD.top + plotH);
  ctx.lineTo(PAD.left + plotW, PAD.top + plotH);
  ctx.stroke();
  ctx.fillStyle = "#1b1f24";
  ctx.font = "11px system-ui, sans-serif";
  // y: 0 and the highest count.
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  ctx.fillText("0", PAD.left - 4, PAD.top + plotH);
  ctx.fillText(String(max), PAD.left - 4, PAD.top);
  // x: first, middle and last edge.
  ctx.textBaseline = "top";
  const edges = hist.edges;
  const ticks = edges[0] === edges[n] ? [[n / 2, "center", 0]]
    : [[0, "left", 0], [n, "right", n]].concat(n >= 2 ? [[Math.floor(n / 2), "center"]] : []);
  for (const [at, align, edge] of ticks) {
    ctx.textAlign = align;
    ctx.fillText(fmtNumber(edges[edge ?? at]), PAD.left + at * barW, PAD.top + plotH + 4);
  }
  // Axis titles.
  ctx.textAlign = "center";
  ctx.fillText(hist.name, PAD.left + plotW / 2, PAD.top + plotH + 22);
  ctx.save();
  ctx.translate(12, PAD.top + plotH / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = "middle";
  ctx.fillText("samples", 0, 0);
  ctx.restore();
}

function binTable(hist) {
  return h("details", {},
    h("summary", {}, "Bins as a table"),
    h("div", { class: "table-wrap" },
      h("table", { class: "hist-table" },
        h("thead", {}, h("tr", {},
          h("th", { scope: "col" }, "From"), h("th", { scope: "col" }, "To"),
          h("th", { scope: "col" }, "Samples"))),
        h("tbody", {}, hist.counts.map((c, i) => h("tr", {},
          h("td", {}, fmtNumber(hist.edges[i])), h("td", {}, fmtNumber(hist.edges[i + 1])),
          h("td", {}, String(c))))))));
}

/** A figure with the histogram drawn on a canvas once it is in the document; returns
 * {figure, draw} so the page can redraw on resize. */
export function histogramFigure(hist) {
  const text = summary(hist);
  const canvas = h("canvas", { role: "img", "aria-label": text, "data-hist": hist.name });
  const figure = h("figure", { class: "card hist" },
    h("figcaption", {}, h("strong", {}, hist.name)),
    h("div", { class: "hist-plot" }, canvas),
    h("p", { class: "muted hist-summary" }, text),
    binTable(hist));
  return { figure, draw: () => draw(canvas, hist) };
}

// Embedding view: the 2-D projection of a dataset's embedding as a canvas scatter; pan, zoom,
// colour by tag or custom metadata, lasso a region and save it as a tag.
import { api, apiAll, ApiError } from "../api.js";
import { errorBox, h, mount } from "../dom.js";
import { bitmaskOf, byTag, byValues, flatten } from "../embedding/colour.js";
import { attach, frameScheduler } from "../embedding/interact.js";
import { POINT, Scatter } from "../embedding/scatter.js";

const POLL_MS = 1000;
const METADATA_LIMIT = 20000; // above this many samples, metadata colouring is not offered

let current = null; // the live view, for tests (loadSynthetic) and cleanup

function ensureStylesheet() {
  if (document.querySelector("link[data-emb]")) return;
  document.head.append(h("link", { rel: "stylesheet", href: "/dashboard/static/css/embedding.css", "data-emb": "1" }));
}

function legendFor(mode) {
  if (!mode) return [];
  if (mode.kind === "tag") {
    return [
      h("span", {}, h("span", { class: "emb-sw emb-sw-point", "aria-hidden": "true" }), `in ${mode.name} (${mode.members})`),
      h("span", {}, h("span", { class: "emb-sw emb-sw-faded", "aria-hidden": "true" }), "not in the tag"),
    ];
  }
  const legend = mode.legend;
  if (legend.kind === "ramp") {
    const canvas = h("canvas", { class: "emb-ramp", width: 120, height: 12, "aria-hidden": "true" });
    const ctx = canvas.getContext("2d");
    const gradient = ctx.createLinearGradient(0, 0, 120, 0);
    legend.stops.forEach(([r, g, b], k) => gradient.addColorStop(k / (legend.stops.length - 1), `rgb(${r},${g},${b})`));
    ctx.fillStyle = gradient;
    ctx.fillRect(0, 0, 120, 12);
    return [h("span", {}, `${mode.name}: ${legend.lo}`, canvas, String(legend.hi))];
  }
  const items = legend.names.map((name, k) => h("span", {}, h("span", { class: `emb-sw emb-sw${k}`, "aria-hidden": "true" }), name));
  if (legend.other) items.push(h("span", {}, h("span", { class: "emb-sw emb-sw-other", "aria-hidden": "true" }), "other / none"));
  return [h("span", { class: "muted" }, `${mode.name}:`), ...items];
}

class View {
  constructor(main, datasetId) {
    this.datasetId = datasetId;
    this.timer = null;
    this.tags = [];
    this.meta = null; // {fields: [path], bySample: Map(sampleId -> flat object)}
    this.data = null; // {sampleIds, fileNames, idx}
    this.status = h("p", { class: "emb-status", role: "status" });
    this.canvas = h("canvas", {
      class: "emb-canvas", tabindex: "0", role: "img",
      "aria-label": "Scatter of the embedding's 2-D projection. Drag to pan (or to draw a lasso in lasso mode), wheel or + and - to zoom, arrow keys to pan, 0 to reset, Escape to clear the selection.",
    });
    this.scatter = new Scatter(this.canvas);
    this.redraw = frameScheduler(() => this.scatter.draw());
    this.mode = "pan";
    this.detach = attach(this.scatter, {
      mode: () => this.mode,
      onSelect: (count) => this.showSelection(count),
      redraw: this.redraw,
    });
    this.build(main);
    this.onResize = () => this.redraw();
    window.addEventListener("resize", this.onResize);
  }

  build(main) {
    const id = (s) => `emb-${s}`;
    this.embeddingSelect = h("select", { id: id("embedding"), onchange: () => this.load() });
    this.colourSelect = h("select", { id: id("colour"), onchange: () => this.recolour() });
    this.computeButton = h("button", { type: "button", hidden: true, onclick: () => this.compute() }, "Compute 2-D projection");
    this.legend = h("div", { class: "emb-legend", "aria-live": "polite" });
    this.count = h("span", { class: "emb-count", role: "status" }, "No points selected");
    this.tagName = h("input", { id: id("tagname"), type: "text", maxlength: "80", autocomplete: "off" });
    this.saveButton = h("button", { type: "button", disabled: true, onclick: () => this.saveTag() }, "Save as tag");
    this.clearButton = h("button", { type: "button", class: "secondary", disabled: true, onclick: () => { this.scatter.clearSelection(); this.showSelection(0); this.redraw(); } }, "Clear selection");
    this.saveMessage = h("p", { role: "status" });
    const radio = (value, label) => h("label", {}, h("input", {
      type: "radio", name: "emb-mode", value, checked: value === "pan",
      onchange: () => { this.mode = value; this.canvas.classList.toggle("lasso", value === "lasso"); },
    }), label);
    const button = (label, aria, fn) => h("button", { type: "button", class: "secondary", "aria-label": aria, onclick: () => { fn(); this.redraw(); } }, label);
    mount(main,
      h("p", {}, h("a", { href: `#/datasets/${this.datasetId}` }, "← Dataset")),
      h("h1", {}, "Embedding view"),
      h("div", { class: "card" },
        h("div", { class: "emb-controls" },
          h("div", {}, h("label", { for: id("embedding") }, "Embedding"), this.embeddingSelect),
          h("div", {}, h("label", { for: id("colour") }, "Colour by"), this.colourSelect),
          h("div", {}, this.computeButton)),
        this.status,
        h("div", { class: "emb-toolbar" },
          h("fieldset", {}, h("legend", {}, "Drag to"), radio("pan", "Pan"), radio("lasso", "Lasso select")),
          button("+", "Zoom in", () => this.scatter.zoom(1.25)),
          button("−", "Zoom out", () => this.scatter.zoom(1 / 1.25)),
          button("Reset view", "Reset view", () => this.scatter.fit())),
        h("div", { class: "emb-canvas-wrap" }, this.canvas),
        this.legend),
      h("section", { class: "card emb-selection-card", "aria-labelledby": id("selection-h") },
        h("h2", { id: id("selection-h") }, "Selection"),
        h("div", { class: "emb-selection" },
          this.count,
          h("label", { for: id("tagname") }, "Tag name"), this.tagName,
          this.saveButton, this.clearButton),
        this.saveMessage));
    this.fillColourOptions();
  }

  async start() {
    const [embeddings, dataset] = await Promise.all([
      api(`/v1/datasets/${this.datasetId}/embeddings`),
      api(`/v1/datasets/${this.datasetId}`),
    ]);
    this.dataset = dataset;
    if (!embeddings.length) {
      this.status.textContent = "This dataset has no embeddings yet: upload an embeddings CSV or run a worker on it.";
      this.embeddingSelect.disabled = true;
      return;
    }
    mount(this.embeddingSelect, embeddings.map((e) => h("option", { value: e.id }, e.name)));
    await this.loadTags();
    await this.load();
  }

  async loadTags() {
    this.tags = await api(`/v1/datasets/${this.datasetId}/tags`);
    this.fillColourOptions();
  }

  fillColourOptions() {
    const chosen = this.colourSelect.value;
    const tagOptions = this.tags.map((t) => h("option", { value: `tag:${t.id}` }, t.name));
    const metaOptions = ((this.meta && this.meta.fields) || []).map((f) => h("option", { value: `meta:${f}` }, f));
    mount(this.colourSelect,
      h("option", { value: "" }, "Nothing (one colour)"),
      tagOptions.length ? h("optgroup", { label: "Tag" }, tagOptions) : null,
      metaOptions.length ? h("optgroup", { label: "Custom metadata" }, metaOptions) : null);
    if ([...this.colourSelect.options].some((o) => o.value === chosen)) this.colourSelect.value = chosen;
  }

  stopPolling() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Fetch the chosen embedding's projection; 404: not computed, 409: a job is computing it. */
  async load() {
    this.stopPolling();
    const embeddingId = this.embeddingSelect.value;
    try {
      const p = await api(`/dashboard/api/datasets/${this.datasetId}/embeddings/${embeddingId}/projection`);
      if (embeddingId !== this.embeddingSelect.value) return;
      this.computeButton.hidden = true;
      this.show(p);
    } catch (error) {
      if (!(error instanceof ApiError) || ![404, 409].includes(error.status)) throw error;
      if (error.status === 409) {
        this.status.textContent = `Computing the 2-D projection… (${error.message.replace(/^.*\(job \w+ is (\w+)\)$/, "$1")})`;
        if (!this.closed) this.timer = setTimeout(() => this.load().catch((e) => this.fail(e)), POLL_MS);
        return;
      }
      this.computeButton.hidden = false;
      this.status.textContent = this.triggered === embeddingId
        ? `The projection job did not finish: ${error.message}`
        : "This embedding has no 2-D projection yet.";
    }
  }

  async compute() {
    const embeddingId = this.embeddingSelect.value;
    this.computeButton.hidden = true;
    this.triggered = embeddingId;
    await api(`/v1/datasets/${this.datasetId}/embeddings/${embeddingId}/trigger2dEmbeddingsJob`, {
      method: "POST", body: { dimensionalityReductionMethod: "PCA" },
    }).catch((e) => this.fail(e));
    this.status.textContent = "Computing the 2-D projection…";
    await this.load().catch((e) => this.fail(e));
  }

  fail(error) {
    this.status.textContent = `Error${error.status ? ` (${error.status})` : ""}: ${error.message || error}`;
  }

  show(p) {
    this.data = { sampleIds: p.sampleIds, fileNames: p.fileNames, idx: Int32Array.from(p.idx) };
    this.scatter.setData(Float32Array.from(p.x), Float32Array.from(p.y));
    this.status.textContent = `${p.x.length} points (${p.method} projection).`;
    this.showSelection(0);
    this.recolour();
    this.loadMetadata().catch(() => null);
  }

  async loadMetadata() {
    if (this.meta || !this.dataset || this.dataset.nSamples > METADATA_LIMIT) return;
    const samples = await apiAll(`/v1/datasets/${this.datasetId}/samples/partial`, { mode: "full" });
    const bySample = new Map();
    const fields = new Set();
    for (const s of samples) {
      const flat = flatten(s.customMetaData);
      Object.keys(flat).forEach((k) => fields.add(k));
      bySample.set(s.id, flat);
    }
    this.meta = { fields: [...fields].sort(), bySample };
    this.fillColourOptions();
  }

  recolour() {
    const value = this.colourSelect.value;
    const scatter = this.scatter;
    let mode = null;
    if (value.startsWith("tag:") && this.data) {
      const tag = this.tags.find((t) => t.id === value.slice(4));
      const { colours, layer, members } = byTag(this.data.idx, tag.bitMaskData);
      scatter.setColours(colours, layer);
      mode = { kind: "tag", name: tag.name, members };
    } else if (value.startsWith("meta:") && this.data && this.meta) {
      const field = value.slice(5);
      const values = this.data.sampleIds.map((id) => (this.meta.bySample.get(id) || {})[field]);
      const { colours, layer, legend } = byValues(values);
      scatter.setColours(colours, layer);
      mode = { kind: "meta", name: field, legend };
    } else {
      scatter.setColours(new Uint32Array(scatter.n).fill(POINT));
    }
    mount(this.legend, legendFor(mode));
    this.redraw();
  }

  showSelection(count) {
    this.count.textContent = count ? `${count} point${count === 1 ? "" : "s"} selected` : "No points selected";
    this.saveButton.disabled = !count;
    this.clearButton.disabled = !count;
  }

  parentTag() {
    return this.tags.find((t) => t.name === "initial-tag") ||
      [...this.tags].sort((a, b) => a.createdAt - b.createdAt)[0];
  }

  async saveTag() {
    const name = this.tagName.value.trim();
    const parent = this.parentTag();
    if (!name) { this.saveMessage.textContent = "Tag name: give the new tag a name."; this.tagName.focus(); return; }
    if (!parent) { this.saveMessage.textContent = "This dataset has no tag to derive from (initial-tag): a run creates one."; return; }
    const indices = this.scatter.selectedPositions().map((i) => this.data.idx[i]);
    try {
      const dataset = await api(`/v1/datasets/${this.datasetId}`);
      const created = await api(`/v1/datasets/${this.datasetId}/tags`, {
        method: "POST",
        body: { name, prevTagId: parent.id, bitMaskData: bitmaskOf(indices), totSize: dataset.nSamples, creator: "USER_WEBAPP" },
      });
      this.saveMessage.textContent = `Saved tag ${name} with ${indices.length} samples.`;
      this.tagName.value = "";
      await this.loadTags();
      this.colourSelect.value = `tag:${created.id}`;
      this.recolour();
    } catch (error) {
      this.saveMessage.textContent = `Not saved: ${error.message}`;
    }
  }

  close() {
    this.closed = true;
    this.stopPolling();
    this.detach();
    window.removeEventListener("resize", this.onResize);
  }
}

export async function render(main, { datasetId }) {
  ensureStylesheet();
  const view = new View(main, datasetId);
  current = view;
  try {
    await view.start();
  } catch (error) {
    mount(main, errorBox(error));
  }
  return () => { view.close(); if (current === view) current = null; };
}

/** Test hook: draw `n` synthetic points through the same scatter (no API). Returns timings:
 * a full redraw and a lasso selection over the central half of the canvas. */
export function benchmark(n) {
  if (!current) throw new Error("the embedding view is not open");
  const xs = new Float32Array(n), ys = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const a = Math.random() * 2 * Math.PI, r = Math.sqrt(-2 * Math.log(Math.random() + 1e-12));
    xs[i] = r * Math.cos(a) + (i % 3) * 3;
    ys[i] = r * Math.sin(a);
  }
  const scatter = current.scatter;
  current.data = { sampleIds: [], fileNames: [], idx: Int32Array.from({ length: n }, (_, i) => i) };
  scatter.setData(xs, ys);
  const drawMs = scatter.draw();
  const { w, h: hgt } = scatter.cssSize();
  const polygon = [];
  for (let k = 0; k < 64; k++) {
    const a = (k / 64) * 2 * Math.PI;
    polygon.push([w / 2 + (w / 4) * Math.cos(a), hgt / 2 + (hgt / 4) * Math.sin(a)]);
  }
  scatter.lasso = polygon;
  const selected = scatter.selectPolygon(polygon);
  const selectMs = scatter.lastSelectMs;
  const redrawMs = scatter.draw();
  current.showSelection(selected);
  return { n, drawMs, redrawMs, selectMs, selected };
}

/** Test hook: the view's state and each point's position in CSS pixels on the canvas. */
export function inspect() {
  if (!current) throw new Error("the embedding view is not open");
  const s = current.scatter;
  const names = (current.data && current.data.fileNames) || [];
  const points = names.map((fileName, i) => ({
    fileName,
    idx: current.data.idx[i],
    x: s.xs[i] * s.view.scale + s.view.tx,
    y: s.view.ty - s.ys[i] * s.view.scale,
  }));
  return { view: { ...s.view }, n: s.n, selected: s.selectedCount, points };
}

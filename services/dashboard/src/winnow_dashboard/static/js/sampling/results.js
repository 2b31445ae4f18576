// A finished sampling job: the ranked importance scores as bars, a slider that picks how many
// of them to keep (the first k are the engine's pick for k), a preview of the kept samples and
// "Save tag", which creates a tag with exactly those k samples.
import { api, apiAll } from "../api.js";
import { errorBox, h, mount } from "../dom.js";

const PREVIEW = 24;

/** Draw the scores (best first) as bars; the kept ones (rank < k) in the accent colour. */
function draw(canvas, samples, k) {
  const width = Math.max(200, canvas.clientWidth || 600);
  const height = canvas.clientHeight || 160;
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  const n = samples.length;
  const pad = 4;
  const plotH = height - pad * 2;
  // One column per pixel at most: a column shows the largest score of the ranks it covers.
  const columns = Math.min(n, Math.floor(width - pad * 2));
  const colW = (width - pad * 2) / columns;
  for (let c = 0; c < columns; c++) {
    const from = Math.floor((c * n) / columns);
    const to = Math.max(from + 1, Math.floor(((c + 1) * n) / columns));
    let top = 0;
    for (let i = from; i < to; i++) top = Math.max(top, samples[i].score);
    ctx.fillStyle = from < k ? "#0b5cad" : "#b8c2cc";
    const barH = Math.max(1, top * plotH);
    ctx.fillRect(pad + c * colW, pad + plotH - barH, Math.max(1, colW - (colW > 3 ? 1 : 0)), barH);
  }
  const x = pad + (k / n) * (width - pad * 2);
  ctx.fillStyle = "#c62828";
  ctx.fillRect(Math.min(x, width - pad - 2), 0, 2, height);
}

/** sampleId -> signed read URL, fetched once per sample. */
function urlCache(datasetId) {
  const cache = new Map();
  return (sampleId) => {
    if (!cache.has(sampleId)) {
      cache.set(sampleId, api(`/v1/datasets/${datasetId}/samples/${sampleId}/readurl`)
        .catch(() => null));
    }
    return cache.get(sampleId);
  };
}

function previewFigure(sample, rank, readUrl, alive) {
  const img = h("img", { alt: sample.fileName, width: 120, height: 120, decoding: "async" });
  readUrl(sample.sampleId).then((url) => { if (url && alive()) img.src = url; });
  return h("figure", {}, img,
    h("figcaption", {}, `#${rank + 1} · ${sample.score.toFixed(3)} · ${sample.fileName}`));
}

/** The parent of the user's cut: the query tag, else initial-tag, else a root tag. */
function parentTag(tags, queryTagId, jobTagId) {
  if (queryTagId) return queryTagId;
  const initial = tags.find((t) => t.name === "initial-tag") || tags.find((t) => !t.prevTagId);
  return initial ? initial.id : jobTagId;
}

/** A bitmask (0x hex, bit i = sample idx i) over the samples' idx, from the _id mapping. */
async function bitmaskOf(datasetId, sampleIds) {
  const ids = await apiAll(`/v1/datasets/${datasetId}/mappings`, { field: "_id" }, 25000);
  const idxOf = new Map(ids.map((id, i) => [id, i]));
  let mask = 0n;
  for (const id of sampleIds) {
    const idx = idxOf.get(id);
    if (idx === undefined) throw new Error(`sample ${id} is no longer in the dataset`);
    mask |= 1n << BigInt(idx);
  }
  return { bitMaskData: `0x${mask.toString(16)}`, totSize: ids.length };
}

function saveForm(ctx, keep) {
  const { datasetId, scores, tags, queryTagId } = ctx;
  const name = h("input", { id: "sampling-save-name", type: "text", required: true, minlength: 3,
    value: `${scores.method.toLowerCase()}-cut`, pattern: "[a-zA-Z0-9][a-zA-Z0-9 .:;=@_\\-]+" });
  const button = h("button", { type: "submit" }, "Save tag");
  const result = h("div", { class: "sampling-saved", role: "status", "aria-live": "polite" });
  const form = h("form", { class: "sampling-save" },
    h("label", { for: "sampling-save-name" }, "Tag name"), name, button);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    const k = keep();
    try {
      const kept = scores.samples.slice(0, k).map((s) => s.sampleId);
      const mask = await bitmaskOf(datasetId, kept);
      const created = await api(`/v1/datasets/${datasetId}/tags`, {
        method: "POST",
        body: { name: name.value.trim(), prevTagId: parentTag(tags, queryTagId, scores.tagId),
          creator: "USER_WEBAPP", ...mask },
      });
      mount(result, h("p", { class: "ok" }, `Saved tag “${name.value.trim()}” with ${k} samples. `,
        h("a", { href: `#/datasets/${datasetId}`, "data-tag-id": created.id }, "Open the dataset's tags")));
    } catch (error) {
      mount(result, errorBox(error));
    } finally {
      button.disabled = false;
    }
  });
  return h("div", { class: "card" }, h("h2", {}, "Save the cut as a tag"), form, result);
}

/** Show a finished job's scores in `section`; returns nothing (the slider lives in it). */
export async function showResults(section, ctx) {
  const { datasetId, scores, alive } = ctx;
  const samples = scores.samples;
  const n = samples.length;
  const jobTag = ctx.tags.find((t) => t.id === scores.tagId);
  if (n === 0) {
    mount(section, h("p", { class: "card muted" }, "The job ranked no samples."));
    return;
  }
  let k = Math.min(n, Math.max(1, scores.selectedCount || n));
  const slider = h("input", { id: "sampling-keep", type: "range", min: 1, max: n, step: 1,
    value: k, "aria-describedby": "sampling-keep-count" });
  const exact = h("input", { id: "sampling-keep-exact", type: "number", min: 1, max: n, step: 1,
    value: k, "aria-label": "Samples to keep (exact number)", inputmode: "numeric" });
  const count = h("output", { id: "sampling-keep-count", for: "sampling-keep", class: "sampling-count" });
  const canvas = h("canvas", { class: "sampling-chart", role: "img" });
  const grid = h("div", { class: "grid sampling-preview" });
  const previewTitle = h("h3", {});
  const readUrl = urlCache(datasetId);
  let timer = null;

  const preview = () => {
    const shown = samples.slice(0, Math.min(k, PREVIEW));
    mount(previewTitle, `Preview: the first ${shown.length} of ${k} kept`);
    mount(grid, shown.map((s, i) => previewFigure(s, i, readUrl, alive)));
  };
  const update = (value, from) => {
    k = Math.min(n, Math.max(1, Math.round(Number(value)) || 1));
    if (from !== slider) slider.value = String(k);
    if (from !== exact) exact.value = String(k);
    const lowest = samples[k - 1].score;
    mount(count, `${k} of ${n} samples kept (lowest kept score ${lowest.toFixed(3)})`);
    canvas.setAttribute("aria-label", `Importance scores of ${n} ranked samples, best first, ` +
      `from ${samples[0].score.toFixed(3)} to ${samples[n - 1].score.toFixed(3)}; ` +
      `the first ${k} are kept`);
    draw(canvas, samples, k);
    clearTimeout(timer);
    timer = setTimeout(() => { if (alive()) preview(); }, 150);
  };
  slider.addEventListener("input", () => update(slider.value, slider));
  exact.addEventListener("input", () => { if (exact.value) update(exact.value, exact); });

  mount(section,
    h("div", { class: "card" },
      h("h2", {}, "Importance scores"),
      h("p", { class: "muted" },
        `${scores.method}: ${n} samples ranked best first; the job's tag `,
        jobTag ? h("strong", {}, jobTag.name) : scores.tagId,
        ` holds the first ${scores.selectedCount}` +
        (scores.preselectedCount ? ` plus ${scores.preselectedCount} preselected.` : ".")),
      canvas,
      h("p", { class: "muted sampling-axis", "aria-hidden": "true" },
        h("span", {}, "rank 1"), h("span", {}, "bar height: importance 0–1"),
        h("span", {}, `rank ${n}`)),
      h("div", { class: "sampling-slider" },
        h("label", { for: "sampling-keep" }, "Samples to keep"), slider, exact),
      count),
    saveForm(ctx, () => k),
    h("div", { class: "card" }, previewTitle, grid));
  const resized = new ResizeObserver(() => {
    if (alive()) draw(canvas, samples, k); else resized.disconnect();
  });
  resized.observe(canvas);
  update(k, null);
  preview();
}

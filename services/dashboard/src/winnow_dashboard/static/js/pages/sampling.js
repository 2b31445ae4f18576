// Sampling (seed 003): choose an embedding and a strategy, run a sampling job on the GPU queue,
// then pick how many of the ranked samples to keep with a slider and save them as a tag.
import { api } from "../api.js";
import { errorBox, fmtDuration, h, mount } from "../dom.js";
import { showResults } from "../sampling/results.js";

const METHODS = [
  ["CORESET", "Coreset (diversity)"],
  ["RANDOM", "Random"],
  ["ACTIVE_LEARNING", "Active learning (uploaded scores)"],
  ["CORAL", "CORAL (diversity × scores)"],
];

/** Load the page's stylesheet once (the CSP allows 'self' only, so no inline styles). */
function useStyles() {
  const href = "/dashboard/static/css/sampling.css";
  if (document.querySelector(`link[href="${href}"]`)) return;
  document.head.append(h("link", { rel: "stylesheet", href }));
}

function field(id, label, control, hint) {
  return h("div", { class: "sampling-field" },
    h("label", { for: id }, label), control,
    hint ? h("span", { class: "muted sampling-hint", id: `${id}-hint` }, hint) : null);
}

function defaultTagName() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `sampling-${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}-` +
    `${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
}

function buildForm(embeddings, tags) {
  const embedding = h("select", { id: "sampling-embedding", name: "embedding", required: true },
    embeddings.map((e) => h("option", { value: e.id }, e.name)));
  const method = h("select", { id: "sampling-method", name: "method" },
    METHODS.map(([value, text]) => h("option", { value }, text)));
  const query = h("select", { id: "sampling-query", name: "query" },
    h("option", { value: "" }, "All samples"),
    tags.map((t) => h("option", { value: t.id }, `${t.name} (${countBits(t.bitMaskData)})`)));
  const nSamples = h("input", { id: "sampling-n", name: "nSamples", type: "number", min: 1,
    step: 1, inputmode: "numeric", "aria-describedby": "sampling-n-hint" });
  const scoreType = h("input", { id: "sampling-score-type", name: "scoreType", type: "text",
    "aria-describedby": "sampling-score-type-hint" });
  const tagName = h("input", { id: "sampling-tag-name", name: "tagName", type: "text",
    required: true, minlength: 3, value: defaultTagName(), pattern: "[a-zA-Z0-9][a-zA-Z0-9 .:;=@_\\-]+" });
  const submit = h("button", { type: "submit" }, "Process");
  const form = h("form", { class: "card sampling-form", "aria-labelledby": "sampling-form-title" },
    h("h2", { id: "sampling-form-title" }, "New sampling job"),
    h("div", { class: "sampling-fields" },
      field("sampling-embedding", "Embedding", embedding),
      field("sampling-method", "Strategy", method),
      field("sampling-query", "Query tag", query),
      field("sampling-n", "Samples in the job's tag", nSamples, "Empty: rank every sample"),
      field("sampling-score-type", "Score type", scoreType, "Active learning / CORAL only"),
      field("sampling-tag-name", "Job tag name", tagName)),
    h("div", { class: "row" }, submit));
  const values = () => ({
    embeddingId: embedding.value,
    body: {
      newTagName: tagName.value.trim(),
      method: method.value,
      config: { stoppingCondition: { nSamples: nSamples.value ? Number(nSamples.value) : -1 } },
      queryTagId: query.value || undefined,
      scoreType: scoreType.value.trim() || undefined,
    },
  });
  return { form, submit, values, tagName };
}

/** Number of set bits of a 0x... bitmask. */
export function countBits(hex) {
  let n = 0;
  for (const c of String(hex).replace(/^0x/, "")) {
    let v = parseInt(c, 16);
    while (v) { n += v & 1; v >>= 1; }
  }
  return n;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Follow a job until it ends, as lightly's client does: wait waitTimeTillNextPoll between
 * polls. `onStatus` sees each answer; returns the last one (null once the page left). */
async function follow(jobId, onStatus, alive) {
  for (;;) {
    const status = await api(`/v1/jobs/${jobId}`);
    if (!alive()) return null;
    onStatus(status);
    if (status.status === "FINISHED" || status.status === "FAILED") return status;
    await sleep(Math.max(1, status.waitTimeTillNextPoll || 1) * 1000);
    if (!alive()) return null;
  }
}

function statusLine(status) {
  const elapsed = (status.finishedAt || Date.now()) - status.createdAt;
  return h("span", {},
    "Job ", h("code", {}, status.id), ": ",
    h("span", { class: `state job-${status.status}` }, status.status),
    ` (${fmtDuration(elapsed)})`,
    status.error ? h("span", { class: "error" }, ` ${status.error}`) : null);
}

export async function render(main, { datasetId }) {
  useStyles();
  let live = true;
  const alive = () => live;
  const base = `/v1/datasets/${datasetId}`;
  const [dataset, embeddings, tags] = await Promise.all([
    api(base), api(`${base}/embeddings`), api(`${base}/tags`),
  ]);
  const header = [
    h("p", { class: "crumbs" }, h("a", { href: `#/datasets/${datasetId}` }, dataset.name), " / sampling"),
    h("h1", {}, "Sampling"),
  ];
  if (embeddings.length === 0) {
    mount(main, header, h("p", { class: "card muted" },
      "This dataset has no embeddings yet: upload an embeddings CSV or complete a run first."));
    return () => { live = false; };
  }
  embeddings.sort((a, b) => b.createdAt - a.createdAt);
  const { form, submit, values, tagName } = buildForm(embeddings, tags);
  const status = h("p", { class: "sampling-status", role: "status", "aria-live": "polite" });
  const results = h("section", { class: "sampling-results", "aria-label": "Sampling results" });
  mount(main, header, form, h("div", { class: "card sampling-job" }, h("h2", {}, "Job"), status), results);
  mount(status, h("span", { class: "muted" }, "No job started yet."));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const { embeddingId, body } = values();
    submit.disabled = true;
    mount(results);
    mount(status, "Starting…");
    try {
      const { jobId } = await api(`${base}/embeddings/${embeddingId}/sampling`,
        { method: "POST", body });
      const final = await follow(jobId, (s) => mount(status, statusLine(s)), alive);
      if (!final) return;
      if (final.status === "FINISHED") {
        const scores = await api(`/v1/jobs/${jobId}/scores`);
        if (!live) return;
        const allTags = await api(`${base}/tags`);
        await showResults(results, { datasetId, scores, tags: allTags, queryTagId: body.queryTagId, alive });
      }
      tagName.value = defaultTagName();
    } catch (error) {
      if (live) mount(status, errorBox(error));
    } finally {
      submit.disabled = false;
    }
  });
  return () => { live = false; };
}

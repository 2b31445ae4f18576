// One dataset: datasources (secrets masked), samples grid, tags (tree, arithmetic, delete,
// export), sharing and runs. A dataset the user may not see answers 404: "not found".
import { api } from "../api.js";
import { fmtTime, h, mount } from "../dom.js";
import { samplesSection } from "../datasets/samples.js";
import { sharingSection } from "../datasets/sharing.js";
import { datasourcesSection, runsSection } from "../datasets/sources.js";
import { tagsSection } from "../datasets/tags.js";

function notFound(datasetId) {
  return h("div", { class: "card error", role: "alert" },
    h("h1", {}, "Dataset not found"),
    h("p", {}, `Dataset ${datasetId} was not found (404): it does not exist or is not shared with you.`),
    h("p", {}, h("a", { href: "#/datasets" }, "Back to the datasets")));
}

export async function render(main, { datasetId }) {
  let dataset;
  let role;
  try {
    [dataset, role] = await Promise.all([
      api(`/v1/datasets/${datasetId}`),
      api(`/dashboard/api/datasets/${datasetId}/role`),
    ]);
  } catch (e) {
    if (e.status === 404) { mount(main, notFound(datasetId)); return; }
    throw e;
  }
  const samples = samplesSection(datasetId);
  const tags = tagsSection(datasetId);
  const sharing = sharingSection(datasetId, role.isOwner);
  const [sources, runs] = await Promise.all([datasourcesSection(datasetId), runsSection(datasetId)]);
  mount(main,
    h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("a", { href: "#/datasets" }, "Datasets"), " / "),
    h("h1", {}, dataset.name),
    h("p", { class: "muted ds-meta" },
      `${dataset.type} · ${dataset.nSamples} samples · created ${fmtTime(dataset.createdAt)} · `,
      role.isOwner ? "yours" : "shared with you"),
    h("p", { class: "row ds-links" },
      h("a", { href: `#/datasets/${datasetId}/embedding` }, "Embedding view"),
      h("a", { href: `#/datasets/${datasetId}/sampling` }, "Sampling")),
    sources, samples.el, tags.el, sharing.el, runs);
  await Promise.all([samples.load(), tags.load(), sharing.load()]);
}

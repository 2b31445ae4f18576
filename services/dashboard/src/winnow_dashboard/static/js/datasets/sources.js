// The dataset's datasources (secrets arrive masked as "***" and are shown so) and its runs.
import { api, apiAll } from "../api.js";
import { fmtTime, h } from "../dom.js";
import { section } from "./util.js";

const PURPOSES = ["INPUT", "LIGHTLY"];

function sourceRows(purpose, config) {
  if (!config) {
    return [h("tr", {}, h("th", { scope: "row" }, purpose), h("td", { colspan: "2", class: "muted" }, "not set"))];
  }
  const fields = Object.entries(config).filter(([k]) => !["id", "purpose"].includes(k));
  return fields.map(([key, value], i) => h("tr", {},
    i === 0 ? h("th", { scope: "row", rowspan: String(fields.length) }, purpose) : null,
    h("td", {}, key),
    h("td", { class: value === "***" ? "secret" : "" }, String(value))));
}

/** The datasources section; a missing purpose reads "not set". */
export async function datasourcesSection(datasetId) {
  const configs = await Promise.all(PURPOSES.map((purpose) =>
    api(`/v1/datasets/${datasetId}/datasource`, { params: { purpose } })
      .catch((e) => { if (e.status === 404) return null; throw e; })));
  return section("ds-sources", "Datasources",
    h("div", { class: "table-wrap" },
      h("table", { class: "sources" },
        h("thead", {}, h("tr", {},
          h("th", { scope: "col" }, "Purpose"), h("th", { scope: "col" }, "Field"),
          h("th", { scope: "col" }, "Value"))),
        h("tbody", {}, PURPOSES.flatMap((p, i) => sourceRows(p, configs[i]))))));
}

/** The dataset's runs, newest first, each a link to its run page. */
export async function runsSection(datasetId) {
  const runs = await apiAll(`/v1/docker/runs/query/datasetId/${datasetId}`);
  runs.sort((a, b) => b.createdAt - a.createdAt);
  return section("ds-runs", "Runs",
    runs.length === 0
      ? h("p", { class: "muted" }, "No runs on this dataset yet.")
      : h("ul", { class: "runs-list" }, runs.map((run) => h("li", {},
          h("a", { href: `#/runs/${run.id}` }, fmtTime(run.createdAt)), " ",
          h("span", { class: `state ${run.state}` }, run.state)))));
}

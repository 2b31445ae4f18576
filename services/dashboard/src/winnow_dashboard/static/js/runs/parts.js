// The run page's sections, each built from one `run` event (or the run's JSON).
import { api } from "../api.js";
import { fmtDuration, fmtTime, h, plural } from "../dom.js";

/** Stages with start, duration (a running one counts up to now) and the attempt. */
export function stageTable(stages) {
  if (!stages.length) return h("p", { class: "muted" }, "No stage has started yet.");
  const now = Date.now();
  const longest = Math.max(1, ...stages.map((s) => (s.end ?? now) - s.start));
  return h("div", { class: "table-wrap" }, h("table", { class: "stages" },
    h("caption", { class: "muted" }, "Stages"),
    h("thead", {}, h("tr", {}, ["Stage", "Started", "Duration", "", "Attempt"].map((t) =>
      h("th", { scope: "col" }, t)))),
    h("tbody", {}, stages.map((s) => {
      const ms = (s.end ?? now) - s.start;
      const bar = h("meter", { min: 0, max: longest, value: ms, class: "stage-bar",
        "aria-label": `${s.state} duration` });
      return h("tr", { class: s.end === null ? "running" : "" },
        h("td", { class: `state ${s.state}`, title: s.message || "" }, s.state),
        h("td", { class: "nowrap" }, fmtTime(s.start)),
        h("td", { class: "nowrap" }, s.end === null ? `${fmtDuration(ms)} …` : fmtDuration(ms)),
        h("td", { class: "bar-cell" }, bar),
        h("td", {}, s.attempt ?? ""));
    }))));
}

export function attemptTable(attempts) {
  if (!attempts.length) return h("p", { class: "muted" }, "No attempt yet.");
  return h("div", { class: "table-wrap" }, h("table", { class: "attempts" },
    h("caption", { class: "muted" }, plural(attempts.length, "attempt")),
    h("thead", {}, h("tr", {}, ["#", "Task", "Holder", "Started", "Duration", "Outcome", "Detail"]
      .map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, attempts.map((a) => h("tr", {},
      h("td", {}, a.number), h("td", {}, a.task), h("td", { class: "wrap" }, a.holder),
      h("td", { class: "nowrap" }, fmtTime(a.startedAt)),
      h("td", {}, fmtDuration((a.endedAt ?? a.heartbeatAt) - a.startedAt)),
      h("td", { class: `state ${a.outcome || ""}` }, a.outcome || "running"),
      h("td", { class: "wrap" }, a.detail || ""))))));
}

const LABELS = { REPORT_PDF: "report.pdf", REPORT_JSON: "report.json", REPORT_V2_JSON: "report_v2.json" };

/** The run's artifacts with signed download links (report.pdf and report.json first). */
export async function artifactList(run) {
  if (!run.artifacts.length) return h("p", { class: "muted" }, "No artifacts yet.");
  const order = (a) => (a.type.startsWith("REPORT") ? 0 : 1);
  const artifacts = [...run.artifacts].sort((a, b) => order(a) - order(b));
  const urls = await Promise.all(artifacts.map((a) =>
    api(`/v1/docker/runs/${run.id}/artifacts/${a.id}/readurl`).catch(() => null)));
  return h("ul", { class: "artifacts" }, artifacts.map((a, i) => h("li", {},
    urls[i]
      ? h("a", { href: urls[i], download: a.fileName, "data-type": a.type }, LABELS[a.type] || a.fileName)
      : h("span", {}, a.fileName),
    h("span", { class: "muted" }, ` ${a.type}`))));
}

// Workers: the user's registered workers with their labels, state, last heartbeat and the run
// each works on now.
import { api } from "../api.js";
import { fmtTime, h, mount } from "../dom.js";

function ago(ms) {
  if (!ms) return "never";
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  return s < 120 ? `${s} s ago` : s < 7200 ? `${Math.round(s / 60)} min ago` : fmtTime(ms);
}

export async function render(main) {
  const workers = await api("/v1/docker/worker");
  const statuses = await Promise.all(
    workers.map((w) => api(`/v1/docker/worker/${w.id}/status`).catch(() => null)));
  mount(main,
    h("h1", {}, "Workers"),
    workers.length === 0
      ? h("p", { class: "muted" }, "No registered worker. Workers register with POST /v1/docker/worker.")
      : h("div", { class: "table-wrap" }, h("table", { class: "workers-table" },
          h("caption", { class: "muted" }, `${workers.length} workers`),
          h("thead", {}, h("tr", {}, ["Name", "Labels", "State", "Last heartbeat", "Run", "Registered"]
            .map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, workers.map((w, i) => {
            const st = statuses[i];
            return h("tr", { "data-worker": w.id },
              h("td", {}, w.name),
              h("td", {}, w.labels.length
                ? w.labels.map((l) => h("span", { class: "label-chip" }, l))
                : h("span", { class: "muted" }, "any")),
              h("td", { class: `state worker-${(st?.state || w.state)}` }, st?.state || w.state),
              h("td", { title: st?.lastSeen ? fmtTime(st.lastSeen) : "" }, ago(st?.lastSeen)),
              h("td", {}, st?.runId ? h("a", { href: `#/runs/${st.runId}` }, st.runId) : ""),
              h("td", { class: "nowrap" }, fmtTime(w.createdAt)));
          })))));
}

// Runs: every run of the user and of the datasets shared with them, newest first; scheduled
// runs no worker picked up yet are listed too and can be canceled here.
import { cancelScheduled, loadRuns } from "../runs/data.js";
import { errorBox, fmtTime, h, mount, plural } from "../dom.js";

function cancelButton(row, rerender) {
  if (row.kind !== "scheduled") return null;
  return h("button", {
    type: "button", class: "secondary",
    "aria-label": `Cancel the queued run of ${row.datasetName}`,
    onclick: async (event) => {
      event.target.disabled = true;
      try { await cancelScheduled(row.scheduledId); } catch (e) { alert(e.message); }
      rerender();
    },
  }, "Cancel");
}

function tableOf(rows, rerender) {
  return h("div", { class: "table-wrap" },
    h("table", { class: "runs-table" },
      h("caption", { class: "muted" }, plural(rows.length, "run")),
      h("thead", {}, h("tr", {},
        ["Created", "Dataset", "State", "Priority", "Worker", "Message", ""].map((t) =>
          h("th", { scope: "col" }, t)))),
      h("tbody", {}, rows.map((row) => h("tr", { "data-run": row.id || row.scheduledId },
        h("td", { class: "nowrap" }, row.id
          ? h("a", { href: `#/runs/${row.id}` }, fmtTime(row.createdAt))
          : fmtTime(row.createdAt)),
        h("td", {}, h("a", { href: `#/datasets/${row.datasetId}` }, row.datasetName)),
        h("td", { class: `state ${row.state}` }, row.state),
        h("td", {}, row.priority),
        h("td", {}, row.worker),
        h("td", { class: "message" }, row.message || ""),
        h("td", {}, row.id ? h("a", { href: `#/runs/${row.id}` }, "Open") : cancelButton(row, rerender)),
      )))));
}

export async function render(main) {
  const draw = async () => {
    let rows;
    try { rows = await loadRuns(); } catch (e) { mount(main, h("h1", {}, "Runs"), errorBox(e)); return; }
    mount(main,
      h("div", { class: "row spread" }, h("h1", {}, "Runs"),
        h("button", { type: "button", class: "secondary", onclick: draw }, "Refresh")),
      rows.length === 0 ? h("p", { class: "muted" }, "No runs yet.") : tableOf(rows, draw));
  };
  await draw();
}

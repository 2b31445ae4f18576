// Runs: every run of the user, newest first, with its state and message.
import { apiAll } from "../api.js";
import { fmtTime, h, mount } from "../dom.js";

export async function render(main) {
  const runs = await apiAll("/v1/docker/runs");
  runs.sort((a, b) => b.createdAt - a.createdAt);
  const rows = runs.map((run) =>
    h("tr", {},
      h("td", {}, h("a", { href: `#/runs/${run.id}` }, fmtTime(run.createdAt))),
      h("td", {}, run.datasetId),
      h("td", { class: `state ${run.state}` }, run.state),
      h("td", {}, run.message || ""),
    ));
  mount(main,
    h("h1", {}, "Runs"),
    runs.length === 0
      ? h("p", { class: "muted" }, "No runs yet.")
      : h("div", { class: "table-wrap" },
          h("table", {},
            h("caption", { class: "muted" }, `${runs.length} runs`),
            h("thead", {}, h("tr", {},
              h("th", { scope: "col" }, "Created"), h("th", { scope: "col" }, "Dataset"),
              h("th", { scope: "col" }, "State"), h("th", { scope: "col" }, "Message"))),
            h("tbody", {}, rows))));
}

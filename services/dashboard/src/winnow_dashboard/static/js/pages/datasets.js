// Datasets: the user's own datasets and those shared with them, newest first.
import { apiAll } from "../api.js";
import { fmtTime, h, mount } from "../dom.js";

function row(dataset, shared) {
  return h("tr", {},
    h("th", { scope: "row" }, h("a", { href: `#/datasets/${dataset.id}` }, dataset.name)),
    h("td", { "data-label": "Type" }, dataset.type),
    h("td", { "data-label": "Samples" }, String(dataset.nSamples)),
    h("td", { "data-label": "Created" }, fmtTime(dataset.createdAt)),
    h("td", { "data-label": "Access" }, shared
      ? h("span", { class: "badge shared" }, "shared with you")
      : h("span", { class: "badge owner" }, "yours")),
    h("td", { class: "links", "data-label": "Views" },
      h("a", { href: `#/datasets/${dataset.id}/embedding`, "aria-label": `Embedding view of ${dataset.name}` }, "Embedding"),
      " · ",
      h("a", { href: `#/datasets/${dataset.id}/sampling`, "aria-label": `Sampling on ${dataset.name}` }, "Sampling")));
}

export async function render(main) {
  const [owned, shared] = await Promise.all([
    apiAll("/v1/datasets"),
    apiAll("/v1/datasets", { shared: true }),
  ]);
  const ownIds = new Set(owned.map((d) => d.id));
  const all = [
    ...owned.map((d) => [d, false]),
    ...shared.filter((d) => !ownIds.has(d.id)).map((d) => [d, true]),
  ].sort((a, b) => b[0].createdAt - a[0].createdAt);
  mount(main,
    h("h1", {}, "Datasets"),
    all.length === 0
      ? h("p", { class: "muted" }, "No datasets yet: create one with the client (create_dataset).")
      : h("div", { class: "table-wrap" },
          h("table", { class: "datasets" },
            h("caption", { class: "muted" },
              `${owned.length} yours, ${all.length - owned.length} shared with you`),
            h("thead", {}, h("tr", {},
              h("th", { scope: "col" }, "Name"), h("th", { scope: "col" }, "Type"),
              h("th", { scope: "col" }, "Samples"), h("th", { scope: "col" }, "Created"),
              h("th", { scope: "col" }, "Access"), h("th", { scope: "col" }, "Views"))),
            h("tbody", {}, all.map(([d, s]) => row(d, s))))));
}

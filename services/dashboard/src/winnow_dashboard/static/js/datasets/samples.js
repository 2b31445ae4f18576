// The samples grid: one request per page (/dashboard/api/.../samples gives signed read URLs);
// the browser scales the images and loads them lazily.
import { api } from "../api.js";
import { h, mount } from "../dom.js";
import { section } from "./util.js";

const PAGE_SIZE = 60;

export function samplesSection(datasetId) {
  const grid = h("div", { class: "grid samples", "aria-live": "polite" });
  const info = h("p", { class: "muted", id: "ds-samples-info" });
  const prev = h("button", { type: "button", class: "secondary" }, "Previous page");
  const next = h("button", { type: "button", class: "secondary" }, "Next page");
  let offset = 0;
  let total = 0;

  async function load() {
    const page = await api(`/dashboard/api/datasets/${datasetId}/samples`,
      { params: { pageSize: PAGE_SIZE, pageOffset: offset } });
    total = page.total;
    const last = Math.min(offset + page.samples.length, total);
    info.textContent = total === 0
      ? "No samples yet."
      : `Samples ${offset + 1}–${last} of ${total}` +
        (page.readable ? "" : " (no INPUT datasource: images cannot be shown)");
    mount(grid, page.samples.map((s) => h("figure", {},
      s.url
        ? h("img", { src: s.url, alt: s.fileName, loading: "lazy", decoding: "async" })
        : h("div", { class: "noimg", "aria-hidden": "true" }),
      h("figcaption", {}, `#${s.index} ${s.fileName}`))));
    prev.disabled = offset === 0;
    next.disabled = last >= total;
    pager.hidden = total <= PAGE_SIZE;
  }
  prev.addEventListener("click", () => { offset = Math.max(0, offset - PAGE_SIZE); load(); });
  next.addEventListener("click", () => { offset += PAGE_SIZE; load(); });

  const pager = h("div", { class: "row pager", hidden: true }, prev, next);
  const el = section("ds-samples", "Samples", info, pager, grid);
  return { el, load };
}

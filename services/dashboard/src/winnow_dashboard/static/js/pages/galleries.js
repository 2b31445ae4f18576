// Galleries of a run: corrupt files with their reasons, exact duplicates with the file each
// duplicates, removed samples beside their nearest selected sample (why they were dropped),
// and histograms of the per-sample metadata. Data: GET /dashboard/api/runs/<id>/galleries.
import { api } from "../api.js";
import { h, mount } from "../dom.js";
import { histogramFigure } from "../galleries/histogram.js";

const CSS = "/dashboard/static/css/galleries.css";

/** Add the page's stylesheet once; resolves when it applies (the canvases measure layout). */
function ensureCss() {
  if (document.querySelector(`link[href="${CSS}"]`)) return Promise.resolve();
  return new Promise((resolve) => {
    const link = h("link", { rel: "stylesheet", href: CSS });
    link.addEventListener("load", resolve);
    link.addEventListener("error", resolve);
    document.head.append(link);
  });
}

/** A thumbnail linking to the full file; an unreadable image shows a note instead. */
function thumb(url, fileName) {
  const img = h("img", { src: url, alt: fileName, loading: "lazy", decoding: "async" });
  const link = h("a", { href: url, target: "_blank", rel: "noopener",
    "aria-label": `Open ${fileName}` }, img);
  img.addEventListener("error", () => {
    link.replaceChildren(h("span", { class: "thumb-missing" }, "cannot be shown"));
  });
  return link;
}

function figure(url, fileName, ...caption) {
  return h("figure", { class: "thumb" },
    thumb(url, fileName),
    h("figcaption", {}, h("span", { class: "fname" }, fileName), ...caption));
}

function section(id, title, count, intro, body) {
  return h("section", { class: "gallery", "aria-labelledby": id },
    h("h2", { id }, `${title} `, h("span", { class: "count" }, `(${count})`)),
    h("p", { class: "muted" }, intro),
    body);
}

function shownOf(shown, total) {
  return shown < total ? ` Showing ${shown} of ${total}.` : "";
}

function corruptSection(data) {
  const items = data.corrupt;
  return section("g-corrupt", "Corrupt files", data.counts.nCorrupt,
    "Files the corruptness check rejected, with the reason." +
      shownOf(items.length, data.counts.nCorrupt),
    items.length === 0
      ? h("p", {}, "No corrupt files.")
      : h("div", { class: "grid gallery-grid" }, items.map((c) =>
          figure(c.url, c.fileName, h("span", { class: "reason" }, c.reason)))));
}

function duplicatesSection(data) {
  const items = data.duplicates;
  return section("g-duplicates", "Exact duplicates", data.counts.nDuplicates,
    "Files with the same bytes as another file; the original is kept, the copy removed." +
      shownOf(items.length, data.counts.nDuplicates),
    items.length === 0
      ? h("p", {}, "No exact duplicates.")
      : h("ul", { class: "pairs" }, items.map((d) => h("li", { class: "pair card" },
          figure(d.url, d.fileName, h("span", { class: "tag removed" }, "duplicate")),
          h("span", { class: "pair-arrow", "aria-hidden": "true" }, "="),
          figure(d.ofUrl, d.of, h("span", { class: "tag kept" }, "original"))))));
}

function pairsSection(data) {
  const items = data.pairs;
  return section("g-pairs", "Removed vs nearest selected", data.counts.nRemoved,
    "Each removed sample beside the selected sample nearest to it in embedding space " +
      "(Euclidean distance), closest first: a small distance means it adds little." +
      shownOf(items.length, data.counts.nRemoved),
    items.length === 0
      ? h("p", {}, "No removed samples with embeddings.")
      : h("ul", { class: "pairs" }, items.map((p) => h("li", { class: "pair card" },
          figure(p.removedUrl, p.removed, h("span", { class: "tag removed" }, "removed")),
          h("span", { class: "pair-arrow" }, `d = ${p.distance.toPrecision(3)}`),
          figure(p.selectedUrl, p.selected, h("span", { class: "tag kept" }, "selected"))))));
}

function histogramsSection(data) {
  const figures = data.histograms.map(histogramFigure);
  const body = figures.length === 0
    ? h("p", {}, "No numeric metadata.")
    : h("div", { class: "hist-grid" }, figures.map((f) => f.figure));
  const node = section("g-histograms", "Metadata histograms", data.histograms.length,
    `Worker-computed lightly.* metadata and numeric custom metadata of the ` +
      `${data.counts.nSamples} samples with embeddings.`, body);
  return { node, drawAll: () => figures.forEach((f) => f.draw()) };
}

// Buttons, not "#id" links: the hash is the router's.
function jump(id, label) {
  return h("button", { type: "button", class: "secondary", onclick: () => {
    const heading = document.getElementById(id);
    heading.scrollIntoView({ block: "start" });
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  } }, label);
}

export async function render(main, { runId }) {
  const [data] = await Promise.all([api(`/dashboard/api/runs/${runId}/galleries`), ensureCss()]);
  const c = data.counts;
  const hists = histogramsSection(data);
  mount(main,
    h("p", {}, h("a", { href: `#/runs/${runId}` }, "← Back to the run")),
    h("h1", {}, "Galleries"),
    h("p", { class: "muted" },
      `Run ${runId} (${data.state}): ${c.nSamples} samples, ${c.nSelected} selected, ` +
      `${c.nRemoved} removed, ${c.nCorrupt} corrupt, ${c.nDuplicates} exact duplicates.`),
    data.available ? null : h("p", { class: "card" }, "This run has written no outputs yet."),
    h("nav", { class: "row gallery-toc", "aria-label": "Sections" },
      jump("g-corrupt", "Corrupt"), jump("g-duplicates", "Duplicates"),
      jump("g-pairs", "Removed vs selected"), jump("g-histograms", "Histograms")),
    corruptSection(data),
    duplicatesSection(data),
    pairsSection(data),
    hists.node);
  hists.drawAll();
  let timer = null;
  const onResize = () => { clearTimeout(timer); timer = setTimeout(hists.drawAll, 150); };
  window.addEventListener("resize", onResize);
  return () => { window.removeEventListener("resize", onResize); clearTimeout(timer); };
}

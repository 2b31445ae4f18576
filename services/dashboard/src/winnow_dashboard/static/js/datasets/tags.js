// Tags: the tree (prevTagId parent -> child as nested lists), arithmetic into a new tag,
// deletion (a 409 is shown as a message) and exports of a tag (preview or download).
import { api } from "../api.js";
import { fmtTime, h, mount } from "../dom.js";
import { bitCount, downloadLink, section, statusLine } from "./util.js";

const EXPORTS = {
  filenames: { label: "Filenames (text)", path: "export/basic/filenames", ext: "txt", text: true },
  labelstudio: { label: "LabelStudio tasks (JSON)", path: "export/LabelStudio/tasks", ext: "json" },
  labelbox: { label: "Labelbox v3 data rows (JSON)", path: "export/LabelBox/datarows", ext: "json" },
  labelboxv4: { label: "Labelbox v4 data rows (JSON)", path: "export/LabelBoxV4/datarows", ext: "json" },
};
const EXPORT_PAGE = 1000;

/** Every page of a tag export: text lines joined, or one JSON array. */
async function fetchExport(datasetId, tagId, kind) {
  const spec = EXPORTS[kind];
  const path = `/v1/datasets/${datasetId}/tags/${tagId}/${spec.path}`;
  const parts = [];
  for (let offset = 0; ; offset += EXPORT_PAGE) {
    const page = await api(path, { params: { pageSize: EXPORT_PAGE, pageOffset: offset } });
    if (spec.text) {
      if (!page) break;
      parts.push(page);
      if (page.split("\n").length < EXPORT_PAGE) break;
    } else {
      parts.push(...page);
      if (page.length < EXPORT_PAGE) break;
    }
  }
  return spec.text ? parts.join("\n") : JSON.stringify(parts, null, 2);
}

function tagTree(tags, onDelete) {
  const byParent = new Map();
  const ids = new Set(tags.map((t) => t.id));
  for (const tag of tags) {
    const parent = tag.prevTagId && ids.has(tag.prevTagId) ? tag.prevTagId : null;
    if (!byParent.has(parent)) byParent.set(parent, []);
    byParent.get(parent).push(tag);
  }
  const list = (parent) => h("ul", { class: "tag-tree" }, (byParent.get(parent) || []).map((tag) =>
    h("li", { "data-tag": tag.name },
      h("div", { class: "tag-line" },
        h("strong", { class: "tag-name" }, tag.name),
        h("span", { class: "muted" }, ` ${bitCount(tag.bitMaskData)} of ${tag.totSize} samples · ${fmtTime(tag.createdAt)}`),
        tag.runId ? h("a", { href: `#/runs/${tag.runId}` }, "run") : null,
        // The root tag (no prevTagId) cannot be deleted: no button for it.
        tag.prevTagId ? h("button", { type: "button", class: "secondary small",
          "aria-label": `Delete tag ${tag.name}`, onclick: () => onDelete(tag) }, "Delete") : null),
      byParent.has(tag.id) ? list(tag.id) : null)));
  return list(null);
}

function tagSelect(id, tags) {
  return h("select", { id }, tags.map((t) => h("option", { value: t.id }, t.name)));
}

function arithmeticForm(datasetId, tags, status, reload) {
  const a = tagSelect("ta-first", tags);
  const b = tagSelect("ta-second", tags);
  if (tags.length > 1) b.selectedIndex = 1;
  const op = h("select", { id: "ta-op" },
    ["UNION", "INTERSECTION", "DIFFERENCE"].map((o) => h("option", { value: o }, o.toLowerCase())));
  const name = h("input", { id: "ta-name", type: "text", required: true, maxlength: "80" });
  const form = h("form", { class: "ta-form", "aria-labelledby": "ta-title" },
    h("h3", { id: "ta-title" }, "Tag arithmetic"),
    h("div", { class: "fields" },
      h("div", {}, h("label", { for: "ta-first" }, "First tag"), a),
      h("div", {}, h("label", { for: "ta-op" }, "Operation"), op),
      h("div", {}, h("label", { for: "ta-second" }, "Second tag"), b),
      h("div", {}, h("label", { for: "ta-name" }, "New tag name"), name)),
    h("button", { type: "submit" }, "Create tag"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const body = { tagId1: a.value, tagId2: b.value, operation: op.value,
        newTagName: name.value.trim(), creator: "USER_WEBAPP" };
      const result = await api(`/v1/datasets/${datasetId}/tags/arithmetics/bitmask`, { method: "POST", body });
      await reload(`Created tag ${body.newTagName} with ${bitCount(result.bitMaskData)} samples.`);
    } catch (e) {
      status.set(e.message, true);
    }
  });
  return form;
}

function exportForm(datasetId, tags) {
  const tag = tagSelect("ex-tag", tags);
  const kind = h("select", { id: "ex-kind" },
    Object.entries(EXPORTS).map(([k, spec]) => h("option", { value: k }, spec.label)));
  const out = h("div", { class: "export-out" });
  const status = statusLine();
  async function run(preview) {
    status.set("Exporting…");
    try {
      const spec = EXPORTS[kind.value];
      const content = await fetchExport(datasetId, tag.value, kind.value);
      const tagName = tag.options[tag.selectedIndex].textContent;
      const file = `${tagName}-${kind.value}.${spec.ext}`;
      const link = downloadLink(content, file, spec.text ? "text/plain" : "application/json");
      mount(out, link, preview
        ? h("pre", { class: "export-preview", tabindex: "0", "aria-label": `Preview of ${file}` }, content)
        : null);
      status.set("");
      if (!preview) link.click();
    } catch (e) {
      status.set(e.message, true);
    }
  }
  return h("div", { class: "export", role: "group", "aria-labelledby": "ex-title" },
    h("h3", { id: "ex-title" }, "Export a tag"),
    h("div", { class: "fields" },
      h("div", {}, h("label", { for: "ex-tag" }, "Tag"), tag),
      h("div", {}, h("label", { for: "ex-kind" }, "Format"), kind)),
    h("div", { class: "row" },
      h("button", { type: "button", onclick: () => run(true) }, "Preview"),
      h("button", { type: "button", class: "secondary", onclick: () => run(false) }, "Download")),
    status, out);
}

/** The tags section; it reloads itself after a change. */
export function tagsSection(datasetId) {
  const body = h("div", {});
  const status = statusLine();
  async function reload(message = "", isError = false) {
    const tags = await api(`/v1/datasets/${datasetId}/tags`);
    const onDelete = async (tag) => {
      try {
        await api(`/v1/datasets/${datasetId}/tags/${tag.id}`, { method: "DELETE" });
        await reload(`Deleted tag ${tag.name}.`);
      } catch (e) {
        status.set(e.status === 409 ? `Cannot delete: ${e.message}` : e.message, true);
      }
    };
    mount(body, tags.length === 0
      ? h("p", { class: "muted" }, "No tags yet: a run creates initial-tag and its selection tag.")
      : [tagTree(tags, onDelete),
         arithmeticForm(datasetId, tags, status, reload),
         exportForm(datasetId, tags)]);
    status.set(message, isError);
  }
  return { el: section("ds-tags", "Tags", status, body), load: () => reload() };
}

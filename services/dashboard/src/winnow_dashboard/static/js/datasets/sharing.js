// Sharing: who the dataset is shared with. The owner shares with more emails or revokes
// (POST replaces the user list; [] revokes all); a collaborator sees the list read-only.
import { api } from "../api.js";
import { h, mount } from "../dom.js";
import { section, statusLine } from "./util.js";

function usersOf(configs) {
  const write = configs.find((c) => c.accessType === "WRITE");
  return write ? write.users : [];
}

export function sharingSection(datasetId, isOwner) {
  const body = h("div", {});
  const status = statusLine();
  const path = `/v1/datasets/${datasetId}/collaboration/access`;

  async function save(users, message) {
    try {
      await api(path, { method: "POST", body: { accessType: "WRITE", users, creator: "USER_WEBAPP" } });
      await load(message);
    } catch (e) {
      status.set(e.message, true);
    }
  }

  function ownerForm(users) {
    const emails = h("input", { id: "share-emails", type: "text", autocomplete: "off",
      placeholder: "a@example.com, b@example.com" });
    const form = h("form", { class: "share-form" },
      h("label", { for: "share-emails" }, "Share with (emails, comma-separated)"),
      h("div", { class: "row" }, emails, h("button", { type: "submit" }, "Share")));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const added = emails.value.split(/[\s,;]+/).map((e) => e.trim()).filter(Boolean);
      if (added.length === 0) { status.set("emails: enter at least one email", true); return; }
      save([...new Set([...users, ...added])], `Shared with ${added.join(", ")}.`);
    });
    return [form, users.length
      ? h("button", { type: "button", class: "secondary", onclick: () => save([], "Revoked every share.") },
          "Revoke all")
      : null];
  }

  async function load(message = "") {
    const users = usersOf(await api(path));
    const list = users.length === 0
      ? h("p", { class: "muted" }, "Not shared with anyone.")
      : h("ul", { class: "share-list" }, users.map((email) => h("li", {},
          h("span", {}, email),
          isOwner
            ? h("button", { type: "button", class: "secondary small", "aria-label": `Revoke ${email}`,
                onclick: () => save(users.filter((u) => u !== email), `Revoked ${email}.`) }, "Revoke")
            : null)));
    mount(body, list, isOwner
      ? ownerForm(users)
      : h("p", { class: "muted" }, "Shared with you: only the owner changes who may use it."));
    status.set(message);
  }
  return { el: section("ds-sharing", "Sharing", status, body), load: () => load() };
}

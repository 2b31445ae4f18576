// Tiny DOM helpers: build elements without innerHTML (no injection from file names).

/** h("a", {href: "#/x", class: "c"}, "text", child) -> element. Attributes starting with "on"
 * are event listeners; `false`/`null` attributes are left out. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === "class") {
      el.className = value;
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replace the children of `el` with `children`. */
export function mount(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined));
}

/** "2026-12-06 10:42:07" from epoch milliseconds (local time); "" for none. */
export function fmtTime(ms) {
  if (!ms) return "";
  const d = new Date(ms);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** "1 m 05 s" from a duration in milliseconds. */
export function fmtDuration(ms) {
  if (ms === null || ms === undefined || ms < 0) return "";
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} m ${String(s % 60).padStart(2, "0")} s` : `${Math.floor(m / 60)} h ${m % 60} m`;
}

/** A message shown in place of a page when loading it failed (404 for a dataset one cannot
 * see reads "not found"). */
export function errorBox(error) {
  const status = error && error.status ? ` (${error.status})` : "";
  return h("div", { class: "card error", role: "alert" }, `Error${status}: ${error.message || error}`);
}

/** "1 run", "3 runs". */
export function plural(count, noun) {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

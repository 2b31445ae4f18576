// Helpers shared by the dataset page's sections.
import { h } from "../dom.js";

/** How many bits a "0x..." bitmask sets (the tag's sample count). */
export function bitCount(hex) {
  let n = BigInt(hex || "0x0");
  let count = 0;
  while (n > 0n) {
    // Count 32 bits at a time: BigInt ops are slow one bit at a time on 100k-sample masks.
    let word = Number(n & 0xffffffffn);
    while (word) { word &= word - 1; count += 1; }
    n >>= 32n;
  }
  return count;
}

/** A section with a heading whose id labels it. */
export function section(id, title, ...children) {
  return h("section", { class: "card", "aria-labelledby": id },
    h("h2", { id }, title), ...children);
}

/** A status line that screen readers announce; set(text, isError). */
export function statusLine() {
  const el = h("p", { class: "status", role: "status" });
  el.set = (text, isError = false) => {
    el.textContent = text || "";
    el.classList.toggle("error", Boolean(isError));
  };
  return el;
}

/** Offer `content` as a file download (a Blob behind a link the user can click again). */
export function downloadLink(content, fileName, type) {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = h("a", { href: url, download: fileName, class: "download" }, `Download ${fileName}`);
  return link;
}

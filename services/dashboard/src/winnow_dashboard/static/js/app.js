// The dashboard's shell: log-in, navigation and a hash router that loads one page module.
import { logIn, logOut, whoAmI } from "./api.js";
import { errorBox, mount } from "./dom.js";

// "#/runs/<id>" -> pages/run.js with params {id}. Order matters: first match wins.
const ROUTES = [
  [/^#\/runs\/([0-9a-f]{24})$/, "run", ["runId"]],
  [/^#\/runs\/([0-9a-f]{24})\/galleries$/, "galleries", ["runId"]],
  [/^#\/runs$/, "runs", []],
  [/^#\/workers$/, "workers", []],
  [/^#\/datasets\/([0-9a-f]{24})\/embedding$/, "embedding", ["datasetId"]],
  [/^#\/datasets\/([0-9a-f]{24})\/sampling$/, "sampling", ["datasetId"]],
  [/^#\/datasets\/([0-9a-f]{24})$/, "dataset", ["datasetId"]],
  [/^#\/datasets$/, "datasets", []],
];

const view = () => document.getElementById("view");
let cleanup = null; // what the current page must stop (an EventSource, timers)

function match(hash) {
  for (const [pattern, page, names] of ROUTES) {
    const m = pattern.exec(hash);
    if (m) return { page, params: Object.fromEntries(names.map((n, i) => [n, m[i + 1]])) };
  }
  return { page: "runs", params: {} };
}

let navigation = 0; // which route() call is the newest

async function route() {
  if (cleanup) { try { cleanup(); } catch { /* page already gone */ } cleanup = null; }
  const current = ++navigation;
  const { page, params } = match(window.location.hash || "#/runs");
  for (const a of document.querySelectorAll(".top nav a")) {
    const here = (window.location.hash || "#/runs").startsWith(a.getAttribute("href"));
    if (here) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  }
  // Each view renders into its own container: a slower, older view that finishes late writes
  // into a container no longer in the document instead of replacing the newer one.
  const container = document.createElement("div");
  mount(view(), container);
  try {
    const module = await import(`./pages/${page}.js`);
    const stop = (await module.render(container, params)) || null;
    if (current === navigation) cleanup = stop;
    else if (stop) stop(); // the user has moved on: stop its streams and timers now
  } catch (error) {
    mount(container, errorBox(error));
  }
  if (current === navigation) document.title = `Winnow: ${page}`;
}

// The log-in form leaves the document while a page is shown: keep hold of it.
const loginForm = document.getElementById("login");

function showLogin() {
  if (cleanup) { try { cleanup(); } catch { /* page already gone */ } cleanup = null; }
  document.getElementById("logout").hidden = true;
  document.getElementById("who-email").textContent = "";
  mount(view(), loginForm);
  loginForm.hidden = false;
  document.getElementById("login-token").focus();
}

/** Show the pages when the session cookie is valid, else the log-in form. */
async function enter() {
  let me;
  try { me = await whoAmI(); } catch { showLogin(); return; }
  document.getElementById("who-email").textContent = me.email;
  document.getElementById("logout").hidden = false;
  await route();
}

loginForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = document.getElementById("login-error");
  error.textContent = "";
  try {
    await logIn(document.getElementById("login-token").value.trim());
    loginForm.reset();
    loginForm.hidden = true;
    await enter();
  } catch (e) {
    error.textContent = e.status === 401 ? "That token is not valid." : e.message;
  }
});
document.getElementById("logout").addEventListener("click", async () => {
  await logOut().catch(() => null);
  showLogin();
});
window.addEventListener("winnow:logged-out", showLogin);
window.addEventListener("hashchange", () => {
  if (!document.getElementById("logout").hidden) route();
});
enter();

// Same-origin calls to the Winnow API; the session cookie (set at log-in) authenticates them.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function url(path, params) {
  const u = new URL(path, window.location.origin);
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null) u.searchParams.set(k, String(v));
  }
  return u.toString();
}

/** Call the API; JSON in and out. Throws ApiError (status, code, message) on a non-2xx. */
export async function api(path, { method = "GET", params, body } = {}) {
  const response = await fetch(url(path, params), {
    method,
    credentials: "same-origin",
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (!response.ok) {
    const message = (data && data.error) || response.statusText || "request failed";
    if (response.status === 401) window.dispatchEvent(new CustomEvent("winnow:logged-out"));
    throw new ApiError(response.status, data && data.code, message);
  }
  return data;
}

/** Every item of a paged list route (pageSize/pageOffset), in order. */
export async function apiAll(path, params = {}, pageSize = 1000) {
  const items = [];
  for (let offset = 0; ; offset += pageSize) {
    const page = await api(path, { params: { ...params, pageSize, pageOffset: offset } });
    items.push(...page);
    if (page.length < pageSize) return items;
  }
}

export function logIn(token) {
  return api("/dashboard/session", { method: "POST", body: { token } });
}

export function logOut() {
  return api("/dashboard/session", { method: "DELETE" });
}

export function whoAmI() {
  return api("/dashboard/session");
}

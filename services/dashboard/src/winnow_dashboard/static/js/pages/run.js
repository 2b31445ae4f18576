// One run: state, priority, worker and message, a progress bar and stage timeline pushed by
// Server-Sent Events (GET /v1/docker/runs/<id>/events), the log tail, attempts, cancel, and
// the artifacts with report.pdf / report.json downloads.
import { api } from "../api.js";
import { errorBox, fmtTime, h, mount } from "../dom.js";
import { isEnded } from "../runs/data.js";
import { artifactList, attemptTable, stageTable } from "../runs/parts.js";

function field(label, id, value = "") {
  return h("div", { class: "field" }, h("dt", {}, label), h("dd", { id }, value));
}

export async function render(main, { runId }) {
  const run = await api(`/v1/docker/runs/${runId}`);
  const status = h("p", { id: "run-live", class: "muted", role: "status" }, "Connecting…");
  const progress = h("progress", { id: "run-progress", max: 1, value: 0, "aria-label": "Run progress" });
  const cancel = h("button", { type: "button", id: "run-cancel", class: "danger" }, "Cancel run");
  const cancelNote = h("p", { class: "muted", id: "cancel-note" }, "");
  const stages = h("section", { id: "run-stages", "aria-labelledby": "h-stages" });
  const attempts = h("section", { id: "run-attempts", "aria-labelledby": "h-attempts" });
  const log = h("pre", { class: "log", id: "run-log", tabindex: "0", "aria-label": "Log tail" }, "");
  const artifacts = h("div", { id: "run-artifacts" });
  let ended = isEnded(run.state);

  const refreshArtifacts = async () => {
    const fresh = await api(`/v1/docker/runs/${runId}`);
    mount(artifacts, await artifactList(fresh));
  };
  const show = (data) => {
    document.getElementById("run-state").textContent = data.state;
    document.getElementById("run-state").className = `state ${data.state}`;
    document.getElementById("run-message").textContent = data.message;
    document.getElementById("run-priority").textContent = data.priority || "";
    document.getElementById("run-worker").textContent = data.worker
      ? `${data.worker.name}${data.worker.labels.length ? ` (${data.worker.labels.join(", ")})` : ""}`
      : (data.attempts.filter((a) => a.task === "gpu.process_run").at(-1)?.holder || "");
    progress.value = data.progress;
    progress.textContent = `${Math.round(data.progress * 100)} %`;
    mount(stages, h("h2", { id: "h-stages" }, "Stage timeline"), stageTable(data.stages));
    mount(attempts, h("h2", { id: "h-attempts" }, "Attempts"), attemptTable(data.attempts));
    const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 8;
    log.textContent = data.logTail.length
      ? data.logTail.join("\n")
      : "(no log lines yet: the worker writes its log every few seconds)";
    if (atBottom) log.scrollTop = log.scrollHeight;
    cancel.disabled = data.ended;
  };

  cancel.addEventListener("click", async () => {
    if (!window.confirm("Cancel this run? A running worker stops at its next step.")) return;
    cancel.disabled = true;
    try { await api(`/v1/docker/runs/${runId}/cancel`, { method: "POST" }); }
    catch (e) { cancelNote.textContent = e.message; cancel.disabled = false; }
  });

  mount(main,
    h("p", {}, h("a", { href: "#/runs" }, "← Runs")),
    h("h1", {}, `Run ${runId}`),
    h("section", { class: "card" },
      h("dl", { class: "facts" },
        field("State", "run-state", run.state), field("Priority", "run-priority"),
        field("Worker", "run-worker"), field("Created", "run-created", fmtTime(run.createdAt)),
        field("Dataset", "run-dataset", h("a", { href: `#/datasets/${run.datasetId}` }, run.datasetId))),
      h("p", { id: "run-message", class: "message" }, run.message),
      progress, status,
      h("div", { class: "row" }, cancel,
        h("a", { href: `#/runs/${runId}/galleries` }, "Galleries: corrupt files, duplicates, selection"))),
    cancelNote,
    stages, attempts,
    h("section", { "aria-labelledby": "h-log" }, h("h2", { id: "h-log" }, "Log (tail)"), log),
    h("section", { "aria-labelledby": "h-artifacts" }, h("h2", { id: "h-artifacts" }, "Artifacts"), artifacts));
  cancel.disabled = ended;
  // The dataset's name in place of its id (a dataset one may no longer read keeps the id).
  api(`/v1/datasets/${run.datasetId}`).then((dataset) => {
    const link = document.querySelector("#run-dataset a");
    if (link) link.textContent = dataset.name;
  }).catch(() => null);
  await refreshArtifacts().catch((e) => mount(artifacts, errorBox(e)));

  const source = new EventSource(`/v1/docker/runs/${runId}/events`);
  source.addEventListener("run", (event) => {
    const data = JSON.parse(event.data);
    show(data);
    status.textContent = data.ended ? "Run ended." : `Live: updated ${fmtTime(Date.now())}`;
    if (data.ended && !ended) refreshArtifacts().catch(() => null);
    ended = data.ended;
  });
  source.addEventListener("end", () => {
    source.close();
    status.textContent = "Run ended.";
    refreshArtifacts().catch(() => null);
  });
  source.onerror = () => { if (!ended) status.textContent = "Connection lost; reconnecting…"; };
  return () => source.close();
}

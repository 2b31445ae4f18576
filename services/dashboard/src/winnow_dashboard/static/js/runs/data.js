// Runs data for the runs pages: own runs and the runs of datasets shared with the user, with
// their scheduled runs (priority, runs not picked up yet) and who worked on them.
import { api, apiAll } from "../api.js";

const ENDED = new Set(["COMPLETED", "FAILED", "CRASHED", "ABORTED"]);
export const isEnded = (state) => ENDED.has(state);

/** {id: name} of the user's own and shared datasets, and the shared ones' ids. */
export async function datasetNames() {
  const [own, shared] = await Promise.all([
    api("/v1/datasets"), api("/v1/datasets", { params: { shared: true } }),
  ]);
  const names = {};
  for (const d of [...own, ...shared]) names[d.id] = d.name;
  return { names, ownIds: own.map((d) => d.id), sharedIds: shared.map((d) => d.id) };
}

/** Every scheduled run of a dataset, whatever its state. */
async function scheduledOf(datasetId) {
  const path = `/v1/datasets/${datasetId}/docker/worker/schedule`;
  const lists = await Promise.all([
    api(path), api(path, { params: { state: "DONE" } }), api(path, { params: { state: "CANCELED" } }),
  ]);
  return lists.flat();
}

/** The worker that ran the GPU stage: the registered worker's name, else the holder. */
async function workerOf(runId, workerNames) {
  const attempts = await api(`/v1/docker/runs/${runId}/attempts`);
  const gpu = attempts.filter((a) => a.task === "gpu.process_run").pop();
  if (!gpu) return "";
  return (gpu.workerId && workerNames[gpu.workerId]) || gpu.holder;
}

/** Runs (and scheduled runs not picked up yet), newest first, as table rows' data. */
export async function loadRuns() {
  const { names, ownIds, sharedIds } = await datasetNames();
  const [own, sharedRuns, workers] = await Promise.all([
    apiAll("/v1/docker/runs"),
    Promise.all(sharedIds.map((id) => apiAll(`/v1/docker/runs/query/datasetId/${id}`))),
    api("/v1/docker/worker").catch(() => []),
  ]);
  const byId = new Map();
  for (const run of [...own, ...sharedRuns.flat()]) byId.set(run.id, run);
  const runs = [...byId.values()];
  const datasetIds = [...new Set([...ownIds, ...sharedIds, ...runs.map((r) => r.datasetId)])];
  const scheduled = (await Promise.all(datasetIds.map((id) => scheduledOf(id).catch(() => []))))
    .flat();
  const scheduledById = new Map(scheduled.map((s) => [s.id, s]));
  const workerNames = Object.fromEntries(workers.map((w) => [w.id, w.name]));
  runs.sort((a, b) => b.createdAt - a.createdAt);
  const recent = runs.slice(0, 100);
  const workerList = await Promise.all(
    recent.map((r) => workerOf(r.id, workerNames).catch(() => "")));
  const rows = recent.map((run, i) => ({
    kind: "run", id: run.id, scheduledId: run.scheduledId, createdAt: run.createdAt,
    datasetId: run.datasetId, datasetName: names[run.datasetId] || run.datasetId,
    state: run.state, message: run.message, worker: workerList[i],
    priority: scheduledById.get(run.scheduledId)?.priority || "",
  }));
  const picked = new Set(runs.map((r) => r.scheduledId));
  for (const s of scheduled) {
    if (picked.has(s.id) || s.state !== "OPEN") continue;
    rows.push({
      kind: "scheduled", id: null, scheduledId: s.id, createdAt: s.createdAt,
      datasetId: s.datasetId, datasetName: names[s.datasetId] || s.datasetId,
      state: "QUEUED", message: "Waiting for a worker to pick it up", worker: "",
      priority: s.priority,
    });
  }
  rows.sort((a, b) => b.createdAt - a.createdAt);
  return rows;
}

/** Cancel a scheduled run (before pickup) or abort its run; answers {result}. */
export function cancelScheduled(scheduledId) {
  return api(`/v1/docker/runs/schedule/${scheduledId}/cancel`, { method: "POST" });
}

// Pointer, wheel and keyboard on the scatter's canvas: drag pans (or draws the lasso in lasso
// mode), the wheel zooms at the pointer, + / - / 0 / arrows / Escape work from the keyboard.

const ZOOM_STEP = 1.25;
const PAN_STEP = 40; // CSS px per arrow key

/** Wire `scatter` to its canvas. `mode()` is "pan" or "lasso"; `onSelect(count)` runs when a
 * lasso closes or the selection is cleared; `redraw()` schedules a draw. Returns a detach. */
export function attach(scatter, { mode, onSelect, redraw }) {
  const canvas = scatter.canvas;
  let drag = null;

  const local = (event) => {
    const r = canvas.getBoundingClientRect();
    return [event.clientX - r.left, event.clientY - r.top];
  };

  const down = (event) => {
    if (event.button !== 0) return;
    canvas.setPointerCapture(event.pointerId);
    const [x, y] = local(event);
    drag = { x, y, lasso: mode() === "lasso" };
    if (drag.lasso) scatter.lasso = [[x, y]];
    event.preventDefault();
  };
  const move = (event) => {
    if (!drag) return;
    const [x, y] = local(event);
    if (drag.lasso) {
      const last = scatter.lasso[scatter.lasso.length - 1];
      if (Math.hypot(x - last[0], y - last[1]) >= 2) scatter.lasso.push([x, y]);
    } else {
      scatter.pan(x - drag.x, y - drag.y);
    }
    drag.x = x;
    drag.y = y;
    redraw();
  };
  const up = () => {
    if (!drag) return;
    const wasLasso = drag.lasso;
    drag = null;
    if (wasLasso) {
      const count = scatter.selectPolygon(scatter.lasso);
      onSelect(count);
    }
    redraw();
  };
  const wheel = (event) => {
    event.preventDefault();
    const [x, y] = local(event);
    scatter.zoom(Math.exp(-event.deltaY * 0.0015), x, y);
    redraw();
  };
  const key = (event) => {
    const actions = {
      "+": () => scatter.zoom(ZOOM_STEP),
      "=": () => scatter.zoom(ZOOM_STEP),
      "-": () => scatter.zoom(1 / ZOOM_STEP),
      "0": () => scatter.fit(),
      ArrowLeft: () => scatter.pan(PAN_STEP, 0),
      ArrowRight: () => scatter.pan(-PAN_STEP, 0),
      ArrowUp: () => scatter.pan(0, PAN_STEP),
      ArrowDown: () => scatter.pan(0, -PAN_STEP),
      Escape: () => { scatter.clearSelection(); onSelect(0); },
    };
    const action = actions[event.key];
    if (!action) return;
    event.preventDefault();
    action();
    redraw();
  };

  canvas.addEventListener("pointerdown", down);
  canvas.addEventListener("pointermove", move);
  canvas.addEventListener("pointerup", up);
  canvas.addEventListener("pointercancel", up);
  canvas.addEventListener("wheel", wheel, { passive: false });
  canvas.addEventListener("keydown", key);
  return () => {
    canvas.removeEventListener("pointerdown", down);
    canvas.removeEventListener("pointermove", move);
    canvas.removeEventListener("pointerup", up);
    canvas.removeEventListener("pointercancel", up);
    canvas.removeEventListener("wheel", wheel);
    canvas.removeEventListener("keydown", key);
  };
}

/** One draw per animation frame however many events asked for it. */
export function frameScheduler(draw) {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; draw(); });
  };
}

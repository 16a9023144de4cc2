// Pointer input on the canvas: drag pans, wheel and pinch zoom toward the
// pointer, double-click zooms in, click picks an image, and in lasso mode a
// drag draws a free-form polygon. Shift adds to the selection.

import { pickAt, inPolygon } from './picking.js';

const CLICK_MS = 600;

export class Input {
  constructor(app, { canvas, overlay, tooltip }) {
    this.app = app;
    this.canvas = canvas;
    this.overlay = overlay;
    this.tooltip = tooltip;
    this.pointers = new Map();
    this.gesture = null; // {kind: 'pan'|'lasso'|'pinch', ...}
    this.lassoMode = false;
    this.spaceHeld = false;
    canvas.addEventListener('pointerdown', (e) => this.down(e));
    canvas.addEventListener('pointermove', (e) => this.move(e));
    canvas.addEventListener('pointerup', (e) => this.up(e));
    canvas.addEventListener('pointercancel', (e) => this.cancel(e));
    canvas.addEventListener('pointerleave', () => this.leave());
    canvas.addEventListener('wheel', (e) => this.wheel(e), { passive: false });
    canvas.addEventListener('dblclick', (e) => this.dblclick(e));
    canvas.addEventListener('contextmenu', (e) => e.preventDefault());
    window.addEventListener('keydown', (e) => { if (e.code === 'Space' && !typing(e)) { e.preventDefault(); this.setSpace(true); } });
    window.addEventListener('keyup', (e) => { if (e.code === 'Space') this.setSpace(false); });
    window.addEventListener('blur', () => this.setSpace(false));
  }

  get lassoActive() { return this.lassoMode !== this.spaceHeld; }

  setLassoMode(on) {
    this.lassoMode = on;
    this.updateCursor();
    this.app.emit('lasso-mode', { on: this.lassoActive });
  }

  setSpace(on) {
    if (this.spaceHeld === on) return;
    this.spaceHeld = on;
    this.updateCursor();
    this.app.emit('lasso-mode', { on: this.lassoActive });
  }

  updateCursor() {
    this.canvas.classList.toggle('lasso', this.lassoActive);
  }

  local(e) {
    const r = this.canvas.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  }

  down(e) {
    if (e.button !== 0 && e.pointerType === 'mouse') return;
    this.canvas.setPointerCapture(e.pointerId);
    const [x, y] = this.local(e);
    this.pointers.set(e.pointerId, { x, y });
    this.hideTooltip();
    if (this.pointers.size === 2) {
      this.overlay.lasso = null;
      this.gesture = { kind: 'pinch', ...this.pinchState() };
      return;
    }
    if (this.pointers.size > 2) return;
    const kind = this.lassoActive ? 'lasso' : 'pan';
    this.gesture = { kind, x0: x, y0: y, lx: x, ly: y, t0: performance.now(), moved: 0, shift: e.shiftKey, touch: e.pointerType !== 'mouse' };
    if (kind === 'lasso') this.overlay.lasso = [x, y];
    else this.canvas.classList.add('dragging');
  }

  pinchState() {
    const [a, b] = [...this.pointers.values()];
    return { cx: (a.x + b.x) / 2, cy: (a.y + b.y) / 2, dist: Math.max(1, Math.hypot(a.x - b.x, a.y - b.y)) };
  }

  move(e) {
    const [x, y] = this.local(e);
    if (!this.pointers.has(e.pointerId)) {
      if (e.pointerType === 'mouse' && !this.gesture) this.hoverAt(x, y);
      return;
    }
    this.pointers.set(e.pointerId, { x, y });
    const g = this.gesture;
    if (!g) return;
    const cam = this.app.camera;
    if (g.kind === 'pinch') {
      if (this.pointers.size < 2) return;
      const now = this.pinchState();
      cam.panBy(now.cx - g.cx, now.cy - g.cy);
      cam.zoomAt(now.cx, now.cy, now.dist / g.dist);
      Object.assign(g, now);
      this.app.moved();
      return;
    }
    g.moved = Math.max(g.moved, Math.hypot(x - g.x0, y - g.y0));
    if (g.kind === 'pan') {
      cam.panBy(x - g.lx, y - g.ly);
      this.app.moved();
    } else if (Math.hypot(x - g.lx, y - g.ly) >= 3) {
      this.overlay.lasso.push(x, y);
      this.app.requestDraw();
    } else {
      return;
    }
    g.lx = x;
    g.ly = y;
  }

  up(e) {
    if (!this.pointers.has(e.pointerId)) return;
    const [x, y] = this.local(e);
    this.pointers.delete(e.pointerId);
    const g = this.gesture;
    if (!g) return;
    if (g.kind === 'pinch') {
      if (this.pointers.size === 0) this.gesture = null;
      return; // lifting one finger of two does not start a pan
    }
    this.gesture = null;
    this.canvas.classList.remove('dragging');
    const click = g.moved <= (g.touch ? 10 : 4) && performance.now() - g.t0 < CLICK_MS;
    if (g.kind === 'lasso') {
      const poly = this.overlay.lasso;
      this.overlay.lasso = null;
      this.app.requestDraw();
      if (click) return this.clickAt(x, y, true);
      this.finishLasso(poly, g.shift || e.shiftKey);
      return;
    }
    if (click) this.clickAt(x, y, e.shiftKey || e.metaKey);
  }

  cancel(e) {
    this.pointers.delete(e.pointerId);
    this.gesture = null;
    this.overlay.lasso = null;
    this.canvas.classList.remove('dragging');
    this.app.requestDraw();
  }

  leave() {
    if (!this.gesture) {
      this.app.setHover(-1);
      this.hideTooltip();
    }
  }

  clickAt(x, y, toggle) {
    const i = pickAt(this.app, x, y);
    if (toggle) {
      if (i < 0) return;
      const sel = new Set(this.app.selection);
      if (sel.has(i)) sel.delete(i); else sel.add(i);
      this.app.setSelection(sel);
      return;
    }
    this.app.emit('click-image', { position: i });
  }

  finishLasso(screenPoly, add) {
    if (!screenPoly || screenPoly.length < 6) return;
    const cam = this.app.camera;
    const world = [];
    for (let k = 0; k < screenPoly.length; k += 2) world.push(...cam.toWorld(screenPoly[k], screenPoly[k + 1]));
    const hits = inPolygon(this.app, world);
    const sel = add ? new Set(this.app.selection) : new Set();
    for (const i of hits) sel.add(i);
    this.app.setSelection(sel);
  }

  wheel(e) {
    e.preventDefault();
    const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
    const dy = Math.max(-600, Math.min(600, e.deltaY * unit));
    const [x, y] = this.local(e);
    this.app.camera.zoomAt(x, y, Math.exp(-dy * 0.002));
    this.app.moved();
  }

  dblclick(e) {
    if (this.lassoActive) return;
    const [x, y] = this.local(e);
    const cam = this.app.camera;
    const [wx, wy] = cam.toWorld(x, y);
    const zoom = cam.clampZoom(cam.zoom * 2);
    // keep the clicked point under the pointer after zooming
    const s = zoom * Math.min(cam.width, cam.height) / 2;
    cam.flyTo({ x: wx - (x - cam.width / 2) / s, y: wy + (y - cam.height / 2) / s, zoom });
    this.app.requestDraw();
  }

  hoverAt(x, y) {
    const i = pickAt(this.app, x, y);
    this.app.setHover(i);
    this.canvas.classList.toggle('over', i >= 0 && !this.lassoActive);
    if (i < 0) return this.hideTooltip();
    this.tooltip.textContent = this.app.filename(i);
    this.tooltip.style.left = `${x}px`;
    this.tooltip.style.top = `${y}px`;
    this.tooltip.hidden = false;
  }

  hideTooltip() { this.tooltip.hidden = true; }
}

// typing reports whether a key event is aimed at a text field.
export function typing(e) {
  const t = e.target;
  return t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
}

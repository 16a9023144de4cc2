// The viewer's shared state and event bus. One App lives for the page; the
// per-plot part (manifest, ids, selection, focus) is replaced by setPlot.
// Modules talk through events:
//   plot      a new plot's manifest is in place (before any layout)
//   layout    {name} a layout became current (after its transition starts)
//   landed    a layout transition finished
//   meta      the plot's metadata table arrived
//   camera    the camera moved (fired at most once per frame)
//   selection the lasso selection changed
//   hotspots  a hotspot was made, deleted or moved (plot.hotspots is the new list)
//   focus     {position} the lightbox image changed (-1 = closed)
//   filter    the set of dimmed images changed
//   atlas     a base-tier atlas finished loading

import { STATE } from './renderer.js';

const HOTSPOT_COLORS = [
  [0.90, 0.62, 0.27], [0.37, 0.66, 0.83], [0.55, 0.70, 0.41], [0.78, 0.33, 0.24], [0.65, 0.55, 0.98],
  [0.93, 0.80, 0.35], [0.30, 0.75, 0.67], [0.86, 0.45, 0.67], [0.60, 0.60, 0.30], [0.45, 0.50, 0.85],
];
const NOISE_COLOR = [0.42, 0.42, 0.42];

export class App extends EventTarget {
  constructor({ source, renderer, camera }) {
    super();
    this.source = source;
    this.renderer = renderer;
    this.camera = camera;
    this.gen = 0; // bumped per plot so late async results of an old plot are dropped
    this.plot = null;
    this.n = 0;
    this.ids = [];
    this.positionOf = new Map();
    this.meta = null;
    this.hotspotOf = new Int32Array(0);
    this.selection = new Set();
    this.focus = -1;
    this.hover = -1;
    this.sizeExponent = 0; // point-size slider: sprite side × 2^sizeExponent
    this.border = 0.08; // border slider: the share of each image's cell left as a gap (PixPlot: 0.15)
    this.firstFrame = false;
    this.drawQueued = false;
    this.tickers = []; // fn(now) -> true while animating
    this.painters = []; // fn() after each GL draw (2-D overlay)
    this.view = null; // set by main: () => ({t, pointWorld, lodMinPx})
    this.cameraMoved = false;
  }

  on(type, fn) { this.addEventListener(type, (e) => fn(e.detail)); }
  emit(type, detail) { this.dispatchEvent(new CustomEvent(type, { detail })); }

  // Render on demand: one frame per request, more while anything animates.
  requestDraw() {
    if (this.drawQueued) return;
    this.drawQueued = true;
    requestAnimationFrame((now) => this.frame(now));
  }

  frame(now) {
    this.drawQueued = false;
    let animating = false;
    const before = [this.camera.x, this.camera.y, this.camera.zoom];
    if (this.camera.tick(now)) animating = true;
    for (const tick of this.tickers) if (tick(now)) animating = true;
    const after = [this.camera.x, this.camera.y, this.camera.zoom];
    if (this.cameraMoved || before.some((v, i) => v !== after[i])) {
      this.cameraMoved = false;
      this.emit('camera');
    }
    this.renderer.draw({ camera: this.camera, ...this.view() });
    for (const paint of this.painters) paint();
    if (this.n && this.layouts && this.layouts.pos && !this.firstFrame) {
      this.firstFrame = true;
      window.__firstFrame = true;
      window.__firstFrameMs = performance.now();
    }
    if (animating) this.requestDraw();
  }

  // Call after changing the camera directly.
  moved() {
    this.cameraMoved = true;
    this.requestDraw();
  }

  setPlot(manifest) {
    this.gen++;
    this.plot = manifest;
    this.ids = manifest.images || [];
    this.n = this.ids.length;
    this.positionOf = new Map(this.ids.map((id, i) => [id, i]));
    this.meta = null;
    this.selection = new Set();
    this.focus = -1;
    this.hover = -1;
    this.firstFrame = false;
    window.__firstFrame = false;
    this.renderer.reset();
    this.renderer.allocate(this.n);
    this.assignHotspots();
    this.emit('plot');
  }

  // setHotspots replaces the plot's hotspots after one was made, deleted or moved.
  setHotspots(hotspots) {
    this.plot.hotspots = hotspots;
    this.assignHotspots();
    this.emit('hotspots');
  }

  assignHotspots() {
    this.hotspotOf = new Int32Array(this.n).fill(-1);
    (this.plot.hotspots || []).forEach((h, k) => {
      for (const p of h.members || []) if (p >= 0 && p < this.n) this.hotspotOf[p] = k;
    });
    this.paintColors();
  }

  // Until its atlas arrives an image is drawn in its hotspot's colour, so the
  // clusters read at once.
  paintColors() {
    const color = this.renderer.a.color;
    for (let i = 0; i < this.n; i++) {
      const k = this.hotspotOf[i];
      const c = k >= 0 ? this.hotspotRGB(this.plot.hotspots[k]) : NOISE_COLOR;
      const jitter = 0.85 + 0.3 * (((i * 2654435761) >>> 0) / 4294967296);
      for (let j = 0; j < 3; j++) color[4 * i + j] = Math.min(255, c[j] * jitter * 255);
      color[4 * i + 3] = 255;
    }
    this.renderer.touch('color');
  }

  // A hotspot's colour follows its id, so reordering the list keeps colours.
  hotspotRGB(h) { return HOTSPOT_COLORS[Math.abs(h.id) % HOTSPOT_COLORS.length]; }

  hotspotColor(h) {
    return `rgb(${this.hotspotRGB(h).map((v) => Math.round(v * 255)).join(',')})`;
  }

  hasFlag(i, bit) { return (this.renderer.a.state[i] & bit) !== 0; }

  setFlag(i, bit, on) {
    const s = this.renderer.a.state;
    if (i < 0 || i >= this.n) return;
    const v = on ? s[i] | bit : s[i] & ~bit;
    if (v === s[i]) return;
    s[i] = v;
    this.renderer.touch('state');
    this.requestDraw();
  }

  // setFlagWhere sets bit on every image for which pred(i) is true and clears it elsewhere.
  setFlagWhere(bit, pred) {
    const s = this.renderer.a.state;
    for (let i = 0; i < this.n; i++) s[i] = pred(i) ? s[i] | bit : s[i] & ~bit;
    this.renderer.touch('state');
    this.requestDraw();
  }

  setSelection(set) {
    this.selection = set;
    this.setFlagWhere(STATE.SELECTED, (i) => set.has(i));
    this.emit('selection');
  }

  setFocus(i) {
    if (this.focus === i) return;
    this.setFlag(this.focus, STATE.FOCUS, false);
    this.focus = i;
    this.setFlag(i, STATE.FOCUS, true);
    this.emit('focus', { position: i });
  }

  setHover(i) {
    if (this.hover === i) return;
    this.setFlag(this.hover, STATE.HOVER, false);
    this.hover = i;
    this.setFlag(i, STATE.HOVER, true);
  }

  filename(i) {
    return this.meta ? this.meta.filename[i] : `#${this.ids[i]}`;
  }
}

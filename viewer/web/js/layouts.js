// Layouts: fetch positions, animate between them on the GPU (one uniform
// mixes two position buffers), and keep a spatial index of where images
// landed. An image with a NaN coordinate has no place in that layout (for
// example no lat/lng in "geographic") and is hidden there.
//
// UMAP variants (umap-jitter, umap-n5-d0.1, … : entries with a `variant`)
// get no header button of their own: the umap button returns to the last
// one shown, and the settings tray picks among them (umapcontrols.js).

import { STATE } from './renderer.js';
import { GridIndex } from './spatial.js';

const TRANSITION_MS = 1200;
const ORDER = ['umap', 'grid', 'categorical', 'date', 'geographic', 'custom'];
const TITLES = {
  umap: 'Cluster images by visual similarity (UMAP)',
  grid: 'Similar images on a grid',
  categorical: 'Group images by category',
  date: 'Order images by year',
  geographic: 'Place images by latitude and longitude',
  custom: 'Positions from the x and y metadata columns',
};

export class Layouts {
  constructor(app, nav) {
    this.app = app;
    this.nav = nav;
    this.entries = [];
    this.cache = new Map();
    this.current = null;
    this.pos = null; // Float32Array of the current (target) layout, NaN = absent
    this.index = null; // GridIndex over this.pos, null while moving
    this.spacing = 0.05; // typical distance between neighbours, world units
    this.fromSpacing = 0.05;
    this.anim = null;
    this.t = 0;
    this.loading = 0; // layout fetches in flight
    this.lastUMAP = 'umap'; // the UMAP layout the umap button shows
    app.tickers.push((now) => this.tick(now));
    app.on('plot', () => this.reset());
  }

  reset() {
    const layouts = this.app.plot.layouts || [];
    this.entries = layouts
      .map((l) => (typeof l === 'string' ? { name: l, labels: null } : l))
      .sort((a, b) => rank(a.name) - rank(b.name));
    this.cache = new Map();
    this.current = null;
    this.pos = null;
    this.index = null;
    this.anim = null;
    this.t = 0;
    this.lastUMAP = 'umap';
    this.renderButtons();
  }

  get names() { return this.entries.map((e) => e.name); }
  // The layouts of the header buttons (and the 1… keys), umap standing for
  // the UMAP variant last shown.
  get buttonNames() {
    return this.entries.filter((e) => !isVariantName(e.name)).map((e) => (e.name === 'umap' ? this.lastUMAP : e.name));
  }
  // entry returns the manifest's entry of layout name ({name, labels, variant}).
  entry(name) { return this.entries.find((e) => e.name === name) || null; }
  // isUMAP: name is the umap layout or one of its variants.
  isUMAP(name) { return name === 'umap' || isVariantName(name); }
  get moving() { return this.anim !== null; }
  get busy() { return this.moving || this.loading > 0; }
  get labels() {
    if (this.moving) return null;
    const e = this.entries.find((l) => l.name === this.current);
    return e && e.labels && e.labels.length ? e.labels : null;
  }

  defaultName() {
    return this.names.includes('umap') ? 'umap' : this.names[0];
  }

  // Sprite side in world units for the shader.
  pointWorld() {
    const e = this.anim ? ease(this.t) : 1;
    const s = this.fromSpacing + (this.spacing - this.fromSpacing) * e;
    return (1 - this.app.border) * s * 2 ** this.app.sizeExponent;
  }

  load(name) {
    const plot = this.app.plot.name;
    if (!this.cache.has(name)) {
      const p = this.app.source.layout(plot, name).then((pos) => {
        if (pos.length !== 2 * this.app.n) {
          throw new Error(`layout ${name} of plot ${plot} has ${pos.length / 2} positions for ${this.app.n} images`);
        }
        return pos;
      });
      p.catch(() => this.cache.delete(name));
      this.cache.set(name, p);
    }
    return this.cache.get(name);
  }

  // show makes name the current layout; animate moves images from where they are.
  async show(name, { animate = true } = {}) {
    if (!this.names.includes(name)) throw new Error(`plot ${this.app.plot.name} has no layout "${name}"`);
    if (name === this.current && !this.moving) return;
    const gen = this.app.gen;
    let target;
    this.loading++;
    try {
      target = await this.load(name);
    } finally {
      this.loading--;
    }
    if (gen !== this.app.gen) return;
    const r = this.app.renderer;
    const { pos0, pos1, state } = r.a;
    const n = this.app.n;
    const first = this.pos === null || !animate;
    if (this.moving) this.freeze(); // start from where images are now
    for (let i = 0; i < n; i++) {
      const tx = target[2 * i], ty = target[2 * i + 1];
      const has = Number.isFinite(tx) && Number.isFinite(ty);
      const was = !(state[i] & STATE.HIDDEN) && !first;
      if (has) {
        pos1[2 * i] = tx;
        pos1[2 * i + 1] = ty;
        if (!was) { pos0[2 * i] = tx; pos0[2 * i + 1] = ty; }
        state[i] &= ~STATE.HIDDEN;
      } else if (was) {
        pos1[2 * i] = pos0[2 * i]; // vanish where it stands, hidden on landing
        pos1[2 * i + 1] = pos0[2 * i + 1];
      } else {
        state[i] |= STATE.HIDDEN;
      }
    }
    this.fromSpacing = first ? spacingOf(target) : this.spacing;
    this.spacing = spacingOf(target);
    this.current = name;
    if (this.isUMAP(name)) this.lastUMAP = name;
    this.pos = target;
    this.index = null;
    r.touch('pos1');
    r.touch('state');
    this.renderButtons();
    if (first) {
      this.land();
    } else {
      this.anim = { start: performance.now() };
      this.t = 0;
    }
    this.app.emit('layout', { name });
    this.app.requestDraw();
  }

  // freeze bakes the in-flight mix into pos0 so a new transition starts from it.
  freeze() {
    const { pos0, pos1 } = this.app.renderer.a;
    const e = ease(this.t);
    for (let k = 0; k < pos0.length; k++) pos0[k] += (pos1[k] - pos0[k]) * e;
    this.app.renderer.touch('pos0');
    this.anim = null;
    this.t = 0;
  }

  tick(now) {
    if (!this.anim) return false;
    this.t = Math.min(1, (now - this.anim.start) / TRANSITION_MS);
    if (this.t < 1) return true;
    this.land();
    return false;
  }

  land() {
    const r = this.app.renderer;
    const { pos0, pos1, state } = r.a;
    pos0.set(pos1);
    const target = this.pos;
    for (let i = 0; i < this.app.n; i++) {
      if (!(Number.isFinite(target[2 * i]) && Number.isFinite(target[2 * i + 1]))) state[i] |= STATE.HIDDEN;
    }
    r.touch('pos0');
    r.touch('state');
    this.anim = null;
    this.t = 0;
    this.fromSpacing = this.spacing;
    this.index = new GridIndex(target);
    this.app.emit('landed');
    this.app.requestDraw();
  }

  renderButtons() {
    const buttons = this.entries.filter((e) => !isVariantName(e.name));
    this.nav.replaceChildren(...buttons.map(({ name }, k) => {
      const b = document.createElement('button');
      b.textContent = name;
      b.dataset.layout = name;
      b.title = `${TITLES[name] || name} (${k + 1})`;
      const umap = name === 'umap';
      b.setAttribute('aria-pressed', String(umap ? this.isUMAP(this.current) : name === this.current));
      b.addEventListener('click', () => this.app.emit('choose-layout', { name: umap ? this.lastUMAP : name }));
      return b;
    }));
  }
}

function isVariantName(name) { return typeof name === 'string' && name.startsWith('umap-'); }

function rank(name) {
  const k = ORDER.indexOf(name);
  return k < 0 ? ORDER.length : k;
}

export function ease(t) {
  return t < 0.5 ? 4 * t * t * t : 1 - (2 - 2 * t) ** 3 / 2;
}

// Typical neighbour distance: the side of the square each image would get
// if the layout's bounding box were shared out evenly.
function spacingOf(pos) {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity, n = 0;
  for (let i = 0; i < pos.length; i += 2) {
    const x = pos[i], y = pos[i + 1];
    if (!(Number.isFinite(x) && Number.isFinite(y))) continue;
    n++;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  if (n < 2) return 0.1;
  const w = Math.max(x1 - x0, 1e-3), h = Math.max(y1 - y0, 1e-3);
  return Math.min(0.5, Math.sqrt((w * h) / n));
}

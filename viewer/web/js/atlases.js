// Atlas loading. The base tier (smallest cell size) streams in after the
// positions, a few atlases at a time, nearest the view first; every image is
// drawn as a coloured box until its atlas lands. The highest tier is a level
// of detail: when images are drawn bigger than the base cells, the atlases
// holding the visible images are loaded into a small pool of texture slots,
// least recently needed out first.

import { STATE, NONE } from './renderer.js';
import { fetchBlob } from './http.js';

const PARALLEL = 4;
const LOD_SETTLE_MS = 150;
const LOD_VISIBLE_CAP = 20000;

export class Atlases {
  constructor(app, { onError }) {
    this.app = app;
    this.onError = onError;
    this.reset();
    app.on('plot', () => this.reset());
    app.on('camera', () => this.scheduleLod());
    app.on('landed', () => this.scheduleLod());
  }

  reset() {
    const tiers = [...((this.app.plot && this.app.plot.atlases) || [])].sort((a, b) => a.cell_size - b.cell_size);
    this.base = tiers[0] || null;
    this.lod = tiers.length > 1 ? tiers[tiers.length - 1] : null;
    this.loaded = 0;
    this.total = this.base ? this.base.count : 0;
    this.members = []; // base atlas -> positions
    this.lodMembers = null; // lod atlas -> positions (after lod cells load)
    this.lodCells = null;
    this.lodAtlasOf = null; // position -> lod atlas
    this.slotOf = new Map(); // lod atlas -> slot
    this.slotUse = []; // slot -> {atlas, used}
    this.lodBusy = false;
    this.lodTimer = 0;
    this.failed = false;
  }

  // Device px of a sprite above which the lod tier is drawn.
  lodMinPx() { return this.base ? this.base.cell_size * 1.25 : Infinity; }

  async start() {
    if (!this.base) return;
    const { app } = this;
    const gen = app.gen;
    const tier = this.base.cell_size;
    const cells = await app.source.cells(app.plot.name, tier);
    if (gen !== app.gen) return;
    checkCells(cells, app.n, `tier ${tier} cells of plot ${app.plot.name}`);
    const r = app.renderer;
    this.members = fillRects(cells, r.a.rect, r.a.layer, this.base.count);
    r.touch('rect');
    r.touch('layer');
    r.initTier('base', this.base.size, this.base.count);
    app.requestDraw();
    const queue = this.nearestFirst(this.members);
    const worker = async () => {
      while (queue.length && gen === app.gen) {
        const i = queue.shift();
        try {
          const bmp = await loadBitmap(app.source.atlasURL(app.plot.name, tier, i));
          if (gen !== app.gen) { bmp.close(); return; }
          r.upload('base', i, bmp);
          bmp.close();
          const s = r.a.state;
          for (const p of this.members[i]) s[p] |= STATE.LOADED;
          r.touch('state');
          this.loaded++;
          app.emit('atlas', { loaded: this.loaded, total: this.total });
          app.requestDraw();
        } catch (err) {
          if (gen === app.gen) this.fail(err);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, queue.length) }, worker));
  }

  fail(err) {
    if (this.failed) return; // one message per plot, not one per atlas
    this.failed = true;
    this.onError(err);
  }

  // Atlas indexes ordered by how many of their images are in view, most first.
  nearestFirst(members) {
    const inView = this.countVisible(members.length, this.app.renderer.a.layer);
    return members.map((_, i) => i).sort((a, b) => inView[b] - inView[a] || a - b);
  }

  // countVisible counts the images in view per atlas (atlasOf: position -> atlas).
  countVisible(k, atlasOf) {
    const count = new Int32Array(k);
    const index = this.app.layouts.index;
    if (!index) return count;
    let seen = 0;
    const [x0, y0, x1, y1] = this.app.camera.viewRect();
    const pos = this.app.layouts.pos;
    index.query(x0, y0, x1, y1, (p) => {
      if (seen >= LOD_VISIBLE_CAP || atlasOf[p] === NONE) return;
      const x = pos[2 * p], y = pos[2 * p + 1];
      if (x >= x0 && x <= x1 && y >= y0 && y <= y1) { count[atlasOf[p]]++; seen++; }
    });
    return count;
  }

  scheduleLod() {
    if (!this.lod) return;
    clearTimeout(this.lodTimer);
    this.lodTimer = setTimeout(() => this.updateLod(), LOD_SETTLE_MS);
  }

  spritePx() {
    const dpr = window.devicePixelRatio || 1;
    return this.app.layouts.pointWorld() * this.app.camera.scale * dpr;
  }

  // updateLod loads, one at a time, the lod atlases that hold most of the
  // visible images, until the pool holds the best set for this view.
  async updateLod() {
    const { app } = this;
    if (this.lodBusy || app.camera.flying || app.layouts.moving || !app.layouts.index) return;
    if (this.spritePx() <= this.lodMinPx()) return;
    const gen = app.gen;
    this.lodBusy = true;
    try {
      if (!this.lodCells) await this.loadLodCells();
      if (gen !== app.gen) return;
      const wanted = this.wantedLod();
      const missing = wanted.filter((a) => !this.slotOf.has(a));
      if (!missing.length) return;
      const slot = this.freeSlot(new Set(wanted));
      if (slot < 0) return;
      await this.loadLod(missing[0], slot, gen);
      if (gen === app.gen) this.scheduleLod();
    } catch (err) {
      if (gen === app.gen) this.fail(err);
    } finally {
      this.lodBusy = false;
    }
  }

  async loadLodCells() {
    const { app } = this;
    const tier = this.lod.cell_size;
    const cells = await app.source.cells(app.plot.name, tier);
    checkCells(cells, app.n, `tier ${tier} cells of plot ${app.plot.name}`);
    const r = app.renderer;
    this.lodAtlasOf = new Uint16Array(app.n);
    this.lodMembers = fillRects(cells, r.a.lodRect, this.lodAtlasOf, this.lod.count);
    r.touch('lodRect');
    const side = this.lod.size;
    const budget = Math.min(window.screen.width, window.screen.height) < 700 ? 64 << 20 : 192 << 20;
    const slots = Math.max(2, Math.min(24, this.lod.count, r.maxLayers, Math.floor(budget / (side * side * 4))));
    r.initTier('lod', side, slots);
    this.slotUse = Array.from({ length: slots }, () => ({ atlas: -1, used: 0 }));
    this.lodCells = cells;
  }

  wantedLod() {
    const counts = this.countVisible(this.lod.count, this.lodAtlasOf);
    const order = [];
    counts.forEach((c, a) => { if (c > 0) order.push(a); });
    order.sort((a, b) => counts[b] - counts[a]);
    const wanted = order.slice(0, this.slotUse.length);
    const now = performance.now();
    for (const a of wanted) if (this.slotOf.has(a)) this.slotUse[this.slotOf.get(a)].used = now;
    return wanted;
  }

  // A slot that is empty, or else the least recently used one not wanted now.
  freeSlot(wanted) {
    let best = -1;
    for (let s = 0; s < this.slotUse.length; s++) {
      const u = this.slotUse[s];
      if (u.atlas < 0) return s;
      if (wanted.has(u.atlas)) continue;
      if (best < 0 || u.used < this.slotUse[best].used) best = s;
    }
    return best;
  }

  async loadLod(atlas, slot, gen) {
    const { app } = this;
    const r = app.renderer;
    const old = this.slotUse[slot].atlas;
    if (old >= 0) {
      for (const p of this.lodMembers[old]) r.a.lodSlot[p] = NONE;
      this.slotOf.delete(old);
      this.slotUse[slot] = { atlas: -1, used: 0 };
      r.touch('lodSlot');
    }
    const bmp = await loadBitmap(app.source.atlasURL(app.plot.name, this.lod.cell_size, atlas));
    if (gen !== app.gen) { bmp.close(); return; }
    r.upload('lod', slot, bmp);
    bmp.close();
    for (const p of this.lodMembers[atlas]) r.a.lodSlot[p] = slot;
    r.touch('lodSlot');
    this.slotOf.set(atlas, slot);
    this.slotUse[slot] = { atlas, used: performance.now() };
    app.requestDraw();
  }

  get lodLoaded() { return this.slotOf.size; }
}

async function loadBitmap(url) {
  return createImageBitmap(await fetchBlob(url), { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
}

function checkCells(cells, n, what) {
  for (const k of ['atlas', 'x', 'y', 'w', 'h']) {
    if (!Array.isArray(cells[k]) || cells[k].length !== n) {
      throw new Error(`${what}: "${k}" should be an array of ${n} numbers`);
    }
  }
}

// fillRects copies cell rectangles into a rect attribute (x,y,w,h) and atlas
// indexes into atlasOf (NONE where an image has no cell); returns the
// positions in each atlas.
function fillRects(cells, rect, atlasOf, count) {
  const members = Array.from({ length: count }, () => []);
  for (let p = 0; p < cells.atlas.length; p++) {
    const a = cells.atlas[p];
    if (a < 0 || a >= count) { atlasOf[p] = NONE; continue; }
    atlasOf[p] = a;
    rect[4 * p] = cells.x[p];
    rect[4 * p + 1] = cells.y[p];
    rect[4 * p + 2] = cells.w[p];
    rect[4 * p + 3] = cells.h[p];
    members[a].push(p);
  }
  return members;
}

// UMAP variant controls in the settings tray, as PixPlot's: a Jitter
// checkbox that switches between a UMAP layout and its jittered twin (the
// same images snapped to a grid so that none overlap), and Neighbours and
// Min distance sliders that move to the UMAP layout of those parameters
// when the plot was made with several (`pixplot plot --n-neighbors 5,15`).
// Each change animates (layouts.show). The rows show only while a UMAP
// layout is shown, the sliders only when they have a choice to offer.
//
// The manifest describes every UMAP layout by its variant: {n_neighbors,
// min_dist, jitter}; plots made before variants existed have none, and then
// the rows stay hidden.

import { toast, errorText } from './ui.js';

export class UMAPControls {
  constructor(app, { jitter, neighbors, minDist }) {
    this.app = app;
    this.jitter = jitter;
    this.neighbors = neighbors;
    this.minDist = minDist;
    this.variants = []; // [{name, n, d, jitter}]
    this.ns = []; // distinct n_neighbors, ascending
    this.ds = []; // distinct min_dist, ascending
    jitter.addEventListener('change', () => this.pick({ jitter: jitter.checked }));
    neighbors.addEventListener('input', () => this.pick({ n: this.ns[Number(neighbors.value)] }));
    minDist.addEventListener('input', () => this.pick({ d: this.ds[Number(minDist.value)] }));
    app.on('plot', () => this.reset());
    app.on('layout', () => this.update());
    this.reset();
  }

  reset() {
    const layouts = (this.app.plot && this.app.plot.layouts) || [];
    this.variants = layouts
      .filter((l) => typeof l === 'object' && l.variant)
      .map(({ name, variant: v }) => ({ name, n: v.n_neighbors, d: v.min_dist, jitter: Boolean(v.jitter) }));
    this.ns = distinct(this.variants.map((v) => v.n));
    this.ds = distinct(this.variants.map((v) => v.d));
    for (const [slider, values] of [[this.neighbors, this.ns], [this.minDist, this.ds]]) {
      slider.min = 0;
      slider.max = Math.max(0, values.length - 1);
      slider.step = 1;
    }
    this.update();
  }

  // current is the variant shown, or null when the layout is no UMAP one.
  current() {
    const name = this.app.layouts && this.app.layouts.current;
    return this.variants.find((v) => v.name === name) || null;
  }

  update() {
    const cur = this.current();
    const twin = cur && this.find({ ...cur, jitter: !cur.jitter });
    row(this.jitter).hidden = !twin;
    row(this.neighbors).hidden = !cur || this.ns.length < 2;
    row(this.minDist).hidden = !cur || this.ds.length < 2;
    if (!cur) return;
    this.jitter.checked = cur.jitter;
    this.neighbors.value = this.ns.indexOf(cur.n);
    this.minDist.value = this.ds.indexOf(cur.d);
    show(this.neighbors, cur.n);
    show(this.minDist, cur.d);
  }

  find({ n, d, jitter }) {
    return this.variants.find((v) => v.n === n && v.d === d && v.jitter === jitter) || null;
  }

  // pick shows the variant that differs from the current one in what
  // change says; when the plot lacks that exact combination, the nearest
  // min_dist of it.
  pick(change) {
    const cur = this.current();
    if (!cur) return;
    const want = { ...cur, ...change };
    const candidates = this.variants.filter((v) => v.n === want.n && v.jitter === want.jitter);
    const best = this.find(want) || candidates.sort((a, b) => Math.abs(a.d - want.d) - Math.abs(b.d - want.d))[0];
    if (!best) return this.update();
    this.app.layouts.show(best.name).catch((err) => toast(errorText(err)));
  }
}

function distinct(values) {
  return [...new Set(values)].sort((a, b) => a - b);
}

// row is the <label class="setting"> holding a control.
function row(input) { return input.closest('.setting'); }

// show writes a slider's value next to its name.
function show(slider, value) {
  const out = row(slider).querySelector('output');
  if (out) out.textContent = String(value);
  slider.setAttribute('aria-valuetext', String(value));
}

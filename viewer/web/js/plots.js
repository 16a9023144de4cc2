// Plot picking and opening: list the plots, open one (waiting while it is
// still computed), then load it progressively: manifest, one layout and the
// first frame, then atlases and the metadata table in the background.

import { toast, errorText, loading } from './ui.js';

const PLOT_POLL_MS = 1500;

export class Plots {
  constructor(app, { picker, status, nav, lightbox, onOpened }) {
    this.app = app;
    this.picker = picker;
    this.status = status;
    this.nav = nav;
    this.lightbox = lightbox;
    this.onOpened = onOpened;
    this.list = [];
    this.waitTimer = 0;
    picker.addEventListener('change', () => this.open(picker.value));
    app.on('atlas', ({ loaded, total }) => {
      if (loaded >= total) loading.hide();
      else loading.show(`Loading images ${loaded} / ${total}`, loaded / total);
    });
  }

  async refresh() {
    this.list = await this.app.source.plots();
    this.picker.replaceChildren(...this.list.map((p) => {
      const o = document.createElement('option');
      o.value = p.name;
      const extra = p.status && p.status !== 'ready' ? ` (${p.status})` : ` (${Number(p.count || 0).toLocaleString()})`;
      o.textContent = p.name + extra;
      o.disabled = p.status === 'failed';
      return o;
    }));
    if (this.app.plot) this.picker.value = this.app.plot.name;
  }

  // firstReady names the plot to open without a choice in the URL.
  firstReady() {
    const p = this.list.find((x) => x.status === 'ready' || !x.status);
    return p ? p.name : null;
  }

  has(name) { return this.list.some((p) => p.name === name); }

  // open shows plot name; view {layout, cam, img} restores a linked view.
  async open(name, view = {}) {
    const { app } = this;
    clearTimeout(this.waitTimer);
    loading.show(`Loading ${name}…`);
    let manifest;
    try {
      manifest = await app.source.plot(name);
    } catch (err) {
      return loading.show(`Cannot open plot ${name}: ${errorText(err)}`);
    }
    if (manifest.status === 'running') {
      loading.show(`Plot ${name} is being computed: ${manifest.progress || 'running'}…`);
      this.waitTimer = setTimeout(() => this.open(name, view), PLOT_POLL_MS);
      return;
    }
    if (manifest.status === 'failed') return loading.show(`Plot ${name} failed: ${manifest.error || 'no reason given'}`);
    app.setPlot(manifest);
    this.picker.value = name;
    this.status.textContent = `${app.n.toLocaleString()} images`;
    const { layouts, atlases, camera } = app;
    const layout = view.layout && layouts.names.includes(view.layout) ? view.layout : layouts.defaultName();
    if (!layout) return loading.show(`Plot ${name} has no layouts.`);
    try {
      await layouts.show(layout, { animate: false });
    } catch (err) {
      return loading.show(`Cannot load layout ${layout}: ${errorText(err)}`);
    }
    if (app.plot !== manifest) return; // another plot was opened meanwhile
    this.nav.updateZoomLimits();
    camera.set(view.cam || this.nav.home());
    app.moved();
    const gen = app.gen;
    if (atlases.total) loading.show(`Loading images 0 / ${atlases.total}`, 0);
    else loading.hide();
    atlases.start().catch((err) => {
      if (gen !== app.gen) return;
      toast(`Images unavailable: ${errorText(err)}`);
      loading.hide();
    });
    this.loadMeta(name, gen);
    if (view.img !== null && view.img !== undefined && app.positionOf.has(view.img)) this.lightbox.open(app.positionOf.get(view.img));
    this.onOpened();
  }

  async loadMeta(name, gen) {
    const { app } = this;
    try {
      const meta = await app.source.meta(name);
      if (gen !== app.gen) return;
      if (!meta || !Array.isArray(meta.filename) || meta.filename.length !== app.n) {
        throw new Error(`the metadata table of plot ${name} does not list its ${app.n} images`);
      }
      app.meta = meta;
      app.emit('meta');
    } catch (err) {
      if (gen === app.gen) toast(`Filters unavailable: ${errorText(err)}`);
    }
  }
}

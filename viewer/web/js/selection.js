// The lasso selection's bar: count, a grid view, export as CSV, JSON or a
// ZIP of preview images, and (unless read-only) make a hotspot of it.

import { el, thumb, toast, errorText } from './ui.js';
import { fetchMetadata, toCSV, toZip, download } from './export.js';

const GRID_MAX = 600;

export class Selection {
  constructor(app, { bar, dialog, open }) {
    this.app = app;
    this.bar = bar;
    this.dialog = dialog;
    this.open = open; // open(position, list)
    this.count = bar.querySelector('#selection-count');
    this.busy = false;
    bar.querySelector('#sel-clear').addEventListener('click', () => app.setSelection(new Set()));
    bar.querySelector('#sel-view').addEventListener('click', () => this.view());
    bar.querySelector('#sel-hotspot').addEventListener('click', () => this.makeHotspot());
    for (const b of bar.querySelectorAll('[data-export]')) b.addEventListener('click', () => this.export(b.dataset.export));
    dialog.querySelector('#selection-close').addEventListener('click', () => dialog.close());
    app.on('selection', () => this.render());
    app.on('plot', () => this.render());
  }

  positions() { return [...this.app.selection].sort((a, b) => a - b); }

  render() {
    const n = this.app.selection.size;
    this.bar.hidden = n === 0;
    if (!this.busy) this.count.textContent = `${n.toLocaleString()} selected`;
  }

  view() {
    const { app } = this;
    const list = this.positions();
    const title = this.dialog.querySelector('#selection-title');
    title.textContent = `${list.length.toLocaleString()} selected images${list.length > GRID_MAX ? ` (first ${GRID_MAX} shown)` : ''}`;
    this.dialog.querySelector('#selection-grid').replaceChildren(...list.slice(0, GRID_MAX).map((p) => {
      const img = thumb(app.source, app.ids[p], app.filename(p), { title: app.filename(p) });
      img.addEventListener('click', () => { this.dialog.close(); this.open(p, list); });
      return el('figure', {}, img, el('figcaption', {}, app.filename(p)));
    }));
    this.dialog.showModal();
  }

  // makeHotspot saves the selection as a hotspot labelled "Selection N", the
  // first N no hotspot label uses, and adds it to the panel.
  async makeHotspot() {
    const { app } = this;
    const members = this.positions();
    if (this.busy || !members.length) return;
    const plot = app.plot;
    const used = new Set((plot.hotspots || []).map((h) => h.label));
    let n = 1;
    while (used.has(`Selection ${n}`)) n++;
    this.busy = true;
    this.count.textContent = 'saving hotspot…';
    try {
      const made = await app.source.createHotspot(plot.name, `Selection ${n}`, members);
      if (app.plot === plot) app.setHotspots([...(plot.hotspots || []), made]);
    } catch (err) {
      toast(`Could not make a hotspot: ${errorText(err)}`);
    } finally {
      this.busy = false;
      this.render();
    }
  }

  async export(kind) {
    const { app } = this;
    if (this.busy) return;
    const ids = this.positions().map((p) => app.ids[p]);
    if (!ids.length) return;
    this.busy = true;
    const progress = (what) => (done, total) => { this.count.textContent = `${what} ${done} / ${total}`; };
    const stem = `${app.plot.name}-selection-${ids.length}`;
    try {
      const records = await fetchMetadata(app.source, ids, progress('metadata'));
      if (kind === 'json') download(`${stem}.json`, new Blob([JSON.stringify(records, null, 2)], { type: 'application/json' }));
      if (kind === 'csv') download(`${stem}.csv`, new Blob([toCSV(records)], { type: 'text/csv' }));
      if (kind === 'zip') download(`${stem}.zip`, await toZip(app.source, records, progress('images')));
    } catch (err) {
      toast(`Export failed: ${errorText(err)}`);
    } finally {
      this.busy = false;
      this.render();
    }
  }
}

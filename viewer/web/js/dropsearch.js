// Search by example: drop an image file on the page (or pick one with the
// "Similar…" button) and the server returns the plot's nearest images.

import { el, thumb, toast, errorText } from './ui.js';

export class DropSearch {
  constructor(app, { panel, hint, fileInput, button, open }) {
    this.app = app;
    this.panel = panel;
    this.hint = hint;
    this.open = open; // open(position, list)
    this.grid = panel.querySelector('#similar-results');
    this.name = panel.querySelector('#similar-name');
    panel.querySelector('#similar-close').addEventListener('click', () => this.close());
    button.addEventListener('click', () => fileInput.click());
    fileInput.addEventListener('change', () => {
      if (fileInput.files[0]) this.search(fileInput.files[0]);
      fileInput.value = '';
    });
    let depth = 0;
    const hasFile = (e) => [...(e.dataTransfer?.types || [])].includes('Files');
    window.addEventListener('dragenter', (e) => {
      if (!hasFile(e) || !app.source.canUpload) return;
      depth++;
      hint.hidden = false;
    });
    window.addEventListener('dragleave', () => { depth = Math.max(0, depth - 1); if (!depth) hint.hidden = true; });
    window.addEventListener('dragover', (e) => { if (hasFile(e)) e.preventDefault(); });
    window.addEventListener('drop', (e) => {
      if (!hasFile(e)) return;
      e.preventDefault();
      depth = 0;
      hint.hidden = true;
      const file = [...e.dataTransfer.files].find((f) => f.type.startsWith('image/')) || e.dataTransfer.files[0];
      if (!app.source.canUpload) return toast('This viewer cannot search by uploaded image (read-only or static export).');
      if (file) this.search(file);
    });
    app.on('plot', () => this.close());
  }

  close() { this.panel.hidden = true; }

  async search(file) {
    const { app } = this;
    if (!app.plot) return;
    this.name.textContent = file.name || 'image';
    this.grid.replaceChildren(el('em', {}, 'Searching…'));
    this.panel.hidden = false;
    let found;
    try {
      found = await app.source.similarToFile(file, app.plot.name);
    } catch (err) {
      this.grid.replaceChildren(el('em', {}, `Search failed: ${errorText(err)}`));
      return;
    }
    const list = found.filter((r) => app.positionOf.has(r.id)).map((r) => app.positionOf.get(r.id));
    this.grid.replaceChildren(...found.map((r) => {
      const inPlot = app.positionOf.has(r.id);
      const img = thumb(app.source, r.id, r.filename, { class: inPlot ? '' : 'outside', title: `${r.filename} (distance ${Number(r.distance).toFixed(3)})` });
      if (inPlot) img.addEventListener('click', () => this.open(app.positionOf.get(r.id), list));
      return el('figure', {}, img, el('figcaption', {}, r.filename));
    }));
    if (!found.length) this.grid.replaceChildren(el('em', {}, 'No similar images found'));
  }
}

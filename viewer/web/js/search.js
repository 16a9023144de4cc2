// The search box: full-text search (server) or filename/category/tag match
// (static export), results in a dropdown; picking one flies to the image
// and opens it, with ← → walking the results.

import { el, thumb, errorText } from './ui.js';

const DEBOUNCE_MS = 220;

export class Search {
  constructor(app, { input, results, open }) {
    this.app = app;
    this.input = input;
    this.results = results;
    this.open = open; // open(position, list)
    this.timer = 0;
    this.token = 0;
    this.items = [];
    this.active = -1;
    input.addEventListener('input', () => this.schedule());
    input.addEventListener('keydown', (e) => this.key(e));
    input.addEventListener('focus', () => { if (this.items.length) results.hidden = false; });
    document.addEventListener('pointerdown', (e) => { if (!e.target.closest('#search')) results.hidden = true; });
    app.on('plot', () => this.clear());
  }

  focus() { this.input.focus(); this.input.select(); }

  clear() {
    this.input.value = '';
    this.items = [];
    this.results.hidden = true;
  }

  schedule() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), DEBOUNCE_MS);
  }

  async run() {
    const q = this.input.value.trim();
    const token = ++this.token;
    if (!q || !this.app.plot) { this.results.hidden = true; this.items = []; return; }
    let found;
    try {
      found = await this.app.source.search(q, this.app.plot.name);
    } catch (err) {
      if (token !== this.token) return;
      this.show([el('li', { class: 'none' }, `Search failed: ${errorText(err)}`)]);
      return;
    }
    if (token !== this.token) return;
    this.render(found, q);
  }

  render(found, q) {
    const { app } = this;
    const inPlot = found.filter((r) => app.positionOf.has(r.id));
    const list = inPlot.map((r) => app.positionOf.get(r.id));
    this.items = inPlot.map((r, k) => {
      const li = el('li', { role: 'option' },
        thumb(app.source, r.id, ''),
        el('div', {}, el('div', { class: 'name' }, r.filename), el('div', { class: 'snippet' }, ...highlight(r.snippet || '', q))));
      li.addEventListener('click', () => this.pick(k, list));
      li.pick = () => this.pick(k, list);
      return li;
    });
    this.active = -1;
    const none = found.length ? `${found.length - inPlot.length} matches are outside this plot` : 'No matches';
    this.show(this.items.length ? this.items : [el('li', { class: 'none' }, none)]);
  }

  show(rows) {
    this.results.replaceChildren(...rows);
    this.results.hidden = false;
  }

  pick(k, list) {
    this.results.hidden = true;
    this.open(list[k], list);
  }

  key(e) {
    if (e.key === 'Escape') { this.results.hidden = true; this.input.blur(); return; }
    if (!this.items.length) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      this.active = (this.active + (e.key === 'ArrowDown' ? 1 : -1) + this.items.length) % this.items.length;
      this.items.forEach((li, k) => li.classList.toggle('active', k === this.active));
      this.items[this.active].scrollIntoView({ block: 'nearest' });
    } else if (e.key === 'Enter') {
      e.preventDefault();
      this.items[Math.max(0, this.active)].pick();
    }
  }
}

// highlight splits text into plain strings and <b> nodes for query words.
export function highlight(text, q) {
  const words = q.split(/\s+/).filter(Boolean).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (!words.length) return [text];
  const re = new RegExp(`(${words.join('|')})`, 'gi');
  return text.split(re).map((part, k) => (k % 2 ? el('b', {}, part) : part));
}

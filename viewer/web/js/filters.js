// Filters over the plot's metadata table: any of the chosen categories, any
// (or all) of the chosen tags, and a year range. Groups combine with AND.
// Images that do not match are dimmed, not removed, so the map keeps its
// shape. An image without a year fails a narrowed year range. The filters
// travel in the URL (see urlstate.js) by name: state() gives them, want()
// restores them once the plot's metadata has arrived.

import { STATE } from './renderer.js';
import { el } from './ui.js';

const MAX_FACET_ROWS = 300;

export class Filters {
  constructor(app, { panel, button }) {
    this.app = app;
    this.panel = panel;
    this.button = button;
    this.q = (s) => panel.querySelector(s);
    this.reset();
    this.wanted = null; // filters (by name) to restore when the metadata arrives
    app.on('plot', () => { this.reset(); this.render(); });
    app.on('meta', () => { this.render(); this.restore(); });
    app.on('chip', ({ kind, value }) => this.fromChip(kind, value));
    this.q('#filter-clear').addEventListener('click', () => { this.reset(); this.render(); this.apply(); });
    this.q('#tags-all').addEventListener('change', (e) => { this.tagsAll = e.target.checked; this.apply(); });
    for (const sec of ['#filter-categories', '#filter-tags']) {
      this.q(`${sec} .facet-find`).addEventListener('input', () => this.renderFacets());
    }
    const from = this.q('#year-from'), to = this.q('#year-to');
    const onYears = (e) => {
      let a = Number(from.value), b = Number(to.value);
      if (a > b) { if (e.target === from) b = a; else a = b; from.value = a; to.value = b; }
      this.years = a <= this.yearMin && b >= this.yearMax ? null : [a, b];
      this.renderYearLabel();
      this.apply();
    };
    from.addEventListener('input', onYears);
    to.addEventListener('input', onYears);
  }

  reset() {
    this.button.classList.remove('filtering');
    this.categories = new Set();
    this.tags = new Set();
    this.tagsAll = false;
    this.years = null;
  }

  get active() { return this.categories.size > 0 || this.tags.size > 0 || this.years !== null; }

  // state returns the filters by name ({categories, tags, tagsAll, years}),
  // or null when none is active; filters still waiting for the metadata count.
  state() {
    if (this.wanted) return this.wanted;
    const meta = this.app.meta;
    if (!this.active || !meta) return null;
    return {
      categories: [...this.categories].map((k) => meta.categories[k]),
      tags: [...this.tags].map((k) => meta.tags[k]),
      tagsAll: this.tagsAll,
      years: this.years ? [...this.years] : null,
    };
  }

  // want sets the filters to state (by name; null clears them), now or once
  // the plot's metadata arrives. Names the plot lacks are ignored.
  want(state) {
    this.wanted = state || { categories: [], tags: [], tagsAll: false, years: null };
    if (this.app.meta) this.restore();
  }

  restore() {
    const want = this.wanted;
    const meta = this.app.meta;
    if (!want || !meta) return;
    this.wanted = null;
    const indices = (names, all) => new Set(names.map((n) => all.indexOf(n)).filter((k) => k >= 0));
    this.categories = indices(want.categories, meta.categories);
    this.tags = indices(want.tags, meta.tags);
    this.tagsAll = want.tagsAll;
    this.years = null;
    this.render(); // sets the year bounds
    if (want.years && this.yearMin < this.yearMax) {
      const a = Math.max(this.yearMin, want.years[0]), b = Math.min(this.yearMax, want.years[1]);
      if (a <= b && (a > this.yearMin || b < this.yearMax)) this.years = [a, b];
      this.render();
    }
    this.apply();
  }

  toggle(show = this.panel.hidden) {
    this.panel.hidden = !show;
    this.button.setAttribute('aria-pressed', String(show));
    document.body.classList.toggle('filters-open', show); // filters take the hotspots' place
  }

  render() {
    const meta = this.app.meta;
    this.button.disabled = !meta;
    if (!meta) return;
    this.catCount = new Int32Array(meta.categories.length);
    for (const c of meta.category) if (c >= 0) this.catCount[c]++;
    this.tagCount = new Int32Array(meta.tags.length);
    for (const list of meta.tag_ids) for (const t of list || []) this.tagCount[t]++;
    let lo = Infinity, hi = -Infinity, dated = 0;
    for (const y of meta.year) {
      if (!Number.isInteger(y)) continue;
      dated++;
      if (y < lo) lo = y;
      if (y > hi) hi = y;
    }
    this.yearMin = dated ? lo : 0;
    this.yearMax = dated ? hi : 0;
    this.q('#filter-categories').hidden = meta.categories.length === 0;
    this.q('#filter-tags').hidden = meta.tags.length === 0;
    this.q('#filter-years').hidden = dated === 0 || this.yearMin === this.yearMax;
    this.q('#tags-all').checked = this.tagsAll;
    for (const input of [this.q('#year-from'), this.q('#year-to')]) {
      input.min = this.yearMin;
      input.max = this.yearMax;
      input.step = 1;
    }
    this.q('#year-from').value = this.years ? this.years[0] : this.yearMin;
    this.q('#year-to').value = this.years ? this.years[1] : this.yearMax;
    this.renderYearLabel();
    this.renderFacets();
    this.renderCount();
  }

  renderFacets() {
    const meta = this.app.meta;
    if (!meta) return;
    this.facet('#filter-categories', meta.categories, this.catCount, this.categories);
    this.facet('#filter-tags', meta.tags, this.tagCount, this.tags);
  }

  // facet lists checkboxes for names (most frequent first), narrowed by the find box.
  facet(section, names, counts, chosen) {
    const find = this.q(`${section} .facet-find`).value.trim().toLowerCase();
    const order = names.map((_, k) => k).filter((k) => !find || names[k].toLowerCase().includes(find) || chosen.has(k));
    order.sort((a, b) => Number(chosen.has(b)) - Number(chosen.has(a)) || counts[b] - counts[a] || names[a].localeCompare(names[b]));
    const rows = order.slice(0, MAX_FACET_ROWS).map((k) => {
      const box = el('input', { type: 'checkbox', checked: chosen.has(k), value: names[k] });
      box.addEventListener('change', () => {
        if (box.checked) chosen.add(k); else chosen.delete(k);
        this.apply();
      });
      return el('label', {}, box, el('span', {}, names[k]), el('span', { class: 'n' }, counts[k].toLocaleString()));
    });
    if (order.length > MAX_FACET_ROWS) rows.push(el('em', {}, `${order.length - MAX_FACET_ROWS} more — type to find`));
    this.q(`${section} .facet`).replaceChildren(...rows);
  }

  renderYearLabel() {
    const [a, b] = this.years || [this.yearMin, this.yearMax];
    this.q('#year-label').textContent = `${a} – ${b}`;
  }

  fromChip(kind, value) {
    const meta = this.app.meta;
    if (!meta) return;
    const [names, chosen] = kind === 'category' ? [meta.categories, this.categories] : [meta.tags, this.tags];
    const k = names.indexOf(value);
    if (k < 0) return;
    if (chosen.has(k)) chosen.delete(k); else chosen.add(k);
    this.toggle(true);
    this.renderFacets();
    this.apply();
  }

  matches(i) {
    const meta = this.app.meta;
    if (this.categories.size && !this.categories.has(meta.category[i])) return false;
    if (this.tags.size) {
      const own = meta.tag_ids[i] || [];
      if (this.tagsAll) {
        for (const t of this.tags) if (!own.includes(t)) return false;
      } else if (!own.some((t) => this.tags.has(t))) {
        return false;
      }
    }
    if (this.years) {
      const y = meta.year[i];
      if (!Number.isInteger(y) || y < this.years[0] || y > this.years[1]) return false;
    }
    return true;
  }

  apply() {
    const { app } = this;
    if (!app.meta) return;
    const active = this.active;
    app.setFlagWhere(STATE.DIM, (i) => active && !this.matches(i));
    this.button.classList.toggle('filtering', active);
    this.renderCount();
    app.emit('filter');
  }

  renderCount() {
    const { app } = this;
    if (!this.active || !app.meta) {
      this.q('#filter-count').textContent = '';
      return;
    }
    let n = 0;
    for (let i = 0; i < app.n; i++) if (!app.hasFlag(i, STATE.DIM)) n++;
    this.q('#filter-count').textContent = `${n.toLocaleString()} of ${app.n.toLocaleString()} match`;
  }
}

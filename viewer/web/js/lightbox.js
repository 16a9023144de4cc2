// The details panel ("lightbox"): preview, every metadata field, category
// and tags as chips, the description (plain text, or sanitized HTML), a link
// to this exact view, and a strip of visually similar images. ← → step
// through the list it was opened with; Esc closes.

import { el, thumb, errorText } from './ui.js';
import { looksLikeHTML, sanitize, safeURL } from './sanitize.js';

// previewName is the saved file's name: the image's own name, as a JPEG
// (previews are JPEGs whatever the original was).
function previewName(filename) {
  const base = (filename || 'image').split('/').pop().replace(/\.[^.]*$/, '');
  return `${base}-preview.jpg`;
}

const SKIP = new Set(['id', 'filename', 'description', 'tags', 'extra', 'category']);

export class Lightbox {
  constructor(app, { root, fly, permalink }) {
    this.app = app;
    this.root = root;
    this.fly = fly; // fly(position, {zoomIn})
    this.permalink = permalink; // () => URL of the current view
    this.list = null; // positions to step through; null = plot order
    this.token = 0;
    const q = (s) => root.querySelector(s);
    this.img = q('#lb-img');
    this.title = q('#lb-title');
    this.chips = q('#lb-chips');
    this.desc = q('#lb-desc');
    this.metaList = q('#lb-meta');
    this.similarStrip = q('#lb-similar');
    this.pos = q('#lb-pos');
    this.link = q('#lb-link');
    this.download = q('#lb-download');
    q('#lb-close').addEventListener('click', () => this.close());
    q('#lb-prev').addEventListener('click', () => this.step(-1));
    q('#lb-next').addEventListener('click', () => this.step(1));
    app.on('plot', () => this.close());
    app.on('camera', () => this.updateLink());
    this.touchSwipe();
  }

  get isOpen() { return !this.root.hidden; }

  // open shows the image at plot position i; list (positions) sets what ← → walk.
  open(i, list = this.list) {
    const { app } = this;
    if (i < 0 || i >= app.n) return;
    this.list = list && list.includes(i) ? list : null;
    this.root.hidden = false;
    app.setFocus(i);
    const id = app.ids[i];
    const token = ++this.token;
    this.img.src = app.source.thumbURL(id, 'preview');
    this.download.href = this.img.src;
    this.download.download = previewName(app.filename(i));
    this.img.alt = app.filename(i);
    this.title.textContent = app.filename(i);
    this.chips.replaceChildren();
    this.desc.replaceChildren();
    this.metaList.replaceChildren();
    this.similarStrip.replaceChildren();
    this.updatePosition(i);
    this.updateLink();
    app.source.image(id).then((m) => token === this.token && this.renderMeta(m))
      .catch((err) => token === this.token && this.desc.replaceChildren(el('em', {}, `Metadata unavailable: ${errorText(err)}`)));
    app.source.similar(id, app.plot.name).then((list) => token === this.token && this.renderSimilar(list, id))
      .catch((err) => token === this.token && this.similarStrip.replaceChildren(el('em', {}, `No similar images: ${errorText(err)}`)));
  }

  close() {
    if (!this.isOpen) return false;
    this.root.hidden = true;
    this.token++;
    this.list = null;
    this.app.setFocus(-1);
    return true;
  }

  step(d) {
    const { app } = this;
    if (!this.isOpen || app.focus < 0) return;
    let next;
    if (this.list) {
      const k = this.list.indexOf(app.focus);
      next = this.list[(k + d + this.list.length) % this.list.length];
    } else {
      next = (app.focus + d + app.n) % app.n;
    }
    this.open(next);
    this.fly(next, { zoomIn: false });
  }

  updatePosition(i) {
    const list = this.list;
    this.pos.textContent = list ? `${list.indexOf(i) + 1} / ${list.length}` : `${i + 1} / ${this.app.n}`;
  }

  updateLink() {
    if (this.isOpen) this.link.href = this.permalink();
  }

  renderMeta(m) {
    this.title.textContent = m.filename || this.title.textContent;
    this.img.alt = m.filename || '';
    const chips = [];
    if (m.category) chips.push(this.chip('category', m.category));
    if (m.year !== null && m.year !== undefined) chips.push(this.chip('year', String(m.year)));
    for (const t of m.tags || []) chips.push(this.chip('tag', t));
    this.chips.replaceChildren(...chips);
    const d = typeof m.description === 'string' ? m.description : '';
    this.desc.classList.toggle('html', looksLikeHTML(d));
    if (looksLikeHTML(d)) this.desc.replaceChildren(sanitize(d));
    else this.desc.textContent = d;
    const rows = [];
    const add = (k, v) => {
      if (v === null || v === undefined || v === '') return;
      const url = typeof v === 'string' && /^(https?:|mailto:)/i.test(v) ? safeURL(v) : null;
      const value = url ? el('a', { href: url, target: '_blank', rel: 'noopener noreferrer nofollow' }, v) : String(typeof v === 'object' ? JSON.stringify(v) : v);
      rows.push(el('dt', {}, k), el('dd', {}, value));
    };
    add('id', m.id);
    for (const [k, v] of Object.entries(m)) if (!SKIP.has(k)) add(k, v);
    for (const [k, v] of Object.entries(m.extra || {})) add(k, v);
    this.metaList.replaceChildren(...rows);
  }

  chip(kind, value) {
    const c = el('span', { class: `chip ${kind}`, title: kind === 'year' ? 'Year' : `Filter by this ${kind}` }, value);
    if (kind !== 'year') c.addEventListener('click', () => this.app.emit('chip', { kind, value }));
    return c;
  }

  renderSimilar(list, selfId) {
    const { app } = this;
    const items = list.filter((s) => s.id !== selfId).map((s) => {
      const inPlot = app.positionOf.has(s.id);
      const img = thumb(app.source, s.id, s.filename, {
        title: `${s.filename} (distance ${Number(s.distance).toFixed(3)})${inPlot ? '' : ' — not in this plot'}`,
        class: inPlot ? '' : 'outside',
      });
      if (inPlot) {
        img.addEventListener('click', () => {
          const p = app.positionOf.get(s.id);
          this.open(p, null);
          this.fly(p, { zoomIn: true });
        });
      }
      return img;
    });
    this.similarStrip.replaceChildren(...(items.length ? items : [el('em', {}, 'None found')]));
  }

  // Horizontal swipes on the preview step through the list on touch screens.
  touchSwipe() {
    let x0 = null;
    this.img.addEventListener('touchstart', (e) => { x0 = e.touches[0].clientX; }, { passive: true });
    this.img.addEventListener('touchend', (e) => {
      if (x0 === null) return;
      const dx = e.changedTouches[0].clientX - x0;
      x0 = null;
      if (Math.abs(dx) > 40) this.step(dx < 0 ? 1 : -1);
    });
  }
}

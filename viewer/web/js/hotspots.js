// The hotspots panel: one row per cluster with its exemplar, label and
// size. Click flies to the cluster, hover highlights its members, and unless
// the source is read-only the label can be renamed (PATCH) and the hotspot
// deleted (DELETE). Hotspots made from the lasso selection arrive by the
// app's 'hotspots' event.

import { STATE } from './renderer.js';
import { el, thumb, toast, errorText } from './ui.js';

export class Hotspots {
  constructor(app, { panel, list, fly }) {
    this.app = app;
    this.panel = panel;
    this.list = list;
    this.fly = fly; // fly(positions, exemplarPosition)
    app.on('plot', () => this.render());
    app.on('hotspots', () => this.render());
  }

  render() {
    const { app } = this;
    const hotspots = app.plot.hotspots || [];
    this.panel.hidden = hotspots.length === 0;
    const total = Math.max(1, app.n);
    this.list.replaceChildren(...hotspots.map((h, k) => this.row(h, k, total)));
  }

  row(h, k, total) {
    const { app } = this;
    const exemplar = (h.exemplars || [])[0];
    const label = el('span', { class: 'label', title: h.label }, h.label);
    const pct = (100 * h.size) / total;
    const li = el('li', { 'data-hotspot': h.id },
      el('span', { class: 'swatch' }),
      exemplar !== undefined ? thumb(app.source, exemplar, h.label) : el('span'),
      el('span', { class: 'info' },
        label,
        el('span', { class: 'size' }, `${h.size.toLocaleString()} images · ${pct < 1 ? pct.toFixed(1) : Math.round(pct)}%`),
        el('div', { class: 'sizebar' }, el('div'))),
    );
    li.querySelector('.swatch').style.background = app.hotspotColor(k);
    li.querySelector('.sizebar div').style.width = `${Math.max(1, pct)}%`;
    if (!app.source.readOnly) {
      const btn = el('button', { class: 'icon rename write', title: 'Rename', 'aria-label': `Rename ${h.label}` }, '✎');
      btn.addEventListener('click', (e) => { e.stopPropagation(); this.edit(h, label); });
      const del = el('button', { class: 'icon delete write', title: 'Delete hotspot', 'aria-label': `Delete ${h.label}` }, '✕');
      del.addEventListener('click', (e) => { e.stopPropagation(); this.remove(h, li); });
      li.append(btn, del);
    }
    li.addEventListener('click', () => {
      if (label.isContentEditable) return;
      const members = (h.members || []).filter((p) => p >= 0 && p < app.n);
      this.fly(members, app.positionOf.has(exemplar) ? app.positionOf.get(exemplar) : members[0]);
    });
    li.addEventListener('mouseenter', () => this.highlight(h, true, li));
    li.addEventListener('mouseleave', () => this.highlight(h, false, li));
    return li;
  }

  highlight(h, on, li) {
    li.classList.toggle('hot', on);
    const members = new Set(on ? h.members : []);
    this.app.setFlagWhere(STATE.HOT, (i) => members.has(i));
  }

  async remove(h, li) {
    const { app } = this;
    const plot = app.plot;
    try {
      await app.source.deleteHotspot(plot.name, h.id);
    } catch (err) {
      toast(`Could not delete hotspot: ${errorText(err)}`);
      return;
    }
    if (app.plot !== plot) return; // another plot opened meanwhile
    this.highlight(h, false, li); // the row goes before its mouseleave
    app.setHotspots((plot.hotspots || []).filter((x) => x.id !== h.id));
  }

  edit(h, label) {
    const before = h.label;
    label.contentEditable = 'true';
    label.focus();
    document.getSelection().selectAllChildren(label);
    const finish = async (commit) => {
      label.removeEventListener('keydown', onKey);
      label.removeEventListener('blur', onBlur);
      label.contentEditable = 'false';
      const text = label.textContent.trim();
      if (!commit || !text || text === before) {
        label.textContent = before;
        return;
      }
      try {
        const saved = await this.app.source.renameHotspot(this.app.plot.name, h.id, text);
        h.label = saved && typeof saved.label === 'string' ? saved.label : text;
      } catch (err) {
        toast(`Could not rename hotspot: ${errorText(err)}`);
        h.label = before;
      }
      label.textContent = h.label;
      label.title = h.label;
    };
    const onKey = (e) => {
      if (e.key === 'Enter') { e.preventDefault(); finish(true); }
      if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); finish(false); }
    };
    const onBlur = () => finish(true);
    label.addEventListener('keydown', onKey);
    label.addEventListener('blur', onBlur);
  }
}

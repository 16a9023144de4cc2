// The hotspots panel: one row per cluster with its representative image,
// label and size. Click flies to the cluster, hover highlights its members,
// and ⬚ puts them in the selection (to view or export their metadata).
// Unless the source is read-only the list can be edited: rename (✎), a
// random new representative (↻), delete (✕), and reorder by dragging the
// ⠿ handle or with ▲ ▼ (keyboard, touch); each edit is a PATCH or DELETE.
// Hotspots made from the lasso selection arrive by the app's 'hotspots' event.

import { STATE } from './renderer.js';
import { el, thumb, toast, errorText } from './ui.js';

export class Hotspots {
  constructor(app, { panel, list, fly }) {
    this.app = app;
    this.panel = panel;
    this.list = list;
    this.fly = fly; // fly(positions, exemplarPosition)
    this.dragged = null; // the hotspot whose handle is being dragged
    this.saving = Promise.resolve(); // moves are sent one after another, in order
    app.on('plot', () => this.render());
    app.on('hotspots', () => this.render());
  }

  render() {
    const { app } = this;
    const hotspots = app.plot.hotspots || [];
    this.panel.hidden = hotspots.length === 0;
    const total = Math.max(1, app.n);
    this.list.replaceChildren(...hotspots.map((h, k) => this.row(h, k, hotspots.length, total)));
    app.setFlagWhere(STATE.HOT, () => false); // the new rows are not hovered yet
  }

  row(h, k, count, total) {
    const { app } = this;
    const label = el('span', { class: 'label', title: h.label }, h.label);
    const pct = (100 * h.size) / total;
    const button = (cls, text, title, action) => {
      const b = el('button', { class: `icon ${cls}`, title, 'aria-label': `${title}: ${h.label}` }, text);
      b.addEventListener('click', (e) => { e.stopPropagation(); action(); });
      return b;
    };
    const li = el('li', { 'data-hotspot': h.id },
      el('span', { class: 'swatch' }),
      this.picture(h),
      el('span', { class: 'info' },
        label,
        el('span', { class: 'size' }, `${h.size.toLocaleString()} images · ${pct < 1 ? pct.toFixed(1) : Math.round(pct)}%`),
        el('div', { class: 'sizebar' }, el('div'))),
    );
    li.querySelector('.swatch').style.background = app.hotspotColor(h);
    li.querySelector('.sizebar div').style.width = `${Math.max(1, pct)}%`;
    const select = button('select-members', '⬚', 'Select its images', () => this.selectMembers(h));
    if (app.source.readOnly) {
      li.querySelector('.info').append(el('span', { class: 'actions' }, select));
    } else {
      const up = button('move-up', '▲', 'Move up', () => this.move(h, k - 1, '.move-up'));
      const down = button('move-down', '▼', 'Move down', () => this.move(h, k + 1, '.move-down'));
      up.disabled = k === 0;
      down.disabled = k === count - 1;
      const handle = el('span', { class: 'handle', draggable: 'true', title: 'Drag to reorder', 'aria-hidden': 'true' }, '⠿');
      const mover = el('span', { class: 'mover' }, up, handle, down);
      mover.addEventListener('click', (e) => e.stopPropagation());
      li.firstChild.after(mover);
      const represent = button('represent', '↻', 'New representative image', () => this.represent(h, li));
      represent.disabled = (h.members || []).length < 2;
      li.querySelector('.info').append(el('span', { class: 'actions' },
        button('rename', '✎', 'Rename', () => this.edit(h, label)),
        represent,
        select,
        button('delete', '✕', 'Delete hotspot', () => this.remove(h))));
      this.draggable(h, k, li, handle);
    }
    li.addEventListener('click', () => {
      if (label.isContentEditable) return;
      const members = (h.members || []).filter((p) => p >= 0 && p < app.n);
      const exemplar = (h.exemplars || [])[0];
      this.fly(members, app.positionOf.has(exemplar) ? app.positionOf.get(exemplar) : members[0]);
    });
    li.addEventListener('mouseenter', () => this.highlight(h, true, li));
    li.addEventListener('mouseleave', () => this.highlight(h, false, li));
    return li;
  }

  // picture is the representative's thumbnail (exemplars[0]), or a blank.
  picture(h) {
    const exemplar = (h.exemplars || [])[0];
    return exemplar !== undefined ? thumb(this.app.source, exemplar, h.label, { className: 'pic' }) : el('span', { class: 'pic' });
  }

  highlight(h, on, li) {
    li.classList.toggle('hot', on);
    const members = new Set(on ? h.members : []);
    this.app.setFlagWhere(STATE.HOT, (i) => members.has(i));
  }

  // selectMembers makes the hotspot's members the selection, so the
  // selection bar views and exports them.
  selectMembers(h) {
    const { app } = this;
    app.setSelection(new Set((h.members || []).filter((p) => p >= 0 && p < app.n)));
  }

  // draggable lets the row's handle drag it before or after another row.
  draggable(h, k, li, handle) {
    handle.addEventListener('dragstart', (e) => {
      this.dragged = h;
      e.dataTransfer.effectAllowed = 'move';
      e.dataTransfer.setData('text/plain', h.label);
      e.dataTransfer.setDragImage(li, 12, 12);
      li.classList.add('dragging');
    });
    handle.addEventListener('dragend', () => {
      this.dragged = null;
      li.classList.remove('dragging');
    });
    const after = (e) => {
      const r = li.getBoundingClientRect();
      return e.clientY > r.top + r.height / 2;
    };
    const unmark = () => li.classList.remove('drop-before', 'drop-after');
    li.addEventListener('dragover', (e) => {
      if (!this.dragged) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'move';
      li.classList.toggle('drop-before', !after(e));
      li.classList.toggle('drop-after', after(e));
    });
    li.addEventListener('dragleave', unmark);
    li.addEventListener('drop', (e) => {
      const dragged = this.dragged;
      if (!dragged) return;
      e.preventDefault();
      unmark();
      this.dragged = null;
      const from = (this.app.plot.hotspots || []).indexOf(dragged);
      let to = k + (after(e) ? 1 : 0);
      if (from < to) to--; // the rows after it move up one when it leaves
      this.move(dragged, to);
    });
  }

  // move puts h at place rank of the list at once and saves it (PATCH rank);
  // focusAfter is the button to focus in its new row, for keyboard users.
  // When saving fails the list is read again from the server.
  move(h, rank, focusAfter = null) {
    const { app } = this;
    const plot = app.plot;
    const list = [...(plot.hotspots || [])];
    const from = list.indexOf(h);
    if (from < 0 || rank === from || rank < 0 || rank >= list.length) return;
    list.splice(from, 1);
    list.splice(rank, 0, h);
    app.setHotspots(list);
    if (focusAfter) {
      const row = this.list.querySelector(`li[data-hotspot="${h.id}"]`);
      const b = row.querySelector(`${focusAfter}:not(:disabled)`) || row.querySelector('.move-up:not(:disabled), .move-down:not(:disabled)');
      if (b) b.focus();
    }
    this.saving = this.saving.then(async () => {
      try {
        await app.source.editHotspot(plot.name, h.id, { rank });
      } catch (err) {
        toast(`Could not move hotspot: ${errorText(err)}`);
        await this.reload(plot);
      }
    });
  }

  // reload replaces the list with the server's, after a failed edit.
  async reload(plot) {
    try {
      const fresh = await this.app.source.plot(plot.name);
      if (this.app.plot === plot) this.app.setHotspots(fresh.hotspots || []);
    } catch (err) {
      toast(`Could not read the hotspots again: ${errorText(err)}`);
    }
  }

  // represent makes a random other member the representative (PATCH
  // exemplar) and shows its thumbnail.
  async represent(h, li) {
    const { app } = this;
    const plot = app.plot;
    const current = (h.exemplars || [])[0];
    const others = (h.members || []).filter((p) => p >= 0 && p < app.n && app.ids[p] !== current);
    if (!others.length) return;
    const image = app.ids[others[Math.floor(Math.random() * others.length)]];
    try {
      const saved = await app.source.editHotspot(plot.name, h.id, { exemplar: image });
      h.exemplars = saved && Array.isArray(saved.exemplars) ? saved.exemplars : [image, ...(h.exemplars || []).filter((x) => x !== image)];
    } catch (err) {
      toast(`Could not change the representative image: ${errorText(err)}`);
      return;
    }
    li.querySelector('.pic').replaceWith(this.picture(h));
  }

  async remove(h) {
    const { app } = this;
    const plot = app.plot;
    try {
      await app.source.deleteHotspot(plot.name, h.id);
    } catch (err) {
      toast(`Could not delete hotspot: ${errorText(err)}`);
      return;
    }
    if (app.plot !== plot) return; // another plot opened meanwhile
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
        const saved = await this.app.source.editHotspot(this.app.plot.name, h.id, { label: text });
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

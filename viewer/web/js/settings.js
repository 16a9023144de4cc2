// The settings tray (PixPlot's gear): a small panel, #settings, opened by
// the ⚙ button in the header. Each row is a <label class="setting"> in
// index.html holding a name (<span>) and a control; a module that adds a
// setting adds a row there and wires its control. The rows here: point size
// (also the [ and ] keys) and the border left around each image. Both are
// remembered in this browser (localStorage) for the next visit.

export const SIZE_RANGE = [-2, 2]; // point size: sprite side × 2^exponent
export const BORDER_RANGE = [0, 0.9]; // share of each image's cell left empty; past 0.9 images vanish
const STORAGE_KEY = 'pixplot.settings';

export class Settings {
  constructor(app, { panel, button, onResize }) {
    this.app = app;
    this.panel = panel;
    this.button = button;
    this.onResize = onResize; // after anything that changes how big images are drawn
    this.size = panel.querySelector('#point-size');
    this.border = panel.querySelector('#border');
    this.size.min = SIZE_RANGE[0];
    this.size.max = SIZE_RANGE[1];
    this.border.min = BORDER_RANGE[0];
    this.border.max = BORDER_RANGE[1];
    this.border.value = app.border;
    button.addEventListener('click', () => this.toggle());
    this.size.addEventListener('input', () => this.setSize(Number(this.size.value)));
    this.border.addEventListener('input', () => this.setBorder(Number(this.border.value)));
    this.restore();
  }

  // restore applies the values saved by an earlier visit, if any.
  restore() {
    const saved = load();
    if (Number.isFinite(saved.size)) this.setSize(saved.size);
    if (Number.isFinite(saved.border)) this.setBorder(saved.border);
  }

  save() {
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify({ size: this.app.sizeExponent, border: this.app.border }));
    } catch { /* storage off (private mode, quota): the settings last for this page only */ }
  }

  get isOpen() { return !this.panel.hidden; }

  toggle(show = this.panel.hidden) {
    this.panel.hidden = !show;
    this.button.setAttribute('aria-expanded', String(show));
    return true;
  }

  setSize(v) {
    this.app.sizeExponent = clamp(v, SIZE_RANGE);
    this.size.value = this.app.sizeExponent;
    this.save();
    this.onResize();
  }

  setBorder(v) {
    this.app.border = clamp(v, BORDER_RANGE);
    this.border.value = this.app.border;
    this.save();
    this.onResize();
  }
}

function load() {
  try {
    const v = JSON.parse(localStorage.getItem(STORAGE_KEY) || '{}');
    return v && typeof v === 'object' ? v : {};
  } catch {
    return {};
  }
}

function clamp(v, [lo, hi]) {
  return Math.max(lo, Math.min(hi, v));
}

// The settings tray (PixPlot's gear): a small panel, #settings, opened by
// the ⚙ button in the header. Each row is a <label class="setting"> in
// index.html holding a name (<span>) and a control; a module that adds a
// setting adds a row there and wires its control. The rows here: point size
// (also the [ and ] keys) and the border left around each image.

export const SIZE_RANGE = [-2, 2]; // point size: sprite side × 2^exponent
export const BORDER_RANGE = [0, 0.9]; // share of each image's cell left empty; past 0.9 images vanish

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
    this.onResize();
  }

  setBorder(v) {
    this.app.border = clamp(v, BORDER_RANGE);
    this.border.value = this.app.border;
    this.onResize();
  }
}

function clamp(v, [lo, hi]) {
  return Math.max(lo, Math.min(hi, v));
}

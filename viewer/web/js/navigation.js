// Camera moves with intent: fit the layout, fly to an image or a group,
// respect the panels floating over the canvas, and cap zoom where images
// stop gaining detail.

import { trimmedBounds } from './spatial.js';
import { spriteCSS } from './picking.js';

const FOCUS_SPRITE_PX = 160; // how big flying to one image makes it
const EDGE_PX = 40; // an image this close to a covered edge counts as hidden

export class Navigator {
  constructor(app, stage) {
    this.app = app;
    this.stage = stage;
    const { camera } = app;
    new ResizeObserver(() => {
      camera.resize(stage.clientWidth, stage.clientHeight);
      this.updateZoomLimits();
      app.moved();
    }).observe(stage);
    camera.resize(stage.clientWidth, stage.clientHeight);
    app.on('layout', () => this.updateZoomLimits());
  }

  // Zoom in until an image is a few times its most detailed atlas cell,
  // and never past the GPU's largest point sprite: points are clipped by
  // their centre on some GPUs, so a sprite wider than the view would pop.
  updateZoomLimits() {
    const { app } = this;
    const { camera, renderer, layouts } = app;
    const dpr = window.devicePixelRatio || 1;
    const finest = ((app.plot && app.plot.atlases) || []).reduce((m, t) => Math.max(m, t.cell_size), 64);
    const maxSpritePx = Math.min(renderer.maxPointPx, Math.max(256, 4 * finest), 0.8 * Math.min(camera.width, camera.height) * dpr);
    const perZoom = layouts.pointWorld() * this.side() * dpr; // sprite device px at zoom 1
    camera.maxZoom = Math.max(4, maxSpritePx / Math.max(perZoom, 1e-9));
    camera.minZoom = 0.3;
  }

  side() { return Math.min(this.app.camera.width, this.app.camera.height) / 2; }

  // Panels float over the canvas; fly-tos aim at the part they leave free.
  // A tall panel covers a side, a short one (mobile bottom sheet) the bottom.
  insets() {
    const stage = this.stage.getBoundingClientRect();
    const out = { left: 0, right: 0, top: 0, bottom: 0 };
    for (const panel of document.querySelectorAll('.panel')) {
      const r = panel.getBoundingClientRect();
      if (panel.hidden || r.width === 0 || (r.width > stage.width * 0.7 && r.height > stage.height * 0.7)) continue;
      if (r.height < stage.height * 0.7) out.bottom = Math.max(out.bottom, stage.bottom - r.top);
      else if (r.left + r.width / 2 < stage.left + stage.width / 2) out.left = Math.max(out.left, r.right - stage.left);
      else out.right = Math.max(out.right, stage.right - r.left);
    }
    return out;
  }

  // home is the camera showing the whole current layout: the bounds of the
  // image centres grown by half an image, so the outer images are whole too.
  home() {
    const { layouts, camera } = this.app;
    if (!layouts.index) return { x: 0, y: 0, zoom: 1 };
    const [x0, y0, x1, y1] = layouts.index.bounds;
    const half = layouts.pointWorld() / 2;
    return camera.fit([x0 - half, y0 - half, x1 + half, y1 + half], 0.04, this.insets());
  }

  flyTo(target) {
    this.app.camera.flyTo(target);
    this.app.requestDraw();
  }

  // toImage flies to the image at plot position i: zoomIn brings it close;
  // without it the camera moves only if the image is out of sight.
  toImage(i, { zoomIn }) {
    const { layouts, camera } = this.app;
    const pos = layouts.pos;
    if (!pos || i < 0) return;
    const x = pos[2 * i], y = pos[2 * i + 1];
    if (!Number.isFinite(x)) return;
    const want = FOCUS_SPRITE_PX / (layouts.pointWorld() * this.side());
    const zoom = zoomIn ? Math.max(camera.zoom, Math.min(want, camera.maxZoom)) : camera.zoom;
    const [sx, sy] = camera.toScreen(x, y);
    const free = this.insets();
    const visible = sx > free.left + EDGE_PX && sy > free.top + EDGE_PX &&
      sx < camera.width - free.right - EDGE_PX && sy < camera.height - free.bottom - EDGE_PX;
    if (!zoomIn && visible) return;
    this.flyTo(camera.centredAt(x, y, zoom, free));
  }

  // toGroup fits most of the given positions (outliers trimmed) in view.
  toGroup(positions, exemplar) {
    const { layouts, camera } = this.app;
    const b = positions.length ? trimmedBounds(layouts.pos, positions) : null;
    if (!b) return this.toImage(exemplar, { zoomIn: true });
    const pad = spriteCSS(this.app) / camera.scale; // keep whole images in view
    this.flyTo(camera.fit([b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad], 0.06, this.insets()));
  }
}

// window.__viewer: a read-only view of the viewer's state for tests,
// scripts and the browser console. window.__firstFrame turns true once a
// plot's first frame is drawn.

import { STATE } from './renderer.js';
import { spriteCSS } from './picking.js';

export function exposeState(app, { source, input, attract = null }) {
  const { camera, layouts, atlases } = app;
  const count = (bit) => {
    let n = 0;
    for (let i = 0; i < app.n; i++) if (app.hasFlag(i, bit)) n++;
    return n;
  };
  const toPage = (x, y) => {
    const [sx, sy] = camera.toScreen(x, y);
    const r = app.renderer.canvas.getBoundingClientRect();
    return [r.left + sx, r.top + sy];
  };
  window.__viewer = Object.freeze({
    get cam() { return { x: camera.x, y: camera.y, zoom: camera.zoom }; },
    get layout() { return layouts.current; },
    get layouts() { return layouts.names; },
    get moving() { return layouts.busy || camera.flying; },
    get plot() { return app.plot ? app.plot.name : null; },
    get count() { return app.n; },
    get selected() { return app.focus >= 0 ? app.ids[app.focus] : null; },
    get selection() { return [...app.selection].sort((a, b) => a - b).map((p) => app.ids[p]); },
    get dimmed() { return count(STATE.DIM); },
    get highlighted() { return count(STATE.HOT); },
    get sizeExponent() { return app.sizeExponent; },
    get border() { return app.border; },
    // attract mode: {enabled, delay (s), running, step, rounds}
    get attract() { return attract ? attract.state : { enabled: false }; },
    // the geographic base map: loaded (on the GPU), opacity of the last frame
    get baseMap() { return app.baseMap ? { loaded: app.baseMap.gpu !== null, opacity: app.baseMap.shown } : null; },
    get spritePx() { return spriteCSS(app); }, // side of one image as drawn, CSS px
    get firstFrame() { return app.firstFrame; },
    get atlasesLoaded() { return atlases.loaded; },
    get atlasesTotal() { return atlases.total; },
    get lodLoaded() { return atlases.lodLoaded; },
    get metaLoaded() { return app.meta !== null; },
    get readOnly() { return source.readOnly; },
    get static() { return source.static; },
    get lassoMode() { return input.lassoActive; },
    // screenOf returns the page position (CSS px) of an image's centre in
    // the current layout, or null when it has none there.
    screenOf(id) {
      const i = app.positionOf.get(id);
      if (i === undefined || !layouts.pos) return null;
      const x = layouts.pos[2 * i], y = layouts.pos[2 * i + 1];
      if (!Number.isFinite(x)) return null;
      return toPage(x, y);
    },
    // toScreen returns the page position (CSS px) of world point (x, y).
    toScreen(x, y) { return toPage(x, y); },
  });
}

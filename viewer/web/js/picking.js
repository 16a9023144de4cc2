// Hit testing on the CPU against the spatial index (no GPU read-back): which
// image is under a screen point, and which images a lasso polygon encloses.

import { STATE } from './renderer.js';
import { pointInPolygon } from './spatial.js';

const MIN_HIT_PX = 4;

function rank(state) {
  if (state & STATE.FOCUS) return 4;
  if (state & STATE.SELECTED) return 3;
  if (state & STATE.HOT) return 2;
  if (state & STATE.DIM) return 0;
  return 1;
}

// spriteCSS is the side of an image's sprite in CSS px, as the shader draws it.
export function spriteCSS(app) {
  const dpr = window.devicePixelRatio || 1;
  const px = app.layouts.pointWorld() * app.camera.scale * dpr;
  return Math.min(app.renderer.maxPointPx, Math.max(1.5, px)) / dpr;
}

// pickAt returns the plot position of the topmost image under (sx, sy) CSS
// px, or -1. Nothing is picked while a layout transition runs.
export function pickAt(app, sx, sy) {
  const { layouts, camera, renderer } = app;
  if (!layouts.index || layouts.moving) return -1;
  const [wx, wy] = camera.toWorld(sx, sy);
  const scale = camera.scale;
  const half = spriteCSS(app) / 2 / scale;
  const reach = Math.max(half, MIN_HIT_PX / scale);
  const { state, rect } = renderer.a;
  const pos = layouts.pos;
  let best = -1, bestRank = -1;
  layouts.index.query(wx - reach, wy - reach, wx + reach, wy + reach, (i) => {
    const s = state[i];
    if (s & STATE.HIDDEN) return;
    const aspect = rect[4 * i + 3] > 0 ? rect[4 * i + 2] / rect[4 * i + 3] : 1;
    const bx = Math.max(aspect >= 1 ? half : half * aspect, MIN_HIT_PX / scale);
    const by = Math.max(aspect >= 1 ? half / aspect : half, MIN_HIT_PX / scale);
    if (Math.abs(wx - pos[2 * i]) > bx || Math.abs(wy - pos[2 * i + 1]) > by) return;
    const r = rank(s);
    if (r > bestRank || (r === bestRank && i > best)) { best = i; bestRank = r; }
  });
  return best;
}

// inPolygon returns the positions of visible, undimmed images whose centre
// lies inside poly (flat world-space [x0,y0,x1,y1,...]).
export function inPolygon(app, poly) {
  const { layouts, renderer } = app;
  const out = [];
  if (!layouts.index || poly.length < 6) return out;
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let k = 0; k < poly.length; k += 2) {
    x0 = Math.min(x0, poly[k]); x1 = Math.max(x1, poly[k]);
    y0 = Math.min(y0, poly[k + 1]); y1 = Math.max(y1, poly[k + 1]);
  }
  const pos = layouts.pos;
  const state = renderer.a.state;
  layouts.index.query(x0, y0, x1, y1, (i) => {
    if (state[i] & (STATE.HIDDEN | STATE.DIM)) return;
    if (pointInPolygon(pos[2 * i], pos[2 * i + 1], poly)) out.push(i);
  });
  return out;
}

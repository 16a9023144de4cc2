// A 2-D map camera over world space [-1,1]² (y up). At zoom 1 the square
// [-1,1]² fits the shorter side of the view. Fly-to follows van Wijk & Nuij's
// "smooth and efficient zooming and panning" path: far jumps zoom out, travel,
// and zoom back in, at a perceptually constant speed.

const RHO = Math.SQRT2;
const NO_INSETS = Object.freeze({ left: 0, right: 0, top: 0, bottom: 0 });

export class Camera {
  constructor() {
    this.x = 0;
    this.y = 0;
    this.zoom = 1;
    this.width = 1; // CSS px
    this.height = 1;
    this.minZoom = 0.25;
    this.maxZoom = 500;
    this.flight = null;
  }

  // CSS px per world unit.
  get scale() { return this.zoom * Math.min(this.width, this.height) / 2; }

  resize(width, height) {
    this.width = Math.max(1, width);
    this.height = Math.max(1, height);
  }

  toScreen(wx, wy) {
    const s = this.scale;
    return [this.width / 2 + (wx - this.x) * s, this.height / 2 - (wy - this.y) * s];
  }

  toWorld(sx, sy) {
    const s = this.scale;
    return [this.x + (sx - this.width / 2) / s, this.y - (sy - this.height / 2) / s];
  }

  // The visible world rectangle [x0, y0, x1, y1], grown by margin world units.
  viewRect(margin = 0) {
    const hw = this.width / 2 / this.scale + margin;
    const hh = this.height / 2 / this.scale + margin;
    return [this.x - hw, this.y - hh, this.x + hw, this.y + hh];
  }

  clampZoom(z) { return Math.min(this.maxZoom, Math.max(this.minZoom, z)); }

  set({ x = this.x, y = this.y, zoom = this.zoom }) {
    this.flight = null;
    this.x = x;
    this.y = y;
    this.zoom = this.clampZoom(zoom);
  }

  // Zoom by factor keeping the world point under (sx, sy) fixed.
  zoomAt(sx, sy, factor) {
    const [wx, wy] = this.toWorld(sx, sy);
    this.flight = null;
    this.zoom = this.clampZoom(this.zoom * factor);
    const [nx, ny] = this.toWorld(sx, sy);
    this.x += wx - nx;
    this.y += wy - ny;
  }

  panBy(dxPx, dyPx) {
    this.flight = null;
    this.x -= dxPx / this.scale;
    this.y += dyPx / this.scale;
  }

  // The camera that shows world rect [x0,y0,x1,y1] with padding (fraction)
  // inside the part of the view not covered by panels (insets in CSS px).
  fit([x0, y0, x1, y1], padding = 0.08, insets = NO_INSETS) {
    const w = Math.max(x1 - x0, 1e-6);
    const h = Math.max(y1 - y0, 1e-6);
    const side = Math.min(this.width, this.height) / 2;
    const aw = Math.max(40, this.width - insets.left - insets.right);
    const ah = Math.max(40, this.height - insets.top - insets.bottom);
    const zoom = this.clampZoom(Math.min(aw / (w * side), ah / (h * side)) * (1 - 2 * padding));
    return this.centredAt((x0 + x1) / 2, (y0 + y1) / 2, zoom, insets);
  }

  // The camera at zoom that puts world point (x, y) in the middle of the
  // uncovered part of the view.
  centredAt(x, y, zoom, insets = NO_INSETS) {
    const s = zoom * Math.min(this.width, this.height) / 2;
    const dx = (insets.left - insets.right) / 2;
    const dy = (insets.top - insets.bottom) / 2;
    return { x: x - dx / s, y: y + dy / s, zoom };
  }

  // Start an animated flight to target {x, y, zoom}; resolves when it lands
  // (or is interrupted by any direct camera move).
  flyTo(target, { maxMs = 2200 } = {}) {
    const to = { x: target.x, y: target.y, zoom: this.clampZoom(target.zoom ?? this.zoom) };
    const path = flightPath(this, to, Math.min(this.width, this.height));
    const ms = Math.min(maxMs, Math.max(350, path.length * 450));
    return new Promise((resolve) => {
      this.flight = { path, to, start: performance.now(), ms, resolve };
    });
  }

  get flying() { return this.flight !== null; }

  // Advance a flight; returns true while still moving.
  tick(now) {
    const f = this.flight;
    if (!f) return false;
    const t = Math.min(1, (now - f.start) / f.ms);
    const e = t < 0.5 ? 2 * t * t : 1 - 2 * (1 - t) * (1 - t);
    const p = t >= 1 ? f.to : f.path.at(e);
    this.x = p.x;
    this.y = p.y;
    this.zoom = this.clampZoom(p.zoom);
    if (t >= 1) {
      this.flight = null;
      f.resolve(true);
      return false;
    }
    return true;
  }
}

// flightPath returns {length, at(e)} where e in [0,1] walks the optimal
// zoom-and-pan path; "width" w is the world extent seen across the view.
function flightPath(from, to, viewPx) {
  const side = viewPx / 2;
  const w0 = viewPx / (from.zoom * side);
  const w1 = viewPx / (to.zoom * side);
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  const d = Math.hypot(dx, dy);
  const at = (x, y, w) => ({ x, y, zoom: viewPx / (w * side) });
  if (d < 1e-9 * Math.max(w0, w1)) {
    const S = Math.log(w1 / w0) / RHO;
    return {
      length: Math.abs(S),
      at: (e) => at(from.x + dx * e, from.y + dy * e, w0 * Math.exp(RHO * S * e)),
    };
  }
  const b = (wa, wb, sign) => (wb * wb - wa * wa + sign * RHO ** 4 * d * d) / (2 * (sign > 0 ? wa : wb) * RHO * RHO * d);
  const r = (bi) => Math.log(Math.sqrt(bi * bi + 1) - bi);
  const r0 = r(b(w0, w1, 1));
  const r1 = r(b(w0, w1, -1));
  const S = (r1 - r0) / RHO;
  return {
    length: S,
    at: (e) => {
      const s = S * e;
      const u = (w0 / (RHO * RHO)) * (Math.cosh(r0) * Math.tanh(RHO * s + r0) - Math.sinh(r0));
      const w = (w0 * Math.cosh(r0)) / Math.cosh(RHO * s + r0);
      return at(from.x + (dx * u) / d, from.y + (dy * u) / d, w);
    },
  };
}

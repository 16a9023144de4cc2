// Fly controls (PixPlot's ?fly=true, always on here; w a s d pan in keys.js):
// hold R / F to zoom in / out smoothly around the middle of the view, and
// Q / E to fly to the previous / next hotspot. There is nothing to rotate
// in a 2-D map, so Q / E step through the hotspots instead.

const ZOOM_PER_SECOND = 2.5; // zoom factor per second a key is held
const MAX_STEP_S = 0.1; // a stalled frame does not jump

export class FlyKeys {
  constructor(app, { flyToHotspot }) {
    this.app = app;
    this.flyToHotspot = flyToHotspot; // (members, exemplarPosition)
    this.direction = 0; // +1 zooming in, -1 out, 0 still
    this.key = '';
    this.last = 0;
    this.hotspot = -1; // the hotspot Q / E last flew to
    app.tickers.push((now) => this.tick(now));
    app.on('plot', () => { this.hotspot = -1; });
    window.addEventListener('keyup', (e) => { if (e.key.toLowerCase() === this.key) this.stop(); });
    window.addEventListener('blur', () => this.stop());
  }

  // zoom starts zooming in (key 'r') or out ('f') until that key is released.
  zoom(e) {
    const key = e.key.toLowerCase();
    if (key === this.key) return; // auto-repeat
    this.key = key;
    this.direction = key === 'r' ? 1 : -1;
    this.last = performance.now();
    this.app.requestDraw();
  }

  stop() {
    this.key = '';
    this.direction = 0;
  }

  tick(now) {
    if (!this.direction) return false;
    const dt = Math.min(MAX_STEP_S, Math.max(0, (now - this.last) / 1000));
    this.last = now;
    const { camera } = this.app;
    camera.zoomAt(camera.width / 2, camera.height / 2, ZOOM_PER_SECOND ** (this.direction * dt));
    return true;
  }

  // stepHotspot flies to the hotspot d places after the last one (wrapping).
  stepHotspot(d) {
    const h = this.pickHotspot(d);
    if (h) this.flyToHotspot(h.members, h.exemplar);
  }

  // pickHotspot moves the hotspot cursor d places (wrapping) and returns
  // that hotspot's {members, exemplar} (plot positions), or null when the
  // plot has none.
  pickHotspot(d) {
    const { app } = this;
    const hotspots = (app.plot && app.plot.hotspots) || [];
    if (!hotspots.length) return null;
    const k = this.hotspot < 0 && d < 0 ? hotspots.length - 1 : (this.hotspot + d + hotspots.length) % hotspots.length;
    this.hotspot = k;
    const h = hotspots[k];
    const members = (h.members || []).filter((p) => p >= 0 && p < app.n);
    const first = (h.exemplars || [])[0];
    const exemplar = app.positionOf.has(first) ? app.positionOf.get(first) : members[0];
    return exemplar === undefined ? null : { members, exemplar };
  }
}

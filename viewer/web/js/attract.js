// Attract mode, PixPlot's kiosk loop. With `demo` in the page's query
// (?demo, or ?demo=SECONDS for the idle delay; 60 s by default) the viewer,
// once left alone that long, loops: fly home, switch to the next layout,
// fly to the next hotspot's exemplar, open it and step through a few of the
// hotspot's images, close, repeat. Any pointer, wheel or key input, or the
// page being hidden or shown, stops the loop and starts the idle wait again.

const DEFAULT_DELAY_S = 60;
const LAYOUT_MS = 3000; // time on each new layout
const IMAGE_MS = 3000; // time on each image in the details panel
const IMAGES = 4; // images shown per hotspot
const CLOSED_MS = 2000; // after closing the panel, before the next round
const WAIT_CAP_MS = 10000; // longest wait for a flight or a layout
const POLL_MS = 100;
// Chrome sends pointer moves without movement when the page changes under a
// still pointer; a move must cover this many px to count as input.
const MOVE_PX = 3;

// demoDelay returns the idle delay in seconds when the query asks for
// attract mode, else null.
export function demoDelay(search = location.search) {
  const q = new URLSearchParams(search);
  if (!q.has('demo')) return null;
  const s = Number(q.get('demo'));
  return q.get('demo') !== '' && Number.isFinite(s) && s > 0 ? s : DEFAULT_DELAY_S;
}

export class Attract {
  constructor(app, { delayS, nav, lightbox, switchLayout, pickHotspot }) {
    this.app = app;
    this.delayS = delayS;
    this.nav = nav;
    this.lightbox = lightbox;
    this.switchLayout = switchLayout; // (name)
    this.pickHotspot = pickHotspot; // (d) -> {members, exemplar} | null
    this.running = false;
    this.step = 'idle'; // idle, home, layout, hotspot, lightbox, close
    this.rounds = 0;
    this.token = 0; // bumped to stop a running loop
    this.timer = 0;
    this.pointer = null; // last pointer position, to tell real moves
    const interrupt = () => this.interrupt();
    for (const type of ['pointerdown', 'wheel', 'keydown', 'touchstart']) {
      window.addEventListener(type, interrupt, { capture: true, passive: true });
    }
    window.addEventListener('pointermove', (e) => this.pointerMoved(e), { capture: true, passive: true });
    document.addEventListener('visibilitychange', interrupt);
    this.arm();
  }

  // arm (re)starts the idle wait; a hidden page waits until it is shown.
  arm() {
    clearTimeout(this.timer);
    if (!document.hidden) this.timer = setTimeout(() => this.run(), this.delayS * 1000);
  }

  interrupt() {
    if (this.running) {
      this.running = false;
      this.token++;
      this.step = 'idle';
      if (this.app.camera.flying) this.app.camera.set({}); // stop where it is
    }
    this.arm();
  }

  pointerMoved(e) {
    const last = this.pointer;
    this.pointer = [e.clientX, e.clientY];
    if (last && Math.abs(e.clientX - last[0]) + Math.abs(e.clientY - last[1]) >= MOVE_PX) this.interrupt();
  }

  async run() {
    const { app, nav, lightbox } = this;
    if (!app.plot || !app.layouts.pos) return this.arm(); // nothing to show yet
    const token = ++this.token;
    const live = () => token === this.token;
    const landed = () => this.until(live, () => !app.camera.flying && !app.layouts.busy);
    this.running = true;
    while (live()) {
      this.step = 'home';
      nav.flyTo(nav.home());
      if (!await landed()) return;
      this.step = 'layout';
      const names = app.layouts.buttonNames;
      if (names.length > 1) this.switchLayout(names[(names.indexOf(app.layouts.current) + 1) % names.length]);
      if (!await landed()) return;
      nav.flyTo(nav.home()); // the new layout's extent
      if (!await landed() || !await this.pause(live, LAYOUT_MS)) return;
      this.step = 'hotspot';
      const h = this.pickHotspot(1);
      const first = h ? h.exemplar : Math.floor(Math.random() * app.n);
      nav.toImage(first, { zoomIn: true });
      if (!await landed()) return;
      this.step = 'lightbox';
      lightbox.open(first, h ? h.members : null);
      nav.toImage(first, { zoomIn: false }); // out from under the panel
      for (let k = 1; k < IMAGES; k++) {
        if (!await this.pause(live, IMAGE_MS)) return;
        lightbox.step(1);
      }
      if (!await this.pause(live, IMAGE_MS)) return;
      this.step = 'close';
      lightbox.close();
      this.rounds++;
      if (!await this.pause(live, CLOSED_MS)) return;
    }
  }

  // until resolves once cond() holds (or after WAIT_CAP_MS) to whether the loop is still live.
  async until(live, cond) {
    const end = performance.now() + WAIT_CAP_MS;
    while (live() && !cond() && performance.now() < end) await sleep(POLL_MS);
    return live();
  }

  async pause(live, ms) {
    await sleep(ms);
    return live();
  }

  get state() {
    return { enabled: true, delay: this.delayS, running: this.running, step: this.step, rounds: this.rounds };
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

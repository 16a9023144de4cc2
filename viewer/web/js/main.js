// Boot and wiring: open the data source, build the modules, connect the
// toolbar and the keyboard, keep the URL hash in step, and open a plot.

import { openSource } from './source.js';
import { Renderer } from './renderer.js';
import { Camera } from './camera.js';
import { App } from './app.js';
import { Layouts } from './layouts.js';
import { Atlases } from './atlases.js';
import { Overlay } from './overlay.js';
import { Input } from './input.js';
import { Navigator } from './navigation.js';
import { Plots } from './plots.js';
import { Hotspots } from './hotspots.js';
import { Lightbox } from './lightbox.js';
import { Filters } from './filters.js';
import { Search } from './search.js';
import { NewPlot } from './newplot.js';
import { DropSearch } from './dropsearch.js';
import { Selection } from './selection.js';
import { BaseMap } from './basemap.js';
import { Settings } from './settings.js';
import { UMAPControls } from './umapcontrols.js';
import { FlyKeys } from './flykeys.js';
import { Attract, demoDelay } from './attract.js';
import { bindKeys, renderHelp } from './keys.js';
import { parseHash, writeHash, urlWith } from './urlstate.js';
import { exposeState } from './inspect.js';
import { $, toast, errorText, loading } from './ui.js';

const HASH_DELAY_MS = 200;

// The header wraps on narrow screens; the stage starts below it.
function trackBarHeight() {
  const bar = $('#bar');
  const set = () => document.documentElement.style.setProperty('--bar-h', `${bar.offsetHeight}px`);
  new ResizeObserver(set).observe(bar);
  set();
}

async function main() {
  trackBarHeight();
  let source, renderer;
  try {
    source = await openSource();
    renderer = new Renderer($('#gl'));
  } catch (err) {
    loading.show(`The viewer cannot start: ${errorText(err)}`);
    return;
  }
  // A lost context (GPU reset, memory pressure) takes every texture with it;
  // the URL holds the view, so reloading restores it.
  $('#gl').addEventListener('webglcontextlost', (e) => {
    e.preventDefault();
    loading.show('The graphics context was lost; reloading…');
  });
  $('#gl').addEventListener('webglcontextrestored', () => location.reload());
  for (const e of document.querySelectorAll('.write')) e.hidden = source.readOnly;
  for (const e of document.querySelectorAll('.write-api')) e.hidden = !source.canUpload;

  const camera = new Camera();
  const app = new App({ source, renderer, camera });
  const layouts = new Layouts(app, $('#layouts'));
  app.layouts = layouts;
  const atlases = new Atlases(app, { onError: (err) => toast(`Some images could not be loaded: ${errorText(err)}`) });
  app.atlases = atlases;
  const overlay = new Overlay(app, $('#overlay'));
  app.view = () => ({ t: layouts.t, pointWorld: layouts.pointWorld(), lodMinPx: atlases.lodMinPx() });
  app.baseMap = new BaseMap(app);
  const input = new Input(app, { canvas: $('#gl'), overlay, tooltip: $('#tooltip') });
  const nav = new Navigator(app, $('#stage'));

  const viewState = () => ({
    plot: app.plot && app.plot.name,
    layout: layouts.current,
    cam: { x: camera.x, y: camera.y, zoom: camera.zoom },
    img: app.focus >= 0 ? app.ids[app.focus] : null,
    filters: filters.state(),
  });
  const lightbox = new Lightbox(app, { root: $('#lightbox'), fly: (i, o) => nav.toImage(i, o), permalink: () => urlWith(viewState()) });
  const openImage = (i, list = null) => {
    lightbox.open(i, list);
    nav.toImage(i, { zoomIn: true });
  };
  let hashTimer = 0;
  const saveHash = () => {
    clearTimeout(hashTimer);
    hashTimer = setTimeout(() => { if (app.plot && layouts.current) writeHash(viewState()); }, HASH_DELAY_MS);
  };
  const plots = new Plots(app, { picker: $('#plot-picker'), status: $('#status'), nav, lightbox, onOpened: saveHash });
  new Hotspots(app, { panel: $('#hotspots'), list: $('#hotspot-list'), fly: (members, exemplar) => nav.toGroup(members, exemplar) });
  const flyKeys = new FlyKeys(app, { flyToHotspot: (members, exemplar) => nav.toGroup(members, exemplar) });
  const filters = new Filters(app, { panel: $('#filters'), button: $('#btn-filters') });
  const search = new Search(app, { input: $('#search-input'), results: $('#search-results'), open: openImage });
  const newPlot = new NewPlot(app, { dialog: $('#newplot-dialog'), onReady: (name) => plots.refresh().then(() => plots.open(name)) });
  const dropSearch = new DropSearch(app, { panel: $('#similar-panel'), hint: $('#drop-hint'), fileInput: $('#similar-file'), button: $('#btn-similar'), open: openImage });
  new Selection(app, { bar: $('#selection-bar'), dialog: $('#selection-dialog'), open: openImage });
  new UMAPControls(app, { jitter: $('#umap-jitter'), neighbors: $('#umap-neighbors'), minDist: $('#umap-min-dist') });
  const settings = new Settings(app, {
    panel: $('#settings'),
    button: $('#btn-settings'),
    onResize: () => { nav.updateZoomLimits(); app.requestDraw(); atlases.scheduleLod(); },
  });

  app.on('click-image', ({ position }) => {
    if (position < 0) return;
    lightbox.open(position, null);
    nav.toImage(position, { zoomIn: false }); // moves only if the panel now hides it
  });

  // --- toolbar --------------------------------------------------------------
  app.on('lasso-mode', ({ on }) => $('#btn-lasso').setAttribute('aria-pressed', String(on)));
  $('#btn-lasso').addEventListener('click', () => input.setLassoMode(!input.lassoMode));
  $('#btn-filters').addEventListener('click', () => filters.toggle());
  $('#btn-newplot').addEventListener('click', () => newPlot.show());
  const togglePanel = () => {
    const hidden = document.body.classList.toggle('no-panel');
    $('#btn-panel').setAttribute('aria-pressed', String(!hidden));
  };
  $('#btn-panel').addEventListener('click', togglePanel);
  if (window.matchMedia('(max-width: 700px)').matches) togglePanel();
  const help = $('#help-dialog');
  renderHelp($('#help-keys'));
  $('#btn-help').addEventListener('click', () => help.showModal());
  $('#help-close').addEventListener('click', () => help.close());
  const switchLayout = (name) => {
    if (!app.plot || name === layouts.current) return;
    if (camera.zoom > 1.5) nav.flyTo(nav.home());
    layouts.show(name).catch((err) => toast(errorText(err)));
  };
  app.on('choose-layout', ({ name }) => switchLayout(name));
  const demo = demoDelay();
  const attract = demo === null ? null : new Attract(app, { delayS: demo, nav, lightbox, switchLayout, pickHotspot: (d) => flyKeys.pickHotspot(d) });
  exposeState(app, { source, input, attract });

  // --- keyboard -------------------------------------------------------------
  bindKeys({
    help: () => (help.open ? help.close() : help.showModal()),
    escape: () => {
      if (document.querySelector('dialog[open]')) return false; // the dialog closes itself
      if (document.activeElement instanceof HTMLInputElement) return document.activeElement.blur();
      if (settings.isOpen) return settings.toggle(false);
      if (lightbox.close()) return;
      if (!$('#similar-panel').hidden) return dropSearch.close();
      if (!$('#filters').hidden) return filters.toggle(false);
      if (app.selection.size) return app.setSelection(new Set());
      if (input.lassoMode) input.setLassoMode(false);
    },
    step: (e) => {
      const d = e.key === 'ArrowLeft' ? -1 : 1;
      if (lightbox.isOpen) return lightbox.step(d);
      camera.panBy(-d * 80, 0);
      app.moved();
    },
    zoom: (e) => nav.flyTo({ x: camera.x, y: camera.y, zoom: camera.zoom * (e.key === '+' || e.key === '=' ? 1.6 : 1 / 1.6) }),
    home: () => nav.flyTo(nav.home()),
    layout: (e) => {
      const name = layouts.buttonNames[Number(e.key) - 1];
      if (name) switchLayout(name);
    },
    lasso: () => input.setLassoMode(!input.lassoMode),
    search: () => search.focus(),
    filters: () => { if (!$('#btn-filters').disabled) filters.toggle(); },
    panel: togglePanel,
    size: (e) => settings.setSize(app.sizeExponent + (e.key === ']' ? 0.25 : -0.25)),
    newplot: () => newPlot.show(),
    pan: (e) => {
      const k = e.key.toLowerCase();
      camera.panBy(k === 'a' ? 80 : k === 'd' ? -80 : 0, k === 'w' ? 80 : k === 's' ? -80 : 0);
      app.moved();
    },
    flyZoom: (e) => flyKeys.zoom(e),
    hotspot: (e) => flyKeys.stepHotspot(e.key.toLowerCase() === 'e' ? 1 : -1),
  });

  // --- URL state --------------------------------------------------------------
  for (const ev of ['camera', 'layout', 'focus', 'filter']) app.on(ev, saveHash);
  window.addEventListener('hashchange', async () => {
    const s = parseHash();
    filters.want(s.filters);
    if (s.plot && s.plot !== (app.plot && app.plot.name)) return plots.open(s.plot, s);
    if (s.layout && s.layout !== layouts.current && layouts.names.includes(s.layout)) await layouts.show(s.layout, { animate: false });
    camera.set(s.cam || nav.home());
    if (s.img !== null && app.positionOf.has(s.img)) lightbox.open(app.positionOf.get(s.img));
    app.moved();
  });

  // --- first plot -------------------------------------------------------------
  try {
    await plots.refresh();
  } catch (err) {
    loading.show(`Cannot list plots: ${errorText(err)}`);
    return;
  }
  const want = parseHash();
  const first = want.plot && plots.has(want.plot) ? want.plot : plots.firstReady();
  if (want.filters && (!want.plot || first === want.plot)) filters.want(want.filters);
  if (!first) {
    loading.show(source.readOnly ? 'There are no plots here yet.' : 'There are no plots yet: make one with “New plot”.');
    return;
  }
  await plots.open(first, !want.plot || first === want.plot ? want : {});
}

main();

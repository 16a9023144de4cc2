// View state in the URL hash — #plot=NAME&layout=umap&cam=x,y,zoom&img=ID —
// so a copied link reopens the same view. Written with replaceState (no
// history entry per camera move).

export function parseHash(hash = location.hash) {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const state = { plot: p.get('plot') || null, layout: p.get('layout') || null, cam: null, img: null };
  const cam = (p.get('cam') || '').split(',').map(Number);
  if (cam.length === 3 && cam.every(Number.isFinite) && cam[2] > 0) state.cam = { x: cam[0], y: cam[1], zoom: cam[2] };
  const img = Number(p.get('img'));
  if (p.get('img') && Number.isSafeInteger(img)) state.img = img;
  return state;
}

export function formatHash({ plot, layout, cam, img }) {
  const p = new URLSearchParams();
  if (plot) p.set('plot', plot);
  if (layout) p.set('layout', layout);
  if (cam) p.set('cam', [cam.x.toFixed(5), cam.y.toFixed(5), cam.zoom.toPrecision(5)].join(','));
  if (img !== null && img !== undefined) p.set('img', String(img));
  return `#${p.toString().replace(/%2C/g, ',')}`;
}

// writeHash replaces the current URL's hash; returns the full URL.
export function writeHash(state) {
  const hash = formatHash(state);
  if (hash !== location.hash) history.replaceState(null, '', hash);
  return location.href;
}

export function urlWith(state) {
  return new URL(formatHash(state), location.href).href;
}

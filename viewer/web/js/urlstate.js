// View state in the URL hash — #plot=NAME&layout=umap&cam=x,y,zoom&img=ID,
// then the active filters: cat=NAME and tag=NAME (each repeated per name),
// alltags=1 (images need every chosen tag), years=FROM,TO — so a copied link
// reopens the same view. Written with replaceState (no history entry per
// camera move).

export function parseHash(hash = location.hash) {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const state = { plot: p.get('plot') || null, layout: p.get('layout') || null, cam: null, img: null };
  const cam = (p.get('cam') || '').split(',').map(Number);
  if (cam.length === 3 && cam.every(Number.isFinite) && cam[2] > 0) state.cam = { x: cam[0], y: cam[1], zoom: cam[2] };
  const img = Number(p.get('img'));
  if (p.get('img') && Number.isSafeInteger(img)) state.img = img;
  state.filters = parseFilters(p);
  return state;
}

// parseFilters returns {categories, tags (names), tagsAll, years ([from, to] or null)},
// or null when the hash names no filter.
function parseFilters(p) {
  const years = (p.get('years') || '').split(',').map((v) => (v.trim() === '' ? NaN : Number(v)));
  const f = {
    categories: p.getAll('cat'),
    tags: p.getAll('tag'),
    tagsAll: p.get('alltags') === '1',
    years: years.length === 2 && years.every(Number.isInteger) && years[0] <= years[1] ? years : null,
  };
  return f.categories.length || f.tags.length || f.years ? f : null;
}

export function formatHash({ plot, layout, cam, img, filters = null }) {
  const p = new URLSearchParams();
  if (plot) p.set('plot', plot);
  if (layout) p.set('layout', layout);
  if (cam) p.set('cam', [cam.x.toFixed(5), cam.y.toFixed(5), cam.zoom.toPrecision(5)].join(','));
  if (img !== null && img !== undefined) p.set('img', String(img));
  if (filters) {
    for (const c of filters.categories) p.append('cat', c);
    for (const t of filters.tags) p.append('tag', t);
    if (filters.tags.length && filters.tagsAll) p.set('alltags', '1');
    if (filters.years) p.set('years', filters.years.join(','));
  }
  return `#${p.toString().replace(/%2C/g, ',')}`;
}

// writeHash replaces the current URL's hash; returns the full URL.
export function writeHash(state) {
  const hash = formatHash(state);
  if (hash !== location.hash) history.replaceState(null, '', hash);
  return location.href;
}

// urlWith is the link to a view: this page with that hash, without ?demo
// (a shared link opens a plain viewer, not a kiosk).
export function urlWith(state) {
  const url = new URL(formatHash(state), location.href);
  url.searchParams.delete('demo');
  return url.href;
}

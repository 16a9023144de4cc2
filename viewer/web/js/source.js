// Where the viewer's data comes from: the pixplot server's JSON API, or the
// plain files of a static export. This is the only module that knows URLs;
// every other module calls a Source method. The static paths mirror
// viewer/static.go (and API.md); keep the three in step.

import { fetchJSON, fetchBytes, sendJSON, send, HTTPError } from './http.js';

const enc = encodeURIComponent;

// openSource reads config.json (shipped with the viewer, rewritten by an
// export) and returns the matching source.
export async function openSource() {
  const cfg = await fetchJSON('config.json');
  if (cfg.static) return new StaticSource();
  const api = await fetchJSON('api/config');
  return new APISource(Boolean(api.read_only));
}

// Layouts travel as little-endian float32 pairs; reinterpret them in place
// unless this machine is big-endian.
function float32LE(buf) {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) return new Float32Array(buf);
  const view = new DataView(buf);
  const out = new Float32Array(buf.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

class APISource {
  constructor(readOnly) {
    this.static = false;
    this.readOnly = readOnly;
    this.canUpload = !readOnly;
  }
  plots() { return fetchJSON('api/plots'); }
  plot(name) { return fetchJSON(`api/plots/${enc(name)}`); }
  async layout(plot, layout) { return float32LE(await fetchBytes(`api/plots/${enc(plot)}/layouts/${enc(layout)}`)); }
  cells(plot, tier) { return fetchJSON(`api/plots/${enc(plot)}/cells?tier=${tier}`); }
  meta(plot) { return fetchJSON(`api/plots/${enc(plot)}/meta`); }
  atlasURL(plot, tier, i) { return `api/plots/${enc(plot)}/atlases/${i}?tier=${tier}`; }
  image(id) { return fetchJSON(`api/images/${id}`); }
  thumbURL(id, size) { return `api/images/${id}/thumb?size=${size}`; }
  similar(id, plot, k = 20) { return fetchJSON(`api/images/${id}/similar?k=${k}&plot=${enc(plot)}`); }
  similarToFile(file, plot, k = 40) {
    const form = new FormData();
    form.append('image', file, file.name || 'image');
    return fetchJSON(`api/similar?k=${k}&plot=${enc(plot)}`, { method: 'POST', body: form });
  }
  search(q, plot) { return fetchJSON(`api/search?q=${enc(q)}&plot=${enc(plot)}`); }
  createPlot(body) { return sendJSON('POST', 'api/plots', body); }
  // editHotspot sends any of {label, rank, exemplar} and answers the updated hotspot.
  editHotspot(plot, id, changes) { return sendJSON('PATCH', `api/plots/${enc(plot)}/hotspots/${id}`, changes); }
  createHotspot(plot, label, members) { return sendJSON('POST', `api/plots/${enc(plot)}/hotspots`, { label, members }); }
  deleteHotspot(plot, id) { return send('DELETE', `api/plots/${enc(plot)}/hotspots/${id}`); }
}

class StaticSource {
  constructor() {
    this.static = true;
    this.readOnly = true;
    this.canUpload = false;
    this.cache = new Map();
  }
  // Files never change under a static export, so each is fetched once.
  once(url) {
    if (!this.cache.has(url)) this.cache.set(url, fetchJSON(url));
    return this.cache.get(url);
  }
  plots() { return fetchJSON('data/plots.json'); }
  plot(name) { return this.once(`data/plots/${enc(name)}/manifest.json`); }
  async layout(plot, layout) { return float32LE(await fetchBytes(`data/plots/${enc(plot)}/layouts/${enc(layout)}.bin`)); }
  cells(plot, tier) { return fetchJSON(`data/plots/${enc(plot)}/cells-${tier}.json`); }
  meta(plot) { return this.once(`data/plots/${enc(plot)}/meta.json`); }
  atlasURL(plot, tier, i) { return `data/plots/${enc(plot)}/atlases/${tier}-${i}.jpg`; }
  image(id) { return fetchJSON(`data/images/${id}.json`); }
  thumbURL(id, size) { return `data/images/${id}-${size}.jpg`; }
  async similar(id, plot, k = 20) { return (await fetchJSON(`data/similar/${id}.json`)).slice(0, k); }
  similarToFile() { return Promise.reject(new HTTPError('a static export cannot search by uploaded image', 403)); }
  createPlot() { return Promise.reject(new HTTPError('a static export is read-only', 403)); }
  editHotspot() { return Promise.reject(new HTTPError('a static export is read-only', 403)); }
  createHotspot() { return Promise.reject(new HTTPError('a static export is read-only', 403)); }
  deleteHotspot() { return Promise.reject(new HTTPError('a static export is read-only', 403)); }

  // No server to run full-text search: match every query word against each
  // image's filename, category and tags from the plot's meta table.
  async search(q, plot, limit = 50) {
    const [manifest, meta] = await Promise.all([this.plot(plot), this.meta(plot)]);
    const words = q.toLowerCase().split(/\s+/).filter(Boolean);
    const out = [];
    if (!words.length) return out;
    for (let i = 0; i < meta.filename.length && out.length < limit; i++) {
      const cat = meta.category[i] >= 0 ? meta.categories[meta.category[i]] : '';
      const tags = (meta.tag_ids[i] || []).map((t) => meta.tags[t]);
      const text = [meta.filename[i], cat, ...tags].join(' ').toLowerCase();
      if (words.every((w) => text.includes(w))) {
        out.push({ id: manifest.images[i], filename: meta.filename[i], snippet: [cat, tags.join(', ')].filter(Boolean).join(' · ') });
      }
    }
    return out;
  }
}

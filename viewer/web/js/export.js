// Export of the lasso selection: every image's full metadata (fetched one
// by one from the image endpoint) as CSV or JSON, or a ZIP of the preview
// images plus metadata.csv.

import { fetchBytes } from './http.js';
import { ZipWriter } from './zip.js';

const PARALLEL = 6;

// mapLimited runs fn over items with at most `limit` in flight, in order.
export async function mapLimited(items, limit, fn, onProgress = () => {}) {
  const out = new Array(items.length);
  let next = 0, done = 0;
  const worker = async () => {
    while (next < items.length) {
      const k = next++;
      out[k] = await fn(items[k], k);
      onProgress(++done, items.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export function fetchMetadata(source, ids, onProgress) {
  return mapLimited(ids, PARALLEL, (id) => source.image(id), onProgress);
}

function cell(v) {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.join('|');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function csvField(s) {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

// toCSV flattens metadata records: top-level fields first, tags joined by
// "|", then each extra column (prefixed "extra." only if its name clashes).
export function toCSV(records) {
  const top = [], extra = [];
  for (const r of records) {
    for (const k of Object.keys(r)) if (k !== 'extra' && !top.includes(k)) top.push(k);
    for (const k of Object.keys(r.extra || {})) if (!extra.includes(k)) extra.push(k);
  }
  const extraName = (k) => (top.includes(k) ? `extra.${k}` : k);
  const lines = [[...top, ...extra.map(extraName)].map(csvField).join(',')];
  for (const r of records) {
    const row = [...top.map((k) => cell(r[k])), ...extra.map((k) => cell((r.extra || {})[k]))];
    lines.push(row.map(csvField).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

function entryName(r) {
  const base = String(r.filename || 'image').replace(/\.[^.]*$/, '').replace(/[\\/:*?"<>|\x00-\x1f]+/g, '_');
  return `images/${r.id}-${base}.jpg`;
}

export async function toZip(source, records, onProgress) {
  const zip = new ZipWriter();
  zip.add('metadata.csv', toCSV(records));
  const images = await mapLimited(records, PARALLEL, (r) => fetchBytes(source.thumbURL(r.id, 'preview')), onProgress);
  records.forEach((r, k) => zip.add(entryName(r), new Uint8Array(images[k])));
  return zip.blob();
}

export function download(name, blob) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

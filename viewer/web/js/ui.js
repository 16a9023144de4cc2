// Small DOM helpers shared by the panels. Text always goes in as text.

// el builds an element: props are set as properties (or attributes for
// data-*/aria-* and "for"), children are nodes or strings.
export function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('data-') || k.startsWith('aria-') || k === 'for' || k === 'role') e.setAttribute(k, v);
    else if (k === 'class') e.className = v;
    else if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
    else e[k] = v;
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

export const $ = (sel) => document.querySelector(sel);

// toast shows a message for a while (errors stay until clicked).
export function toast(message, kind = 'error') {
  const t = el('div', { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, String(message));
  t.addEventListener('click', () => t.remove());
  $('#toasts').append(t);
  setTimeout(() => t.remove(), kind === 'error' ? 12000 : 4000);
  return t;
}

// errorText turns anything thrown into one readable line.
export function errorText(err) {
  return err && err.message ? err.message : String(err);
}

// thumb is an <img> of an image's preview that loads lazily.
export function thumb(source, id, alt, extra = {}) {
  return el('img', { src: source.thumbURL(id, 'preview'), alt: alt || '', loading: 'lazy', decoding: 'async', ...extra });
}

// loading is the status box at the top of the canvas (progress when a
// fraction is given; errors that stop the viewer stay there).
export const loading = {
  show(text, fraction = null) {
    const box = $('#loading');
    box.hidden = false;
    box.querySelector('.msg').textContent = text;
    box.querySelector('.bar').hidden = fraction === null;
    if (fraction !== null) box.querySelector('.fill').style.width = `${Math.round(fraction * 100)}%`;
  },
  hide() { $('#loading').hidden = true; },
};

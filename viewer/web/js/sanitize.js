// Whitelist HTML sanitizer for image descriptions. The input is parsed as
// the content of a <template>, which is inert (no scripts run, no images
// load, no handlers fire: DOMParser documents in Chromium still try to load
// <img> and fire onerror), then rebuilt element by element in the live
// document from what the whitelist allows: no scripts, no event handlers, no
// style, no javascript: or data: URLs. Parsed markup is never attached to
// the page itself.

const ALLOWED = new Set([
  'a', 'abbr', 'b', 'blockquote', 'br', 'cite', 'code', 'dd', 'del', 'div', 'dl', 'dt', 'em', 'h1', 'h2', 'h3', 'h4',
  'h5', 'h6', 'hr', 'i', 'ins', 'kbd', 'li', 'mark', 'ol', 'p', 'pre', 'q', 's', 'small', 'span', 'strong', 'sub',
  'sup', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'u', 'ul',
]);
// Dropped together with their content; any other unknown element is
// unwrapped (its text is kept).
const DROP = new Set(['script', 'style', 'template', 'iframe', 'object', 'embed', 'noscript', 'svg', 'math', 'head', 'title', 'textarea', 'select', 'button']);
const ATTRS = { a: ['href', 'title'], abbr: ['title'], td: ['colspan', 'rowspan'], th: ['colspan', 'rowspan'] };
const SAFE_SCHEMES = new Set(['http:', 'https:', 'mailto:']);

// looksLikeHTML reports whether a description has markup worth rendering.
export function looksLikeHTML(text) {
  return /<\/?[a-z][\w-]*(\s[^<>]*)?\/?>/i.test(text) || /&(#\d+|#x[\da-f]+|[a-z]+);/i.test(text);
}

// safeURL returns href if it is an absolute http(s)/mailto URL, else null.
export function safeURL(href) {
  try {
    const u = new URL(String(href).trim(), document.baseURI);
    return SAFE_SCHEMES.has(u.protocol) ? u.href : null;
  } catch {
    return null;
  }
}

// sanitize returns a DocumentFragment holding only whitelisted markup.
export function sanitize(html) {
  const template = document.createElement('template');
  template.innerHTML = renameRiskyAttributes(html);
  const out = document.createDocumentFragment();
  copyChildren(template.content, out);
  return out;
}

// Chromium reports a Content-Security-Policy violation as soon as it parses
// an inline handler or style attribute, even in inert markup, so real-world
// descriptions (museum HTML is full of style="...") would fill the console.
// Renaming those attributes first keeps it quiet. This is noise control
// only: the whitelist below is what keeps handlers and styles out.
const OPEN_TAG = /<([a-zA-Z][\w:-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)(\s*\/?)>/g;
const ATTRIBUTE = /(\s+)([^\s"'>/=]+)((?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)/g;

function renameRiskyAttributes(html) {
  return String(html).replace(OPEN_TAG, (_, name, attrs, end) => {
    const safe = attrs.replace(ATTRIBUTE, (__, space, attr, value) => (/^(on|style$)/i.test(attr) ? `${space}data-x-${attr}${value}` : `${space}${attr}${value}`));
    return `<${name}${safe}${end}>`;
  });
}

function copyChildren(from, to) {
  for (const node of from.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) {
      to.append(document.createTextNode(node.data));
    } else if (node.nodeType === Node.ELEMENT_NODE) {
      const tag = node.localName;
      if (DROP.has(tag) || node.namespaceURI !== 'http://www.w3.org/1999/xhtml') continue;
      if (!ALLOWED.has(tag)) {
        copyChildren(node, to);
        continue;
      }
      const el = document.createElement(tag);
      for (const name of ATTRS[tag] || []) {
        const v = node.getAttribute(name);
        if (v === null) continue;
        if (name === 'href') {
          const url = safeURL(v);
          if (url) el.setAttribute('href', url);
        } else if (name === 'colspan' || name === 'rowspan') {
          if (/^\d{1,3}$/.test(v)) el.setAttribute(name, v);
        } else {
          el.setAttribute(name, v);
        }
      }
      if (tag === 'a') {
        el.setAttribute('target', '_blank');
        el.setAttribute('rel', 'noopener noreferrer nofollow');
      }
      copyChildren(node, el);
      to.append(el);
    }
    // comments, processing instructions, CDATA: dropped
  }
}

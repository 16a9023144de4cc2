// Fetch helpers: every failure becomes an HTTPError carrying the server's
// {error} message, so the UI can show what the server said.

export class HTTPError extends Error {
  constructor(message, status) {
    super(message);
    this.name = 'HTTPError';
    this.status = status;
  }
}

async function check(res, url) {
  if (res.ok) return res;
  let message = `${res.status} ${res.statusText} for ${url}`;
  try {
    const body = await res.json();
    if (body && typeof body.error === 'string') message = body.error;
  } catch { /* not JSON: keep the status line */ }
  throw new HTTPError(message, res.status);
}

export async function fetchJSON(url, init) {
  const res = await check(await fetch(url, init), url);
  return res.json();
}

export async function fetchBytes(url, init) {
  const res = await check(await fetch(url, init), url);
  return res.arrayBuffer();
}

export function sendJSON(method, url, body) {
  return fetchJSON(url, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

// send makes a request whose answer has no body (e.g. DELETE → 204).
export async function send(method, url) {
  await check(await fetch(url, { method }), url);
}

export async function fetchBlob(url, init) {
  const res = await check(await fetch(url, init), url);
  return res.blob();
}

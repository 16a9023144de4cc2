// A uniform grid over a layout's points: rectangle queries for picking, lasso
// and the level-of-detail loader. Built in O(n) with a counting sort, so it is
// cheap to rebuild after every layout change.

export class GridIndex {
  // pos: Float32Array of x,y pairs; points with a NaN coordinate are left out.
  constructor(pos) {
    const n = pos.length / 2;
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (let i = 0; i < n; i++) {
      const x = pos[2 * i], y = pos[2 * i + 1];
      if (!(Number.isFinite(x) && Number.isFinite(y))) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
    if (x0 > x1) { x0 = y0 = -1; x1 = y1 = 1; }
    this.pos = pos;
    this.bounds = [x0, y0, x1, y1];
    const side = Math.max(1, Math.ceil(Math.sqrt(n / 4)));
    this.cols = side;
    this.rows = side;
    this.cw = Math.max((x1 - x0) / side, 1e-9);
    this.ch = Math.max((y1 - y0) / side, 1e-9);
    const cellOf = new Int32Array(n);
    const start = new Int32Array(side * side + 1);
    for (let i = 0; i < n; i++) {
      const c = this.cell(pos[2 * i], pos[2 * i + 1]);
      cellOf[i] = c;
      if (c >= 0) start[c + 1]++;
    }
    for (let c = 0; c < side * side; c++) start[c + 1] += start[c];
    const fill = start.slice(0, side * side);
    const items = new Int32Array(start[side * side]);
    for (let i = 0; i < n; i++) if (cellOf[i] >= 0) items[fill[cellOf[i]]++] = i;
    this.start = start;
    this.items = items;
  }

  cell(x, y) {
    if (!(Number.isFinite(x) && Number.isFinite(y))) return -1;
    const cx = Math.min(this.cols - 1, Math.max(0, Math.floor((x - this.bounds[0]) / this.cw)));
    const cy = Math.min(this.rows - 1, Math.max(0, Math.floor((y - this.bounds[1]) / this.ch)));
    return cy * this.cols + cx;
  }

  // Calls fn(i) for every point whose grid cell meets [x0,y0,x1,y1]; the
  // caller tests the exact shape.
  query(x0, y0, x1, y1, fn) {
    const b = this.bounds;
    if (x1 < b[0] || y1 < b[1] || x0 > b[2] || y0 > b[3]) return;
    const cx0 = Math.max(0, Math.floor((x0 - b[0]) / this.cw));
    const cx1 = Math.min(this.cols - 1, Math.floor((x1 - b[0]) / this.cw));
    const cy0 = Math.max(0, Math.floor((y0 - b[1]) / this.ch));
    const cy1 = Math.min(this.rows - 1, Math.floor((y1 - b[1]) / this.ch));
    for (let cy = cy0; cy <= cy1; cy++) {
      for (let cx = cx0; cx <= cx1; cx++) {
        const c = cy * this.cols + cx;
        for (let k = this.start[c]; k < this.start[c + 1]; k++) fn(this.items[k]);
      }
    }
  }
}

// Even-odd ray casting; poly is a flat [x0,y0,x1,y1,...] array.
export function pointInPolygon(x, y, poly) {
  let inside = false;
  const n = poly.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = poly[2 * i], yi = poly[2 * i + 1];
    const xj = poly[2 * j], yj = poly[2 * j + 1];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

// Bounding box of points i in list over pos, trimmed to the given quantiles
// so a few outliers do not stretch a fly-to.
export function trimmedBounds(pos, list, q = 0.05) {
  const xs = [], ys = [];
  for (const i of list) {
    const x = pos[2 * i], y = pos[2 * i + 1];
    if (Number.isFinite(x) && Number.isFinite(y)) { xs.push(x); ys.push(y); }
  }
  if (!xs.length) return null;
  xs.sort((a, b) => a - b);
  ys.sort((a, b) => a - b);
  const lo = Math.floor(q * (xs.length - 1)), hi = Math.ceil((1 - q) * (xs.length - 1));
  return [xs[lo], ys[lo], xs[hi], ys[hi]];
}

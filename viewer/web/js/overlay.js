// The 2-D canvas above the GL canvas: layout labels (categorical and date
// layouts) and the lasso being drawn. Redrawn after every GL frame.

export class Overlay {
  constructor(app, canvas) {
    this.app = app;
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.lasso = null; // screen-space [x0,y0,x1,y1,...] while drawing
    this.painted = false; // whether the canvas holds anything
    app.painters.push(() => this.paint());
  }

  paint() {
    const { canvas, ctx } = this;
    const busy = this.app.layouts.labels !== null || this.lasso !== null;
    if (!busy && !this.painted) return; // untouched canvases cost nothing to composite
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(canvas.clientWidth * dpr), h = Math.round(canvas.clientHeight * dpr);
    if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, canvas.clientWidth, canvas.clientHeight);
    this.paintLabels();
    this.paintLasso();
    this.painted = busy;
  }

  // Labels sit at their world position; one that would overlap a label
  // already drawn is skipped, so dense label sets stay readable.
  paintLabels() {
    const labels = this.app.layouts.labels;
    if (!labels) return;
    const { ctx } = this;
    const cam = this.app.camera;
    ctx.font = '600 13px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.lineJoin = 'round';
    const taken = [];
    for (const l of labels) {
      const [sx, sy] = cam.toScreen(l.x, l.y);
      if (sx < -200 || sy < -20 || sx > cam.width + 200 || sy > cam.height + 20) continue;
      const text = String(l.text);
      const half = ctx.measureText(text).width / 2 + 3;
      const box = [sx - half, sy - 9, sx + half, sy + 9];
      if (taken.some((b) => box[0] < b[2] && box[2] > b[0] && box[1] < b[3] && box[3] > b[1])) continue;
      taken.push(box);
      ctx.lineWidth = 4;
      ctx.strokeStyle = 'rgba(0,0,0,0.85)';
      ctx.strokeText(text, sx, sy);
      ctx.fillStyle = '#f2f2f2';
      ctx.fillText(text, sx, sy);
    }
  }

  paintLasso() {
    const poly = this.lasso;
    if (!poly || poly.length < 4) return;
    const { ctx } = this;
    ctx.beginPath();
    ctx.moveTo(poly[0], poly[1]);
    for (let k = 2; k < poly.length; k += 2) ctx.lineTo(poly[k], poly[k + 1]);
    ctx.closePath();
    ctx.fillStyle = 'rgba(234,183,85,0.12)';
    ctx.fill();
    ctx.setLineDash([6, 4]);
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = '#eab755';
    ctx.stroke();
    ctx.setLineDash([]);
  }
}

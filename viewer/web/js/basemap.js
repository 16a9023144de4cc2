// The geographic layout's base map, like PixPlot's flat continents: the land
// of data/land.json (Natural Earth 1:110m, made by viewer/internal/landgen)
// filled #333 under the images. The geographic layout has a fixed frame,
// x = lng/180 and y = lat/180, so the map needs nothing from the server and
// follows the camera through the same transform as the images. It fades in
// and out with the layout transition.
//
// landgen has cut the rings into triangles that cover each once, and put
// them in painting order (largest land first, each followed by its lakes,
// which are painted in the background colour), so the map is one draw call
// of ~15k vertices, about one pass per land pixel, and none outside the
// geographic layout.

import { ease } from './layouts.js';
import { BACKGROUND, link } from './renderer.js';
import { fetchJSON } from './http.js';
import { toast, errorText } from './ui.js';

const LAYOUT = 'geographic';
const LAND = [0.2, 0.2, 0.2]; // #333333, PixPlot's land colour
const LAND_URL = 'data/land.json';

const VERTEX = `#version 300 es
layout(location=0) in vec3 aPos; // x, y, and 1 in a lake
uniform vec2 uCam;
uniform float uScale;
uniform vec2 uView;
uniform vec3 uLand;
uniform vec3 uWater;
flat out vec3 vColor;
void main() {
  gl_Position = vec4((aPos.xy - uCam) * uScale / (0.5 * uView), 0.0, 1.0);
  vColor = aPos.z > 0.5 ? uWater : uLand;
}`;

const FRAGMENT = `#version 300 es
precision mediump float;
flat in vec3 vColor;
out vec4 outColor;
void main() { outColor = vec4(vColor, 1.0); }`;

export class BaseMap {
  constructor(app) {
    this.app = app;
    this.from = 0; // opacity when the current transition started
    this.to = 0; // opacity once it lands
    this.shown = 0; // opacity of the last frame
    this.vertices = null; // loaded triangles (x, y, lake per vertex), until uploaded
    this.fetching = false;
    this.gpu = null; // {program, u (uniform locations), vao, count (vertices)}
    app.on('plot', () => { this.from = 0; this.to = 0; }); // until the new plot's first layout
    app.on('layout', ({ name }) => {
      this.from = this.shown;
      this.to = name === LAYOUT ? 1 : 0;
      if (this.to) this.load();
    });
    app.renderer.underlays.push((gl, frame) => this.draw(gl, frame));
  }

  // opacity follows the layout transition: the map fades in while images
  // fly to their places on it, and out while they leave.
  opacity() {
    const { layouts } = this.app;
    if (!layouts.moving) return this.to;
    return this.from + (this.to - this.from) * ease(layouts.t);
  }

  load() {
    if (this.fetching || this.gpu) return;
    this.fetching = true;
    fetchJSON(LAND_URL).then((doc) => {
      this.vertices = triangleVertices(doc);
      this.app.requestDraw();
    }).catch((err) => {
      this.fetching = false; // the next visit to the layout tries again
      toast(`The base map is unavailable: ${errorText(err)}`);
    });
  }

  draw(gl, { cam, scale, view }) {
    const a = this.opacity();
    this.shown = a;
    if (a <= 0) return;
    if (this.vertices) this.upload(gl);
    if (!this.gpu) return;
    const g = this.gpu;
    gl.useProgram(g.program);
    gl.uniform2f(g.u.uCam, cam[0], cam[1]);
    gl.uniform1f(g.u.uScale, scale);
    gl.uniform2f(g.u.uView, view[0], view[1]);
    gl.uniform3f(g.u.uLand, ...LAND.map((c, k) => BACKGROUND[k] + (c - BACKGROUND[k]) * a));
    gl.uniform3f(g.u.uWater, ...BACKGROUND);
    gl.bindVertexArray(g.vao);
    gl.disable(gl.DEPTH_TEST);
    gl.depthMask(false);
    gl.drawArrays(gl.TRIANGLES, 0, g.count);
    gl.depthMask(true);
    gl.bindVertexArray(null);
  }

  upload(gl) {
    const v = this.vertices;
    this.vertices = null;
    const program = link(gl, VERTEX, FRAGMENT);
    const u = {};
    for (const name of ['uCam', 'uScale', 'uView', 'uLand', 'uWater']) u[name] = gl.getUniformLocation(program, name);
    const vao = gl.createVertexArray();
    const buffer = gl.createBuffer();
    gl.bindVertexArray(vao);
    gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
    gl.bufferData(gl.ARRAY_BUFFER, v, gl.STATIC_DRAW);
    gl.enableVertexAttribArray(0);
    gl.vertexAttribPointer(0, 3, gl.FLOAT, false, 0, 0);
    gl.bindVertexArray(null);
    this.gpu = { program, u, vao, count: v.length / 3 };
  }
}

// triangleVertices puts every ring's triangles ({rings, triangles: per
// ring, index triples into it, holes: the lakes' ring indices}) in one
// array of plain triangles, x, y and 1 for a lake per vertex, in order.
function triangleVertices(doc) {
  const { rings, triangles, holes } = doc || {};
  if (!Array.isArray(rings) || !Array.isArray(triangles) || triangles.length !== rings.length || !Array.isArray(holes)) {
    throw new Error(`${LAND_URL} does not hold rings with their triangles and holes`);
  }
  const lake = new Set(holes);
  let count = 0;
  for (const t of triangles) count += t.length - (t.length % 3);
  const v = new Float32Array(3 * count);
  let k = 0;
  rings.forEach((ring, r) => {
    const t = triangles[r];
    for (let j = 0; j < t.length - (t.length % 3); j++) {
      const p = ring[t[j]];
      if (!p) throw new Error(`${LAND_URL}: ring ${r} has no point ${t[j]}`);
      v[k++] = p[0];
      v[k++] = p[1];
      v[k++] = lake.has(r) ? 1 : 0;
    }
  });
  return v;
}

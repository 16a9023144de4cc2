// WebGL2 renderer: every image is one gl.POINTS vertex. The fragment shader
// fits the image's atlas rectangle, aspect-correct, inside the point sprite.
// Points are the fast primitive in software GL (SwiftShader pays per
// instance), and one draw call covers the whole plot.
//
// Per-vertex attributes live in CPU arrays (this.a); modules edit them and
// call touch(name); the next draw uploads what changed.

export const STATE = Object.freeze({ DIM: 1, SELECTED: 2, HOT: 4, FOCUS: 8, LOADED: 16, HIDDEN: 32, HOVER: 64 });
export const NONE = 65535; // "no atlas" in the layer and lod-slot attributes
export const BACKGROUND = Object.freeze([0.067, 0.067, 0.067]); // #111, the page's background too

const VERTEX = `#version 300 es
precision highp float;
layout(location=0) in vec2 aPos0;
layout(location=1) in vec2 aPos1;
layout(location=2) in vec4 aRect;
layout(location=3) in float aLayer;
layout(location=4) in vec4 aLodRect;
layout(location=5) in float aLodSlot;
layout(location=6) in vec4 aColor;
layout(location=7) in uint aState;
uniform vec2 uCam;
uniform float uScale;
uniform vec2 uView;
uniform float uT;
uniform float uPointWorld;
uniform float uMaxPx;
uniform float uLodMinPx;
uniform vec2 uBaseSize;
uniform vec2 uLodSize;
uniform float uBorderPx;
flat out vec4 vUV;    // atlas rectangle in texture coordinates, half a texel inside: origin, size
flat out vec4 vBox;   // image box in the sprite as fractions of its side, and their reciprocals
flat out vec4 vColor; // placeholder colour; alpha: border width as a fraction of the side
flat out ivec3 vKind; // x: 0 colour, 1 base tier, 2 lod tier; y: 0 plain, 1 focus, 2 hover,
                      // 3 selected, 4 hot, +8 dimmed; z: texture layer
const uint DIM = 1u, SELECTED = 2u, HOT = 4u, FOCUS = 8u, LOADED = 16u, HIDDEN = 32u, HOVER = 64u;
float ease(float t) { return t < 0.5 ? 4.0 * t * t * t : 1.0 - pow(2.0 - 2.0 * t, 3.0) / 2.0; }
void main() {
  if ((aState & HIDDEN) != 0u) { gl_Position = vec4(2.0, 2.0, 2.0, 1.0); gl_PointSize = 1.0; return; }
  vec2 p = mix(aPos0, aPos1, ease(uT));
  float size = clamp(uPointWorld * uScale, 1.5, uMaxPx);
  if ((aState & (FOCUS | HOVER)) != 0u) size = min(uMaxPx, max(size, 10.0));
  int style = (aState & FOCUS) != 0u ? 1 : (aState & HOVER) != 0u ? 2 : (aState & SELECTED) != 0u ? 3 : (aState & HOT) != 0u ? 4 : 0;
  bool dim = (aState & DIM) != 0u;
  float z = style == 1 ? -0.8 : style == 2 ? -0.6 : style == 3 ? -0.4 : style == 4 ? -0.2 : dim ? 0.5 : 0.0;
  gl_Position = vec4((p - uCam) * uScale / (0.5 * uView), z, 1.0);
  gl_PointSize = size;
  float aspect = aRect.w > 0.0 ? aRect.z / aRect.w : 1.0;
  vec2 box = aspect >= 1.0 ? vec2(1.0, 1.0 / aspect) : vec2(aspect, 1.0);
  bool lod = aLodSlot < 65535.0 && size > uLodMinPx;
  int source = lod ? 2 : ((aState & LOADED) != 0u ? 1 : 0);
  vec4 rect = lod ? aLodRect : aRect;
  vec2 tex = lod ? uLodSize : uBaseSize;
  vUV = vec4((rect.xy + 0.5) / tex, max(rect.zw - 1.0, vec2(0.0)) / tex);
  vBox = vec4(box, 1.0 / box);
  float border = max(1.0, min(uBorderPx, size * 0.1)) / size;
  vColor = vec4(aColor.rgb, border);
  vKind = ivec3(source, style + (dim ? 8 : 0), int(lod ? aLodSlot : aLayer));
}`;

const FRAGMENT = `#version 300 es
precision highp float;
precision mediump sampler2DArray;
uniform sampler2DArray uBase;
uniform sampler2DArray uLod;
flat in vec4 vUV;
flat in vec4 vBox;
flat in vec4 vColor;
flat in ivec3 vKind;
out vec4 outColor;
const vec3 GOLD = vec3(0.918, 0.718, 0.333);
void main() {
  vec2 q = (gl_PointCoord - 0.5) * vBox.zw + 0.5; // position in the image, 0..1
  if (q.x < 0.0 || q.y < 0.0 || q.x > 1.0 || q.y > 1.0) discard;
  vec3 c = vColor.rgb;
  if (vKind.x != 0) {
    vec3 uv = vec3(vUV.xy + q * vUV.zw, float(vKind.z));
    c = vKind.x == 2 ? textureLod(uLod, uv, 0.0).rgb : textureLod(uBase, uv, 0.0).rgb;
  }
  int style = vKind.y & 7;
  if (style != 0) {
    vec2 d = min(q, 1.0 - q) * vBox.xy;
    bool edge = min(d.x, d.y) < vColor.a;
    if (style == 1) { if (edge) c = vec3(1.0); }
    else if (style == 2) { if (edge) c = vec3(0.85); }
    else if (style == 3) { c = edge ? GOLD : mix(c, GOLD, 0.15); }
    else { c = edge ? vec3(1.0) : mix(c, vec3(1.0), 0.3); }
  }
  if (vKind.y >= 8) c = mix(vec3(dot(c, vec3(0.299, 0.587, 0.114))), c, 0.25) * 0.3;
  outColor = vec4(c, 1.0);
}`;

// name, components, GL type, normalized, integer
const ATTRIBUTES = [
  ['pos0', 2, 'FLOAT', false, false, Float32Array],
  ['pos1', 2, 'FLOAT', false, false, Float32Array],
  ['rect', 4, 'UNSIGNED_SHORT', false, false, Uint16Array],
  ['layer', 1, 'UNSIGNED_SHORT', false, false, Uint16Array],
  ['lodRect', 4, 'UNSIGNED_SHORT', false, false, Uint16Array],
  ['lodSlot', 1, 'UNSIGNED_SHORT', false, false, Uint16Array],
  ['color', 4, 'UNSIGNED_BYTE', true, false, Uint8Array],
  ['state', 1, 'UNSIGNED_BYTE', false, true, Uint8Array],
];

export class Renderer {
  constructor(canvas) {
    const gl = canvas.getContext('webgl2', { antialias: false, alpha: false, depth: true, powerPreference: 'high-performance' });
    if (!gl) throw new Error('This browser cannot run WebGL2, which the viewer needs.');
    this.gl = gl;
    this.canvas = canvas;
    this.program = link(gl, VERTEX, FRAGMENT);
    this.u = {};
    for (const name of ['uCam', 'uScale', 'uView', 'uT', 'uPointWorld', 'uMaxPx', 'uLodMinPx', 'uBase', 'uLod', 'uBaseSize', 'uLodSize', 'uBorderPx']) {
      this.u[name] = gl.getUniformLocation(this.program, name);
    }
    this.maxTexture = gl.getParameter(gl.MAX_TEXTURE_SIZE);
    this.maxLayers = gl.getParameter(gl.MAX_ARRAY_TEXTURE_LAYERS);
    this.maxPointPx = Math.min(1024, gl.getParameter(gl.ALIASED_POINT_SIZE_RANGE)[1]);
    this.vao = gl.createVertexArray();
    this.buffers = {};
    this.n = 0;
    this.a = {};
    this.dirty = new Set();
    this.underlays = []; // fn(gl, {cam, scale, view}) drawn under the images (the base map)
    this.tiers = { base: this.makeTexture(1, 1), lod: this.makeTexture(1, 1) };
    this.tierSize = { base: 1, lod: 1 };
    gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, false);
    gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, false);
    gl.pixelStorei(gl.UNPACK_COLORSPACE_CONVERSION_WEBGL, gl.NONE);
  }

  // allocate makes fresh attribute arrays for n images (all hidden until a layout arrives).
  allocate(n) {
    const gl = this.gl;
    this.n = n;
    gl.bindVertexArray(this.vao);
    ATTRIBUTES.forEach(([name, size, type, normalized, integer, Kind], loc) => {
      const arr = new Kind(n * size);
      this.a[name] = arr;
      if (!this.buffers[name]) this.buffers[name] = gl.createBuffer();
      gl.bindBuffer(gl.ARRAY_BUFFER, this.buffers[name]);
      gl.bufferData(gl.ARRAY_BUFFER, arr.byteLength || 4, gl.DYNAMIC_DRAW);
      gl.enableVertexAttribArray(loc);
      if (integer) gl.vertexAttribIPointer(loc, size, gl[type], 0, 0);
      else gl.vertexAttribPointer(loc, size, gl[type], normalized, 0, 0);
    });
    gl.bindVertexArray(null);
    this.a.layer.fill(NONE);
    this.a.lodSlot.fill(NONE);
    this.a.state.fill(STATE.HIDDEN);
    for (const [name] of ATTRIBUTES) this.dirty.add(name);
  }

  touch(name) { this.dirty.add(name); }

  makeTexture(size, layers) {
    const gl = this.gl;
    const tex = gl.createTexture();
    gl.bindTexture(gl.TEXTURE_2D_ARRAY, tex);
    gl.texStorage3D(gl.TEXTURE_2D_ARRAY, 1, gl.RGBA8, size, size, layers);
    gl.texParameteri(gl.TEXTURE_2D_ARRAY, gl.TEXTURE_MIN_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_2D_ARRAY, gl.TEXTURE_MAG_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_2D_ARRAY, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D_ARRAY, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
    return tex;
  }

  // initTier allocates the texture array of a tier ('base' or 'lod'):
  // layers square atlases of size px.
  initTier(tier, size, layers) {
    if (size > this.maxTexture) throw new Error(`atlas size ${size} px exceeds this GPU's limit of ${this.maxTexture} px`);
    if (layers > this.maxLayers) throw new Error(`${layers} atlases exceed this GPU's limit of ${this.maxLayers} texture layers`);
    const gl = this.gl;
    gl.deleteTexture(this.tiers[tier]);
    while (gl.getError() !== gl.NO_ERROR) { /* clear stale errors */ }
    this.tiers[tier] = this.makeTexture(size, Math.max(1, layers));
    this.tierSize[tier] = size;
    if (gl.getError() === gl.OUT_OF_MEMORY) {
      this.tiers[tier] = this.makeTexture(1, 1);
      this.tierSize[tier] = 1;
      throw new Error(`not enough GPU memory for ${layers} atlases of ${size} px`);
    }
  }

  // upload copies a decoded atlas (ImageBitmap) into layer of a tier.
  upload(tier, layer, bitmap) {
    const gl = this.gl;
    const size = this.tierSize[tier];
    gl.bindTexture(gl.TEXTURE_2D_ARRAY, this.tiers[tier]);
    gl.texSubImage3D(gl.TEXTURE_2D_ARRAY, 0, 0, 0, layer, Math.min(size, bitmap.width), Math.min(size, bitmap.height), 1,
      gl.RGBA, gl.UNSIGNED_BYTE, bitmap);
  }

  resize() {
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(this.canvas.clientWidth * dpr));
    const h = Math.max(1, Math.round(this.canvas.clientHeight * dpr));
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    return dpr;
  }

  flush() {
    const gl = this.gl;
    for (const name of this.dirty) {
      gl.bindBuffer(gl.ARRAY_BUFFER, this.buffers[name]);
      gl.bufferSubData(gl.ARRAY_BUFFER, 0, this.a[name]);
    }
    this.dirty.clear();
  }

  // draw renders all points. view: {camera, t (transition 0..1), pointWorld
  // (sprite side in world units), lodMinPx (device px above which the lod tier is used)}.
  draw({ camera, t, pointWorld, lodMinPx }) {
    const gl = this.gl;
    const dpr = this.resize();
    gl.viewport(0, 0, this.canvas.width, this.canvas.height);
    gl.clearColor(...BACKGROUND, 1);
    gl.clearDepth(1);
    gl.clear(gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT);
    if (!this.n) return;
    if (this.dirty.size) this.flush();
    const frame = { cam: [camera.x, camera.y], scale: camera.scale * dpr, view: [this.canvas.width, this.canvas.height] };
    for (const paint of this.underlays) paint(gl, frame);
    gl.enable(gl.DEPTH_TEST);
    gl.depthFunc(gl.LEQUAL);
    gl.useProgram(this.program);
    gl.uniform2f(this.u.uCam, camera.x, camera.y);
    gl.uniform1f(this.u.uScale, camera.scale * dpr);
    gl.uniform2f(this.u.uView, this.canvas.width, this.canvas.height);
    gl.uniform1f(this.u.uT, t);
    gl.uniform1f(this.u.uPointWorld, pointWorld);
    gl.uniform1f(this.u.uMaxPx, this.maxPointPx);
    gl.uniform1f(this.u.uLodMinPx, lodMinPx);
    gl.uniform1f(this.u.uBorderPx, 3 * dpr);
    gl.uniform2f(this.u.uBaseSize, this.tierSize.base, this.tierSize.base);
    gl.uniform2f(this.u.uLodSize, this.tierSize.lod, this.tierSize.lod);
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D_ARRAY, this.tiers.base);
    gl.uniform1i(this.u.uBase, 0);
    gl.activeTexture(gl.TEXTURE1);
    gl.bindTexture(gl.TEXTURE_2D_ARRAY, this.tiers.lod);
    gl.uniform1i(this.u.uLod, 1);
    gl.bindVertexArray(this.vao);
    gl.drawArrays(gl.POINTS, 0, this.n);
    gl.bindVertexArray(null);
  }

  // reset drops the plot's textures (on plot switch).
  reset() {
    this.initTier('base', 1, 1);
    this.initTier('lod', 1, 1);
    this.allocate(0);
  }
}

// link compiles and links a GLSL program; errors carry the compiler's log.
export function link(gl, vsrc, fsrc) {
  const compile = (type, src) => {
    const s = gl.createShader(type);
    gl.shaderSource(s, src);
    gl.compileShader(s);
    if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error('shader: ' + gl.getShaderInfoLog(s));
    return s;
  };
  const p = gl.createProgram();
  gl.attachShader(p, compile(gl.VERTEX_SHADER, vsrc));
  gl.attachShader(p, compile(gl.FRAGMENT_SHADER, fsrc));
  gl.linkProgram(p);
  if (!gl.getProgramParameter(p, gl.LINK_STATUS)) throw new Error('shader link: ' + gl.getProgramInfoLog(p));
  return p;
}

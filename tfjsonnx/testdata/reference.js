// reference.js writes the TF.js reference values that tfjsonnx's tests compare
// the converted ONNX models against. It was run once; its output is committed
// next to it. TF.js (pure JS CPU backend) is the oracle: the tests check that
// ONNX Runtime, running our conversion, computes what TF.js computes.
//
// To regenerate (outside the repository; versions pinned):
//
//   mkdir /tmp/tfref && cd /tmp/tfref && npm init -y >/dev/null
//   npm install --ignore-scripts @tensorflow/tfjs-core@4.22.0 \
//       @tensorflow/tfjs-layers@4.22.0 @tensorflow/tfjs-backend-cpu@4.22.0
//   # nsfwjs's models as modelstore caches them (pixplot setup), or from
//   # `npm pack nsfwjs@4.4.0` extracted: package/dist/models
//   NODE_PATH=/tmp/tfref/node_modules node tfjsonnx/testdata/reference.js \
//       ~/.cache/pixplot/nsfwjs-4.4.0 tfjsonnx/testdata
//
// It writes:
//   tiny/<name>/model.json, weights.bin, expected.json — small models built
//     here with fixed pseudo-random weights that use every supported layer;
//     expected.json holds the input and TF.js's output for each named output.
//   <model>.expected.json for inception_v3 and mobilenet_v2 — TF.js's outputs
//     on two synthetic images (see syntheticImage) for the layers pixplot embeds.
'use strict';
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const tfl = require('@tensorflow/tfjs-layers');

const [modelsDir, outDir] = process.argv.slice(2);
if (!modelsDir || !outDir) {
  console.error('usage: node reference.js <nsfwjs models dir> <testdata dir>');
  process.exit(2);
}

// xorshift32: the same sequence in Go (reference_test.go) and here.
function xorshift(seed) {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
}

// syntheticImage returns an [h, w, 3] image in [0, 1] as Float32Array:
// "noise" is xorshift bytes, "xor" the pattern ((x ^ y) + 85c) mod 256.
function syntheticImage(kind, h, w) {
  const out = new Float32Array(h * w * 3);
  const next = xorshift(0x9e3779b9);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        const i = (y * w + x) * 3 + c;
        const byte = kind === 'noise' ? next() >>> 24 : ((x ^ y) + 85 * c) & 255;
        out[i] = byte / 255;
      }
    }
  }
  return out;
}

// Weights of the tiny models: uniform in [-0.5, 0.5), variances and gammas
// in [0.5, 1.5), from one xorshift stream in layer order.
function setTinyWeights(model) {
  const next = xorshift(12345);
  const weights = model.weights.map((w) => {
    const n = w.shape.reduce((a, b) => a * b, 1);
    const v = new Float32Array(n);
    const positive = /moving_variance|gamma/.test(w.name);
    for (let i = 0; i < n; i++) {
      const u = next() / 4294967296;
      v[i] = positive ? 0.5 + u : u - 0.5;
    }
    return tf.tensor(v, w.shape);
  });
  model.setWeights(weights);
}

// save returns {modelTopology, weightSpecs, weightData} of a model.
async function save(model) {
  let artifacts;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return artifacts;
}

// encode re-stores float32 weights as uint8 (min/scale per tensor) or
// float16, the encodings of quantised TF.js models.
function encode(artifacts, dtype) {
  const all = new Float32Array(artifacts.weightData);
  const chunks = [];
  const specs = [];
  let offset = 0;
  for (const spec of artifacts.weightSpecs) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const v = all.subarray(offset, offset + n);
    offset += n;
    if (dtype === 'uint8') {
      let min = Infinity, max = -Infinity;
      for (const x of v) { min = Math.min(min, x); max = Math.max(max, x); }
      const scale = (max - min) / 255 || 1;
      const q = new Uint8Array(n);
      for (let i = 0; i < n; i++) q[i] = Math.round((v[i] - min) / scale);
      chunks.push(q);
      specs.push({ ...spec, quantization: { dtype: 'uint8', min, scale } });
    } else {
      const h = new Uint16Array(n);
      for (let i = 0; i < n; i++) h[i] = toHalf(v[i]);
      chunks.push(new Uint8Array(h.buffer));
      specs.push({ ...spec, quantization: { dtype: 'float16' } });
    }
  }
  const total = chunks.reduce((a, c) => a + c.length, 0);
  const data = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) { data.set(c, at); at += c.length; }
  return { modelTopology: artifacts.modelTopology, weightSpecs: specs, weightData: data.buffer };
}

// toHalf rounds a float32 to the nearest IEEE binary16 (values here are
// small normal numbers, so no subnormal/overflow handling is needed).
function toHalf(f) {
  const b = new DataView(new ArrayBuffer(4));
  b.setFloat32(0, f);
  const x = b.getUint32(0);
  const sign = (x >>> 16) & 0x8000;
  let exp = ((x >>> 23) & 0xff) - 127 + 15;
  let mant = x & 0x7fffff;
  if (exp <= 0) return sign;
  let h = sign | (exp << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1))) h++;
  return h;
}

// layerOutputs evaluates named outputs of a loaded model: a layer name gives
// that layer's output, "<layer>_gap" its mean over height and width.
function layerOutputs(model, names, input) {
  const wanted = names.map((n) => {
    const layer = n.endsWith('_gap') && !hasLayer(model, n) ? n.slice(0, -4) : n;
    return { n, layer, gap: layer !== n };
  });
  const layers = [...new Set(wanted.map((w) => w.layer))];
  const probe = tfl.model({ inputs: model.inputs, outputs: layers.map((l) => model.getLayer(l).output) });
  let outs = probe.predict(input);
  if (!Array.isArray(outs)) outs = [outs];
  const result = {};
  for (const w of wanted) {
    const o = outs[layers.indexOf(w.layer)];
    const t = w.gap ? tf.mean(o, [1, 2]) : o;
    result[w.n] = { shape: t.shape.slice(1), values: Array.from(t.dataSync()) };
  }
  return result;
}

function hasLayer(model, name) {
  try { model.getLayer(name); return true; } catch (e) { return false; }
}

async function writeTiny(name, model, dtype, inputShape, outputs) {
  setTinyWeights(model);
  let artifacts = await save(model);
  if (dtype !== 'float32') artifacts = encode(artifacts, dtype);
  // The oracle is the model TF.js loads back from the stored weights.
  const loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
  const n = 2;
  const size = inputShape.reduce((a, b) => a * b, 1);
  const next = xorshift(777);
  const input = new Float32Array(n * size);
  for (let i = 0; i < input.length; i++) input[i] = (next() >>> 8) / 16777216 * 2 - 1;
  const got = layerOutputs(loaded, outputs, tf.tensor(input, [n, ...inputShape]));
  const dir = path.join(outDir, 'tiny', name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify({
    format: 'layers-model',
    generatedBy: 'tfjsonnx/testdata/reference.js',
    convertedBy: null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
  }, null, 1));
  fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(artifacts.weightData));
  fs.writeFileSync(path.join(dir, 'expected.json'), JSON.stringify({
    tfjs: tf.version_core, batch: n, inputShape, input: Array.from(input), outputs: got,
  }));
  console.log('wrote', dir);
}

// convBlock uses every image layer the converter supports.
function convBlock() {
  const L = tfl.layers;
  const x = tfl.input({ shape: [11, 13, 3], name: 'image' });
  const pad = L.zeroPadding2d({ padding: [[0, 1], [2, 1]], name: 'pad' }).apply(x);
  const c1 = L.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'valid', useBias: false, name: 'conv_valid' }).apply(pad);
  const bn1 = L.batchNormalization({ scale: false, epsilon: 1e-3, name: 'bn_noscale' }).apply(c1);
  const r1 = L.activation({ activation: 'relu', name: 'relu' }).apply(bn1);
  const c2 = L.conv2d({ filters: 6, kernelSize: [1, 3], padding: 'same', activation: 'relu', name: 'conv_1x3' }).apply(r1);
  const c3 = L.conv2d({ filters: 6, kernelSize: [3, 1], strides: [2, 1], padding: 'same', name: 'conv_3x1_s21' }).apply(r1);
  const c3b = L.conv2d({ filters: 6, kernelSize: 2, dilationRate: 2, padding: 'same', name: 'conv_dilated' }).apply(r1);
  const dw = L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', useBias: true, name: 'depthwise' }).apply(r1);
  const bn2 = L.batchNormalization({ name: 'bn' }).apply(dw);
  const r6 = L.reLU({ maxValue: 6, name: 'relu6' }).apply(bn2);
  const proj = L.conv2d({ filters: 6, kernelSize: 1, name: 'project' }).apply(r6);
  const sum = L.add({ name: 'add3' }).apply([proj, c2, c3b]);
  const mp = L.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'maxpool_same' }).apply(sum);
  const ap = L.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same', name: 'avgpool_same' }).apply(sum);
  const ap2 = L.averagePooling2d({ poolSize: [3, 1], strides: [1, 2], padding: 'valid', name: 'avgpool_valid' }).apply(ap);
  const mp2 = L.maxPooling2d({ poolSize: 1, strides: [1, 2], padding: 'valid', name: 'maxpool_valid' }).apply(c3);
  const cat = L.concatenate({ axis: -1, name: 'concat' }).apply([mp, ap2, mp2]);
  const flat = L.flatten({ name: 'flatten' }).apply(cat);
  const d1 = L.dense({ units: 7, activation: 'relu', name: 'dense_relu' }).apply(flat);
  const drop = L.dropout({ rate: 0.5, name: 'dropout' }).apply(d1);
  const d2 = L.dense({ units: 4, activation: 'softmax', name: 'dense_softmax' }).apply(drop);
  const gap = L.globalAveragePooling2d({ name: 'gap' }).apply(sum);
  const gmp = L.globalMaxPooling2d({ name: 'gmp' }).apply(cat);
  const heads = L.concatenate({ name: 'heads' }).apply([gap, gmp]);
  const d3 = L.dense({ units: 3, useBias: false, activation: 'tanh', name: 'dense_nobias' }).apply(heads);
  return tfl.model({ inputs: x, outputs: [d2, d3], name: 'conv_block' });
}

// activations applies every supported activation function to one Dense.
function activations() {
  const L = tfl.layers;
  const x = tfl.input({ shape: [6], name: 'features' });
  const d = L.dense({ units: 5, name: 'dense' }).apply(x);
  const fns = ['linear', 'relu', 'relu6', 'sigmoid', 'tanh', 'softmax', 'elu', 'selu',
    'softplus', 'softsign', 'hardSigmoid', 'swish'];
  const ys = fns.map((f) => L.activation({ activation: f, name: 'act_' + f }).apply(d));
  const cat = L.concatenate({ name: 'all' }).apply(ys);
  return tfl.model({ inputs: x, outputs: cat, name: 'activations' });
}

// requireMin loads an nsfwjs UMD .min.js module (what modelstore parses in Go).
function requireMin(file) {
  return require(path.resolve(file));
}

async function writeReal(name, size, outputs) {
  const dir = path.join(modelsDir, name);
  const json = requireMin(path.join(dir, 'model.min.js'));
  const shards = json.weightsManifest[0].paths.map((p) =>
    Buffer.from(requireMin(path.join(dir, p + '.min.js')), 'base64'));
  const data = Buffer.concat(shards);
  const model = await tfl.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest[0].weights,
    weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.length),
  }));
  const inputs = ['noise', 'xor'];
  const images = inputs.map((k) => syntheticImage(k, size, size));
  const batch = new Float32Array(images.length * size * size * 3);
  images.forEach((im, i) => batch.set(im, i * im.length));
  const t0 = Date.now();
  const got = layerOutputs(model, outputs, tf.tensor(batch, [images.length, size, size, 3]));
  const out = {};
  for (const [n, r] of Object.entries(got)) {
    const dims = r.shape.reduce((a, b) => a * b, 1);
    const per = inputs.map((_, i) => r.values.slice(i * dims, (i + 1) * dims));
    const norm = per.map((v) => Math.hypot(...v));
    const dot = per[0].reduce((a, x, i) => a + x * per[1][i], 0);
    // Vectors up to 1024 values are kept whole, longer ones by their head.
    out[n] = {
      shape: r.shape, norm, cosine: dot / (norm[0] * norm[1]),
      head: per.map((v) => v.slice(0, dims <= 1024 ? dims : 64)),
    };
  }
  const file = path.join(outDir, name + '.expected.json');
  fs.writeFileSync(file, JSON.stringify({
    tfjs: tf.version_core, package: 'nsfwjs@4.4.0', model: name, size, inputs, outputs: out,
  }));
  console.log('wrote', file, 'in', (Date.now() - t0) / 1000, 's');
}

(async () => {
  await tf.setBackend('cpu');
  await writeTiny('conv_block', convBlock(), 'float32', [11, 13, 3],
    ['dense_softmax', 'dense_nobias', 'add3_gap', 'add3', 'concat', 'flatten', 'gap', 'depthwise']);
  await writeTiny('conv_block_uint8', convBlock(), 'uint8', [11, 13, 3],
    ['dense_softmax', 'dense_nobias', 'add3_gap']);
  await writeTiny('activations', activations(), 'float16', [6], ['all']);
  await writeReal('inception_v3', 299, ['mixed7_gap', 'mixed5_gap', 'flatten_1', 'dense_3']);
  await writeReal('mobilenet_v2', 224, ['block_10_project_BN_gap', 'flatten_1', 'dense_3']);
})().catch((e) => { console.error(e); process.exit(1); });

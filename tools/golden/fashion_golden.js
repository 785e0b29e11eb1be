#!/usr/bin/env node
// SPDX-License-Identifier: MIT
//
// fashion_golden.js - ONNX Runtime's outputs of a Fashion-MNIST model, as
// golden files the npu library is compared with.
//
//   node tools/golden/fashion_golden.js MODEL.onnx [OUT_PREFIX] [--images N]
//        [--batch B] [--labels] [--opt all|extended|basic|disabled]
//
// The model takes one float32 input [N,1,28,28]. Image i (the first N of
// the test set, default 1000; 10000 is all of it) is read from
// /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz (override with
// $NPU_FASHION_DIR) and fed as x = fround(p / 255), in batches of B (default
// 100; a model whose batch dimension is fixed to 1 is run image by image).
//
// Writes OUT_PREFIX.golden.json and OUT_PREFIX.golden.bin (OUT_PREFIX
// defaults to MODEL without .onnx):
//   json: {ort_version, onnxruntime_node_version, command, model, model_sha256,
//          images, batch (the batch size that ran), input: {name, type,
//          dims_per_image, pixel_to_input},
//          outputs: [{name, type, dims_per_image, offset, bytes}]}
//   bin:  each output's data for all images (image-major, little-endian), the
//         outputs one after another in the order of "outputs".
// --labels prints the top-1 accuracy of the first output (argmax) against
// t10k-labels-idx1-ubyte.gz.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { loadOrt } = require('./ort_load');

const DATA_DIR = process.env.NPU_FASHION_DIR || '/usr/share/datasets/fashion-mnist';

function usage(msg) {
  if (msg) process.stderr.write(`fashion_golden: ${msg}\n`);
  process.stderr.write('usage: node fashion_golden.js MODEL.onnx [OUT_PREFIX] [--images N] [--batch B] ' +
                       '[--labels] [--opt all|extended|basic|disabled]\n');
  process.exit(2);
}

// An IDX file (gzip'd): returns {dims, data (Uint8Array)}.
function readIdx(file, wantMagic) {
  const buf = zlib.gunzipSync(fs.readFileSync(file));
  const magic = buf.readUInt32BE(0);
  if (magic !== wantMagic) throw new Error(`${file}: magic 0x${magic.toString(16)}, want 0x${wantMagic.toString(16)}`);
  const rank = magic & 0xff;
  const dims = [];
  for (let i = 0; i < rank; i++) dims.push(buf.readUInt32BE(4 + 4 * i));
  const off = 4 + 4 * rank;
  const count = dims.reduce((a, b) => a * b, 1);
  if (buf.length !== off + count) throw new Error(`${file}: ${buf.length} bytes, want ${off + count}`);
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + off, count) };
}

async function runBatch(ort, session, inputName, pixels, first, count) {
  const x = new Float32Array(count * 784);
  for (let i = 0; i < count * 784; i++) x[i] = Math.fround(pixels[first * 784 + i] / 255);
  const feeds = { [inputName]: new ort.Tensor('float32', x, [count, 1, 28, 28]) };
  return session.run(feeds);
}

async function main() {
  const argv = process.argv.slice(2);
  let model = null, prefix = null, images = 1000, batch = 100, labels = false, opt = 'all';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => { if (i + 1 >= argv.length) usage(`${a} needs a value`); return argv[++i]; };
    if (a === '--images') images = Number(next());
    else if (a === '--batch') batch = Number(next());
    else if (a === '--labels') labels = true;
    else if (a === '--opt') opt = next();
    else if (a === '-h' || a === '--help') usage();
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else if (!model) model = a;
    else if (!prefix) prefix = a;
    else usage(`unexpected argument ${a}`);
  }
  if (!model) usage('need MODEL.onnx');
  if (!Number.isInteger(images) || images < 1 || images > 10000) usage('--images must be 1..10000');
  if (!Number.isInteger(batch) || batch < 1) usage('--batch must be >= 1');
  if (!prefix) prefix = model.replace(/\.onnx$/, '');

  const ort = loadOrt();
  const imgs = readIdx(path.join(DATA_DIR, 't10k-images-idx3-ubyte.gz'), 0x803);
  if (imgs.dims[1] !== 28 || imgs.dims[2] !== 28 || imgs.dims[0] < images)
    throw new Error(`unexpected image file dims ${imgs.dims}`);
  const session = await ort.InferenceSession.create(model, {
    graphOptimizationLevel: opt, executionProviders: ['cpu'], logSeverityLevel: 3 });
  if (session.inputNames.length !== 1) throw new Error(`model has ${session.inputNames.length} inputs, want 1`);
  const inputName = session.inputNames[0];
  const outNames = session.outputNames;
  const chunks = outNames.map(() => []);
  const outInfo = outNames.map(() => null);

  // A fixed batch dimension of 1 makes ORT refuse B > 1: fall back to 1.
  let b = Math.min(batch, images);
  for (let first = 0; first < images;) {
    const count = Math.min(b, images - first);
    let res;
    try {
      res = await runBatch(ort, session, inputName, imgs.data, first, count);
    } catch (e) {
      if (count > 1 && first === 0) {
        process.stderr.write(`fashion_golden: batch ${count} refused (${e.message.split('\n')[0]}); one image at a time\n`);
        b = 1;
        continue;
      }
      throw e;
    }
    outNames.forEach((name, k) => {
      const t = res[name];
      if (t.dims[0] !== count) throw new Error(`output ${name}: dims ${t.dims}, want a leading batch dim ${count}`);
      const perImage = t.dims.slice(1).map(Number);
      if (!outInfo[k]) outInfo[k] = { name, type: t.type, dims_per_image: perImage };
      else if (JSON.stringify(outInfo[k].dims_per_image) !== JSON.stringify(perImage))
        throw new Error(`output ${name}: per-image dims changed between batches`);
      chunks[k].push(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    });
    first += count;
  }

  const bins = chunks.map((c) => Buffer.concat(c));
  let offset = 0;
  const outputs = outInfo.map((o, k) => {
    const e = { ...o, offset, bytes: bins[k].length };
    offset += bins[k].length;
    return e;
  });
  const modelBytes = fs.readFileSync(model);
  const rel = (p) => path.relative(process.cwd(), p) || p;
  const desc = {
    ort_version: ort.env.versions.common,
    onnxruntime_node_version: ort.env.versions.node,
    command: ['node', rel(__filename)].concat(process.argv.slice(2)).join(' '),
    model: path.basename(model),
    model_sha256: crypto.createHash('sha256').update(modelBytes).digest('hex'),
    images,
    batch: b,
    input: { name: inputName, type: 'float32', dims_per_image: [1, 28, 28],
             pixel_to_input: 'x = p / 255 (float32)' },
    outputs,
  };
  fs.writeFileSync(`${prefix}.golden.bin`, Buffer.concat(bins));
  fs.writeFileSync(`${prefix}.golden.json`, JSON.stringify(desc, null, 1) + '\n');
  process.stderr.write(`onnxruntime ${desc.ort_version}: ${images} images -> ${prefix}.golden.json, ${prefix}.golden.bin\n`);

  if (labels) {
    const lab = readIdx(path.join(DATA_DIR, 't10k-labels-idx1-ubyte.gz'), 0x801);
    const o = outputs[0];
    const per = o.dims_per_image.reduce((a, x) => a * x, 1);
    const Ctor = { float32: Float32Array, int8: Int8Array, uint8: Uint8Array, int32: Int32Array }[o.type];
    if (!Ctor) throw new Error(`--labels: output type ${o.type} not supported`);
    const ab = new ArrayBuffer(bins[0].length);
    new Uint8Array(ab).set(bins[0]);
    const v = new Ctor(ab);
    let correct = 0;
    for (let i = 0; i < images; i++) {
      let best = 0;
      for (let j = 1; j < per; j++) if (v[i * per + j] > v[i * per + best]) best = j;
      if (best === lab.data[i]) correct++;
    }
    process.stdout.write(`top-1 accuracy: ${correct} / ${images} = ${(100 * correct / images).toFixed(2)} %\n`);
  }
}

main().catch((e) => { process.stderr.write(`fashion_golden: ${e.stack || e}\n`); process.exit(1); });

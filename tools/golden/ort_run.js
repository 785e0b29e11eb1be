#!/usr/bin/env node
// SPDX-License-Identifier: MIT
//
// ort_run.js - run an ONNX model through ONNX Runtime (onnxruntime-node, CPU
// execution provider) on inputs given as raw little-endian files, and write
// every output as raw little-endian bytes plus a JSON description.
//
//   node ort_run.js MODEL.onnx --out DIR [--spec SPEC.json]
//        [--input NAME:TYPE:D0,D1,...:FILE]... [--opt all|extended|basic|disabled]
//        [--threads N]
//   node ort_run.js --batch BATCH.json [--opt ...] [--threads N]
//
// SPEC.json: {"inputs": [{"name": "x", "type": "uint8", "dims": [1,3,4,4],
//             "file": "x.bin"}]}   (relative files are relative to SPEC.json)
// BATCH.json: [{"model": "a.onnx", "spec": "a.spec.json", "out": "dir",
//               "optimized": "opt.onnx" (optional: ORT saves the graph it runs)}, ...]
//             (relative paths relative to BATCH.json); one process, many models.
//
// Output: DIR/<index>_<sanitized name>.bin per output and DIR/outputs.json =
//   {"ort_version", "onnxruntime_node_version", "graph_optimization_level",
//    "outputs": [{"name", "type", "dims", "file", "bytes"}]}
// Types: float32, int8, uint8, int16, uint16, int32, int64, float64, bool.
// The default session options are ORT's (graph optimizations "all"); --opt
// changes only the optimization level. Prints the ORT version on stderr.
'use strict';

const fs = require('fs');
const path = require('path');
const { loadOrt } = require('./ort_load');

const TYPED = {
  float32: Float32Array, float64: Float64Array, int8: Int8Array, uint8: Uint8Array,
  int16: Int16Array, uint16: Uint16Array, int32: Int32Array, int64: BigInt64Array,
  bool: Uint8Array,
};

function usage(msg) {
  if (msg) process.stderr.write(`ort_run: ${msg}\n`);
  process.stderr.write('usage: node ort_run.js MODEL.onnx --out DIR [--spec SPEC.json] ' +
    '[--input NAME:TYPE:DIMS:FILE]... [--opt all|extended|basic|disabled] [--threads N]\n' +
    '       node ort_run.js --batch BATCH.json [--opt ...] [--threads N]\n');
  process.exit(2);
}

function readTensor(ort, t, baseDir) {
  const Ctor = TYPED[t.type];
  if (!Ctor) throw new Error(`input ${t.name}: unknown type ${t.type}`);
  const file = path.isAbsolute(t.file) ? t.file : path.join(baseDir, t.file);
  const buf = fs.readFileSync(file);
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (buf.length !== count * Ctor.BYTES_PER_ELEMENT)
    throw new Error(`input ${t.name}: ${file} has ${buf.length} bytes, dims ${JSON.stringify(t.dims)} ` +
                    `of ${t.type} need ${count * Ctor.BYTES_PER_ELEMENT}`);
  // Copy into an aligned buffer (the file buffer may not be aligned).
  const ab = new ArrayBuffer(buf.length);
  new Uint8Array(ab).set(buf);
  const data = new Ctor(ab);
  return new ort.Tensor(t.type === 'bool' ? 'bool' : t.type, data, t.dims);
}

function sanitize(name) {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_');
}

async function runOne(ort, modelPath, inputs, outDir, opts, optimizedPath) {
  const so = { ...opts.sessionOptions };
  if (optimizedPath) {
    fs.mkdirSync(path.dirname(optimizedPath), { recursive: true });
    so.optimizedModelFilePath = optimizedPath;
  }
  const session = await ort.InferenceSession.create(modelPath, so);
  const feeds = {};
  for (const t of inputs) feeds[t.name] = readTensor(ort, t, t.baseDir);
  const results = await session.run(feeds);
  fs.mkdirSync(outDir, { recursive: true });
  const desc = {
    ort_version: ort.env.versions.common,
    onnxruntime_node_version: ort.env.versions.node,
    graph_optimization_level: opts.sessionOptions.graphOptimizationLevel,
    outputs: [],
  };
  session.outputNames.forEach((name, i) => {
    const t = results[name];
    const file = `${i}_${sanitize(name)}.bin`;
    const bytes = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    fs.writeFileSync(path.join(outDir, file), bytes);
    desc.outputs.push({ name, type: t.type, dims: t.dims.map(Number), file, bytes: bytes.length });
  });
  fs.writeFileSync(path.join(outDir, 'outputs.json'), JSON.stringify(desc, null, 1) + '\n');
  if (session.release) await session.release();
  return desc;
}

function parseInputArg(s) {
  // NAME:TYPE:D0,D1,...:FILE (FILE may contain ':'; NAME may not)
  const m = /^([^:]+):([a-z0-9]+):([0-9,]*):(.+)$/.exec(s);
  if (!m) usage(`bad --input ${s}`);
  return { name: m[1], type: m[2], dims: m[3] === '' ? [] : m[3].split(',').map(Number),
           file: m[4], baseDir: process.cwd() };
}

function readSpec(specPath) {
  const spec = JSON.parse(fs.readFileSync(specPath, 'utf8'));
  const baseDir = path.dirname(path.resolve(specPath));
  return (spec.inputs || []).map((t) => ({ ...t, baseDir }));
}

async function main() {
  const argv = process.argv.slice(2);
  let model = null, out = null, spec = null, batch = null, opt = 'all', threads = 0;
  const inputs = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => { if (i + 1 >= argv.length) usage(`${a} needs a value`); return argv[++i]; };
    if (a === '--out') out = next();
    else if (a === '--spec') spec = next();
    else if (a === '--input') inputs.push(parseInputArg(next()));
    else if (a === '--batch') batch = next();
    else if (a === '--opt') opt = next();
    else if (a === '--threads') threads = Number(next());
    else if (a === '-h' || a === '--help') usage();
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else if (!model) model = a;
    else usage(`unexpected argument ${a}`);
  }
  if (!['all', 'extended', 'basic', 'disabled'].includes(opt)) usage(`bad --opt ${opt}`);
  const ort = loadOrt();
  process.stderr.write(`onnxruntime ${ort.env.versions.common} (onnxruntime-node ${ort.env.versions.node})\n`);
  const sessionOptions = { graphOptimizationLevel: opt, executionProviders: ['cpu'], logSeverityLevel: 3 };
  if (threads > 0) sessionOptions.intraOpNumThreads = threads;
  const opts = { sessionOptions };

  if (batch) {
    const list = JSON.parse(fs.readFileSync(batch, 'utf8'));
    const base = path.dirname(path.resolve(batch));
    const abs = (p) => (path.isAbsolute(p) ? p : path.join(base, p));
    let failed = 0;
    for (const job of list) {
      try {
        await runOne(ort, abs(job.model), job.spec ? readSpec(abs(job.spec)) : [], abs(job.out), opts,
                     job.optimized ? abs(job.optimized) : null);
      } catch (e) {
        failed++;
        process.stderr.write(`ort_run: ${job.model}: ${e.message}\n`);
        fs.mkdirSync(abs(job.out), { recursive: true });
        fs.writeFileSync(path.join(abs(job.out), 'error.txt'), `${e.message}\n`);
      }
    }
    process.stderr.write(`ort_run: ${list.length - failed} of ${list.length} models ran\n`);
    process.exit(failed ? 1 : 0);
  }
  if (!model || !out) usage('need MODEL.onnx and --out DIR');
  const all = spec ? readSpec(spec).concat(inputs) : inputs;
  const desc = await runOne(ort, model, all, out, opts);
  for (const o of desc.outputs)
    process.stdout.write(`${o.name}: ${o.type} [${o.dims.join(',')}] -> ${path.join(out, o.file)}\n`);
}

main().catch((e) => { process.stderr.write(`ort_run: ${e.stack || e}\n`); process.exit(1); });

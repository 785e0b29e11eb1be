// SPDX-License-Identifier: MIT
//
// ort_load.js - find the onnxruntime-node package that setup.sh installed.
// Search order: $NPU_ORT_NODE_DIR (a folder holding node_modules/), the
// default scratch folder of setup.sh (${XDG_CACHE_HOME:-~/.cache}/npu-ort-golden),
// then Node's normal resolution (node_modules next to this file or above).
'use strict';

const os = require('os');
const path = require('path');

function defaultDir() {
  const cache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cache, 'npu-ort-golden');
}

function loadOrt() {
  const tried = [];
  const dirs = [];
  if (process.env.NPU_ORT_NODE_DIR) dirs.push(process.env.NPU_ORT_NODE_DIR);
  dirs.push(defaultDir());
  for (const d of dirs) {
    const p = path.join(d, 'node_modules', 'onnxruntime-node');
    try {
      return require(p);
    } catch (e) {
      tried.push(`${p}: ${e.code || e.message}`);
    }
  }
  try {
    return require('onnxruntime-node');
  } catch (e) {
    tried.push(`onnxruntime-node: ${e.code || e.message}`);
  }
  throw new Error('onnxruntime-node not found; run tools/golden/setup.sh first. Tried:\n  ' +
                  tried.join('\n  '));
}

module.exports = { loadOrt, defaultDir };

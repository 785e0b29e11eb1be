#!/bin/bash
# SPDX-License-Identifier: MIT
#
# setup.sh - install the pinned onnxruntime-node (package-lock.json) into a
# scratch folder outside the source tree, with `npm ci --ignore-scripts`.
#
#   tools/golden/setup.sh [DIR]      default: ${XDG_CACHE_HOME:-~/.cache}/npu-ort-golden
#
# The package's post-install step would download from a host this project
# cannot reach; it is not needed: the npm tarball already carries the Linux
# x64 CPU build (bin/napi-v6/linux/x64/libonnxruntime.so.1). The scripts find
# the folder through $NPU_ORT_NODE_DIR or the default (ort_load.js).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-${NPU_ORT_NODE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/npu-ort-golden}}
mkdir -p "$dir"
cp "$here/package.json" "$here/package-lock.json" "$dir/"
(cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund)
NPU_ORT_NODE_DIR=$dir node -e '
const { loadOrt } = require(process.argv[1]);
const ort = loadOrt();
console.log(`onnxruntime ${ort.env.versions.common} ready in ${process.env.NPU_ORT_NODE_DIR}`);
' "$here/ort_load.js"

#!/bin/bash
# The npu command's classification features, end to end (make test-cli):
#   run.sh NPU MKIMAGE OUTDIR DATADIR MODEL...
# For every MODEL (a JSON network or an ONNX model taking 28x28x1 images):
# the first 64 Fashion-MNIST test images on the cpu and sim backends with
# every layer checked (the accuracy line's format, the confusion matrix
# sums to 64 and its diagonal is the number of correct predictions, both
# backends predict the same classes, a batch that leaves a smaller last
# batch predicts the same too), and image 0 written as PGM (P5, P2) and
# PNG (gray, RGB, palette, 16-bit, gray+alpha, RGBA, interlaced) by
# MKIMAGE classified with --image like the first image of the data set.
# Then bad files and bad options: exit status 1 (2 for usage) and a clear
# message.
set -u
NPU=$1 MKIMAGE=$2 OUT=$3 DATA=$4
shift 4
MODELS=("$@")
IMAGES=$DATA/t10k-images-idx3-ubyte.gz
LABELS=$DATA/t10k-labels-idx1-ubyte.gz
CLASSES=tests/cli/fashion_mnist.classes
N=64

fail() {
	echo "test-cli: FAIL: $*" >&2
	exit 1
}

# expect STATUS PHRASE CMD...: CMD exits with STATUS and its stderr has PHRASE.
expect() {
	local want=$1 phrase=$2 st
	shift 2
	"$@" >"$OUT/expect.out" 2>"$OUT/expect.err"
	st=$?
	[ "$st" -eq "$want" ] || { cat "$OUT/expect.err"; fail "exit $st, not $want: $*"; }
	grep -qF -- "$phrase" "$OUT/expect.err" ||
		{ cat "$OUT/expect.err"; fail "no '$phrase' in the messages of: $*"; }
}

# check_report FILE: the classification report of $N labeled images.
check_report() {
	local f=$1 correct diag sum rows
	grep -Eq "^top-1 accuracy: [0-9]+\.[0-9]{2}% \([0-9]+ of $N images\)$" "$f" ||
		fail "$f: no 'top-1 accuracy: X.XX% (C of $N images)' line"
	correct=$(sed -nE "s/^top-1 accuracy: .*\(([0-9]+) of $N images\)$/\1/p" "$f")
	grep -q '^confusion matrix (rows: true class, columns: predicted class):$' "$f" ||
		fail "$f: no confusion matrix"
	# The rows after the header line: "  i [name] c0 c1 ... total".
	read -r rows sum diag < <(awk '
		/^confusion matrix/ { m = 1; getline; next }
		m && /^ *[0-9]+ / {
			# the last 11 fields: 10 cells and the row total
			for (j = NF - 10; j < NF; j++) s += $j
			d += $(NF - 10 + rows); rows++; next }
		m { m = 0 }
		END { print rows + 0, s + 0, d + 0 }' "$f")
	[ "$rows" = 10 ] || fail "$f: $rows confusion matrix rows, not 10"
	[ "$sum" = "$N" ] || fail "$f: the confusion matrix sums to $sum, not $N"
	[ "$diag" = "$correct" ] || fail "$f: diagonal $diag, accuracy line says $correct correct"
	grep -q "^check: [0-9]* layers compared with the reference, 0 mismatched$" "$f" ||
		fail "$f: not every layer checked, or a mismatch"
	grep -q "^per image: " "$f" || fail "$f: no per-image figures"
}

mkdir -p "$OUT"
[ -r "$IMAGES" ] && [ -r "$LABELS" ] ||
	fail "$DATA: the Fashion-MNIST test files are missing (Debian package dataset-fashion-mnist)"

for model in "${MODELS[@]}"; do
	m=$OUT/$(basename "$model")
	for be in cpu sim; do
		"$NPU" run "$model" --backend $be --check --images "$IMAGES" --labels "$LABELS" \
			--limit $N --predictions "$m.$be.pred" --json-out "$m.$be.json" \
			>"$m.$be.txt" 2>"$m.$be.err" || { cat "$m.$be.err"; fail "$model on $be"; }
		check_report "$m.$be.txt"
		[ "$(wc -l <"$m.$be.pred")" -eq $N ] || fail "$m.$be.pred: not $N lines"
		right=$(awk '$2 == $3' "$m.$be.pred" | wc -l)
		grep -q "($right of $N images)" "$m.$be.txt" ||
			fail "$m.$be.pred: $right right predictions, the report disagrees"
		grep -q '"status": "success"' "$m.$be.json" || fail "$m.$be.json: no success"
		grep -q '"confusion": \[' "$m.$be.json" || fail "$m.$be.json: no confusion matrix"
		grep -q "\"correct\": $right," "$m.$be.json" || fail "$m.$be.json: not $right correct"
		grep -q '"predictions": \[' "$m.$be.json" || fail "$m.$be.json: no predictions"
	done
	cmp -s "$m.cpu.pred" "$m.sim.pred" || fail "$model: cpu and sim predict differently"
	grep -q ' sim$\| sim ' "$m.sim.txt" || fail "$model: no layer ran on the simulated device"
	# 64 = 6 x 10 + 4: the last batch of 4 runs on a second copy of the model.
	"$NPU" run "$model" --backend cpu --images "$IMAGES" --labels "$LABELS" --limit $N \
		--batch 10 --predictions "$m.b10.pred" >"$m.b10.txt" 2>&1 ||
		{ cat "$m.b10.txt"; fail "$model --batch 10"; }
	grep -q "batch 10: 7 runs" "$m.b10.txt" || fail "$m.b10.txt: not 7 runs of batch 10"
	grep -q "^figures summed over 7 runs ($N images)" "$m.b10.txt" ||
		fail "$m.b10.txt: figures not summed over 7 runs"
	cmp -s "$m.cpu.pred" "$m.b10.pred" || fail "$model: batch 10 predicts differently"
	# Image 0 in every format: the same class as the first prediction above.
	first=$(awk 'NR == 1 { print $2 }' "$m.cpu.pred")
	for kind in p5 p2 gray rgb palette gray16 ga rgba interlaced; do
		case $kind in p5 | p2) ext=pgm ;; *) ext=png ;; esac
		img=$OUT/image0-$kind.$ext
		"$MKIMAGE" "$IMAGES" 0 "$img" $kind || fail "mkimage $kind"
		"$NPU" run "$model" --backend sim --check --image "$img" --classes "$CLASSES" \
			>"$m.$kind.txt" 2>&1 || { cat "$m.$kind.txt"; fail "$model --image $img"; }
		grep -q '^top-5:$' "$m.$kind.txt" || fail "$m.$kind.txt: no top-5"
		[ "$(grep -cE '^  [1-5]\. class [0-9]+ ' "$m.$kind.txt")" -eq 5 ] ||
			fail "$m.$kind.txt: not 5 ranked classes"
		name=$(sed -n "$((first + 1))p" "$CLASSES")
		grep -qE "^  1\. class $first +$name " "$m.$kind.txt" ||
			fail "$m.$kind.txt: top-1 is not class $first ($name) as in the batch run"
		grep -q '^scores: ' "$m.$kind.txt" || fail "$m.$kind.txt: scores not described"
	done
	echo "test-cli: $model: cpu and sim agree on $N images ($(sed -n 's/^top-1 accuracy: //p' "$m.cpu.txt")), batch 10 too; image 0 as P5, P2 and 7 kinds of PNG: class $first"
done

# ---- against ONNX Runtime's golden outputs, the cpu backend, the rewritten model ----
for model in "${MODELS[@]}"; do
	g=examples/fashion_mnist/golden/$(basename "$model" .onnx).golden.json
	[ -f "$g" ] || continue
	m=$OUT/$(basename "$model")
	"$NPU" run "$model" --backend sim --check --images "$IMAGES" --labels "$LABELS" \
		--limit $N --golden "$g" --compare-cpu --rewrite both >"$m.golden.txt" \
		2>"$m.golden.err" || { cat "$m.golden.err"; fail "$model --golden --compare-cpu"; }
	grep -q "^cpu backend: .*outputs byte-identical to this run's for $N of $N images" \
		"$m.golden.txt" || fail "$m.golden.txt: the cpu backend differs"
	grep -q "^ONNX Runtime .*outputs byte-identical to this run's for $N of $N images" \
		"$m.golden.txt" || fail "$m.golden.txt: ONNX Runtime's golden outputs differ"
	cmp -s <(sed -n 's/^top-1 accuracy: //p' "$m.golden.txt") \
		<(sed -n 's/^top-1 accuracy: //p' "$m.cpu.txt") ||
		fail "$model: --rewrite both changed the accuracy"
	echo "test-cli: $model: $N images identical on sim, cpu, rewritten and ONNX Runtime"
done
# a changed golden output fails the run and names the image
for model in "${MODELS[@]}"; do
	g=examples/fashion_mnist/golden/$(basename "$model" .onnx).golden.json
	[ -f "$g" ] || continue
	cp "$g" "$OUT/bad.golden.json"
	cp "${g%.json}.bin" "$OUT/bad.golden.bin"
	printf '\377' | dd of="$OUT/bad.golden.bin" bs=1 seek=$((40 * 5 + 3)) conv=notrunc 2>/dev/null
	expect 1 "image 5 is the first whose output differs" "$NPU" run "$model" --backend cpu \
		--images "$IMAGES" --limit $N --golden "$OUT/bad.golden.json"
	break
done
# float models: refused, naming the first float op
for f in examples/fashion_mnist/*_fp32.onnx; do
	[ -f "$f" ] || continue
	expect 1 "(Conv, domain ai.onnx, opset 13): input 'input' is not the output of a DequantizeLinear" \
		"$NPU" run "$f" --backend cpu --images "$IMAGES" --limit 1 --batch 1
done

# ---- bad files and options (the small JSON model) ----
model=tests/cli/fmnist_small.json
B=$OUT/bad
mkdir -p "$B"
head -c 3000 "$IMAGES" >"$B/cut.gz"
expect 1 "cut.gz: truncated gzip stream" "$NPU" run $model --backend cpu --images "$B/cut.gz"
printf 'not an IDX file\n' >"$B/text.idx"
expect 1 "text.idx: wrong magic 6e 6f 74 20" "$NPU" run $model --backend cpu --images "$B/text.idx"
expect 1 "nothing.idx: cannot open: No such file or directory" \
	"$NPU" run $model --backend cpu --images "$B/nothing.idx"
expect 1 "t10k-labels-idx1-ubyte.gz: 1-dimensional u8 data; images are u8" \
	"$NPU" run $model --backend cpu --images "$LABELS"
expect 1 "has 60000 labels" "$NPU" run $model --backend cpu --images "$IMAGES" \
	--labels "$DATA/train-labels-idx1-ubyte.gz"
# Two images and a label (12) that no class of 10 has.
{ printf '\0\0\010\003\0\0\0\002\0\0\0\034\0\0\0\034'
  gzip -dc "$IMAGES" | tail -c +17 | head -c 1568; } >"$B/two.idx"
printf '\0\0\010\001\0\0\0\002\003\014' >"$B/two-labels.idx"
expect 1 "label 12 of image 1 is not a class of the model's output (0..9)" \
	"$NPU" run $model --backend cpu --images "$B/two.idx" --labels "$B/two-labels.idx"
printf '\0\0\010\001\0\0\0\002\003' >"$B/short-labels.idx"
expect 1 "short-labels.idx: shorter than its header says: 1 of 2 data bytes" \
	"$NPU" run $model --backend cpu --images "$B/two.idx" --labels "$B/short-labels.idx"
{ cat "$B/two.idx"; printf 'x'; } >"$B/long.idx"
expect 1 "long.idx: longer than its header says: 1 bytes after the 1568 data bytes" \
	"$NPU" run $model --backend cpu --images "$B/long.idx"
# Images of the wrong size for the model, and the other way round.
{ printf 'P5 32 32 255\n'; head -c 1024 /dev/zero; } >"$B/32x32.pgm"
expect 1 "32x32.pgm: images are 32x32x1 (HxWxC), the model's input 'image' takes 28x28x1" \
	"$NPU" run $model --backend cpu --image "$B/32x32.pgm"
expect 1 "images are 28x28x1 (HxWxC), the model's input 'image' takes 32x32x1" \
	"$NPU" run examples/lenet5.json --backend cpu --images "$B/two.idx"
# Corrupt images.
printf 'P5 28 28 1000\n' >"$B/deep.pgm"
expect 1 "deep.pgm: PGM maxval 1000: only 8-bit PGM (maxval 1..255) is read" \
	"$NPU" run $model --backend cpu --image "$B/deep.pgm"
head -c 200 "$OUT/image0-gray.png" >"$B/cut.png"
expect 1 "cut.png: truncated PNG" "$NPU" run $model --backend cpu --image "$B/cut.png"
# A flipped bit in the IHDR chunk's data (its CRC no longer matches).
{ head -c 20 "$OUT/image0-gray.png"; printf '\001'; tail -c +22 "$OUT/image0-gray.png"; } \
	>"$B/crc.png"
expect 1 "crc.png: corrupt PNG: IHDR: CRC error" "$NPU" run $model --backend cpu --image "$B/crc.png"
expect 1 "not a PGM (P2/P5) or PNG image" "$NPU" run $model --backend cpu --image "$B/text.idx"
printf 'one\ntwo\n' >"$B/two.classes"
expect 1 "two.classes has 2 class names, the model's output has 10 classes" \
	"$NPU" run $model --backend cpu --image "$OUT/image0-p5.pgm" --classes "$B/two.classes"
printf 'a\n\nc\n' >"$B/empty.classes"
expect 1 "empty.classes:2: empty class name" \
	"$NPU" run $model --backend cpu --image "$OUT/image0-p5.pgm" --classes "$B/empty.classes"
# Usage errors: exit status 2.
expect 2 "need --images" "$NPU" run $model --labels "$LABELS"
expect 2 "exclude each other" "$NPU" run $model --images "$IMAGES" --image "$B/32x32.pgm"
expect 2 "go with 'run'" "$NPU" summary $model --images "$IMAGES"
expect 2 "bad value '0' for --batch" "$NPU" run $model --images "$IMAGES" --batch 0
expect 2 "bad value 'x' for --limit" "$NPU" run $model --images "$IMAGES" --limit x
expect 2 "--batch goes with --images or a plain run" \
	"$NPU" run $model --image "$B/32x32.pgm" --batch 2
"$NPU" --help | grep -q -- '--predictions FILE' || fail "--help does not list --predictions"
# Without labels: predictions per class instead of an accuracy.
"$NPU" run $model --backend cpu --images "$B/two.idx" >"$B/nolabels.txt" ||
	fail "two images without labels"
grep -q '^predicted classes (no labels given): ' "$B/nolabels.txt" || fail "no histogram"
# The plain run and the summary still work.
"$NPU" run $model --backend cpu >/dev/null || fail "plain run"
"$NPU" summary $model | grep -q '^total: 8 layers' || fail "summary"
# A plain run at a batch: every output shape gets N images.
"$NPU" run $model --backend cpu --batch 3 >"$B/batch3.txt" || fail "plain run --batch 3"
grep -q '^0 .* 3x' "$B/batch3.txt" || fail "--batch 3: the first layer's output is not 3 images"
echo "test-cli: bad files and options: exit 1 (2 for usage) with a clear message: ok"

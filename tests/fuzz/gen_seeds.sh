#!/bin/bash
# Writes the seeds of fuzz_idx (tests/fuzz/seeds/fuzz_idx/) from the
# Fashion-MNIST test files: small IDX files cut from them (plain and gzip),
# the other IDX types, PGM and PNG images of image 0 (tests/cli/mkimage).
#   gen_seeds.sh MKIMAGE [DATADIR]
# The seeds are committed; run this only to change them.
set -eu
MKIMAGE=$1
DATA=${2:-/usr/share/datasets/fashion-mnist}
OUT=tests/fuzz/seeds/fuzz_idx
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$OUT"
rm -f "$OUT"/*

# Two 28x28 images and 16 labels, as they are in the data set.
{ printf '\0\0\010\003\0\0\0\002\0\0\0\034\0\0\0\034'
  gzip -dc "$DATA/t10k-images-idx3-ubyte.gz" | tail -c +17 | head -c 1568; } >"$OUT/images2.idx"
{ printf '\0\0\010\001\0\0\0\020'
  gzip -dc "$DATA/t10k-labels-idx1-ubyte.gz" | tail -c +9 | head -c 16; } >"$OUT/labels16.idx"
# One image gzip-compressed; the labels as two gzip members.
{ printf '\0\0\010\003\0\0\0\001\0\0\0\034\0\0\0\034'; tail -c +17 "$OUT/images2.idx" |
  head -c 784; } | gzip -9n >"$OUT/image1.idx.gz"
{ head -c 12 "$OUT/labels16.idx" | gzip -9n; tail -c +13 "$OUT/labels16.idx" | gzip -1n; } \
	>"$OUT/labels16-2members.idx.gz"
# The other types: 2x3 of i8, i16, i32, f32, f64 and a 4-dimensional u8.
printf '\0\0\011\002\0\0\0\002\0\0\0\003\001\377\200\177\000\002' >"$OUT/i8.idx"
printf '\0\0\013\001\0\0\0\003\000\001\377\377\200\000' >"$OUT/i16.idx"
printf '\0\0\014\001\0\0\0\002\000\000\000\001\377\377\377\377' >"$OUT/i32.idx"
printf '\0\0\015\001\0\0\0\002\077\200\000\000\300\000\000\000' >"$OUT/f32.idx"
printf '\0\0\016\001\0\0\0\001\077\360\000\000\000\000\000\000' >"$OUT/f64.idx"
printf '\0\0\010\004\0\0\0\001\0\0\0\002\0\0\0\002\0\0\0\003\001\002\003\004\005\006\007\010\011\012\013\014' \
	>"$OUT/u8-4d.idx"
# Image 0 as PGM and PNG of every kind the reader takes.
for k in p5 p2; do "$MKIMAGE" "$OUT/images2.idx" 0 "$OUT/image0-$k.pgm" $k; done
for k in gray rgb palette gray16 ga rgba interlaced; do
	"$MKIMAGE" "$OUT/images2.idx" 0 "$OUT/image0-$k.png" $k
done
printf 'P2\n# a comment\n3 2\n15\n0 1 2\n13 14 15\n' >"$OUT/small-p2.pgm"
ls -l "$OUT"

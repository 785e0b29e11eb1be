#!/bin/sh
# exports.sh LIB.so MAP SYMBOLS HEADER...
# The ABI check of `make test-abi`: four lists of libnpu's exported functions
# must be one set, so the exports cannot change without the header (or the
# header without the exports):
#   - the functions the public headers declare (GCC's -aux-info of a file
#     that includes them: every prototype with the file it came from);
#   - the version script MAP (lib/shared/libnpu.map), what the linker exports;
#   - SYMBOLS (debian/libnpu0.symbols), what the Debian package promises;
#   - the library's dynamic symbols (nm -D), every one a function of version
#     node LIBNPU_0, and no data.
set -eu
so=$1 map=$2 symbols=$3
shift 3
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail=0

for h in "$@"; do
	echo "#include \"$(realpath "$h")\""
done > "$t/pub.c"
${CC:-gcc} -std=c11 -fsyntax-only -aux-info "$t/aux" "$t/pub.c"
for h in "$@"; do
	grep -F "/* $(realpath "$h"):" "$t/aux" || true
done | grep -v ' static ' | sed -n 's/.*[ *]\([A-Za-z_][A-Za-z0-9_]*\) (.*/\1/p' | sort -u > "$t/headers"

sed -n '/global:/,/local:/s/^[[:space:]]*\([A-Za-z_][A-Za-z0-9_]*\);.*/\1/p' "$map" | sort > "$t/map"
sed -n 's/^ \([A-Za-z_][A-Za-z0-9_]*\)@LIBNPU_0 .*/\1/p' "$symbols" | grep -v '^LIBNPU_0$' | sort > "$t/symbols"

nm -D --defined-only "$so" > "$t/nm"
awk '$2 == "T" { sub(/@@LIBNPU_0$/, "", $3); print $3 }' "$t/nm" | sort > "$t/exported"
# Anything else exported: data, another version, an unversioned function.
if awk '!($2 == "A" && $3 == "LIBNPU_0") && !($2 == "T" && $3 ~ /@@LIBNPU_0$/)' "$t/nm" | grep .; then
	echo "exports: $so exports the symbols above besides LIBNPU_0's functions"
	fail=1
fi

# $1, $2: list files; $3, $4: their descriptions
differ() {
	if ! cmp -s "$1" "$2"; then
		echo "exports: $3 and $4 differ:"
		comm -3 "$1" "$2" | awk -v a="$3" -v b="$4" \
			'sub(/^\t/, "") { print "    only in " b ": " $0; next } { print "    only in " a ": " $0 }'
		fail=1
	fi
}
differ "$t/headers" "$t/exported" "the public headers" "$(basename "$so")"
differ "$t/headers" "$t/map" "the public headers" "$map"
differ "$t/headers" "$t/symbols" "the public headers" "$symbols"

n=$(wc -l < "$t/headers")
[ "$n" -gt 0 ] || { echo "exports: no function found in $*"; exit 1; }
[ $fail = 0 ] || exit 1
soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
echo "exports: $(basename "$so") (soname $soname) exports exactly the $n functions of $* (version LIBNPU_0)"

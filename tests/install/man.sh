#!/bin/sh
# man.sh NPU VERSION MAP NPU.1 LIBNPU.3 SRCDIR...
# The manual pages of `make test-man` (and of an installed tree, pages may be
# gzipped): both render with man-db without a warning; npu(1) defines the
# same options and commands as `NPU --help` and mentions no other; each
# page's ENVIRONMENT section names exactly the NPU_* variables the sources in
# SRCDIR read with getenv(); libnpu(3) names every function of the version
# script MAP; both carry VERSION.
set -eu
npu=$1 version=$2 map=$3 page1=$4 page3=$5
shift 5
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail=0
bad() { echo "man: $*"; fail=1; }

for p in "$page1" "$page3"; do
	# what lintian runs too; groff's warnings (-ww) go to stderr
	if ! MANWIDTH=80 man --warnings -E UTF-8 -l "$p" > "$t/out" 2> "$t/err" || [ -s "$t/err" ]; then
		bad "$p does not render cleanly:"; cat "$t/err"
	fi
	[ "$(wc -l < "$t/out")" -gt 40 ] || bad "$p renders to $(wc -l < "$t/out") lines"
	zcat -f "$p" | grep -q "^\.TH [A-Z]* [13] [0-9-]* \"[a-z]* $version\"" ||
		bad "$p: .TH does not carry version $version"
done

# Options. --help: a definition is a line "  --name ..."; any --name is a mention.
"$npu" --help > "$t/help"
sed -n 's/^  \(--[a-z][a-z0-9-]*\).*/\1/p' "$t/help" | sort -u > "$t/help.defs"
grep -o -- '--[a-z][a-z0-9-]*' "$t/help" | sort -u > "$t/help.all"
# npu.1: a definition is the tag after .TP (.B/.BI/.BR \-\-name); troff writes - as \-.
zcat -f "$page1" > "$t/page1"
sed -n '/^\.TP/{n; s/^\.B[IR]* \(\\-\\-[a-z][a-z0-9\\-]*\).*/\1/p}' "$t/page1" | sed 's/\\-/-/g' |
	sort -u > "$t/man.defs"
grep -o '\\-\\-[a-z]\([a-z0-9]\|\\-\)*' "$t/page1" | sed 's/\\-/-/g' | sort -u > "$t/man.all"
[ -s "$t/help.defs" ] || bad "no option found in $npu --help"
if ! cmp -s "$t/help.defs" "$t/man.defs"; then
	bad "options of --help and $page1 differ:"
	comm -3 "$t/help.defs" "$t/man.defs" | sed 's/^\t/    only in the page: /; t; s/^/    only in --help: /'
fi
for f in help man; do
	comm -23 "$t/$f.all" "$t/$f.defs" | sed "s/^/    /" > "$t/$f.stray"
	[ ! -s "$t/$f.stray" ] || { bad "$f mentions options it does not define:"; cat "$t/$f.stray"; }
done

# Commands: "usage: npu CMD" / "       npu CMD" against the page's .SY "npu CMD".
sed -n 's/^\(usage:\)\{0,1\} *npu \([a-z][a-z]*\) .*/\2/p' "$t/help" | sort -u > "$t/help.cmds"
sed -n 's/^\.SY "npu \([a-z]*\)"/\1/p' "$t/page1" | sort -u > "$t/man.cmds"
[ -s "$t/help.cmds" ] && cmp -s "$t/help.cmds" "$t/man.cmds" ||
	bad "commands differ: --help: $(echo $(cat "$t/help.cmds")); $page1: $(echo $(cat "$t/man.cmds"))"

# Environment: the variables the sources read.
grep -rhoE --include='*.c' 'getenv\("NPU_[A-Z0-9_]+"\)' "$@" | sed 's/getenv("\(.*\)")/\1/' |
	sort -u > "$t/env.src"
[ -s "$t/env.src" ] || bad "no getenv(\"NPU_...\") found in $*"
for p in "$page1" "$page3"; do
	zcat -f "$p" | sed -n '/^\.SH ENVIRONMENT/,/^\.SH /{/^\.TP/{n; s/^\.B \(NPU_[A-Z0-9_]*\)$/\1/p}}' |
		sort -u > "$t/env.man"
	cmp -s "$t/env.src" "$t/env.man" || {
		bad "ENVIRONMENT of $p differs from the getenv() calls:"
		comm -3 "$t/env.src" "$t/env.man" | sed 's/^\t/    only in the page: /; t; s/^/    only in the sources: /'
	}
done

# libnpu(3) names every exported function.
zcat -f "$page3" | sed 's/\\-/-/g' > "$t/page3"
n=0
for f in $(sed -n '/global:/,/local:/s/^[[:space:]]*\([a-z_0-9]*\);.*/\1/p' "$map"); do
	n=$((n + 1))
	grep -qw "$f" "$t/page3" || bad "$page3 does not name $f"
done

[ $fail = 0 ] || exit 1
echo "man: $(basename "$page1") and $(basename "$page3") render without warnings;" \
	"$(wc -l < "$t/help.defs") options and commands $(echo $(cat "$t/help.cmds")) as in --help;" \
	"environment $(echo $(cat "$t/env.src")); the $n functions in libnpu(3)"

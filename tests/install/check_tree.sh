#!/bin/bash
# check_tree.sh ROOT BINDIR LIBDIR INCLUDEDIR MANDIR VERSION KVER [BUILDDIR]
# An installed tree, used from outside the source tree: `make install` staged
# under ROOT (test-install) or the Debian packages unpacked into ROOT
# (test-package). Run from the top of the sources (for the example and the
# man page check only). Checks:
#   - every file is there (man pages plain or gzipped), the soname links right;
#   - nothing installed names BUILDDIR (default: this tree's build/), the
#     build tree the files were made in (a compiled-in build path);
#   - examples/api_example.c, copied out, builds with nothing but
#     `pkg-config --cflags --libs libnpu` (PKG_CONFIG_SYSROOT_DIR=ROOT,
#     PKG_CONFIG_PATH=ROOT/LIBDIR/pkgconfig) and runs on the cpu and sim
#     backends with ROOT's libnpu.so.0 and ROOT's simulator, the two results
#     equal and every conv/FC checked; linked statically (pkg-config --static)
#     too;
#   - the installed npu command runs a network on the simulator, checked, and
#     agrees with its installed man page (man.sh);
#   - the driver's UAPI headers compile on their own (with libdrm's flags);
#   - `dkms add` and `dkms build` of ROOT/usr/src/npu-VERSION for kernel KVER
#     (the installed linux-headers), in scratch DKMS trees: npu.ko with that
#     vermagic.
set -euo pipefail
ROOT=$(realpath "$1") VERSION=$6 KVER=$7
SRC=$PWD
BUILDDIR=$(realpath -m "${8:-build}")
BIN=$ROOT$2 LIB=$ROOT$3 INC=$ROOT$4/npu MAN=$ROOT$5
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail() { echo "check_tree: FAIL: $*" >&2; exit 1; }

# ---- the files ----
man_page() { # $1: man1/npu.1 -> the file, gzipped or not
	if [ -f "$MAN/$1" ]; then echo "$MAN/$1"; elif [ -f "$MAN/$1.gz" ]; then echo "$MAN/$1.gz"; fi
}
for f in "$BIN/npu" "$LIB/libnpu.so.$VERSION" "$LIB/libnpu.a" "$LIB/npu/libnpusim.so" \
	 "$LIB/pkgconfig/libnpu.pc" "$INC/npu.h" "$INC/npu_err.h" "$INC/npu_data.h" \
	 "$INC/npu_drm.h" "$INC/npu_hw.h" "$INC/npu_hw_check.h" \
	 "$ROOT/usr/src/npu-$VERSION/dkms.conf" "$ROOT/usr/src/npu-$VERSION/Kbuild"; do
	[ -f "$f" ] || fail "$f is missing"
done
[ -x "$BIN/npu" ] || fail "$BIN/npu is not executable"
PAGE1=$(man_page man1/npu.1) PAGE3=$(man_page man3/libnpu.3)
[ -n "$PAGE1" ] && [ -n "$PAGE3" ] || fail "a man page is missing under $MAN"
[ "$(readlink "$LIB/libnpu.so.0")" = "libnpu.so.$VERSION" ] || [ "$(readlink "$LIB/libnpu.so.0")" = "$LIB/libnpu.so.$VERSION" ] ||
	fail "libnpu.so.0 -> $(readlink "$LIB/libnpu.so.0")"
[ "$(realpath "$LIB/libnpu.so")" = "$(realpath "$LIB/libnpu.so.$VERSION")" ] || fail "libnpu.so -> $(readlink "$LIB/libnpu.so")"
[[ $(readelf -d "$LIB/libnpu.so.$VERSION") == *"(SONAME)"*"[libnpu.so.0]"* ]] || fail "soname of libnpu.so.$VERSION"
grep -q "^#define DRM_NPU_DRIVER_NAME" "$INC/npu_drm.h" || fail "$INC/npu_drm.h"

# Nothing may lead back to the build tree at run time (debug info, which
# may name it, is stripped first).
find "$ROOT" -type f | while read -r f; do
	strip -o "$t/stripped" "$f" 2>/dev/null || cp "$f" "$t/stripped"
	if grep -q -F "$BUILDDIR/" "$t/stripped"; then fail "$f names $BUILDDIR"; fi
done

# ---- pkg-config and the example ----
export PKG_CONFIG_SYSROOT_DIR=$ROOT PKG_CONFIG_PATH=$LIB/pkgconfig
[ "$(pkg-config --modversion libnpu)" = "$VERSION" ] || fail "pkg-config --modversion libnpu"
CFLAGS=$(pkg-config --cflags libnpu) LIBS=$(pkg-config --libs libnpu)
STATIC_LIBS=$(pkg-config --static --libs libnpu | sed 's/-lnpu\b/-l:libnpu.a/')
[[ " $CFLAGS " == *" -I$INC "* ]] || fail "pkg-config --cflags libnpu: $CFLAGS"
[[ " $LIBS " == *" -L$LIB "* ]] || fail "pkg-config --libs libnpu: $LIBS"
cp examples/api_example.c "$t/"
cd "$t"
gcc -std=c11 -Wall -Wextra -Werror $CFLAGS api_example.c -o api_example $LIBS
gcc -std=c11 -Wall -Wextra -Werror $CFLAGS api_example.c -o api_example_static $STATIC_LIBS
echo "check_tree: api_example built with: $CFLAGS $LIBS"
export LD_LIBRARY_PATH=$LIB
# (whole outputs in variables: grep -q would end a pipe early under pipefail)
deps=$(ldd ./api_example) deps_static=$(ldd ./api_example_static) syms_static=$(nm api_example_static)
[[ $deps == *"libnpu.so.0 => $LIB/libnpu.so.0 "* ]] || fail "api_example does not load $LIB/libnpu.so.0: $deps"
[[ $deps_static != *libnpu* ]] || fail "api_example_static loads libnpu: $deps_static"
[[ $syms_static == *" T npu_ctx_open"$'\n'* ]] || fail "api_example_static lacks npu_ctx_open"

# $1: program, $2: backend, $3: the backend line it must print
run_example() {
	"./$1" "$2" > "$2.$1.out" || { cat "$2.$1.out"; fail "$1 $2"; }
	local first
	first=$(head -1 "$2.$1.out")
	[[ $first == *"$3"* ]] || fail "$1 $2: $first, expected $3"
	[ "$(grep -c ' checked$' "$2.$1.out")" -eq 2 ] || fail "$1 $2: not 2 layers checked"
	grep '^probabilities: ' "$2.$1.out"
}
p_cpu=$(run_example api_example cpu "backend: cpu")
p_sim=$(run_example api_example sim "backend: sim (sim ($LIB/npu/libnpusim.so, ")
grep -q '^conv .* sim  checked$' sim.api_example.out || fail "the conv did not run on the simulator"
p_static=$(run_example api_example_static cpu "backend: cpu")
p_static_sim=$(NPU_SIM_LIB=$LIB/npu/libnpusim.so run_example api_example_static sim \
	"backend: sim (sim ($LIB/npu/libnpusim.so, ")
[ "$p_cpu" = "$p_sim" ] && [ "$p_cpu" = "$p_static" ] && [ "$p_cpu" = "$p_static_sim" ] ||
	fail "results differ: cpu '$p_cpu', sim '$p_sim', static '$p_static', static sim '$p_static_sim'"
echo "check_tree: api_example (shared and static) on cpu and sim: $p_cpu"

# ---- the npu command and its man page ----
"$BIN/npu" run "$SRC/examples/tiny_raw.json" --backend sim --check > npu.out || { cat npu.out; fail "npu run"; }
grep -q -F "backend: sim ($LIB/npu/libnpusim.so, " npu.out || fail "npu: $(head -1 npu.out)"
grep -q '^check: 1 layers compared with the reference, 0 mismatched$' npu.out || fail "npu: $(cat npu.out)"
cd "$SRC"
tests/install/man.sh "$BIN/npu" "$VERSION" lib/shared/libnpu.map "$PAGE1" "$PAGE3" lib tools/npu
unset LD_LIBRARY_PATH

# ---- the UAPI headers, as a program using the driver directly includes them ----
cat > "$t/uapi.c" <<'EOF'
#include <npu_drm.h>
#include <npu_hw_check.h>
int main(void)
{
	struct drm_npu_submit s = { 0 };
	unsigned long req = DRM_IOCTL_NPU_SUBMIT;

	(void)npu_caps_decode;
	(void)npu_check_desc;
	return (int)sizeof(s) + (int)(req & 0);
}
EOF
gcc -std=c11 -Wall -Wextra -Werror $(PKG_CONFIG_SYSROOT_DIR= pkg-config --cflags libdrm) \
	$(pkg-config --cflags-only-I libnpu | tr ' ' '\n' | grep -F -- "-I$INC") -c "$t/uapi.c" -o "$t/uapi.o"
echo "check_tree: npu_drm.h, npu_hw.h, npu_hw_check.h compile on their own"

# ---- DKMS ----
mkdir -p "$t/dkms" "$t/inst"
D=(-m npu -v "$VERSION" --dkmstree "$t/dkms" --sourcetree "$ROOT/usr/src" --installtree "$t/inst")
dkms add "${D[@]}" > "$t/dkms.log" 2>&1 || { cat "$t/dkms.log"; fail "dkms add"; }
dkms build "${D[@]}" -k "$KVER" >> "$t/dkms.log" 2>&1 || {
	cat "$t/dkms.log" "$t"/dkms/npu/"$VERSION"/build/make.log 2>/dev/null; fail "dkms build"; }
ko=$(find "$t/dkms/npu/$VERSION/$KVER" -name npu.ko)
[ -n "$ko" ] || fail "dkms build made no npu.ko"
vermagic=$(modinfo -F vermagic "$ko")
[ "${vermagic%% *}" = "$KVER" ] || fail "npu.ko's vermagic is $vermagic, not $KVER"
[[ $(modinfo -F alias "$ko") == *v00001AF4d00001110* ]] || fail "npu.ko lacks its PCI alias"
echo "check_tree: dkms add + build of npu/$VERSION for $KVER: npu.ko, vermagic $vermagic"

#!/bin/sh
# Generic Yosys synthesis of the default npu_top. SRAM macros (npu_sram) are
# black boxes, as a memory compiler would deliver them; the script counts
# them and their bits separately from the logic.
# usage: hw/synth.sh OUTDIR pkg.sv rtl.sv...
set -eu
out=$1; shift
mkdir -p "$out"
pkg=$1; shift
srcs=""
for f in "$@"; do
	case "$f" in */npu_sram.sv) ;; *) srcs="$srcs $f" ;; esac
done
cat > "$out/synth.ys" <<YS
read_verilog -sv -lib hw/rtl/npu_sram.sv
read_verilog -sv $pkg $srcs
hierarchy -check -top npu_top
synth -top npu_top -noshare
tee -o $out/synth_stat.txt stat -top npu_top
YS
start=$(date +%s)
yosys -q -l "$out/synth.log" "$out/synth.ys" >/dev/null
end=$(date +%s)
stat=$out/synth_stat.txt
# totals: the section after "design hierarchy" counts the whole chip
tot=$(sed -n '/=== design hierarchy ===/,$p' "$stat")
cells=$(printf '%s\n' "$tot" | awk '/Number of cells:/ {print $4; exit}')
ffs=$(printf '%s\n' "$tot" | awk '$1 ~ /^\$_(A|S)?DFF/ {n += $2} END {print n+0}')
latches=$(printf '%s\n' "$tot" | awk '$1 ~ /^\$_DLATCH/ {n += $2} END {print n+0}')
srams=$(printf '%s\n' "$tot" | awk '$1 == "npu_sram" || $1 ~ /npu_sram$/ {n += $2} END {print n+0}')
echo "synth: npu_top (default configuration) in $((end - start)) s"
echo "synth: $cells cells (gates and flip-flops; SRAM macros apart), $ffs flip-flops, $latches latches"
echo "synth: $srams SRAM macro instances (npu_sram black boxes)"
echo "synth: full statistics in $stat"
[ "$latches" -eq 0 ] || { echo "synth: latches found" >&2; exit 1; }

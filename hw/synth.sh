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
cells=$(awk '/Number of cells:/ {print $4; exit}' "$stat")
ffs=$(awk '/\$_(S?DFFE?|DFF|SDFF|DFFE|ALDFF|ADFF|SDFFE|SDFFCE|DLATCH)[_A-Z0-9]*_ / {n += $2} END {print n+0}' "$stat")
latches=$(awk '/\$_DLATCH/ {n += $2} END {print n+0}' "$stat")
srams=$(awk '/npu_sram/ {n += $2} END {print n+0}' "$stat")
echo "synth: npu_top (default configuration) in $((end - start)) s"
echo "synth: $cells cells, $ffs flip-flops, $latches latches, $srams SRAM macros"
echo "synth: full statistics in $stat"
[ "$latches" -eq 0 ] || { echo "synth: latches found" >&2; exit 1; }

# Per-layer MAC utilization of one network against each layer's DRAM
# roofline, drawn by `make bench` through the ID.gp files net_report
# writes (they set dat, out, ttl and longest, the longest layer name's
# length, then load this file).
#
# dat columns: 1 index, 2 layer name, 3 utilization %, 4 the most
# utilization DRAM allows (roofline) %, 5 share of the roofline reached %,
# 6 compute-bound (0), memory-bound (1) or run on the CPU (2, columns 3-5
# NaN: marked "CPU").
#
# Each layer is an outlined box up to its roofline (100 % for a
# compute-bound layer) and a filled box up to its measured utilization:
# blue when compute-bound, orange when memory-bound. The empty part of a
# box is what the schedule leaves on the table.

n = system(sprintf("grep -vc '^#' '%s'", dat)) + 0
width = n * 22 + 200
width = width < 1000 ? 1000 : width

set title ttl
set ylabel 'MAC utilization (%)'
set yrange [0:105]
set xrange [-0.7:n - 0.3]
set ytics 10
set grid ytics lc rgb '#dddddd'
set xtics rotate by 90 right font ',8' nomirror
set key outside top center horizontal maxrows 1 samplen 2
set style fill solid 0.85 border -1
set boxwidth 0.7
# the x tick labels are the names, turned upright (in 8-point characters)
set bmargin longest * 0.45 + 2

set terminal svg size width, 560 dynamic noenhanced font 'DejaVu Sans,11' background rgb 'white'
set output out . '.svg'
plot dat using 1:4 with boxes lc rgb '#222222' lw 1.5 fs empty \
        title 'roofline (the most DRAM allows)', \
     dat using 1:($6 == 0 ? $3 : 1/0) with boxes lc rgb '#3b75af' \
        title 'measured: compute-bound', \
     dat using 1:($6 == 1 ? $3 : 1/0) with boxes lc rgb '#ef8636' \
        title 'measured: memory-bound', \
     dat using 1:(2):($6 == 2 ? 'CPU' : '') with labels rotate by 90 left \
        font ',9' tc rgb '#aa0000' notitle, \
     dat using 1:(0):xtic(2) with points ps 0 notitle
set terminal pngcairo size width, 560 noenhanced font 'DejaVu Sans,10' background rgb 'white'
set output out . '.png'
replot
set output

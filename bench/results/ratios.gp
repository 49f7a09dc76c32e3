set terminal pngcairo size 1100,560 font 'sans,10'
set output 'ratios.png'
set title "zswapblk over zram in the same guest (vs raw lz4: over lz4 -b1; wb vs raw: over fio writing the disk)\nmedian of the per-repetition ratios, whiskers: their range, black dash: the goal"
set style data histogram
set style histogram errorbars gap 2 lw 1
set style fill solid 0.7 border -1
set logscale y 2
set yrange [0.0625:32]
set ytics ('1/16' 0.0625, '1/8' 0.125, '1/4' 0.25, '1/2' 0.5, '1' 1, '2' 2, '4' 4, '8' 8, '16' 16, '32' 32)
set bmargin 5
set tmargin 4
set grid ytics
set key top left
set ylabel 'ratio (log scale)'
set xtics nomirror
set boxwidth 0.9
plot 'ratios.dat' using 2:3:4:xtic(1) title '6.1.0-57-amd64', \
     'ratios.dat' using 5:6:7:xtic(1) title '6.12.118+deb12-amd64', \
     'ratios.dat' using ($0):8:(0.45) with xerrorbars pt 0 lw 3 lc rgb 'black' title 'goal'

# SPDX-License-Identifier: GPL-2.0
#
# tap-count.awk: count the results of a TAP log, nested one level deep the
# way tests/guest/run-all.sh nests them (each test file's assertions
# indented, then one top-level line for the file).  Prints
# "PASSED FAILED SKIPPED FILES", where FILES is the number of top-level
# results.  Used by run-suite.sh; see there for the rules.

function kind(line) {
	sub(/^[ \t]+/, "", line)
	if (line ~ /^ok/ && toupper(line) ~ /# *(SKIP|TODO)/)
		return "s"
	if (line ~ /^not ok/ && toupper(line) ~ /# *TODO/)
		return "s"
	if (line ~ /^ok/)
		return "p"
	return "f"
}

/^[ \t]+(not )?ok( |$)/ {
	block[kind($0)]++
	nblock++
	next
}

/^(not )?ok( |$)/ {
	files++
	k = kind($0)
	if (nblock == 0)
		n[k]++
	else if (k == "f" && block["f"] == 0)
		n["f"]++
	for (i in block)
		n[i] += block[i]
	delete block
	nblock = 0
}

END {
	# Results after the last top-level line: a file cut short.
	for (i in block)
		n[i] += block[i]
	print n["p"] + 0, n["f"] + 0, n["s"] + 0, files + 0
}

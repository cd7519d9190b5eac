# The fill lab (scenarios/labs/fill) against what the real Linux 6.1 box
# showed after the same fill (tests/data/linux-6.1/MACHINE/after_fill).
# Used by tests/cli_scenarios.sh:
#
#   awk -v fill_pages=N -f tests/fill_compare.awk ZONELIST BOOT AFTER SIM ORDER
#
#   ZONELIST  the zones of the filling CPU's node in zonelist order, one
#             "NODE ZONE" per line (from the real boot/dmesg-zonelists)
#   BOOT      the real boot/proc/zoneinfo (the state the lab starts from)
#   AFTER     the real after_fill/proc/zoneinfo
#   SIM       the simulator's zoneinfo at the end of the lab
#   ORDER     the lab's "node N ZONE pages A .. B (C pages)" lines, in the
#             order the zones served the fill
#
# Every expectation is derived from the real files, none is written here:
#   - the zones the real fill used are those whose free + per-CPU pages
#     dropped by more than the zone's pcp batch plus its vm stats threshold;
#     taken in zonelist order, every one but the last must have stopped at
#     its low watermark + protection against ZONE_MOVABLE, the highest
#     zone GFP_HIGHUSER_MOVABLE allows (6.1's zone_watermark_fast in the
#     first, ALLOC_WMARK_LOW pass: lowmem_reserve[highest_zoneidx]);
#   - the simulator must use the same zones in the same order, one after
#     the other (a zone's last page before the next zone's first);
#   - a zone that stopped: the simulated "pages free" within one pcp batch
#     plus the vm stats threshold of the real one. The batch: rmqueue_bulk
#     takes a whole batch after the last check that passes; the threshold:
#     6.1's check reads the zone's NR_FREE_PAGES, which lags the per-CPU
#     vmstat diffs by up to the threshold (mmsim's counter does not lag);
#   - a zone the real fill did not use: "pages free" within one batch;
#   - the zone the fill ended in: free + per-CPU pages within one batch
#     plus what the real box used beside the fill (its total drop minus the
#     fill: the page cache's xarray nodes in slab, dd itself) plus the
#     pages the stopped zones' per-CPU lists held beyond the simulator's at
#     the end (freed there after those zones stopped: the fill took as many
#     more from the last zone).
# Prints one "ok ..." or "FAIL ..." line per check.

function zkey(n, z) { return n " " z }

FNR == 1 { file++ }

file == 1 { zl[++nzl] = zkey($1, $2); next }

file >= 2 && file <= 4 && /^Node / {
	node = $2; sub(",", "", node); cur = zkey(node, $4); cpu = -1
	if (file == 2) { zones[++nz] = cur; idx61[cur] = pos[node]++ }
	next
}
file >= 2 && file <= 4 && $1 == "pages" && $2 == "free" { free[file, cur] = $3; next }
file >= 2 && file <= 4 && $1 == "low" { low[file, cur] = $2; next }
file >= 2 && file <= 4 && $1 == "protection:" {
	p = $0; sub(/.*\(/, "", p); sub(/\).*/, "", p); gsub(/ /, "", p)
	prot[file, cur] = p; next
}
file >= 2 && file <= 4 && $1 == "count:" { pcp[file, cur] += $2; next }
file >= 2 && file <= 4 && $1 == "batch:" { if (!((file, cur) in batch)) batch[file, cur] = $2; next }
file >= 2 && file <= 4 && $1 == "vm" && $2 == "stats" { if (!((file, cur) in thr)) thr[file, cur] = $4; next }

file == 5 { order[++norder] = zkey($2, $3); first[norder] = $5; last[norder] = $7; next }

function protection_against(f, k, c,    a) {
	split(prot[f, k], a, ",")
	return a[idx61[c] + 1]
}
function abs(x) { return x < 0 ? -x : x }
function check(cond, msg) {
	if (cond) print "ok " msg
	else { print "FAIL " msg; failed++ }
}

END {
	split(zl[1], a, " ")
	classzone = zkey(a[1], "Movable")
	# The zones the real fill used, in zonelist order.
	total_drop = 0
	for (i = 1; i <= nzl; i++) {
		k = zl[i]
		drop = free[2, k] + pcp[2, k] - free[3, k] - pcp[3, k]
		total_drop += drop
		if (drop > batch[3, k] + thr[3, k])
			used[++nused] = k
	}
	check(nused >= 1, "the real fill used " nused " zone(s)")
	extra = total_drop - fill_pages
	# The simulator's order of use.
	s = ""; r = ""
	for (i = 1; i <= norder; i++) s = s (i > 1 ? ", " : "") order[i]
	for (i = 1; i <= nused; i++) r = r (i > 1 ? ", " : "") used[i]
	check(s == r, "zones used in order: simulated [" s "], real [" r "]")
	for (i = 2; i <= norder; i++)
		check(last[i - 1] < first[i], order[i - 1] " ran out (page " last[i - 1] ") before " order[i] " served (page " first[i] ")")
	pcp_beyond = 0
	for (i = 1; i < nused; i++) {
		k = used[i]
		mark = low[3, k] + protection_against(3, k, classzone)
		tol = batch[3, k] + thr[3, k]
		check(free[3, k] <= mark && free[3, k] >= mark - tol,
		      k ": the real zone stopped at its low + protection (" free[3, k] " against " mark ")")
		check(abs(free[4, k] - free[3, k]) <= tol,
		      k ": stopped at " free[4, k] " pages free, real " free[3, k] " (within batch " batch[3, k] " + threshold " thr[3, k] ")")
		pcp_beyond += abs(pcp[3, k] - pcp[4, k])
	}
	for (i = 1; i <= nzl; i++) {
		k = zl[i]
		u = 0
		for (j = 1; j <= nused; j++) if (used[j] == k) u = 1
		if (!u)
			check(abs(free[4, k] - free[3, k]) <= batch[3, k],
			      k ": unused, " free[4, k] " pages free, real " free[3, k])
	}
	if (nused) {
		k = used[nused]
		tol = batch[3, k] + (extra > 0 ? extra : 0) + pcp_beyond
		sim = free[4, k] + pcp[4, k]; real = free[3, k] + pcp[3, k]
		check(abs(sim - real) <= tol,
		      k ": the fill ended here with " sim " pages free or on per-CPU lists, real " real \
		      " (within batch " batch[3, k] " + the real box's " extra " pages beside the fill + " pcp_beyond \
		      " on the stopped zones' per-CPU lists)")
	}
	exit failed ? 1 : 0
}

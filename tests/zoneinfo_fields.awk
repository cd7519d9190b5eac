# One line per compared /proc/zoneinfo field: "node N zone Z FIELD VALUE",
# for spanned, present, managed, min, low, high, protection, start_pfn, and
# each CPU's pageset high and batch and vm stats threshold. Used by
# tests/cli_machine.sh to hold the simulator's zoneinfo beside a real one
# field by field.
/^Node / { node = $2; sub(",", "", node); zone = $4; cpu = -1; next }
$1 == "min" || $1 == "low" || $1 == "high" || $1 == "spanned" || $1 == "present" || $1 == "managed" {
	print "node " node " zone " zone " " $1 " " $2; next }
$1 == "protection:" { p = $0; sub(/.*protection: /, "", p); print "node " node " zone " zone " protection " p; next }
$1 == "cpu:" { cpu = $2; next }
$1 == "high:" || $1 == "batch:" { f = $1; sub(":", "", f); print "node " node " zone " zone " cpu " cpu " pcp_" f " " $2; next }
$1 == "vm" && $2 == "stats" { print "node " node " zone " zone " cpu " cpu " stat_threshold " $4; next }
$1 == "start_pfn:" { print "node " node " zone " zone " start_pfn " $2; next }

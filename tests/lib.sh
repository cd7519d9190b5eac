# The shell tests' common part, sourced by tests/cli*.sh: a scratch
# directory $tmp (removed at exit), the pass/fail counts and the checks.
# Each script ends with `summary`, the "N passed, N failed" line that
# tests/run.sh adds up, like the unit tests' last line.

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }

# expect STATUS DESCRIPTION -- COMMAND...: runs COMMAND, stdout to $tmp/out,
# stderr to $tmp/err, and checks its exit status (showing stderr if wrong).
expect() {
	want=$1; what=$2; shift 3
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok; else bad "$what: exit $got, expected $want"; cat "$tmp/err"; fi
}

# show FILE: a failed check's file, when it is short enough to read.
show() { if [ "$(wc -l <"$1")" -le 40 ]; then cat "$1"; fi; }

# has FILE PATTERN DESCRIPTION: grep -E must find PATTERN in FILE;
# hasnt: must not; hasf: grep -F (a fixed string) must find it.
has() { if grep -Eq -- "$2" "$1"; then ok; else bad "$3: no /$2/ in $(basename "$1")"; show "$1"; fi; }
hasnt() { if grep -Eq -- "$2" "$1"; then bad "$3: /$2/ in $(basename "$1")"; else ok; fi; }
hasf() { if grep -Fq -- "$2" "$1"; then ok; else bad "$3: no '$2' in $(basename "$1")"; fi; }

# eq GOT WANT DESCRIPTION
eq() { if [ "$1" = "$2" ]; then ok; else bad "$3: got '$1', expected '$2'"; fi; }

# lines FILE: its number of lines.
lines() { wc -l <"$1" | tr -d ' '; }

summary() { echo "$passed passed, $failed failed"; }

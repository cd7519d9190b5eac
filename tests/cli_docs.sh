#!/bin/sh
# Docs that cannot drift: every session shown in README.md, docs/*.md and
# scenarios/labs/*/README.md is run, and what it prints is compared with
# what the document shows. A new document, or a new session in one, is
# picked up as it is: nothing to register.
#
# A session is a fenced code block (```) with lines that start with "$ ":
#
#   ```
#   $ ./mmsim run scenarios/quickstart.lua -P pcp=off
#   An allocation cost 52 cycles at the median (p99 927), a free 287 (p99 623).
#   $ echo $?
#   0
#   ```
#
# Each "$ " line is a command for sh, run from a scratch directory that
# looks like the top of the tree (its entries linked in, ./mmsim the binary
# under test), one scratch directory per document, so a later session can
# read what an earlier one wrote. The lines after a command, up to the next
# "$ " line or the end of the block, are its expected output (standard
# output and standard error together). The comparison:
#   - every shown line must appear in the output, in the order shown; lines
#     the document leaves out are allowed (documents show excerpts);
#   - in a shown line, "..." stands for any text, so a long line can be
#     shown cut ("{"type":"summary","status":"error",...}"), and a line
#     that is just "..." says more lines come;
#   - trailing blanks are ignored.
# That is the only normalisation: simulated figures are deterministic and
# are compared as printed. Figures that are not (host time, rates) must be
# shown as "..." in a session, or kept out of sessions.
#
# $MMSIM is the binary under test (default ./mmsim). Run from the top of the
# tree. Ends with "N passed, N failed" like the other tests.
MMSIM=${MMSIM:-./mmsim}
case $MMSIM in /*) ;; *) MMSIM=$(pwd)/$MMSIM ;; esac
. "$(dirname "$0")/lib.sh"
top=$(pwd)

# match EXPECTED ACTUAL: the rule above; on failure prints the first shown
# line not found (in order) and exits 1.
match() {
	awk -v exp_file="$1" '
	function rtrim(s) { sub(/[ \t]+$/, "", s); return s }
	# Does line s match pattern p, where "..." is any text?
	function fits(s, p,    n, parts, i, pos, k, at) {
		n = split(p, parts, /\.\.\./)
		if (n == 1)
			return s == p
		if (substr(s, 1, length(parts[1])) != parts[1])
			return 0
		pos = length(parts[1]) + 1
		for (i = 2; i < n; i++) {
			if (parts[i] == "")
				continue
			at = index(substr(s, pos), parts[i])
			if (!at)
				return 0
			pos += at - 1 + length(parts[i])
		}
		k = length(parts[n])
		return k == 0 || (length(s) - k + 1 >= pos && substr(s, length(s) - k + 1) == parts[n])
	}
	BEGIN {
		while ((getline l < exp_file) > 0) {
			l = rtrim(l)
			if (l == "...")
				continue
			want[++nw] = l
		}
		j = 1
	}
	{
		if (j <= nw && fits(rtrim($0), want[j]))
			j++
	}
	END {
		if (j <= nw) {
			print "    not found (or out of order): " want[j]
			exit 1
		}
	}' "$2"
}

docs=$(ls README.md docs/*.md scenarios/labs/*/README.md 2>/dev/null)
nsessions=0
for doc in $docs; do
	# Split the document's sessions into $tmp/s/N.cmd (the command),
	# N.exp (its shown output) and N.where (FILE:LINE).
	rm -rf "$tmp/s"
	mkdir "$tmp/s"
	awk -v dir="$tmp/s" -v doc="$doc" '
	/^[ \t]*```/ { inblock = !inblock; n_in = 0; next }
	inblock && /^\$ / {
		n++
		cmd = substr($0, 3)
		print cmd > (dir "/" n ".cmd"); close(dir "/" n ".cmd")
		printf "" > (dir "/" n ".exp"); close(dir "/" n ".exp")
		print doc ":" NR > (dir "/" n ".where"); close(dir "/" n ".where")
		cur = n
		next
	}
	inblock && cur { print >> (dir "/" cur ".exp"); close(dir "/" cur ".exp"); next }
	!inblock { cur = 0 }
	' "$doc"
	[ -n "$(ls "$tmp/s")" ] || continue
	# The scratch directory: the tree's entries, and ./mmsim.
	scratch=$tmp/scratch
	rm -rf "$scratch"
	mkdir "$scratch"
	for e in "$top"/*; do
		[ "$(basename "$e")" = mmsim ] || ln -s "$e" "$scratch/"
	done
	ln -s "$MMSIM" "$scratch/mmsim"
	# One sh runs the document's commands in order (so `echo $?` sees the
	# command before it), each command's output to N.out.
	i=1
	: >"$tmp/s/run.sh"
	while [ -f "$tmp/s/$i.cmd" ]; do
		# In braces: the command's own redirections (> file) stay its own.
		printf '{ %s\n} >"%s" 2>&1\n' "$(cat "$tmp/s/$i.cmd")" "$tmp/s/$i.out" >>"$tmp/s/run.sh"
		i=$((i + 1))
	done
	(cd "$scratch" && sh "$tmp/s/run.sh" </dev/null >/dev/null 2>&1)
	i=1
	while [ -f "$tmp/s/$i.cmd" ]; do
		nsessions=$((nsessions + 1))
		if [ -f "$tmp/s/$i.out" ] && match "$tmp/s/$i.exp" "$tmp/s/$i.out" >"$tmp/why"; then
			ok
		else
			bad "$(cat "$tmp/s/$i.where"): \$ $(cat "$tmp/s/$i.cmd")"
			cat "$tmp/why"
			if [ -f "$tmp/s/$i.out" ] && [ "$(wc -l <"$tmp/s/$i.out")" -le 40 ]; then
				echo "    it printed:"
				sed 's/^/    | /' "$tmp/s/$i.out"
			fi
		fi
		i=$((i + 1))
	done
done
# The mechanism itself: sessions were found, and a wrong line is caught.
if [ "$nsessions" -ge 10 ]; then ok; else bad "only $nsessions sessions found in the docs"; fi
printf 'a 1\nb 2\nc 3\n' >"$tmp/act"
printf 'a 1\nc ...\n' >"$tmp/exp"
if match "$tmp/exp" "$tmp/act" >/dev/null; then ok; else bad "match: an excerpt with ... should match"; fi
printf 'c 3\na 1\n' >"$tmp/exp"
if match "$tmp/exp" "$tmp/act" >/dev/null; then bad "match: lines out of order should not match"; else ok; fi
printf 'b 3\n' >"$tmp/exp"
if match "$tmp/exp" "$tmp/act" >/dev/null; then bad "match: a wrong figure should not match"; else ok; fi

summary
[ "$failed" -eq 0 ]

#!/bin/sh
# check-man.sh - the man pages and the protocol document as a reader gets
# them: no stray control characters (a "\f" written through a script's
# string escapes once became a form feed), and groff formats every page
# without a warning. TAP.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
n=0
fail=0
check() {	# check DESCRIPTION COMMAND...
	desc=$1
	shift
	n=$((n + 1))
	if out=$("$@" 2>&1) && [ -z "$out" ]; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		printf '%s\n' "$out" | head -10 | sed 's/^/#   /'
		fail=1
	fi
}
ctl() {		# lines with control characters other than tab
	LC_ALL=C grep -n "$(printf '[\001-\010\013-\037\177]')" "$1"
	[ $? -eq 1 ]
}
for f in "$top_srcdir"/man/*.[1-9] "$top_srcdir"/proto/PROTOCOL.md \
    "$top_srcdir"/README.md; do
	check "$(basename "$f"): no control characters" ctl "$f"
done
if command -v groff >/dev/null 2>&1; then
	for f in "$top_srcdir"/man/*.[1-9]; do
		check "$(basename "$f"): groff formats it without a warning" \
		    env LC_ALL=C.UTF-8 groff -k -Tutf8 -man -ww -z "$f"
	done
else
	echo "# groff is not installed: formatting not checked"
fi
echo "1..$n"
exit $fail

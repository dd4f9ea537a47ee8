#!/usr/bin/env bash
# The shape of the C source: no function over 100 lines, and no cycle
# between files, neither of calls (a .c file using a symbol another .c file
# defines, read with nm from the built objects) nor of #include.  A cycle
# is mended by moving code, merging or splitting files, never by a list of
# exceptions here.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

cd "$GCA_ROOT"
for c in src/*.c src/*/*.c; do
    o=${c%.c}.o
    [ -f "$o" ] && [ ! "$o" -ot "$c" ] || fail "$o is missing or older than $c: build first"
done

out=$(python3 - <<'PY'
import glob, re, subprocess, sys

MAX = 100
srcs = sorted(glob.glob("src/*.c") + glob.glob("src/*/*.c"))
hdrs = sorted(glob.glob("src/*/*.h"))
problems = []

# Function length: a function opens with "{" at column 0 right after its
# declarator (the previous non-blank line ends with ")") and closes with
# the next "}" at column 0; its length counts both braces.
longest = (0, "")
for path in srcs:
    lines = open(path, encoding="utf-8").read().split("\n")
    prev, prev_decl, start, name = "", "", None, ""
    for i, line in enumerate(lines):
        if start is None:
            if line.startswith("{") and prev.rstrip().endswith(")"):
                start = i
                m = re.search(r"(\w+)\s*\(", prev_decl)
                name = m.group(1) if m else "?"
        elif line.startswith("}"):
            n = i - start + 1
            if n > longest[0]:
                longest = (n, "%s:%d %s" % (path, start + 1, name))
            if n > MAX:
                problems.append("%s:%d: function %s is %d lines (over %d)"
                                % (path, start + 1, name, n, MAX))
            start = None
        if line.strip():
            if not line.startswith((" ", "\t", "{", "}")) and "(" in line:
                prev_decl = line
            prev = line

# Cycles, found as strongly connected components of a file graph.
def cycles(graph):
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]
    def visit(v):
        index[v] = low[v] = n[0]; n[0] += 1
        stack.append(v); on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w); low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))
    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out

# calls between .c files: a file using a function (T symbol) another defines
defined, used = {}, {}
for c in srcs:
    o = c[:-2] + ".o"
    syms = subprocess.run(["nm", o], capture_output=True, text=True,
                          check=True).stdout.split("\n")
    used[c] = set()
    for s in syms:
        f = s.split()
        if len(f) == 2 and f[0] == "U":
            used[c].add(f[1])
        elif len(f) == 3 and f[1] == "T":
            defined.setdefault(f[2], c)
calls = {c: {defined[s] for s in used[c] if s in defined and defined[s] != c}
         for c in srcs}
for comp in cycles(calls):
    detail = ["%s -> %s (%s)" % (a, b, ", ".join(sorted(
        s for s in used[a] if defined.get(s) == b)[:3]))
        for a in comp for b in sorted(calls[a]) if b in comp]
    problems.append("call cycle between " + " ".join(comp) + ": "
                    + "; ".join(detail))

# #include "..." between files of src/
incl = {}
byname = {}
for h in hdrs:
    byname.setdefault(h.split("/")[-1], []).append(h)
for f in srcs + hdrs:
    incl[f] = set()
    for m in re.finditer(r'^#\s*include\s+"([^"]+)"',
                         open(f, encoding="utf-8").read(), re.M):
        inc = m.group(1).split("/")[-1]
        for h in byname.get(inc, ()):
            if h != f:
                incl[f].add(h)
for comp in cycles(incl):
    problems.append("include cycle between " + " ".join(comp))

print("longest function: %d lines (%s)" % longest)
print("%d files, %d call edges, %d include edges"
      % (len(srcs), sum(len(v) for v in calls.values()),
         sum(len(v) for v in incl.values())))
for p in problems:
    print("PROBLEM: " + p)
PY
)
echo "$out"
echo "$out" | contains '^PROBLEM: ' && fail "the C source has functions over 100 lines or cycles between files"
echo "ok: no C function over 100 lines; no call or include cycle between files"

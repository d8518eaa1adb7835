# shellcheck shell=bash
# Shared by the benchmark scripts (sourced, not run).

# write_section NAME: replaces the part of bench/RESULTS.md between
# `<!-- NAME:begin -->` and `<!-- NAME:end -->` with standard input (adds it
# at the end when missing), so each script rewrites only its own numbers.
write_section() {
  local body
  body="$(cat)"
  SECTION_BODY="$body" python3 - "$1" "$(dirname "${BASH_SOURCE[0]}")/RESULTS.md" <<'PY'
import os, sys
name, path = sys.argv[1], sys.argv[2]
body = os.environ["SECTION_BODY"].rstrip("\n")
begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
block = f"{begin}\n{body}\n{end}"
text = open(path).read() if os.path.exists(path) else "# Benchmark results\n"
if begin in text and end in text:
    head, rest = text.split(begin, 1)
    text = head + block + rest.split(end, 1)[1]
else:
    text = text.rstrip("\n") + "\n\n" + block + "\n"
open(path, "w").write(text)
PY
}

# median of the numbers on standard input, one per line
median() {
  sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# A line describing the machine the numbers come from.
machine() {
  echo "$(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg) at the start; $(rustc --version | cut -d' ' -f1-2), node $(node --version)"
}

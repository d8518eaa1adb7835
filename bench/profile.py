#!/usr/bin/env python3
"""Where one `verify` spends its CPU: `perf record` over PROFILE_RUNS runs
of the binary given (bench/profile.sh builds it with symbols, LTO off)
against `emulator serve` at L = 0, then `perf report` by library and by
function for the product's process only (not the emulator's). Rewrites the
"profile" section of bench/RESULTS.md. Timings only: nothing here fails."""

import os
import shutil
import subprocess
import sys
import tempfile

import scale

RUNS = int(os.environ.get("PROFILE_RUNS", "20"))
FREQ = 20000
# The product's threads as the kernel names them (15 characters): the main
# thread and tokio's workers. The emulator runs outside `perf record`.
COMMS = f"{os.path.basename(scale.BIN)[:15]},tokio-rt-worker"
# aws-lc's CPU-jitter entropy seeding, which the switch to ring removed.
JITTER = ("jent_", "keccak", "rol64", "xoshiro128starstar", "uint32rotl")


def report(data):
    """(share %, library, function) of every sample of the product's
    threads, shares relative to those samples."""
    out = subprocess.run(
        ["perf", "report", "-i", data, "--stdio", "--no-children", "--comms", COMMS,
         "--percentage", "relative", "--sort", "dso,sym"],
        capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines():
        parts = line.split(None, 3)
        if len(parts) == 4 and parts[0].endswith("%") and not line.startswith("#"):
            rows.append((float(parts[0].rstrip("%")), parts[1], parts[3].strip()))
    return rows


def samples(data):
    """How many samples the product's threads got."""
    out = subprocess.run(["perf", "script", "-i", data, "--comms", COMMS, "-F", "comm"],
                         capture_output=True, text=True, check=True).stdout
    return len(out.splitlines())


def main():
    work = tempfile.mkdtemp(prefix="cloudstudio-profile-")
    emu = scale.Emulator(work, "emu", 1, 0)
    data = os.path.join(work, "perf.data")
    try:
        argv = [scale.BIN, "verify", *scale.cloud_args(emu), "--subscription-id", scale.sub_id(1), "-q"]
        script = "\n".join(" ".join(f"'{a}'" for a in argv) + " || exit 1" for _ in range(RUNS))
        subprocess.run(["perf", "record", "-q", "-F", str(FREQ), "-o", data, "--", "sh", "-c", script],
                       env=scale.tool_env(emu), cwd=work, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        count = samples(data)
        rows = report(data)
    finally:
        emu.stop()
        shutil.rmtree(work, ignore_errors=True)
    jitter = sum(p for p, _, name in rows if name.startswith(JITTER))
    by_dso = {}
    for pct, dso, _ in rows:
        by_dso[dso] = by_dso.get(dso, 0.0) + pct
    ring = sum(p for p, dso, name in rows if dso == "cloudstudio-azure" and
               (name.startswith("ring_core") or "nistz256" in name or name.startswith("ChaCha") or "gcm" in name))
    per_run = count / RUNS
    lines = [
        "## Where `verify`'s CPU goes (perf)",
        "",
        f"Written by `bash bench/profile.sh`: `perf record -F {FREQ}` over {RUNS} runs of `verify` against "
        f"`emulator serve` (L = 0), the release profile with symbols and without LTO; load average "
        f"{scale.load()} at the end. {count} samples on the product's threads in all, "
        f"{per_run:.0f} per run (~{per_run / FREQ * 1000:.1f} ms of CPU at {FREQ} Hz). "
        f"aws-lc's jitter-entropy seeding (`jent_*`, keccak, ...): {jitter:.1f}% of the samples; "
        f"ring's cryptography (handshakes, record encryption): {ring:.1f}%. The kernel's share is "
        f"process start-up (exec, page faults of a {os.path.getsize(scale.BIN) / 1048576:.0f} MiB unstripped "
        "binary, threads) and the sockets: no single function of ours stands out.",
        "",
        "| library | share of samples |",
        "|---|---|",
        *[f"| `{dso}` | {pct:.1f}% |" for dso, pct in sorted(by_dso.items(), key=lambda x: -x[1])[:8]],
        "",
        "| function (top 15) | library | share of samples |",
        "|---|---|---|",
        *[f"| `{name[:90].replace('|', '/')}` | `{dso}` | {pct:.1f}% |" for pct, dso, name in rows[:15]],
    ]
    text = "\n".join(lines) + "\n"
    scale.write_section("profile", text)
    print(text)


if __name__ == "__main__":
    main()

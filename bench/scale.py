#!/usr/bin/env python3
"""The release binary against `cloudstudio-azure emulator serve`, and the
Azure CLI against the same emulator in the same run; rewrites the "scale"
section of bench/RESULTS.md.

    python3 bench/scale.py [BIN] [AZ]     (bash bench/scale.sh builds and finds both)

- `verify` and `export` at injected latency L = 0, 50, 200 ms: wall, CPU
  (user + sys) and peak RSS, median of RUNS (default 11); round trips on the
  critical path from the emulator's request log (`--log`);
- `verify --all` over 1, 10 and 50 subscriptions at L = 50 ms;
- the incumbent flow: `az login --service-principal`, `az account show`,
  `az role assignment list --assignee`, median of AZ_RUNS (default 5);
- `--version` and the binary's size.

CPU and peak RSS come from wait4(2)'s rusage (what /usr/bin/time prints,
at microsecond resolution). Timings only: nothing here passes or fails.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "target", "release", "cloudstudio-azure"))
AZ = sys.argv[2] if len(sys.argv) > 2 else None
RUNS = int(os.environ.get("RUNS", "11"))
AZ_RUNS = int(os.environ.get("AZ_RUNS", "5"))

TENANT = "4c6f7a1e-8d2b-4e3f-9a51-0b7c2d9e6f10"
CLIENT = "a1b2c3d4-5e6f-4a8b-9c0d-1e2f3a4b5c6d"
SECRET = "kR48Q~vN2pXw7yTzL5cHs9mBq3dFj6gKa1eUo0iW"


def sub_id(i):
    return f"11111111-2222-4333-8444-{i:012d}"


def scenario(subs, latency_ms):
    """A tenant, the deployer app, `subs` subscriptions it is Contributor on."""
    lines = [
        "tenants:",
        f"  - {{ id: {TENANT}, domain: contoso.onmicrosoft.com }}",
        "apps:",
        f"  - client_id: {CLIENT}",
        f"    tenant: {TENANT}",
        "    display_name: ci-deployer",
        f'    secrets: [{{ value: "{SECRET}", id: d3f1a9c2-7b4e-4f60-8a15-2c9e7b3d5f81 }}]',
        "subscriptions:",
    ]
    for i in range(1, subs + 1):
        lines.append(f'  - {{ id: {sub_id(i)}, tenant: {TENANT}, name: "Sub {i}", state: Enabled }}')
    lines.append("role_assignments:")
    for i in range(1, subs + 1):
        lines.append(f"  - {{ principal: {CLIENT}, subscription: {sub_id(i)}, role: Contributor }}")
    lines.append(f"latency_ms: {latency_ms}")
    return "\n".join(lines) + "\n"


class Emulator:
    def __init__(self, work, name, subs, latency_ms):
        self.dir = os.path.join(work, name)
        os.makedirs(self.dir)
        path = os.path.join(self.dir, "scenario.yml")
        with open(path, "w") as f:
            f.write(scenario(subs, latency_ms))
        self.log = os.path.join(self.dir, "requests.jsonl")
        self.proc = subprocess.Popen(
            [BIN, "emulator", "serve", "--scenario", path, "--state-dir", os.path.join(self.dir, "state"),
             "--log", self.log, "--output", "json"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env={"PATH": "/usr/bin:/bin"},
        )
        info = json.loads(self.proc.stdout.readline())
        self.base = info["base_url"]
        self.ca = info["ca_pem_path"]
        self.env = info["env"]

    def requests(self):
        with open(self.log) as f:
            return [json.loads(line) for line in f if line.strip()]

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def measure(argv, env, cwd):
    """(wall s, cpu s, peak RSS KiB, exit code) of one run, under
    /usr/bin/time: its %M is the program's own peak RSS (a child forked
    from Python would report Python's, recorded at exec); CPU is wait4's
    (time's and the program's, microseconds; time's own is ~0.3 ms)."""
    rss_file = os.path.join(cwd, ".rss")
    started = time.perf_counter()
    p = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", rss_file, "--", *argv], env=env, cwd=cwd,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    with open(rss_file) as f:
        rss = int(f.read().split()[-1])
    return wall, ru.ru_utime + ru.ru_stime, rss, code


def tool_env(emu):
    return {
        "PATH": "/usr/bin:/bin",
        "SSL_CERT_FILE": emu.ca,
        "AZURE_CLIENT_ID": CLIENT,
        "AZURE_CLIENT_SECRET": SECRET,
        "AZURE_TENANT_ID": TENANT,
    }


def cloud_args(emu):
    return ["--cloud", "custom", "--authority-host", emu.base, "--arm-endpoint", emu.base]


def series(argv, env, cwd, runs, fresh=None):
    out = []
    for i in range(runs):
        if fresh:
            fresh(i)
        wall, cpu, rss, code = measure(argv, env, cwd)
        if code != 0:
            raise SystemExit(f"{' '.join(argv[:3])} exited {code}")
        out.append((wall, cpu, rss))
    return out


def med(xs):
    return statistics.median(xs)


def ms(s):
    return f"{s * 1000:.0f} ms"


def waves(reqs):
    """Round trips on the critical path: requests grouped into waves, a new
    wave starting when a request arrives after every earlier one ended."""
    def t(r):
        hms = r["time"].split("T")[1].rstrip("Z")
        h, m, s = hms.split(":")
        return int(h) * 3600 + int(m) * 60 + float(s)
    reqs = sorted(reqs, key=t)
    n, end = 0, None
    for r in reqs:
        start = t(r)
        if end is None or start >= end - 0.0005:
            n += 1
            end = start + r["duration_ms"] / 1000
        else:
            end = max(end, start + r["duration_ms"] / 1000)
    return n


def single(work, rows):
    for latency in (0, 50, 200):
        emu = Emulator(work, f"single-{latency}", 1, latency)
        try:
            for cmd in ("verify", "export"):
                wd = os.path.join(work, f"wd-{cmd}-{latency}")

                def fresh(i, wd=wd):
                    shutil.rmtree(wd, ignore_errors=True)
                    os.makedirs(os.path.join(wd, "azure"))

                fresh(0)
                argv = [BIN, cmd, *cloud_args(emu), "--subscription-id", sub_id(1), "--environment", "production",
                        "--workdir", wd, "-q"]
                before = len(emu.requests())
                s = series(argv, tool_env(emu), work, RUNS, fresh if cmd == "export" else None)
                reqs = emu.requests()[before:]
                per_run = len(reqs) / RUNS
                # The last run's requests alone, for its round trips.
                last = reqs[-int(per_run):] if per_run else []
                rows.append((cmd, latency, s, per_run, waves(last)))
        finally:
            emu.stop()


def verify_all(work):
    emu = Emulator(work, "all", 50, 50)
    out = []
    try:
        for n in (1, 10, 50):
            cwd = os.path.join(work, f"all-{n}")
            os.makedirs(cwd)
            with open(os.path.join(cwd, "cloudstudio.yml"), "w") as f:
                f.write("branches:\n")
                for i in range(1, n + 1):
                    f.write(f'  - match: "b{i}"\n    environment: development\n    subscription_id: {sub_id(i)}\n')
            before = len(emu.requests())
            s = series([BIN, "verify", "--all", *cloud_args(emu), "-q"], tool_env(emu), cwd, RUNS)
            reqs = emu.requests()[before:]
            per_run = len(reqs) / RUNS
            last = reqs[-int(per_run):]
            out.append((n, s, per_run, waves(last)))
        one = series([BIN, "verify", *cloud_args(emu), "--subscription-id", sub_id(1), "-q"], tool_env(emu), work, RUNS)
    finally:
        emu.stop()
    return out, one


def az_flow(work, latency):
    """Median seconds of each az step, over AZ_RUNS fresh az profiles."""
    emu = Emulator(work, f"az-{latency}", 1, latency)
    steps = {"login": [], "account show": [], "role assignment list": [], "total": []}
    try:
        base_env = {**emu.env, "PATH": "/usr/bin:/bin", "AZURE_CORE_COLLECT_TELEMETRY": "false",
                    "AZURE_CORE_SURVEY_MESSAGE": "false", "AZURE_CORE_NO_COLOR": "true",
                    "AZURE_CORE_ONLY_SHOW_ERRORS": "true", "NO_PROXY": "127.0.0.1,localhost",
                    "HOME": work}
        for i in range(AZ_RUNS):
            env = {**base_env, "AZURE_CONFIG_DIR": os.path.join(work, f"az-{latency}-{i}")}
            # Profile set-up (once per machine in real life): not timed.
            for args in (["cloud", "register", "--name", "Emulator", "--endpoint-resource-manager", emu.base + "/"],
                         ["cloud", "set", "--name", "Emulator"]):
                subprocess.run([AZ, *args, "--output", "none"], env=env, check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            total = 0.0
            for name, args in (
                ("login", ["login", "--service-principal", "--username", CLIENT, "--password", SECRET, "--tenant", TENANT]),
                ("account show", ["account", "show"]),
                ("role assignment list", ["role", "assignment", "list", "--assignee", CLIENT]),
            ):
                wall, _, _, code = measure([AZ, *args, "--output", "json"], env, work)
                if code != 0:
                    raise SystemExit(f"az {name} exited {code}")
                steps[name].append(wall)
                total += wall
            steps["total"].append(total)
    finally:
        emu.stop()
    return {k: med(v) for k, v in steps.items()}


def load():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main():
    work = tempfile.mkdtemp(prefix="cloudstudio-bench-")
    load_start = load()
    try:
        version = series([BIN, "--version"], {"PATH": "/usr/bin:/bin"}, work, 21)
        rows = []
        single(work, rows)
        load_mid = load()
        all_rows, one = verify_all(work)
        az = {L: az_flow(work, L) for L in (0, 50)} if AZ else {}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load_end = load()
    text = render(rows, all_rows, one, az, version, (load_start, load_mid, load_end))
    write_section("scale", text)
    print(text)


def render(rows, all_rows, one, az, version, loads):
    nproc = os.cpu_count()
    out = [
        "## At scale, and against the Azure CLI",
        "",
        f"Written by `bash bench/scale.sh` (`bench/scale.py`) on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: "
        f"the release binary (`{os.path.getsize(BIN) / 1048576:.2f} MiB`) against `emulator serve` on 127.0.0.1 "
        f"over HTTPS, {nproc} cores shared with other builds; load average {loads[0]} at the start, "
        f"{loads[1]} after the single runs, {loads[2]} at the end. Median of {RUNS} runs; CPU is user + sys "
        "(wait4 rusage), memory is peak RSS (/usr/bin/time %M). Latency L is injected by the emulator on every request.",
        "",
        "| command | L | wall median | wall min..max | CPU median | peak RSS | requests per run | round trips on the critical path |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for cmd, L, s, per_run, w in rows:
        walls = [x[0] for x in s]
        out.append(f"| {cmd} | {L} ms | {ms(med(walls))} | {ms(min(walls))}..{ms(max(walls))} | "
                   f"{med([x[1] for x in s]) * 1000:.1f} ms | {med([x[2] for x in s]) / 1024:.1f} MiB | "
                   f"{per_run:g} | {w} |")
    out += ["", "`verify --all` at L = 50 ms (one token, the subscriptions' reads 16 at a time):", "",
            "| subscriptions | wall median | CPU median | peak RSS | requests per run | round trips | vs one `verify` |",
            "|---|---|---|---|---|---|---|"]
    one_wall = med([x[0] for x in one])
    for n, s, per_run, w in all_rows:
        wall = med([x[0] for x in s])
        out.append(f"| {n} | {ms(wall)} | {med([x[1] for x in s]) * 1000:.1f} ms | {med([x[2] for x in s]) / 1024:.1f} MiB | "
                   f"{per_run:g} | {w} | {wall / one_wall:.2f}x |")
    out.append(f"| (one `verify`, same emulator) | {ms(one_wall)} | {med([x[1] for x in one]) * 1000:.1f} ms | | | | 1x |")
    if az:
        out += ["", f"The incumbent flow on the same emulator, in the same run (Azure CLI 2.91, a fresh profile "
                f"each run, the cloud registered beforehand and not timed), median of {AZ_RUNS}:", "",
                "| L | az login --service-principal | az account show | az role assignment list | az total | `verify` | ratio |",
                "|---|---|---|---|---|---|---|"]
        for L, st in az.items():
            v = med([x[0] for r in rows if r[0] == "verify" and r[1] == L for x in r[2]])
            out.append(f"| {L} ms | {ms(st['login'])} | {ms(st['account show'])} | {ms(st['role assignment list'])} | "
                       f"{ms(st['total'])} | {ms(v)} | {st['total'] / v:.0f}x |")
    vw = [x[0] for x in version]
    out += ["", f"`--version`: {ms(med(vw))} wall median of {len(vw)} (CPU {med([x[1] for x in version]) * 1000:.1f} ms, "
            f"peak RSS {med([x[2] for x in version]) / 1024:.1f} MiB)."]
    return "\n".join(out) + "\n"


def write_section(name, body):
    path = os.path.join(HERE, "RESULTS.md")
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    block = f"{begin}\n{body.rstrip()}\n{end}"
    text = open(path).read() if os.path.exists(path) else "# Benchmark results\n"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    with open(path, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()

//! End-to-end benchmark: the release binary against the in-tree emulator,
//! with injected latency. Measures wall time, CPU, peak memory and round
//! trips per run, and rewrites its section of `bench/RESULTS.md` (the
//! other sections belong to the scripts in `bench/`).
//!
//! Run: `bash bench/run.sh` (or `cargo bench --bench e2e`). Timings are
//! measured here and never asserted in tests.

use azure_emulator::{Emulator, Route, Scenario, demo};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 15;
const LATENCIES_MS: [u64; 3] = [0, 50, 200];

struct Sample {
    wall: Duration,
    cpu_s: f64,
    max_rss_kb: u64,
}

struct Row {
    label: String,
    latency_ms: u64,
    samples: Vec<Sample>,
    requests_per_run: Vec<(Route, usize)>,
    arm_overlap: Option<bool>,
}

fn main() {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_cloudstudio-azure"));
    let time = Path::new("/usr/bin/time");
    assert!(
        time.exists(),
        "GNU time is needed at /usr/bin/time (Debian: apt-get install time)"
    );
    let scratch = tempfile::tempdir().expect("temp dir");
    let mut rows = Vec::new();

    for latency in LATENCIES_MS {
        let mut scenario = Scenario::demo();
        scenario.latency_ms = latency;
        let state = scratch.path().join(format!("emu-{latency}"));
        std::fs::create_dir_all(&state).expect("state dir");
        let emu = Emulator::start(scenario, 0, &state).expect("emulator");

        for (label, args) in [
            ("explain (no network)", vec!["explain"]),
            ("verify", vec!["verify"]),
            ("export (verify + write)", vec!["export"]),
        ] {
            if label.starts_with("explain") && latency != 0 {
                continue; // explain makes no calls: latency cannot matter
            }
            let mut samples = Vec::new();
            let before = emu.requests().len();
            for i in 0..RUNS {
                let workdir = scratch
                    .path()
                    .join(format!("wd-{latency}-{i}-{}", label.len()));
                std::fs::create_dir_all(workdir.join("azure")).expect("workdir");
                samples.push(run_once(time, &bin, &emu, &args, &workdir));
            }
            let log = emu.requests();
            let new = &log[before..];
            let per_run = [Route::Token, Route::Subscription, Route::Permissions]
                .into_iter()
                .map(|r| (r, new.iter().filter(|q| q.route == r).count() / RUNS))
                .collect();
            let overlap = arm_overlap(new);
            rows.push(Row {
                label: label.to_owned(),
                latency_ms: latency,
                samples,
                requests_per_run: per_run,
                arm_overlap: overlap,
            });
        }
    }
    let report = render(&rows, &bin);
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/RESULTS.md");
    let old = std::fs::read_to_string(&out).unwrap_or_else(|_| "# Benchmark results\n".into());
    std::fs::write(&out, with_section(&old, "e2e", &report)).expect("write results");
    print!("{report}");
    eprintln!("written to {}", out.display());
}

fn run_once(time: &Path, bin: &Path, emu: &Emulator, args: &[&str], workdir: &Path) -> Sample {
    let base = emu.base_url();
    let started = Instant::now();
    let out = Command::new(time)
        .args(["-f", "BENCH %e %U %S %M", "--"])
        .arg(bin)
        .args(args)
        .args([
            "--cloud",
            "custom",
            "--authority-host",
            &base,
            "--arm-endpoint",
            &base,
        ])
        .args([
            "--subscription-id",
            demo::PROD_SUBSCRIPTION_ID,
            "--environment",
            "production",
            "-q",
        ])
        .arg("--workdir")
        .arg(workdir)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("SSL_CERT_FILE", emu.ca_pem_path())
        .env("AZURE_CLIENT_ID", demo::CLIENT_ID)
        .env("AZURE_CLIENT_SECRET", demo::CLIENT_SECRET)
        .env("AZURE_TENANT_ID", demo::TENANT_ID)
        .current_dir(workdir)
        .stdin(Stdio::null())
        .output()
        .expect("run binary");
    let wall = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?} failed: {stderr}");
    let line = stderr
        .lines()
        .rev()
        .find(|l| l.starts_with("BENCH "))
        .expect("time output");
    let f: Vec<f64> = line[6..]
        .split(' ')
        .map(|x| x.parse().expect("number"))
        .collect();
    Sample {
        wall,
        cpu_s: f[1] + f[2],
        max_rss_kb: f[3] as u64,
    }
}

/// Whether every run's subscription and permissions reads overlapped in
/// time (they are issued concurrently once the token is in hand).
fn arm_overlap(log: &[azure_emulator::RequestRecord]) -> Option<bool> {
    let subs: Vec<_> = log
        .iter()
        .filter(|r| r.route == Route::Subscription)
        .collect();
    let perms: Vec<_> = log
        .iter()
        .filter(|r| r.route == Route::Permissions)
        .collect();
    if subs.is_empty() || subs.len() != perms.len() {
        return None;
    }
    Some(
        subs.iter()
            .zip(perms.iter())
            .all(|(s, p)| s.started < p.finished && p.started < s.finished),
    )
}

/// `text` with the part between `<!-- name:begin -->` and `<!-- name:end -->`
/// replaced by `body` (appended when there is none), as `bench/lib.sh` does.
fn with_section(text: &str, name: &str, body: &str) -> String {
    let (begin, end) = (
        format!("<!-- {name}:begin -->"),
        format!("<!-- {name}:end -->"),
    );
    let block = format!("{begin}\n{}\n{end}", body.trim_end());
    match (text.split_once(&begin), text.split_once(&end)) {
        (Some((head, _)), Some((_, tail))) => format!("{head}{block}{tail}"),
        _ => format!("{}\n\n{block}\n", text.trim_end()),
    }
}

fn render(rows: &[Row], bin: &Path) -> String {
    let mut s = String::new();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let _ = writeln!(s, "## End to end\n");
    let _ = writeln!(
        s,
        "Written by `bash bench/run.sh` (`bench/e2e.rs`): the release binary against the in-tree \
         emulator on 127.0.0.1 over HTTPS, {RUNS} runs per row, on a {cores}-core machine. \
         Latency is injected by the emulator on every request. CPU is user+sys of the process \
         as GNU time reports it, in 10 ms steps, so a mean under 10 ms is only a rough figure \
         (the scale section measures CPU through wait4 in microseconds); memory is peak RSS.\n"
    );
    let _ = writeln!(
        s,
        "| command | injected latency | wall median | wall min..max | CPU mean | peak RSS | requests per run (token / subscription / permissions) | ARM reads overlap |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|---|");
    for r in rows {
        let mut walls: Vec<f64> = r
            .samples
            .iter()
            .map(|x| x.wall.as_secs_f64() * 1000.0)
            .collect();
        walls.sort_by(f64::total_cmp);
        let median = walls[walls.len() / 2];
        let cpu = r.samples.iter().map(|x| x.cpu_s).sum::<f64>() / r.samples.len() as f64 * 1000.0;
        let rss = r.samples.iter().map(|x| x.max_rss_kb).max().unwrap_or(0);
        let reqs: Vec<String> = r
            .requests_per_run
            .iter()
            .map(|(_, n)| n.to_string())
            .collect();
        let _ = writeln!(
            s,
            "| {} | {} ms | {:.0} ms | {:.0}..{:.0} ms | {:.1} ms | {:.1} MiB | {} | {} |",
            r.label,
            r.latency_ms,
            median,
            walls[0],
            walls[walls.len() - 1],
            cpu,
            rss as f64 / 1024.0,
            reqs.join(" / "),
            match r.arm_overlap {
                Some(true) => "yes",
                Some(false) => "no",
                None => "n/a",
            }
        );
    }
    let _ = writeln!(
        s,
        "\nReading: with latency L on every request, `verify` costs about 2 x L on top of its \
         0 ms time: one token request, then the subscription and permissions reads in parallel \
         (they would cost 3 x L one after the other). \"ARM reads overlap: no\" at 0 ms only \
         means each read finished before the other started. `explain` makes no network call.\n"
    );
    let _ = writeln!(s, "\n## Binary size\n");
    let _ = writeln!(s, "| build | size |\n|---|---|");
    let musl = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join("target/x86_64-unknown-linux-musl/dist/cloudstudio-azure");
    for (label, path) in [
        (
            "release profile (glibc, stripped), as benchmarked",
            bin.to_path_buf(),
        ),
        (
            "dist profile, static musl (`--profile dist --target x86_64-unknown-linux-musl`): what releases ship",
            musl,
        ),
    ] {
        if let Ok(m) = std::fs::metadata(&path) {
            let _ = writeln!(s, "| {label} | {:.2} MiB |", m.len() as f64 / 1048576.0);
        }
    }
    s
}

//! The bench's report: a table line (`Figure`), medians and percentiles, the table rendered as
//! Markdown or JSON Lines, the machine it ran on, and the table written into BENCHMARKS.md.

use std::path::Path;

use anyhow::Result;

/// BENCHMARKS.md's markers: the bench rewrites what lies between them, and nothing else.
const START: &str = "<!-- bench:start -->";
const END: &str = "<!-- bench:end -->";

/// One line of the table.
pub(crate) struct Figure {
    /// The median of the ratios of slices run side by side, where the disk's rate drifts
    /// between slices (single-writer appends); otherwise the ratio of the two figures.
    pub(crate) paired: Option<f64>,
    pub(crate) workload: String,
    pub(crate) minutes: f64,
    pub(crate) baseline: Option<f64>,
    pub(crate) unit: &'static str,
    /// `higher` when more is better (rates), `lower` for latencies and memory.
    pub(crate) higher_better: bool,
    pub(crate) target: &'static str,
}

impl Figure {
    /// minutes' figure over the baseline's (or the paired ratio), when there is a baseline.
    pub(crate) fn ratio(&self) -> Option<f64> {
        if self.paired.is_some() {
            return self.paired;
        }
        let b = self.baseline?;
        if b == 0.0 {
            return None;
        }
        // minutes over the baseline: for rates, the share of the baseline reached; for latencies
        // and memory, how many times the baseline's.
        Some(self.minutes / b)
    }
}

/// `x` to one decimal, for the JSON lines.
pub(crate) fn round(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The median of `xs` (the upper one of an even count; 0 when empty).
pub(crate) fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    xs.get(xs.len() / 2).copied().unwrap_or(0.0)
}

/// The p50 and p99 of `xs`, which must not be empty.
pub(crate) fn percentiles(mut xs: Vec<f64>) -> (f64, f64) {
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let at = |p: f64| xs[((xs.len() as f64 - 1.0) * p).round() as usize];
    (at(0.50), at(0.99))
}

/// The machine the bench ran on: CPUs, memory, CPU model and SQLite's version.
pub(crate) fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<f64>().ok())
        })
        .map(|k| format!("{:.1} GiB", k / 1024.0 / 1024.0))
        .unwrap_or_else(|| "unknown".into());
    let n = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    format!("Machine: {n} CPUs (nproc), {mem} memory, CPU: {cpu}; SQLite {}.", rusqlite::version())
}

/// The figures as a Markdown table.
pub(crate) fn render(figures: &[Figure]) -> String {
    let mut s = String::from(
        "| workload | minutes | baseline | unit | ratio | target |\n|---|---:|---:|---|---:|---|\n",
    );
    for f in figures {
        let b = f.baseline.map(fmt).unwrap_or_else(|| "-".into());
        let r = f.ratio().map(|r| format!("{r:.2}")).unwrap_or_else(|| "-".into());
        s.push_str(&format!(
            "| {} | {} | {b} | {} | {r} | {} |\n",
            f.workload,
            fmt(f.minutes),
            f.unit,
            f.target
        ));
    }
    s.trim_end().to_string()
}

/// One figure as a line of `--json` output.
pub(crate) fn json(f: &Figure) -> serde_json::Value {
    serde_json::json!({"workload": f.workload, "minutes": round(f.minutes), "baseline": f.baseline.map(round), "unit": f.unit, "ratio": f.ratio().map(|r| (r * 1000.0).round() / 1000.0), "better": if f.higher_better { "higher" } else { "lower" }})
}

/// A figure as the table shows it: whole above 100, one decimal below.
pub(crate) fn fmt(x: f64) -> String {
    if x >= 100.0 {
        format!("{:.0}", x)
    } else {
        format!("{x:.1}")
    }
}

/// Writes `block` (which starts and ends with the markers) into the Markdown file `md` in place
/// of what its markers held, or makes a new `# Benchmarks` file of it when they are missing.
pub(crate) fn write_between_markers(md: &Path, block: &str) -> Result<()> {
    let old = std::fs::read_to_string(md).unwrap_or_default();
    let new = match (old.find(START), old.find(END)) {
        (Some(a), Some(b)) => format!("{}{block}{}", &old[..a], &old[b + END.len()..]),
        _ => format!("# Benchmarks\n\n{block}\n"),
    };
    std::fs::write(md, new)?;
    Ok(())
}

/// The block the bench writes into BENCHMARKS.md: how it was run, the machine, the table and the
/// peer's note, between the markers.
pub(crate) fn block(run_line: &str, machine: &str, table: &str, peer_note: &str) -> String {
    format!("{START}\n{run_line}\n\n{machine}\n\n{table}\n\n{peer_note}\n{END}")
}

//! Measuring: samples of each variant, their medians, the printed table and the JSON records.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::connection::{Instrumentation, InstrumentationEvent};
use serde::Serialize;

/// With or without history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Variant {
    /// Through the library: the change and its history row.
    Audited,
    /// What the application would write without history (plain Diesel, or SQL by hand).
    Unaudited,
}

impl Variant {
    /// The name in the JSON records.
    pub fn name(self) -> &'static str {
        match self {
            Variant::Audited => "audited",
            Variant::Unaudited => "unaudited",
        }
    }

    /// Both variants, the audited one first in even rounds and last in odd ones, so that neither
    /// always runs on a warmer cache.
    pub fn order(round: usize) -> [Variant; 2] {
        if round.is_multiple_of(2) {
            [Variant::Audited, Variant::Unaudited]
        } else {
            [Variant::Unaudited, Variant::Audited]
        }
    }
}

/// What the two variants of `op` are, in [`Variant::Audited`]'s place and then
/// [`Variant::Unaudited`]'s: most operations compare audited with unaudited writes; the source
/// guard's, the guard on and off; `bulk_insert_vs_hand`, the library's bulk insert and the same
/// history CTE written by hand.
pub fn labels(op: &str) -> [&'static str; 2] {
    if op.starts_with("guarded_") || op.starts_with("recorded_") {
        ["guard on", "guard off"]
    } else if op == "bulk_insert_vs_hand" {
        ["library", "by hand"]
    } else {
        ["audited", "unaudited"]
    }
}

/// What an operation counts: one statement call per op, or rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// `ops/s`: calls per second.
    Ops,
    /// `rows/s`: rows written or read per second.
    Rows,
}

/// Counts the statements a connection sends (Diesel's instrumentation only observes).
#[derive(Clone, Default)]
pub struct Statements(Arc<AtomicU64>);

impl Instrumentation for Statements {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { .. } = event {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl Statements {
    fn take(&self) -> u64 {
        self.0.swap(0, Ordering::Relaxed)
    }
}

/// One timed run of one variant of one operation.
#[derive(Debug, Clone, Copy)]
struct Sample {
    elapsed: Duration,
    statements: u64,
}

/// The run's settings and samples.
pub struct Bench {
    /// Backend name in the records.
    pub backend: &'static str,
    /// Timed rounds after the warm-up.
    pub reps: usize,
    /// Counts statements of the connection under test.
    pub statements: Statements,
    samples: BTreeMap<(usize, Variant), Vec<Sample>>,
    ops: Vec<(&'static str, Unit, usize)>,
    wal: BTreeMap<(&'static str, Variant), f64>,
}

/// A failed run, a failed check, or a database error.
pub type BenchResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

impl Bench {
    /// A benchmark of `backend` with `reps` timed rounds.
    pub fn new(backend: &'static str, reps: usize) -> Self {
        Bench {
            backend,
            reps,
            statements: Statements::default(),
            samples: BTreeMap::new(),
            ops: Vec::new(),
            wal: BTreeMap::new(),
        }
    }

    /// The rounds to run: round 0 is the warm-up, whose samples are dropped.
    pub fn rounds(&self) -> std::ops::Range<usize> {
        0..self.reps + 1
    }

    /// Runs `work` (which does `n` units of `op`), timing it and counting its statements; keeps
    /// the sample unless `round` is the warm-up.
    pub fn time<T>(
        &mut self,
        op: &'static str,
        unit: Unit,
        n: usize,
        variant: Variant,
        round: usize,
        work: impl FnOnce() -> BenchResult<T>,
    ) -> BenchResult<T> {
        self.statements.take();
        let started = Instant::now();
        let out = work()?;
        let elapsed = started.elapsed();
        let statements = self.statements.take();
        let index = match self.ops.iter().position(|(name, ..)| *name == op) {
            Some(index) => index,
            None => {
                self.ops.push((op, unit, n));
                self.ops.len() - 1
            }
        };
        if round > 0 {
            self.samples
                .entry((index, variant))
                .or_default()
                .push(Sample {
                    elapsed,
                    statements,
                });
        }
        Ok(out)
    }

    /// Notes the write-ahead-log bytes one unit of `op` wrote.
    pub fn wal(&mut self, op: &'static str, variant: Variant, bytes_per_unit: f64) {
        self.wal.insert((op, variant), bytes_per_unit);
    }

    /// The median of each operation and variant.
    pub fn results(&self) -> Vec<Measured> {
        let mut out = Vec::new();
        for (index, &(op, unit, n)) in self.ops.iter().enumerate() {
            let median = |variant| {
                let mut samples = self.samples.get(&(index, variant))?.clone();
                samples.sort_by_key(|s| s.elapsed);
                Some(samples[samples.len() / 2])
            };
            let (Some(audited), Some(unaudited)) =
                (median(Variant::Audited), median(Variant::Unaudited))
            else {
                continue;
            };
            out.push(Measured {
                op,
                unit,
                n,
                audited: Rate::of(audited, n),
                unaudited: Rate::of(unaudited, n),
                wal: self
                    .wal
                    .get(&(op, Variant::Audited))
                    .zip(self.wal.get(&(op, Variant::Unaudited)))
                    .map(|(a, u)| (*a, *u)),
            });
        }
        out
    }

    /// The JSON records of [`results`](Self::results).
    pub fn records(&self) -> Vec<Record> {
        let mut out = Vec::new();
        for m in self.results() {
            for (variant, rate) in [
                (Variant::Audited, m.audited),
                (Variant::Unaudited, m.unaudited),
            ] {
                out.push(Record {
                    backend: self.backend,
                    op: m.op,
                    variant: labels(m.op)[variant as usize].replace(' ', "_"),
                    n: m.n,
                    ops_per_s: rate.per_second,
                    mean_us: rate.mean_us,
                });
            }
        }
        out
    }
}

/// A rate measured from a median sample.
#[derive(Debug, Clone, Copy)]
pub struct Rate {
    /// Units (ops or rows) per second.
    pub per_second: f64,
    /// Microseconds per unit.
    pub mean_us: f64,
    /// Statements sent per unit.
    pub statements: f64,
}

impl Rate {
    fn of(sample: Sample, n: usize) -> Self {
        let seconds = sample.elapsed.as_secs_f64().max(1e-9);
        Rate {
            per_second: n as f64 / seconds,
            mean_us: seconds * 1e6 / n as f64,
            statements: sample.statements as f64 / n as f64,
        }
    }
}

/// One operation's medians, both variants.
#[derive(Debug, Clone, Copy)]
pub struct Measured {
    /// The operation.
    pub op: &'static str,
    /// What it counts.
    pub unit: Unit,
    /// Units per run.
    pub n: usize,
    /// Through the library.
    pub audited: Rate,
    /// Without history.
    pub unaudited: Rate,
    /// Write-ahead-log bytes per unit, audited and unaudited, where measured.
    pub wal: Option<(f64, f64)>,
}

impl Measured {
    /// Audited throughput over unaudited throughput.
    pub fn ratio(&self) -> f64 {
        self.audited.per_second / self.unaudited.per_second
    }
}

/// One line of `--json`.
#[derive(Debug, Serialize)]
pub struct Record {
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    /// The operation.
    pub op: &'static str,
    /// `audited` or `unaudited` (the source guard's: `guard_on`, `guard_off`; the hand-written
    /// CTE's: `library`, `by_hand`).
    pub variant: String,
    /// Units per run (ops, or rows for bulk operations and backfill).
    pub n: usize,
    /// Units per second (median of the timed rounds).
    pub ops_per_s: f64,
    /// Microseconds per unit.
    pub mean_us: f64,
}

/// Prints the results as a table, its two variants headed `labels`.
pub fn print_table(results: &[Measured], labels: [&str; 2]) {
    println!(
        "{:<16} {:>9} {:>6} {:>14} {:>14} {:>7} {:>12} {:>12} {:>9} {:>13}",
        "op",
        "n",
        "unit",
        labels[0],
        labels[1],
        "ratio",
        format!("{} µs", labels[0]),
        format!("{} µs", labels[1]),
        "stmts/op",
        "WAL B/op"
    );
    for m in results {
        let unit = match m.unit {
            Unit::Ops => "ops/s",
            Unit::Rows => "rows/s",
        };
        let stmts = match m.unit {
            Unit::Ops => format!(
                "{}/{}",
                trim(m.audited.statements),
                trim(m.unaudited.statements)
            ),
            Unit::Rows => "-".to_owned(),
        };
        let wal = match m.wal {
            Some((audited, unaudited)) => format!("{audited:.0}/{unaudited:.0}"),
            None => "-".to_owned(),
        };
        println!(
            "{:<16} {:>9} {:>6} {:>14.0} {:>14.0} {:>6.2}x {:>12.2} {:>12.2} {:>9} {:>13}",
            m.op,
            m.n,
            unit,
            m.audited.per_second,
            m.unaudited.per_second,
            m.ratio(),
            m.audited.mean_us,
            m.unaudited.mean_us,
            stmts,
            wal
        );
    }
}

fn trim(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

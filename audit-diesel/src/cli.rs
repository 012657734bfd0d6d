//! The operator CLI an application mounts over its registered models (feature `cli`): `run` and
//! `main` on the application's [`Registry`], the same one its changesets are read through.
//!
//! django-simple-history's management commands, for a Rust binary of the application's:
//!
//! ```text
//! <app> models
//! <app> populate (MODEL... | --auto) [--batch-size N] [--missing] [--user ID] [--reason TEXT]
//! <app> clean-duplicates (MODEL... | --auto) [--minutes N] [--excluded-fields F,G] [--dry-run]
//! <app> clean-old (MODEL... | --auto) [--days N] [--keep-latest] [--dry-run] [--batch-size N]
//! <app> verify (MODEL... | --auto) [--against FILE]
//! <app> checkpoint (MODEL... | --auto)
//! <app> anchor MODEL... --reason TEXT
//! <app> drift (MODEL... | --auto) [--record] [--batch-size N]
//! <app> make-migrations --dialect D --dir DIR [--check]
//! ```
//!
//! `verify` walks the hash chains (see [`chain`](crate::chain)), prints each finding, the
//! re-anchorings on record and a checkpoint line per table, and fails when it found anything;
//! `checkpoint` prints only the lines, for an operator to keep elsewhere and give back to
//! `verify --against` later.
//!
//! The commands that write history take the models by name, or `--auto` for every registered
//! model, as django-simple-history's do: with neither they refuse
//! ([`CliError::NoModelSelected`]), so that a forgotten name never cleans every table. An unknown
//! name is an error that lists the valid ones. In both cases nothing is written.
//!
//! ```no_run
//! # include!("../doctest_setup.rs");
//! use audit_diesel::Registry;
//!
//! fn main() -> std::process::ExitCode {
//!     let mut conn = SqliteConnection::establish("farm.sqlite3").expect("database");
//!     Registry::new().model::<Tank>().main(&mut conn)
//! }
//! ```

use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use audit_migrate::cli::DialectArg;
use clap::{Parser, Subcommand};

use crate::connection::AuditConnection;
use crate::maintenance::{self, Backfill, CleanDuplicates, CleanOld, CleanReport, Progress};
use crate::registry::{Entry, Registry};
use crate::{AuditContext, AuditError, UserId};

/// What the CLI can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// The command line could not be parsed (or asked for help).
    #[error("{0}")]
    Usage(#[from] clap::Error),
    /// A model name that is not registered.
    #[error("unknown model `{given}`; registered models: {}", known.join(", "))]
    UnknownModel {
        /// The name given.
        given: String,
        /// The registered names.
        known: Vec<String>,
    },
    /// A command that writes history was given no model names and no `--auto`; nothing was
    /// written.
    #[error(
        "`{command}` writes history: name the models to work on ({}), or give --auto for every \
         registered model",
        known.join(", ")
    )]
    NoModelSelected {
        /// The command.
        command: &'static str,
        /// The registered names.
        known: Vec<String>,
    },
    /// An argument whose value is out of range; nothing was written.
    #[error("{argument} {value} is out of range: {reason}")]
    ArgumentOutOfRange {
        /// The argument, as typed: `--minutes`.
        argument: &'static str,
        /// Its value.
        value: String,
        /// Why it is out of range.
        reason: &'static str,
    },
    /// A history operation failed.
    #[error(transparent)]
    Audit(#[from] AuditError),
    /// Generating or checking migrations failed.
    #[error(transparent)]
    Migrations(#[from] audit_migrate::Error),
    /// The invalid audit context (its reason).
    #[error(transparent)]
    Context(#[from] crate::ContextError),
    /// Writing the output failed.
    #[error("cannot write the output: {0}")]
    Output(#[from] std::io::Error),
    /// `drift` found writes that bypassed the library and was not asked to record them (the
    /// report names them).
    #[error("drift found writes to {} that bypassed the library: see the report (--record writes their history)", models.join(", "))]
    Drift {
        /// The models with drift.
        models: Vec<String>,
    },
    /// `verify` found forgeries, broken anchors or a checkpoint that does not match (the report
    /// names them).
    #[error("verify found the history of {} not as written: see the report", models.join(", "))]
    NotClean {
        /// The models whose history failed.
        models: Vec<String>,
    },
    /// A checkpoint file that cannot be read or parsed; nothing was verified.
    #[error("checkpoint file {path}: {reason}")]
    Checkpoints {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        reason: String,
    },
}

#[derive(Parser)]
#[command(about = "Maintains the audit trail of this application's models")]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the registered models and their history tables.
    Models,
    /// Write a `+` history row for existing rows (django-simple-history's populate_history).
    Populate {
        /// Models to fill, by name or history table.
        models: Vec<String>,
        /// Every registered model.
        #[arg(long, conflicts_with = "models")]
        auto: bool,
        /// Source rows per batch.
        #[arg(long, default_value_t = maintenance::DEFAULT_BACKFILL_BATCH)]
        batch_size: usize,
        /// Also fill models that have history, for rows whose object has none.
        #[arg(long)]
        missing: bool,
        /// Offline fast load: one transaction per model that locks its history table, drops its
        /// secondary indexes and builds them once at the end (for a rollout before traffic).
        #[arg(long)]
        defer_indexes: bool,
        /// Who the rows are attributed to (an integer, a UUID or text).
        // Explicitly `FromStr`: clap would otherwise pick `From<String>`, and "7" would be text.
        #[arg(long, value_parser = |s: &str| s.parse::<UserId>())]
        user: Option<UserId>,
        /// The change reason of the rows.
        #[arg(long, default_value = "populate_history")]
        reason: String,
    },
    /// Delete `~` rows identical to the row before them (django-simple-history's
    /// clean_duplicate_history).
    CleanDuplicates {
        /// Models to clean, by name or history table.
        models: Vec<String>,
        /// Every registered model.
        #[arg(long, conflicts_with = "models")]
        auto: bool,
        /// Only rows of the last N minutes (a window reaching back before the year 1 is refused).
        #[arg(long)]
        minutes: Option<u64>,
        /// Fields ignored when comparing a row with the one before it (comma-separated; each
        /// must be a tracked field of every model cleaned).
        #[arg(long, value_delimiter = ',')]
        excluded_fields: Vec<String>,
        /// Report what would be deleted; delete nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Delete rows older than N days (django-simple-history's clean_old_history).
    CleanOld {
        /// Models to clean, by name or history table.
        models: Vec<String>,
        /// Every registered model.
        #[arg(long, conflicts_with = "models")]
        auto: bool,
        /// Age in days of the rows to delete (an age reaching back before the year 1 deletes
        /// nothing: no row is that old).
        #[arg(long, default_value_t = 30)]
        days: u64,
        /// Keep every object's latest row.
        #[arg(long)]
        keep_latest: bool,
        /// Report what would be deleted; delete nothing.
        #[arg(long)]
        dry_run: bool,
        /// Rows per delete statement.
        #[arg(long, default_value_t = 10_000)]
        batch_size: u64,
    },
    /// Recompute the hash chains; report every edited, deleted, inserted or reordered row.
    Verify {
        /// Models to verify, by name or history table.
        models: Vec<String>,
        /// Every registered model.
        #[arg(long, conflicts_with = "models")]
        auto: bool,
        /// A file of checkpoint lines (from `checkpoint`) to compare each table with.
        #[arg(long)]
        against: Option<PathBuf>,
    },
    /// Print each table's checkpoint line, to keep elsewhere for `verify --against`.
    Checkpoint {
        /// Models, by name or history table.
        models: Vec<String>,
        /// Every registered model.
        #[arg(long, conflicts_with = "models")]
        auto: bool,
    },
    /// Hash the rows that have no hash (written before the table had its chain); recorded.
    Anchor {
        /// Models, by name or history table.
        models: Vec<String>,
        /// Every registered model.
        #[arg(long, conflicts_with = "models")]
        auto: bool,
        /// Why, for the record.
        #[arg(long)]
        reason: String,
    },
    /// Compare the live rows with their latest history rows: report creates, updates and
    /// deletes made without the library.
    Drift {
        /// Models to check, by name or history table.
        models: Vec<String>,
        /// Every registered model.
        #[arg(long, conflicts_with = "models")]
        auto: bool,
        /// Write the missing history rows (no user; the reason names the check).
        #[arg(long)]
        record: bool,
        /// Live rows per batch.
        #[arg(long, default_value_t = maintenance::DEFAULT_BACKFILL_BATCH)]
        batch_size: usize,
    },
    /// Write the migrations of the registered models' history tables (or check them).
    MakeMigrations {
        /// SQL dialect of the migrations.
        #[arg(long, value_enum)]
        dialect: DialectArg,
        /// The migrations directory.
        #[arg(long)]
        dir: PathBuf,
        /// Write nothing; fail if the migrations do not match the models.
        #[arg(long)]
        check: bool,
    },
}

impl<C: AuditConnection> Registry<C> {
    /// The entries named, or all with `auto`; checks every name before anything runs.
    fn select(
        &self,
        command: &'static str,
        names: &[String],
        auto: bool,
    ) -> Result<Vec<&Entry<C>>, CliError> {
        if auto {
            return Ok(self.entries.iter().collect());
        }
        if names.is_empty() {
            return Err(CliError::NoModelSelected {
                command,
                known: self.names(),
            });
        }
        let mut seen = BTreeSet::new();
        let mut selected = Vec::new();
        for name in names {
            let entry = self.entry(name).ok_or_else(|| CliError::UnknownModel {
                given: name.clone(),
                known: self.names(),
            })?;
            if seen.insert(entry.spec.model.clone()) {
                selected.push(entry);
            }
        }
        Ok(selected)
    }

    /// Runs the command line `args` (the first is the program name), writing the report to `out`.
    ///
    /// # Errors
    /// Any [`CliError`]; with an unknown model name, before anything is written.
    pub fn run<I, T>(&self, conn: &mut C, args: I, out: &mut dyn Write) -> Result<(), CliError>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        match Args::try_parse_from(args)?.command {
            Command::Models => {
                for entry in &self.entries {
                    writeln!(out, "{:<24} {}", entry.spec.model, entry.spec.history_table)?;
                }
            }
            Command::Populate {
                models,
                auto,
                batch_size,
                missing,
                defer_indexes,
                user,
                reason,
            } => {
                let entries = self.select("populate", &models, auto)?;
                let mut builder = AuditContext::builder().reason(reason);
                if let Some(user) = user {
                    builder = builder.user(user);
                }
                let ctx = builder.build()?;
                // Every model takes the user id, or none is written: the batches of a model
                // commit as they go, so a refusal at the second model would leave the first's.
                for entry in &entries {
                    (entry.fits)(conn, &ctx, missing)?;
                }
                let options = Backfill {
                    batch_size,
                    only_missing: missing,
                    defer_indexes,
                };
                let mut bar = progress_bar();
                for entry in entries {
                    let report = (entry.populate)(conn, &ctx, &options, &mut bar)?;
                    if report.skipped {
                        writeln!(
                            out,
                            "{:<24} skipped: it has history already (--missing fills the gaps)",
                            report.model
                        )?;
                    } else {
                        writeln!(
                            out,
                            "{:<24} {} rows in {} batches, {:.2}s, {:.0} rows/s",
                            report.model,
                            report.written,
                            report.batches,
                            report.elapsed.as_secs_f64(),
                            report.rows_per_second()
                        )?;
                    }
                }
            }
            Command::CleanDuplicates {
                models,
                auto,
                minutes,
                excluded_fields,
                dry_run,
            } => {
                let entries = self.select("clean-duplicates", &models, auto)?;
                let out_of_range = |m: u64| CliError::ArgumentOutOfRange {
                    argument: "--minutes",
                    value: m.to_string(),
                    reason: "it reaches back before the year 1, the earliest date history stores",
                };
                let within = minutes
                    .map(|m| {
                        m.checked_mul(60)
                            .map(Duration::from_secs)
                            .ok_or_else(|| out_of_range(m))
                    })
                    .transpose()?;
                let options = CleanDuplicates {
                    within,
                    dry_run,
                    excluded_fields,
                };
                if let (Some(m), Err(_)) = (minutes, options.since()) {
                    return Err(out_of_range(m));
                }
                // Every model knows every excluded field, or nothing is cleaned.
                for entry in &entries {
                    options.check_fields(entry.spec)?;
                }
                for entry in entries {
                    clean_line(out, &(entry.duplicates)(conn, &options)?, "duplicate")?;
                }
            }
            Command::CleanOld {
                models,
                auto,
                days,
                keep_latest,
                dry_run,
                batch_size,
            } => {
                let entries = self.select("clean-old", &models, auto)?;
                let options = CleanOld {
                    // Saturating is exact: any age that saturates lies before the year 1, and
                    // clean_old_history deletes nothing for it.
                    older_than: Duration::from_secs(days.saturating_mul(24 * 3600)),
                    keep_latest,
                    dry_run,
                    batch_size: Some(batch_size),
                };
                for entry in entries {
                    clean_line(out, &(entry.old)(conn, &options)?, "old")?;
                }
            }
            Command::Verify {
                models,
                auto,
                against,
            } => {
                let entries = chained(self.select("verify", &models, auto)?, auto, out)?;
                let checkpoints = match &against {
                    Some(path) => read_checkpoints(path)?,
                    None => Vec::new(),
                };
                let mut failed = Vec::new();
                let mut bar = progress_bar();
                for entry in entries {
                    let options = crate::chain::Verify {
                        against: checkpoints
                            .iter()
                            .find(|c| c.table == *entry.spec.history_table)
                            .cloned(),
                    };
                    let report = crate::chain::verify_table(conn, entry.spec, &options, &mut bar)?;
                    verify_lines(out, &report)?;
                    if !report.is_clean() {
                        failed.push(report.model);
                    }
                }
                if !failed.is_empty() {
                    return Err(CliError::NotClean { models: failed });
                }
            }
            Command::Checkpoint { models, auto } => {
                for entry in chained(self.select("checkpoint", &models, auto)?, auto, out)? {
                    let report = crate::chain::verify_table(
                        conn,
                        entry.spec,
                        &crate::chain::Verify::default(),
                        |_| {},
                    )?;
                    writeln!(out, "{}", report.checkpoint)?;
                }
            }
            Command::Anchor {
                models,
                auto,
                reason,
            } => {
                for entry in chained(self.select("anchor", &models, auto)?, auto, out)? {
                    let report = crate::chain::anchor_table(conn, entry.spec, &reason)?;
                    match &report.anchor {
                        Some(anchor) => writeln!(out, "{:<24} {anchor}", report.model)?,
                        None => writeln!(out, "{:<24} every row has its hash", report.model)?,
                    }
                }
            }
            Command::Drift {
                models,
                auto,
                record,
                batch_size,
            } => {
                let entries = self.select("drift", &models, auto)?;
                let options = crate::drift::Drift { batch_size, record };
                let mut bar = progress_bar();
                let mut drifted = Vec::new();
                for entry in entries {
                    let report = (entry.drift)(conn, &options, &mut bar)?;
                    let verdict = match (report.findings.len(), record) {
                        (0, _) => "no drift".to_owned(),
                        (n, true) => {
                            format!("{n} drifted, {} history rows recorded", report.recorded)
                        }
                        (n, false) => format!("{n} drifted"),
                    };
                    writeln!(out, "{:<24} {} rows: {verdict}", report.model, report.rows)?;
                    for finding in &report.findings {
                        writeln!(out, "  {finding}")?;
                    }
                    if !report.findings.is_empty() && !record {
                        drifted.push(report.model);
                    }
                }
                if !drifted.is_empty() {
                    return Err(CliError::Drift { models: drifted });
                }
            }
            Command::MakeMigrations {
                dialect,
                dir,
                check,
            } => {
                let migrations = self.entries.iter().fold(
                    audit_migrate::Migrations::new(&dir, dialect.into()),
                    |m, e| m.model(e.spec),
                );
                if check {
                    migrations.check()?;
                    writeln!(out, "{}: history migrations are up to date", dir.display())?;
                } else {
                    migrations.generate()?.print(&dir, out)?;
                }
            }
        }
        Ok(())
    }

    /// For a `main`: runs the process's command line, prints the report, and turns errors into
    /// a message and a failing exit code.
    pub fn main(&self, conn: &mut C) -> ExitCode {
        match self.run(conn, std::env::args_os(), &mut std::io::stdout()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(CliError::Usage(e)) => {
                let _ = e.print();
                if e.use_stderr() {
                    ExitCode::from(2)
                } else {
                    ExitCode::SUCCESS
                }
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        }
    }
}

/// The chained models among `entries`: with `--auto` the others are skipped with a line saying
/// so (a model named that has no chain is an error, from the command itself).
fn chained<'e, C: AuditConnection>(
    entries: Vec<&'e Entry<C>>,
    auto: bool,
    out: &mut dyn Write,
) -> Result<Vec<&'e Entry<C>>, CliError> {
    if !auto {
        return Ok(entries);
    }
    let mut kept = Vec::new();
    for entry in entries {
        if entry.spec.chained() {
            kept.push(entry);
        } else {
            writeln!(out, "{:<24} has no hash chain (skipped)", entry.spec.model)?;
        }
    }
    Ok(kept)
}

/// The checkpoint lines of a file (blank lines and `#` comments skipped).
fn read_checkpoints(path: &std::path::Path) -> Result<Vec<crate::chain::Checkpoint>, CliError> {
    let err = |reason: String| CliError::Checkpoints {
        path: path.to_owned(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    text.lines()
        .enumerate()
        .map(|(i, line)| (i, line.trim()))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
        .map(|(i, line)| {
            line.parse()
                .map_err(|e| err(format!("line {}: {e}", i.saturating_add(1))))
        })
        .collect()
}

/// A verify report, a line per finding and anchor.
fn verify_lines(out: &mut dyn Write, report: &crate::chain::VerifyReport) -> std::io::Result<()> {
    let verdict = if report.is_clean() {
        "clean"
    } else {
        "NOT CLEAN"
    };
    writeln!(
        out,
        "{:<24} {} rows, {} objects: {verdict}",
        report.model, report.rows, report.objects
    )?;
    for finding in &report.findings {
        writeln!(out, "  {finding}")?;
    }
    for id in &report.broken_anchors {
        writeln!(
            out,
            "  anchor {id} does not match its hash or link: the record of maintenance was changed"
        )?;
    }
    for anchor in &report.anchors {
        writeln!(out, "  {anchor}")?;
    }
    if let Some(check) = &report.against {
        writeln!(out, "  {check}")?;
    }
    writeln!(out, "  {}", report.checkpoint)
}

fn clean_line(out: &mut dyn Write, report: &CleanReport, what: &str) -> std::io::Result<()> {
    let verb = if report.dry_run {
        "would delete"
    } else {
        "deleted"
    };
    writeln!(
        out,
        "{:<24} {verb} {} {what} rows",
        report.model, report.rows
    )
}

/// A progress bar for backfills, one per model, on standard error; indicatif draws nothing
/// when standard error is not a terminal.
fn progress_bar() -> impl FnMut(&Progress<'_>) {
    let mut current: Option<(String, indicatif::ProgressBar)> = None;
    move |p: &Progress<'_>| {
        if current.as_ref().is_none_or(|(model, _)| model != p.model) {
            if let Some((_, done)) = current.take() {
                done.finish();
            }
            let bar = indicatif::ProgressBar::new(p.total).with_message(p.model.to_owned());
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{msg:<20} [{bar:30}] {pos}/{len} rows ({percent}%), {per_sec}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            current = Some((p.model.to_owned(), bar));
        }
        if let Some((_, bar)) = &current {
            bar.set_position(p.done);
            if p.done >= p.total {
                bar.finish();
            }
        }
    }
}

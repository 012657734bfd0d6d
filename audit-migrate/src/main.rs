//! `audit-makemigrations`: writes (or checks) the history migrations of a crate's models.
//!
//! ```sh
//! audit-makemigrations --dialect postgres --dir migrations --models src
//! audit-makemigrations --dialect postgres --dir migrations --models src --check
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use audit_migrate::cli::DialectArg;
use audit_migrate::Migrations;
use clap::Parser;

/// Writes the diesel-CLI migrations that create and evolve the history tables of the
/// `#[derive(Historical)]` models found in the given sources.
#[derive(Parser)]
#[command(name = "audit-makemigrations", version)]
struct Args {
    /// SQL dialect of the migrations.
    #[arg(long, value_enum)]
    dialect: DialectArg,
    /// The migrations directory (diesel CLI's layout).
    #[arg(long)]
    dir: PathBuf,
    /// A Rust file or a directory of them to read models from; repeat for more.
    #[arg(long = "models", required = true)]
    models: Vec<PathBuf>,
    /// Write nothing; fail if the migrations do not match the models.
    #[arg(long, conflicts_with = "accept")]
    check: bool,
    /// Record HISTORY_TABLE as its model describes it, after a change made by a migration of
    /// your own (a retyped column, a new key).
    #[arg(long, value_name = "HISTORY_TABLE")]
    accept: Option<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let migrations = args.models.iter().fold(
        Migrations::new(&args.dir, args.dialect.into()),
        |m, path| m.models_in(path),
    );
    let result = if args.check {
        migrations.check().map(|()| {
            println!("{}: history migrations are up to date", args.dir.display());
            None
        })
    } else if let Some(table) = &args.accept {
        migrations.accept(table).map(Some)
    } else {
        migrations.generate().map(Some)
    };
    match result {
        Ok(report) => {
            if let Some(report) = report {
                if let Err(error) = report.print(&args.dir, &mut std::io::stdout()) {
                    eprintln!("error: {error}");
                    return ExitCode::FAILURE;
                }
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

//! Migration directories in diesel CLI's layout: `<dir>/<version>_<name>/{up,down}.sql`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::state::{self, Parsed, TableState};
use crate::Error;

/// What the directory holds.
#[derive(Default)]
pub(crate) struct OnDisk {
    /// The latest recorded state of each history table.
    pub states: BTreeMap<String, TableState>,
    /// The newest version of any migration in the directory, generated or not.
    pub last_version: Option<DateTime<Utc>>,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_owned(),
        source,
    }
}

pub(crate) fn read(dir: &Path) -> Result<OnDisk, Error> {
    let mut on_disk = OnDisk::default();
    if !dir.exists() {
        return Ok(on_disk);
    }
    let mut migrations: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(io(dir))?;
    // Diesel runs migrations in version order; the folder name starts with the version.
    migrations.retain(|p| p.join("up.sql").is_file());
    migrations.sort();
    for migration in migrations {
        let name = migration
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if let Some(version) = parse_version(&name) {
            on_disk.last_version = on_disk.last_version.max(Some(version));
        }
        let up = migration.join("up.sql");
        let text = std::fs::read_to_string(&up).map_err(io(&up))?;
        match state::parse_up(&text) {
            Parsed::Foreign => {}
            Parsed::Generated(state) => {
                let down = migration.join("down.sql");
                let intact = match std::fs::read_to_string(&down) {
                    Ok(text) => state::down_is_intact(&text),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
                    Err(e) => return Err(io(&down)(e)),
                };
                if !intact {
                    return Err(Error::Edited { migration: down });
                }
                on_disk
                    .states
                    .insert(state.spec.history_table.to_string(), state);
            }
            Parsed::Edited => return Err(Error::Edited { migration: up }),
            Parsed::Unreadable(reason) => {
                return Err(Error::Unreadable {
                    migration: up,
                    reason,
                })
            }
        }
    }
    Ok(on_disk)
}

/// The version of a folder named `YYYY-MM-DD-HHMMSS_name` (or `YYYYMMDDHHMMSS_name`).
fn parse_version(name: &str) -> Option<DateTime<Utc>> {
    let version: String = name
        .split('_')
        .next()?
        .chars()
        .filter(|c| *c != '-')
        .collect();
    NaiveDateTime::parse_from_str(&version, "%Y%m%d%H%M%S")
        .ok()
        .map(|t| t.and_utc())
        // Diesel's versions have four-digit years; a folder named otherwise is not a version,
        // and later versions are counted up from this one without overflow.
        .filter(|t| (1..=9999).contains(&chrono::Datelike::year(t)))
}

pub(crate) fn write(
    dir: &Path,
    name: &str,
    header: &[String],
    state: &TableState,
    up: &str,
    down: &str,
) -> Result<PathBuf, Error> {
    let path = dir.join(name);
    std::fs::create_dir_all(&path).map_err(io(&path))?;
    let up_path = path.join("up.sql");
    std::fs::write(&up_path, state::render_up(header, state, up)).map_err(io(&up_path))?;
    let down_path = path.join("down.sql");
    std::fs::write(&down_path, state::render_down(down)).map_err(io(&down_path))?;
    Ok(path)
}

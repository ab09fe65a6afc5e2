//! Case files on disk: one `<alert id>.json` per case in one folder, each write atomic.
//!
//! A save writes a hidden temp file beside the target, syncs it, renames it over the target and
//! syncs the folder, so a reader sees the old case or the new one, never half of one; a failed
//! save leaves the old file as it was. A file that does not parse is set aside as
//! `<file>.corrupt-<time>` and reported, never overwritten. File names are derived from alert ids
//! so that no id can reach outside the folder.

use super::{Case, default_analyst};
use crate::detect::Alert;
use sha2::{Digest, Sha256};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

/// Temp files older than this are leftovers of a writer that died; [`CaseStore::open`] removes them.
pub const STALE_TEMP: Duration = Duration::from_secs(60);
/// Longest id kept verbatim in a file name.
const NAME_MAX: usize = 100;

/// Why a case could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    /// No folder was given and the platform has no data folder (no home directory).
    #[error("no folder for case files: the system has no data directory (pass --cases DIR)")]
    NoDefaultDir,
    /// A file-system operation failed.
    #[error("cannot {op} {}: {source}", path.display())]
    Io {
        /// What was being done (`write`, `read`, `create folder` …).
        op: &'static str,
        /// The path it was done to.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// A case file did not parse; it was set aside (if `set_aside` is set) and a fresh case used.
    #[error("case file {} is unreadable ({reason}); {}", path.display(), aside_text(set_aside.as_deref()))]
    Corrupt {
        /// The case file.
        path: PathBuf,
        /// The parser's complaint.
        reason: String,
        /// Where the file was moved; `None` when even that failed (the file is left in place).
        set_aside: Option<PathBuf>,
    },
    /// The case could not be encoded (should not happen).
    #[error("cannot encode case: {0}")]
    Encode(#[from] serde_json::Error),
}

fn aside_text(p: Option<&Path>) -> String {
    match p {
        Some(p) => format!("kept as {}", p.display()),
        None => "it could not be moved aside and was left untouched".into(),
    }
}

fn io_err<'a>(op: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> CaseError + 'a {
    move |source| CaseError::Io { op, path: path.to_path_buf(), source }
}

/// A case from [`CaseStore::load_or_new`], with the problem met on the way (a corrupt file that
/// was set aside), for the TUI to show.
#[derive(Debug)]
pub struct Loaded {
    /// The stored case, or a fresh one.
    pub case: Case,
    /// What went wrong reading the stored one, if anything.
    pub problem: Option<CaseError>,
}

/// The folder holding case files.
#[derive(Clone, Debug)]
pub struct CaseStore {
    dir: PathBuf,
}

impl CaseStore {
    /// The default folder: the platform data folder for trailwatch, then `cases`
    /// (`~/.local/share/trailwatch/cases` on Linux).
    pub fn default_dir() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "trailwatch").map(|d| d.data_dir().join("cases"))
    }

    /// Opens the default folder.
    pub fn open_default() -> Result<Self, CaseError> {
        Self::open(Self::default_dir().ok_or(CaseError::NoDefaultDir)?)
    }

    /// Opens (creating it if needed) a case folder, and removes temp files left by dead writers.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self, CaseError> {
        let dir = dir.into();
        create_private_dir(&dir).map_err(io_err("create folder", &dir))?;
        let store = CaseStore { dir };
        store.clean_stale_temp(STALE_TEMP);
        Ok(store)
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file of an alert's case.
    pub fn path_for(&self, alert_id: &str) -> PathBuf {
        self.dir.join(file_name(alert_id))
    }

    /// Removes temp files older than `max_age` (a writer killed between writing and renaming);
    /// returns how many. Younger ones may belong to a writer still at work and are left alone.
    pub fn clean_stale_temp(&self, max_age: Duration) -> usize {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return 0;
        };
        let now = SystemTime::now();
        let mut removed = 0;
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if !(name.starts_with('.') && name.contains(".json.tmp-")) {
                continue;
            }
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| now.duration_since(t).unwrap_or_default() >= max_age);
            if old && fs::remove_file(entry.path()).is_ok() {
                removed += 1;
            }
        }
        removed
    }

    /// The stored case of an alert: `Ok(None)` when there is none. A file that does not parse (or
    /// belongs to another alert) is set aside and reported as [`CaseError::Corrupt`].
    pub fn load(&self, alert_id: &str) -> Result<Option<Case>, CaseError> {
        let path = self.path_for(alert_id);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err("read", &path)(e)),
        };
        match serde_json::from_slice::<Case>(&bytes) {
            Ok(case) if case.alert_id == alert_id => Ok(Some(case)),
            Ok(case) => Err(set_aside(&path, format!("it holds the case of alert {:?}", case.alert_id))),
            Err(e) => Err(set_aside(&path, e.to_string())),
        }
    }

    /// The stored case of an alert, or a new one (not yet saved). A corrupt file is set aside and
    /// returned as the problem next to a fresh case; if it cannot be set aside this fails, so the
    /// next save cannot overwrite it.
    pub fn load_or_new(&self, alert: &Alert) -> Result<Loaded, CaseError> {
        match self.load(&alert.id) {
            Ok(Some(case)) => Ok(Loaded { case, problem: None }),
            Ok(None) => Ok(Loaded { case: Case::new(alert), problem: None }),
            Err(e @ CaseError::Corrupt { set_aside: Some(_), .. }) => {
                Ok(Loaded { case: Case::new(alert), problem: Some(e) })
            }
            Err(e) => Err(e),
        }
    }

    /// Writes a case atomically; on error the previous file is intact.
    pub fn save(&self, case: &Case) -> Result<PathBuf, CaseError> {
        let mut bytes = serde_json::to_vec_pretty(case)?;
        bytes.push(b'\n');
        let path = self.path_for(&case.alert_id);
        write_file(&path, &bytes, true).map_err(io_err("write", &path))?;
        Ok(path)
    }

    /// Every readable case in the folder, by alert id, and the problems met (corrupt files are
    /// set aside as by [`Self::load`]).
    pub fn load_all(&self) -> (std::collections::BTreeMap<String, Case>, Vec<CaseError>) {
        let mut cases = std::collections::BTreeMap::new();
        let mut problems = Vec::new();
        let entries = match fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) => return (cases, vec![io_err("list", &self.dir)(e)]),
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || !name.ends_with(".json") {
                continue;
            }
            match fs::read(&path).map_err(io_err("read", &path)) {
                Ok(bytes) => match serde_json::from_slice::<Case>(&bytes) {
                    Ok(case) => {
                        cases.insert(case.alert_id.clone(), case);
                    }
                    Err(e) => problems.push(set_aside(&path, e.to_string())),
                },
                Err(e) => problems.push(e),
            }
        }
        (cases, problems)
    }

    /// The analyst name to record (for callers that were given none).
    pub fn analyst() -> String {
        default_analyst()
    }
}

/// The file name of an alert's case: the id itself when it is a plain name (letters, digits,
/// `-`, `_`, `.` not in front), else a cleaned id plus a hash of the real one, so distinct ids
/// never share a file and none leaves the folder.
pub fn file_name(alert_id: &str) -> String {
    let clean: String = alert_id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' })
        .collect();
    let clean = clean.trim_start_matches('.');
    if !clean.is_empty() && clean == alert_id && clean.len() <= NAME_MAX {
        return format!("{clean}.json");
    }
    let digest = Sha256::digest(alert_id.as_bytes());
    let hash: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    let stem: String = clean.chars().take(NAME_MAX).collect();
    format!("{}~{hash}.json", if stem.is_empty() { "case" } else { &stem })
}

/// Moves a corrupt file to `<file>.corrupt-<UTC time>` and describes it.
fn set_aside(path: &Path, reason: String) -> CaseError {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let name = path.file_name().map_or_else(|| "case".into(), |n| n.to_string_lossy().into_owned());
    let target = (1..100).map(|n| {
        let suffix = if n == 1 { String::new() } else { format!("-{n}") };
        path.with_file_name(format!("{name}.corrupt-{stamp}{suffix}"))
    });
    let moved = target.into_iter().find(|t| !t.exists()).filter(|t| fs::rename(path, t).is_ok());
    CaseError::Corrupt { path: path.to_path_buf(), reason, set_aside: moved }
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)
}

/// Writes a file atomically: temp file in the same folder, `sync_all`, rename over the target,
/// sync the folder. On error the temp file is removed and the target is untouched.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_file(path, bytes, false)
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

fn write_file(path: &Path, bytes: &[u8], private: bool) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path.file_name().map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    let tmp = dir.join(format!(".{name}.tmp-{}-{n}", std::process::id()));
    let result = (|| {
        let mut f = open_new(&tmp, private)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)?;
        sync_dir(dir)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

fn open_new(path: &Path, private: bool) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(if private { 0o600 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = private;
    o.open(path)
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    match File::open(dir).and_then(|d| d.sync_all()) {
        // Some file systems cannot sync a folder; the rename itself has happened.
        Err(e) if matches!(e.kind(), io::ErrorKind::InvalidInput | io::ErrorKind::Unsupported) => Ok(()),
        r => r,
    }
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

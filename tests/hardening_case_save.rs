//! Case saves that fail in the middle of a session: the folder turns read-only, or the disk is
//! full. The TUI must show the error in the status bar, keep the change in memory and leave the
//! previously saved case file exactly as it was (no temp file left behind).
//!
//! A full disk is simulated with a file-size limit (`RLIMIT_FSIZE` via `prlimit`, SIGXFSZ
//! ignored): writes fail with EFBIG, as they would with ENOSPC, and this works as root too. The
//! limit is process-wide, so this binary holds one test only.

mod tui_fixture;
mod tui_support;

use std::path::Path;
use std::sync::Arc;
use trailwatch::case::Status;
use trailwatch::tui::App;
use trailwatch::tui::screens::Screen;
use tui_support::*;

fn selected(app: &App) -> usize {
    let Some(Screen::Alerts(q)) = app.top() else { panic!("not on the queue") };
    q.selected().unwrap()
}

fn case_files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

fn running_as_root() -> bool {
    std::process::Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Sets the soft file-size limit of this process; false if `prlimit` is missing.
fn set_fsize(limit: &str) -> bool {
    std::process::Command::new("prlimit")
        .args(["--pid", &std::process::id().to_string(), &format!("--fsize={limit}:")])
        .status()
        .is_ok_and(|s| s.success())
}

/// Presses `status` on the selected alert and checks the save failed visibly and harmlessly.
fn assert_failed_save(app: &mut App, cases: &Path, file: &Path, before: &[u8], status: char, want: Status) {
    let files = case_files(cases);
    app.press(key(status));
    let msg = app.message().unwrap_or_default().to_string();
    assert!(msg.starts_with("case not saved"), "status bar: {msg:?}");
    assert!(text(&render(app, 100, 30)).contains("case not saved"));
    assert_eq!(app.context().cases.status(selected(app)), want, "the change stays in memory");
    assert_eq!(std::fs::read(file).unwrap(), before, "the previous case file is intact");
    assert_eq!(case_files(cases), files, "no temp file is left behind");
}

#[cfg(unix)]
#[test]
fn failed_saves_mid_session_show_an_error_and_keep_the_old_file() {
    use std::os::unix::fs::PermissionsExt;
    let (store, report, alerts) = loaded();
    let dir = tempfile::tempdir().unwrap();
    let cases = dir.path().join("cases");
    let now = store.span().unwrap().1;
    let mut app = App::new(Arc::new(store), report, alerts, options(dir.path()), now);
    app.press(key('i')); // every alert: a status is one alert's
    let id = app.context().alerts[selected(&app)].id.clone();
    app.press(key('2'));
    let msg = app.message().unwrap_or_default().to_string();
    assert!(msg.contains("new → investigating") && !msg.contains("not saved"), "the first save works: {msg:?}");
    let file = cases.join(format!("{id}.json"));
    let before = std::fs::read(&file).unwrap();
    assert!(String::from_utf8_lossy(&before).contains("investigating"));

    // The folder turns read-only (root ignores folder permissions: only checked as a user).
    std::fs::set_permissions(&cases, std::fs::Permissions::from_mode(0o500)).unwrap();
    if running_as_root() {
        eprintln!("running as root: read-only folder part skipped");
    } else {
        assert_failed_save(&mut app, &cases, &file, &before, '3', Status::Resolved);
    }
    std::fs::set_permissions(&cases, std::fs::Permissions::from_mode(0o700)).unwrap();

    // The disk is full: no write may grow a file past 16 bytes.
    let ignore = Arc::new(std::sync::atomic::AtomicBool::new(false));
    signal_hook::flag::register(signal_hook::consts::SIGXFSZ, ignore).unwrap();
    if !set_fsize("16") {
        eprintln!("prlimit unavailable: full-disk part skipped");
        return;
    }
    let full = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        assert_failed_save(&mut app, &cases, &file, &before, '4', Status::FalsePositive);
    }));
    assert!(set_fsize("unlimited"), "cannot lift the file-size limit");
    if let Err(e) = full {
        std::panic::resume_unwind(e);
    }

    // Space again: the next change saves everything kept in memory.
    app.press(key('3'));
    let msg = app.message().unwrap_or_default().to_string();
    assert!(msg.ends_with("→ resolved (u undoes)") && !msg.contains("not saved"), "{msg:?}");
    assert!(String::from_utf8_lossy(&std::fs::read(&file).unwrap()).contains("resolved"));
}

//! The investigator under a real pseudo-terminal: when the terminal goes away (an SSH session
//! dropped, `tmux kill-session`), the process saves what was typed and ends within seconds
//! instead of spinning on a core.
#![cfg(unix)]

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long the binary may take to end once its terminal is gone (the bound).
const EXIT_WITHIN: Duration = Duration::from_secs(3);

/// The investigator on a pseudo-terminal, with what it drew so far.
struct Session {
    child: Child,
    master: Option<OwnedFd>,
    screen: Arc<Mutex<Vec<u8>>>,
    stop_reading: Arc<AtomicBool>,
    reader: Option<std::thread::JoinHandle<()>>,
    cases: tempfile::TempDir,
}

/// Held from opening a pty until its child is started: no other test's child may inherit this
/// one's descriptors (it would keep the terminal open).
static SPAWNING: Mutex<()> = Mutex::new(());

/// A pseudo-terminal pair (master, slave), closed on exec.
fn openpty() -> (OwnedFd, OwnedFd) {
    let (mut m, mut s) = (0, 0);
    let size = libc::winsize { ws_row: 30, ws_col: 110, ws_xpixel: 0, ws_ypixel: 0 };
    // SAFETY: openpty writes two descriptors; the name and termios are optional.
    let r = unsafe { libc::openpty(&mut m, &mut s, std::ptr::null_mut(), std::ptr::null(), &size) };
    assert_eq!(r, 0, "openpty: {}", io::Error::last_os_error());
    for fd in [m, s] {
        // SAFETY: sets a flag on a descriptor just opened.
        assert_eq!(unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) }, 0);
    }
    // SAFETY: both were just opened and belong to nobody else.
    unsafe { (OwnedFd::from_raw_fd(m), OwnedFd::from_raw_fd(s)) }
}

impl Session {
    /// Starts `trailwatch demo` with the pty's slave as its standard streams. `controlling`: the
    /// pty is its controlling terminal (so closing the master also sends it SIGHUP); otherwise
    /// it only sees its reads fail.
    fn start(controlling: bool) -> Session {
        let spawning = SPAWNING.lock().unwrap_or_else(|e| e.into_inner());
        let (master, slave) = openpty();
        let cases = tempfile::tempdir().unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_trailwatch"));
        cmd.args(["demo", "--cases"])
            .arg(cases.path())
            .env("TERM", "xterm-256color")
            .stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave));
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                if libc::setsid() < 0 {
                    return Err(io::Error::last_os_error());
                }
                if controlling && libc::ioctl(0, libc::TIOCSCTTY as _, 0) < 0 {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().expect("start trailwatch");
        drop(cmd);
        drop(spawning);
        let screen = Arc::new(Mutex::new(Vec::new()));
        let stop_reading = Arc::new(AtomicBool::new(false));
        let (fd, out, stop) = (master.as_raw_fd(), screen.clone(), stop_reading.clone());
        // The terminal's side: read what the program draws, so its writes never block.
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while !stop.load(Ordering::SeqCst) {
                let mut p = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
                // SAFETY: one valid pollfd; the master stays open until this thread is joined.
                if unsafe { libc::poll(&mut p, 1, 50) } <= 0 || p.revents & libc::POLLIN == 0 {
                    if p.revents & (libc::POLLHUP | libc::POLLERR) != 0 {
                        std::thread::sleep(Duration::from_millis(50));
                    }
                    continue;
                }
                // SAFETY: reads into a buffer of the length given.
                let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
                if n > 0 {
                    out.lock().unwrap().extend_from_slice(&buf[..n as usize]);
                }
            }
        });
        Session { child, master: Some(master), screen, stop_reading, reader: Some(reader), cases }
    }

    fn drawn(&self) -> String {
        String::from_utf8_lossy(&self.screen.lock().unwrap()).into_owned()
    }

    /// Waits until the alert queue is on screen.
    fn wait_for_queue(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(120);
        // The queue's frame, drawn once loading and detection are over.
        while !self.drawn().contains("┏ alerts") {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("trailwatch ended early ({status}): {}", self.drawn());
            }
            assert!(Instant::now() < deadline, "the queue never showed: {}", self.drawn());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Types keys, one at a time, as a person does.
    fn type_keys(&self, keys: &str) {
        let fd = self.master.as_ref().unwrap().as_raw_fd();
        for b in keys.bytes() {
            // SAFETY: writes one byte from a valid buffer.
            assert_eq!(unsafe { libc::write(fd, (&b as *const u8).cast(), 1) }, 1);
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    /// Closes the terminal's side, as a terminal emulator or an SSH server does when it goes.
    fn close_terminal(&mut self) {
        self.stop_reading.store(true, Ordering::SeqCst);
        if let Some(r) = self.reader.take() {
            r.join().unwrap();
        }
        self.master = None;
    }

    /// Waits up to `limit` for the process to end; kills it (and fails) if it does not.
    fn ended_within(&mut self, limit: Duration) -> std::process::ExitStatus {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if started.elapsed() > limit {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("trailwatch still ran {limit:?} after its terminal went away");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.stop_reading.store(true, Ordering::SeqCst);
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
    }
}

/// Notes saved in the case folder.
fn saved_notes(dir: &std::path::Path) -> String {
    std::fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|f| std::fs::read_to_string(f.path()).unwrap_or_default()).collect())
        .unwrap_or_default()
}

#[test]
fn closing_the_controlling_terminal_ends_the_process_and_keeps_the_note() {
    let mut s = Session::start(true);
    s.wait_for_queue();
    // Checklist, next step, a note on it, half typed.
    s.type_keys("cjnhalf typed");
    s.close_terminal();
    let status = s.ended_within(EXIT_WITHIN);
    assert_eq!(status.signal(), Some(libc::SIGHUP), "ends as a hung-up process: {status}");
    assert!(saved_notes(s.cases.path()).contains("half typed"), "the note was saved");
}

#[test]
fn a_terminal_that_only_stops_reading_ends_the_process() {
    // Not the controlling terminal: no SIGHUP comes, the reads just fail.
    let mut s = Session::start(false);
    s.wait_for_queue();
    s.close_terminal();
    let status = s.ended_within(EXIT_WITHIN);
    assert_eq!(status.signal(), Some(libc::SIGHUP), "ends as a hung-up process: {status}");
}

#[test]
fn sighup_with_the_terminal_still_there_restores_it_and_ends() {
    let mut s = Session::start(true);
    s.wait_for_queue();
    let before = s.screen.lock().unwrap().len();
    // SAFETY: signals our own child.
    assert_eq!(unsafe { libc::kill(s.child.id() as libc::pid_t, libc::SIGHUP) }, 0);
    let status = s.ended_within(EXIT_WITHIN);
    assert_eq!(status.signal(), Some(libc::SIGHUP), "{status}");
    std::thread::sleep(Duration::from_millis(200));
    let after = String::from_utf8_lossy(&s.screen.lock().unwrap()[before..]).into_owned();
    assert!(after.contains("\x1b[?1049l"), "the main screen is back: {after:?}");
}

#[test]
fn every_report_at_once_is_never_poured_onto_a_terminal() {
    let err = tempfile::NamedTempFile::new().unwrap();
    let guard = SPAWNING.lock().unwrap();
    let (master, slave) = openpty();
    let mut child = Command::new(env!("CARGO_BIN_EXE_trailwatch"))
        .args(["report", "--all", "-q", concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/gcp-audit")])
        .stdin(Stdio::null())
        .stdout(Stdio::from(slave))
        .stderr(Stdio::from(err.reopen().unwrap()))
        .spawn()
        .unwrap();
    drop(guard);
    let status = child.wait().unwrap();
    drop(master);
    let msg = std::fs::read_to_string(err.path()).unwrap();
    assert!(!status.success() && msg.contains("-o DIR/"), "{status} {msg}");
}

//! Terminal input read on a thread of its own, and the hang-up of the terminal told apart from
//! waiting for a key.
//!
//! crossterm's reader loops without end when its terminal reads end of file or fails (a closed
//! SSH session, `tmux kill-session`): it never returns, so the event loop could not see a stop
//! signal and the process spun on a core for good. Here a thread waits on the terminal with
//! `poll(2)` itself and hands crossterm only input that is there (or a resize that is pending);
//! when the terminal hangs up, the thread sends an error instead and ends. The event loop only
//! ever waits on a channel, so it sees a stop signal within a tick whatever the terminal does.
//!
//! Owns no terminal state: raw mode and the screen belong to [`super::terminal`].

use super::terminal::Events;
use crossterm::event::{self, Event};
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// How long the input thread waits on the terminal before looking at its stop flag (and, where
/// it cannot wait on the terminal itself, at pending resizes).
const WAIT: Duration = Duration::from_millis(50);

/// The error an event source gives once the terminal is gone.
pub(crate) fn hung_up() -> io::Error {
    io::Error::new(io::ErrorKind::UnexpectedEof, "the terminal hung up")
}

/// The real terminal's events, read by a background thread.
pub(crate) struct TtyEvents {
    rx: mpsc::Receiver<io::Result<Event>>,
    peeked: Option<Event>,
    quit: Arc<AtomicBool>,
}

impl TtyEvents {
    /// Starts the input thread.
    pub(crate) fn start() -> io::Result<TtyEvents> {
        let (tx, rx) = mpsc::channel();
        let quit = Arc::new(AtomicBool::new(false));
        let watch = Watch::open()?;
        let q = quit.clone();
        std::thread::Builder::new().name("trailwatch-input".into()).spawn(move || read_terminal(&watch, &tx, &q))?;
        Ok(TtyEvents { rx, peeked: None, quit })
    }

    fn take(&mut self, item: io::Result<Event>) -> io::Result<bool> {
        self.peeked = Some(item?);
        Ok(true)
    }
}

impl Events for TtyEvents {
    fn poll(&mut self, timeout: Duration) -> io::Result<bool> {
        if self.peeked.is_some() {
            return Ok(true);
        }
        match self.rx.recv_timeout(timeout) {
            Ok(item) => self.take(item),
            Err(mpsc::RecvTimeoutError::Timeout) => Ok(false),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(hung_up()),
        }
    }

    fn read(&mut self) -> io::Result<Event> {
        if let Some(ev) = self.peeked.take() {
            return Ok(ev);
        }
        self.rx.recv().map_err(|_| hung_up())?
    }
}

impl Drop for TtyEvents {
    fn drop(&mut self) {
        self.quit.store(true, Ordering::SeqCst);
    }
}

/// The input thread: wait for input, let crossterm decode it, send it on; on a hang-up or a read
/// error, send that and end.
fn read_terminal(watch: &Watch, tx: &mpsc::Sender<io::Result<Event>>, quit: &AtomicBool) {
    while !quit.load(Ordering::SeqCst) {
        match watch.wait(WAIT) {
            Err(e) => {
                let _ = tx.send(Err(e));
                return;
            }
            Ok(false) => continue,
            Ok(true) => {}
        }
        // Everything crossterm has decoded, without waiting.
        loop {
            let item = match event::poll(Duration::ZERO) {
                Ok(false) => break,
                Ok(true) => event::read(),
                Err(e) => Err(e),
            };
            let failed = item.is_err();
            if tx.send(item).is_err() || failed {
                return;
            }
        }
    }
}

/// Waits on the terminal device for input, a hang-up or (through a SIGWINCH flag) a resize.
#[cfg(unix)]
struct Watch {
    /// The terminal crossterm reads: standard input when it is one, else `/dev/tty`.
    fd: std::os::fd::OwnedFd,
    resized: Arc<AtomicBool>,
    /// The SIGWINCH handler setting `resized`, removed with the watch.
    handler: Option<signal_hook::SigId>,
}

#[cfg(unix)]
impl Drop for Watch {
    fn drop(&mut self) {
        if let Some(id) = self.handler.take() {
            signal_hook::low_level::unregister(id);
        }
    }
}

#[cfg(unix)]
impl Watch {
    fn open() -> io::Result<Watch> {
        use std::io::IsTerminal;
        use std::os::fd::AsFd;
        let fd = if io::stdin().is_terminal() {
            io::stdin().as_fd().try_clone_to_owned()?
        } else {
            std::fs::OpenOptions::new().read(true).write(true).open("/dev/tty")?.into()
        };
        let resized = Arc::new(AtomicBool::new(false));
        let handler = signal_hook::flag::register(signal_hook::consts::SIGWINCH, resized.clone())?;
        Ok(Watch { fd, resized, handler: Some(handler) })
    }

    /// True when crossterm has something to read (input, or a resize it was told about); an
    /// error when the terminal hung up.
    fn wait(&self, timeout: Duration) -> io::Result<bool> {
        use std::os::fd::AsRawFd;
        if self.resized.swap(false, Ordering::SeqCst) {
            return Ok(true);
        }
        let mut fds = [libc::pollfd { fd: self.fd.as_raw_fd(), events: libc::POLLIN, revents: 0 }];
        let ms = libc::c_int::try_from(timeout.as_millis()).unwrap_or(libc::c_int::MAX);
        // SAFETY: one valid pollfd, its length passed with it.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), 1, ms) };
        if n < 0 {
            let e = io::Error::last_os_error();
            return if e.kind() == io::ErrorKind::Interrupted {
                Ok(self.resized.swap(false, Ordering::SeqCst))
            } else {
                Err(e)
            };
        }
        let revents = fds[0].revents;
        if revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
            return Err(hung_up());
        }
        Ok(revents & libc::POLLIN != 0 || self.resized.swap(false, Ordering::SeqCst))
    }
}

/// Where `poll(2)` is missing, crossterm waits itself.
#[cfg(not(unix))]
struct Watch;

#[cfg(not(unix))]
impl Watch {
    fn open() -> io::Result<Watch> {
        Ok(Watch)
    }

    fn wait(&self, timeout: Duration) -> io::Result<bool> {
        event::poll(timeout)
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::fd::{FromRawFd, OwnedFd};

    /// A pseudo-terminal pair: (master, slave).
    fn pty() -> (OwnedFd, OwnedFd) {
        let (mut m, mut s) = (0, 0);
        // SAFETY: openpty writes two descriptors; the name, termios and size are optional.
        let r = unsafe { libc::openpty(&mut m, &mut s, std::ptr::null_mut(), std::ptr::null(), std::ptr::null()) };
        assert_eq!(r, 0, "openpty: {}", io::Error::last_os_error());
        // SAFETY: both were just opened and are owned by nobody else.
        unsafe { (OwnedFd::from_raw_fd(m), OwnedFd::from_raw_fd(s)) }
    }

    #[test]
    fn a_closed_terminal_is_a_hang_up_not_a_wait() {
        let (master, slave) = pty();
        let watch = Watch { fd: slave, resized: Arc::new(AtomicBool::new(false)), handler: None };
        assert!(!watch.wait(Duration::from_millis(10)).unwrap(), "nothing typed yet");
        drop(master);
        let started = std::time::Instant::now();
        let e = watch.wait(Duration::from_secs(5)).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        assert!(started.elapsed() < Duration::from_secs(1), "told at once, not after the timeout");
    }

    #[test]
    fn a_resize_wakes_the_wait() {
        let (_master, slave) = pty();
        let watch = Watch { fd: slave, resized: Arc::new(AtomicBool::new(true)), handler: None };
        assert!(watch.wait(Duration::from_secs(5)).unwrap());
        assert!(!watch.wait(Duration::from_millis(10)).unwrap(), "the flag is taken once");
    }

    #[test]
    fn a_source_whose_thread_ended_reports_the_hang_up() {
        let (tx, rx) = mpsc::channel();
        tx.send(Ok(Event::FocusGained)).unwrap();
        drop(tx);
        let mut ev = TtyEvents { rx, peeked: None, quit: Arc::new(AtomicBool::new(false)) };
        assert!(ev.poll(Duration::ZERO).unwrap());
        assert_eq!(ev.read().unwrap(), Event::FocusGained);
        assert_eq!(ev.poll(Duration::from_millis(10)).unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
    }
}

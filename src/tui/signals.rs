//! Termination signals while the TUI owns the terminal: SIGTERM, SIGHUP and SIGINT set a flag
//! instead of killing the process, so the event loop can stop drawing, restore the terminal and
//! only then end the process with the signal's usual status (128 + signal number).
//!
//! Owns the registration (undone on drop) and the last step, [`terminate`]; it must not touch the
//! terminal itself — the loop restores it first. Case state needs no flush here: every change is
//! already saved atomically when it is made.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The signals that stop the TUI cleanly.
#[cfg(unix)]
pub const STOP_SIGNALS: &[i32] =
    &[signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP, signal_hook::consts::SIGINT];
/// The signals that stop the TUI cleanly.
#[cfg(not(unix))]
pub const STOP_SIGNALS: &[i32] = &[signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT];

/// A stop request: the number of the first signal received, 0 while none.
pub struct Stop {
    flag: Arc<AtomicUsize>,
    ids: Vec<signal_hook::SigId>,
}

impl Stop {
    /// Registers the handlers for [`STOP_SIGNALS`]; each one stores its number in the flag.
    pub fn register() -> io::Result<Stop> {
        let mut stop = Stop::unregistered();
        for &sig in STOP_SIGNALS {
            let id = signal_hook::flag::register_usize(sig, stop.flag.clone(), sig as usize)?;
            stop.ids.push(id);
        }
        Ok(stop)
    }

    /// A flag with no handler behind it (tests set it with [`Stop::request`]).
    pub fn unregistered() -> Stop {
        Stop { flag: Arc::new(AtomicUsize::new(0)), ids: Vec::new() }
    }

    /// How many handlers are registered.
    #[cfg(test)]
    pub fn registered(&self) -> usize {
        self.ids.len()
    }

    /// The signal received, if any.
    pub fn requested(&self) -> Option<i32> {
        match self.flag.load(Ordering::SeqCst) {
            0 => None,
            n => i32::try_from(n).ok(),
        }
    }

    /// Records a stop request as the handler would.
    #[cfg(test)]
    pub fn request(&self, sig: i32) {
        self.flag.store(usize::try_from(sig).unwrap_or(1), Ordering::SeqCst);
    }
}

impl Drop for Stop {
    fn drop(&mut self) {
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}

/// The exit status of a process ended by `sig`, as shells report it.
pub fn exit_status(sig: i32) -> i32 {
    128 + sig
}

/// Ends the process the way `sig` would have (after the terminal is restored): the default action
/// is re-raised so the parent sees a death by signal, and if that returns, the process exits with
/// [`exit_status`].
pub fn terminate(sig: i32) -> ! {
    // Unregistering is not enough: signal-hook keeps its own handler installed, so ask it to
    // emulate the default action (reset to SIG_DFL and raise).
    let _ = signal_hook::low_level::emulate_default_handler(sig);
    std::process::exit(exit_status(sig))
}

/// Ends the process as a hang-up would, once the terminal it ran in is gone: on Unix the default
/// action of SIGHUP, elsewhere status 1.
pub fn hang_up() -> ! {
    #[cfg(unix)]
    terminate(signal_hook::consts::SIGHUP);
    #[cfg(not(unix))]
    std::process::exit(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handlers_are_registered_and_unregistered() {
        let stop = Stop::register().expect("register");
        assert_eq!(stop.registered(), STOP_SIGNALS.len());
        assert_eq!(stop.requested(), None);
        drop(stop);
    }

    #[cfg(unix)]
    #[test]
    fn a_real_signal_sets_the_flag() {
        let stop = Stop::register().expect("register");
        // SIGHUP to ourselves: with the handler in place it only sets the flag.
        signal_hook::low_level::raise(signal_hook::consts::SIGHUP).expect("raise");
        assert_eq!(stop.requested(), Some(signal_hook::consts::SIGHUP));
        assert_eq!(exit_status(signal_hook::consts::SIGHUP), 129);
        assert_eq!(exit_status(signal_hook::consts::SIGTERM), 143);
    }
}

//! Work off the keystroke: a computation over a principal's events (marks, a filter, the
//! activity rows, the checklist's answers) runs on the worker pool while the screen that asked
//! for it keeps answering keys and draws how far it got; the result is taken on a later frame.
//!
//! A screen owns its [`Task`]s and takes results in its `poll`. Dropping a task cancels it: the
//! worker checks [`Work::cancelled`] between chunks, so a superseded filter stops at once. Every
//! finished task rings the context's [`Bell`], which [`super::App::settle`] waits on: the loop
//! waits a few milliseconds after a key so that quick work never flickers a "working" line,
//! and tests and benchmarks wait for the result. A panic in a worker is raised again on the UI
//! thread when its result is taken, so it restores the terminal like any other panic.
//!
//! The workers are a pool of their own, one per core, at a lower scheduling priority (Linux):
//! a frame the analyst waits for never queues behind a filter over ten million events.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError, mpsc};
use std::time::{Duration, Instant};

/// How many items a worker handles between two looks at [`Work::cancelled`].
pub const CHUNK: usize = 1 << 16;

/// Progress and cancellation, shared by a task and its worker.
#[derive(Debug, Default)]
pub struct Work {
    cancel: AtomicBool,
    done: AtomicU64,
    total: AtomicU64,
}

impl Work {
    /// Whether the result is no longer wanted (stop and return `None`).
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// Starts a phase of `n` items (for the percentage shown; the count starts again at 0).
    pub fn set_total(&self, n: usize) {
        self.done.store(0, Ordering::Relaxed);
        self.total.store(n as u64, Ordering::Relaxed);
    }

    /// Counts `n` more items done.
    pub fn add(&self, n: usize) {
        self.done.fetch_add(n as u64, Ordering::Relaxed);
    }

    /// Counts `n` more items done and says whether to go on.
    pub fn step(&self, n: usize) -> bool {
        self.add(n);
        !self.cancelled()
    }
}

/// Rung by every finished task; waited on by whoever wants a result soon.
#[derive(Debug, Default)]
pub struct Bell {
    rings: Mutex<u64>,
    cv: Condvar,
}

impl Bell {
    fn ring(&self) {
        *self.rings.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        self.cv.notify_all();
    }

    /// How many times it has rung.
    pub fn rings(&self) -> u64 {
        *self.rings.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until it has rung more than `seen` times, or until `deadline`; true if it rang.
    pub fn wait_past(&self, seen: u64, deadline: Option<Instant>) -> bool {
        let mut rings = self.rings.lock().unwrap_or_else(PoisonError::into_inner);
        while *rings <= seen {
            match deadline {
                None => rings = self.cv.wait(rings).unwrap_or_else(PoisonError::into_inner),
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return false;
                    }
                    rings = self.cv.wait_timeout(rings, left).unwrap_or_else(PoisonError::into_inner).0;
                }
            }
        }
        true
    }
}

/// What a worker sends back: the value, or the message of its panic.
type Outcome<T> = Result<T, String>;

/// A computation under way on the worker pool.
pub struct Task<T> {
    rx: mpsc::Receiver<Outcome<T>>,
    work: Arc<Work>,
    started: Instant,
}

impl<T> fmt::Debug for Task<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Task({:?}, {:?})", self.progress(), self.started.elapsed())
    }
}

impl<T: Send + 'static> Task<T> {
    /// Starts `f` on the worker pool; it returns `None` when it saw it was cancelled.
    pub fn spawn(bell: &Arc<Bell>, f: impl FnOnce(&Work) -> Option<T> + Send + 'static) -> Task<T> {
        let (tx, rx) = mpsc::sync_channel(1);
        let work = Arc::new(Work::default());
        let (w, bell) = (work.clone(), bell.clone());
        let job = move || {
            let outcome = match catch_unwind(AssertUnwindSafe(|| f(&w))) {
                Ok(Some(v)) => Some(Ok(v)),
                Ok(None) => None,
                Err(p) => Some(Err(panic_message(p.as_ref()))),
            };
            if let Some(o) = outcome {
                let _ = tx.send(o);
            }
            bell.ring();
        };
        match pool() {
            Some(p) => p.spawn(job),
            None => rayon::spawn(job),
        }
        Task { rx, work, started: Instant::now() }
    }
}

impl<T> Task<T> {
    /// The result, once it is there. Raises a worker's panic here.
    pub fn take(&mut self) -> Option<T> {
        match self.rx.try_recv() {
            Ok(Ok(v)) => Some(v),
            Ok(Err(msg)) => panic!("background work failed: {msg}"),
            Err(_) => None,
        }
    }

    /// The share done, when the worker counts its items.
    pub fn progress(&self) -> Option<f64> {
        let total = self.work.total.load(Ordering::Relaxed);
        (total > 0).then(|| (self.work.done.load(Ordering::Relaxed) as f64 / total as f64).min(1.0))
    }

    /// How long it has run.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// A short line saying how far it got: `42 % · 0.3 s`.
    pub fn status(&self) -> String {
        let secs = self.elapsed().as_secs_f64();
        match self.progress() {
            Some(p) => format!("{:.0} % · {secs:.1} s", p * 100.0),
            None => format!("{secs:.1} s"),
        }
    }
}

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        self.work.cancel.store(true, Ordering::Relaxed);
    }
}

/// The workers' pool (`None` if it could not be started: the global pool does the work then).
fn pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("trailwatch-work-{i}"))
            .start_handler(|_| lower_priority())
            .build()
            .ok()
    })
    .as_ref()
}

/// Lowers the calling thread's priority by 10 nice steps, to at most 19 (on Linux the nice
/// value is per thread).
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: getpriority and setpriority take plain integers and read or change only this
    // thread's nice value.
    unsafe {
        let nice = libc::getpriority(libc::PRIO_PROCESS, 0);
        libc::setpriority(libc::PRIO_PROCESS, 0, (nice + 10).min(19));
    }
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a worker panicked".into())
}

/// Takes a finished task's result out of `slot` (emptying it); `None` while it runs or when
/// there is none.
pub fn finished<T>(slot: &mut Option<Task<T>>) -> Option<T> {
    let v = slot.as_mut()?.take()?;
    *slot = None;
    Some(v)
}

/// Waits until `poll` (which takes finished results and says whether work is still under way)
/// says all is done, or until `deadline`; true when all is done.
pub fn settle(bell: &Bell, deadline: Option<Instant>, mut poll: impl FnMut() -> bool) -> bool {
    loop {
        let seen = bell.rings();
        if !poll() {
            return true;
        }
        if !bell.wait_past(seen, deadline) {
            return false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wait<T>(bell: &Bell, task: &mut Task<T>) -> T {
        loop {
            let seen = bell.rings();
            if let Some(v) = task.take() {
                return v;
            }
            bell.wait_past(seen, Some(Instant::now() + Duration::from_secs(10)));
        }
    }

    #[test]
    fn results_come_back_and_ring_the_bell() {
        let bell = Arc::new(Bell::default());
        let mut t = Task::spawn(&bell, |w| {
            w.set_total(4);
            w.add(2);
            Some(6 * 7)
        });
        assert_eq!(wait(&bell, &mut t), 42);
        assert_eq!(t.progress(), Some(0.5));
        assert!(bell.rings() >= 1);
    }

    #[test]
    fn dropping_a_task_cancels_its_worker() {
        let bell = Arc::new(Bell::default());
        let (started_tx, started_rx) = mpsc::channel();
        let (saw_tx, saw_rx) = mpsc::channel();
        let t: Task<()> = Task::spawn(&bell, move |w| {
            let _ = started_tx.send(());
            let t0 = Instant::now();
            while !w.cancelled() && t0.elapsed() < Duration::from_secs(10) {
                std::thread::sleep(Duration::from_millis(1));
            }
            let _ = saw_tx.send(w.cancelled());
            None
        });
        started_rx.recv().unwrap();
        drop(t);
        assert_eq!(saw_rx.recv_timeout(Duration::from_secs(10)), Ok(true));
    }

    #[test]
    fn a_worker_panic_is_raised_where_the_result_is_taken() {
        let bell = Arc::new(Bell::default());
        let mut t: Task<u8> = Task::spawn(&bell, |_| panic!("boom"));
        let r = catch_unwind(AssertUnwindSafe(|| wait(&bell, &mut t)));
        let msg = panic_message(r.unwrap_err().as_ref());
        assert!(msg.contains("background work failed: boom"), "{msg}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn workers_run_below_the_ui_thread() {
        // SAFETY: getpriority reads this thread's nice value.
        let nice = || unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) };
        let bell = Arc::new(Bell::default());
        let mut t = Task::spawn(&bell, move |_| Some(nice()));
        let (worker, ui) = (wait(&bell, &mut t), nice());
        assert!(worker >= (ui + 10).min(19), "worker nice {worker}, UI thread {ui}");
        assert!(std::thread::current().name() != Some("trailwatch-work-0"));
    }

    #[test]
    fn the_bell_wait_ends_at_the_deadline() {
        let bell = Bell::default();
        let t0 = Instant::now();
        assert!(!bell.wait_past(bell.rings(), Some(t0 + Duration::from_millis(20))));
        assert!(t0.elapsed() >= Duration::from_millis(20));
    }
}

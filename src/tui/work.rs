//! Work off the keystroke: a computation over a principal's events (marks, a filter, the
//! activity rows, the checklist's answers) runs on the worker pool while the screen that asked
//! for it keeps answering keys and draws how far it got; the result is taken on a later frame.
//!
//! A screen owns its [`Task`]s and takes results in its `poll`. Dropping a task cancels it: a
//! worker checks [`Work::cancelled`] when it starts and between chunks or phases, so a superseded
//! filter stops soon. Every finished task rings the context's [`Bell`], which
//! [`super::App::settle`] waits on: the loop waits a few milliseconds after a key so that quick
//! work never flickers a "working" line, and tests and benchmarks wait for the result.
//!
//! A panic in a worker is caught there, kept in the bell, and raised again on the UI thread by
//! the next [`Bell::raise_panic`] (every poll and wait calls it), even when its task was dropped
//! meanwhile: the UI thread's panic then restores the terminal like any other. The terminal's
//! panic hook leaves worker panics alone ([`in_worker`]), so the screen is not torn down under
//! a running app and nothing is printed over it.
//!
//! Interactive work runs on a pool of its own, one thread per core, at a lower scheduling
//! priority (Linux): a frame the analyst waits for never queues behind a filter over ten million
//! events. Long work that is not about the screen (writing a report) gets a thread of its own
//! ([`Task::spawn_thread`]) so it cannot hold the pool.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::panic::{AssertUnwindSafe, PanicHookInfo, catch_unwind};
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
    phase: AtomicU64,
}

impl Work {
    /// Whether the result is no longer wanted (stop and return `None`).
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// Starts counting `n` items (for the percentage shown; the count starts again at 0).
    pub fn set_total(&self, n: usize) {
        self.done.store(0, Ordering::Relaxed);
        self.total.store(n as u64, Ordering::Relaxed);
    }

    /// Says which step of a several-step task runs now (0 first), for the line shown.
    pub fn set_phase(&self, phase: usize) {
        self.phase.store(phase as u64, Ordering::Relaxed);
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

/// Rung by every finished task; waited on by whoever wants a result soon. Also keeps the first
/// worker panic until the UI thread raises it.
#[derive(Debug, Default)]
pub struct Bell {
    rings: Mutex<u64>,
    cv: Condvar,
    panicked: Mutex<Option<String>>,
}

impl Bell {
    /// Raises, on the calling (UI) thread, a panic a worker of this bell had.
    pub fn raise_panic(&self) {
        let msg = self.panicked.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(msg) = msg {
            panic!("background work failed: {msg}");
        }
    }

    fn keep_panic(&self, msg: String) {
        self.panicked.lock().unwrap_or_else(PoisonError::into_inner).get_or_insert(msg);
    }

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

/// A computation under way on the worker pool.
pub struct Task<T> {
    rx: mpsc::Receiver<T>,
    work: Arc<Work>,
    bell: Arc<Bell>,
    started: Instant,
}

/// Where a task stands.
#[derive(Debug, PartialEq, Eq)]
pub enum Poll<T> {
    /// Still running.
    Running,
    /// Its result.
    Done(T),
    /// It ended without a result (it saw it was cancelled).
    Gone,
}

thread_local! {
    /// Set while this thread runs a task.
    static IN_WORKER: Cell<bool> = const { Cell::new(false) };
    /// The message and place of the panic this worker is unwinding from (set by the hook).
    static WORKER_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Whether the calling thread is running a task: the terminal's panic hook leaves such panics to
/// [`note_worker_panic`] and the UI thread.
pub fn in_worker() -> bool {
    IN_WORKER.with(Cell::get)
}

/// Keeps a worker panic's message and place (the panic hook calls this instead of restoring the
/// terminal); the worker hands it to the UI thread.
pub fn note_worker_panic(info: &PanicHookInfo<'_>) {
    let place = info.location().map_or(String::new(), |l| format!(" at {}:{}", l.file(), l.line()));
    let msg = format!("{}{place}", panic_message(info.payload()));
    WORKER_PANIC.with(|p| *p.borrow_mut() = Some(msg));
}

/// Runs a task's closure on this thread: marks it a worker, catches a panic into the bell, sends
/// the result, rings.
fn run_job<T>(f: impl FnOnce(&Work) -> Option<T>, work: &Work, tx: mpsc::SyncSender<T>, bell: &Bell) {
    IN_WORKER.with(|w| w.set(true));
    let outcome = if work.cancelled() { Ok(None) } else { catch_unwind(AssertUnwindSafe(|| f(work))) };
    IN_WORKER.with(|w| w.set(false));
    match outcome {
        Ok(Some(v)) => {
            let _ = tx.send(v);
        }
        Ok(None) => {}
        Err(p) => {
            let noted = WORKER_PANIC.with(|w| w.borrow_mut().take());
            bell.keep_panic(noted.unwrap_or_else(|| panic_message(p.as_ref())));
        }
    }
    // Disconnect before ringing, so whoever wakes sees the task has ended.
    drop(tx);
    bell.ring();
}

impl<T> fmt::Debug for Task<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Task({:?}, {:?})", self.progress(), self.started.elapsed())
    }
}

impl<T: Send + 'static> Task<T> {
    /// Starts `f` on the interactive worker pool; it returns `None` when it saw it was cancelled.
    pub fn spawn(bell: &Arc<Bell>, f: impl FnOnce(&Work) -> Option<T> + Send + 'static) -> Task<T> {
        let (task, job) = Task::prepare(bell, f);
        on_pool(job);
        task
    }

    /// Starts `f` on a thread of its own at the workers' priority (long work that must not hold
    /// the interactive pool); on the pool if no thread can be started.
    pub fn spawn_thread(bell: &Arc<Bell>, f: impl FnOnce(&Work) -> Option<T> + Send + 'static) -> Task<T> {
        let (task, job) = Task::prepare(bell, f);
        let job = Arc::new(Mutex::new(Some(job)));
        let on_thread = job.clone();
        let started = std::thread::Builder::new().name("trailwatch-task".into()).spawn(move || {
            lower_priority();
            if let Some(job) = on_thread.lock().unwrap_or_else(PoisonError::into_inner).take() {
                job();
            }
        });
        if started.is_err()
            && let Some(job) = job.lock().unwrap_or_else(PoisonError::into_inner).take()
        {
            on_pool(job);
        }
        task
    }

    fn prepare(
        bell: &Arc<Bell>,
        f: impl FnOnce(&Work) -> Option<T> + Send + 'static,
    ) -> (Task<T>, impl FnOnce() + Send + 'static) {
        let (tx, rx) = mpsc::sync_channel(1);
        let work = Arc::new(Work::default());
        let (w, b) = (work.clone(), bell.clone());
        let job = move || run_job(f, &w, tx, &b);
        (Task { rx, work, bell: bell.clone(), started: Instant::now() }, job)
    }
}

impl<T> Task<T> {
    /// Where the task stands. Raises a worker panic (of any task of its bell) here.
    pub fn poll(&mut self) -> Poll<T> {
        self.bell.raise_panic();
        match self.rx.try_recv() {
            Ok(v) => Poll::Done(v),
            Err(mpsc::TryRecvError::Empty) => Poll::Running,
            Err(mpsc::TryRecvError::Disconnected) => Poll::Gone,
        }
    }

    /// The share done, when the worker counts its items.
    pub fn progress(&self) -> Option<f64> {
        let total = self.work.total.load(Ordering::Relaxed);
        (total > 0).then(|| (self.work.done.load(Ordering::Relaxed) as f64 / total as f64).min(1.0))
    }

    /// The step it is on ([`Work::set_phase`]).
    pub fn phase(&self) -> usize {
        self.work.phase.load(Ordering::Relaxed) as usize
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

/// Runs a job on the workers' pool (the global one if it could not be started).
fn on_pool(job: impl FnOnce() + Send + 'static) {
    match pool() {
        Some(p) => p.spawn(job),
        None => rayon::spawn(job),
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

/// Takes a finished task's result out of `slot`, emptying the slot once the task has ended (with
/// a result or without); `None` while it runs or when there is none.
pub fn finished<T>(slot: &mut Option<Task<T>>) -> Option<T> {
    match slot.as_mut()?.poll() {
        Poll::Running => None,
        Poll::Done(v) => {
            *slot = None;
            Some(v)
        }
        Poll::Gone => {
            *slot = None;
            None
        }
    }
}

/// Waits until `poll` (which takes finished results and says whether work is still under way)
/// says all is done, or until `deadline`; true when all is done.
pub fn settle(bell: &Bell, deadline: Option<Instant>, mut poll: impl FnMut() -> bool) -> bool {
    loop {
        let seen = bell.rings();
        bell.raise_panic();
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
            if let Poll::Done(v) = task.poll() {
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
        let mut t = Task::spawn_thread(&bell, move |_| Some(nice()));
        assert!(wait(&bell, &mut t) >= (ui + 10).min(19), "a task's own thread too");
    }

    #[test]
    fn a_panic_in_a_dropped_task_is_still_raised_on_the_ui_thread() {
        let bell = Arc::new(Bell::default());
        let (go_tx, go_rx) = mpsc::channel::<()>();
        let (started_tx, started_rx) = mpsc::channel::<()>();
        let t: Task<()> = Task::spawn(&bell, move |_| {
            let _ = started_tx.send(());
            let _ = go_rx.recv();
            panic!("late boom")
        });
        started_rx.recv().unwrap();
        drop(t);
        let seen = bell.rings();
        go_tx.send(()).unwrap();
        assert!(bell.wait_past(seen, Some(Instant::now() + Duration::from_secs(10))));
        let r = catch_unwind(AssertUnwindSafe(|| settle(&bell, None, || false)));
        let msg = panic_message(r.unwrap_err().as_ref());
        assert!(msg.contains("background work failed: late boom"), "{msg}");
        settle(&bell, None, || false);
    }

    #[test]
    fn a_task_that_ends_without_a_result_empties_its_slot() {
        let bell = Arc::new(Bell::default());
        let mut slot: Option<Task<u8>> = Some(Task::spawn(&bell, |_| None));
        assert!(settle(&bell, Some(Instant::now() + Duration::from_secs(10)), || {
            assert_eq!(finished(&mut slot), None);
            slot.is_some()
        }));
        assert!(slot.is_none(), "not busy forever");
    }

    #[test]
    fn the_bell_wait_ends_at_the_deadline() {
        let bell = Bell::default();
        let t0 = Instant::now();
        assert!(!bell.wait_past(bell.rings(), Some(t0 + Duration::from_millis(20))));
        assert!(t0.elapsed() >= Duration::from_millis(20));
    }
}

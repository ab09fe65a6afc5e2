//! Ingest: files and folders in, one time-ordered [`EventStore`] and a [`LoadReport`] out.
//!
//! Owns finding the files (folders walked recursively, symlink loops and unreadable entries
//! reported), reading them in parallel (per file, and per newline-split chunk of a large JSON
//! Lines file, per group of chunks of a native `.evtx` file), merging the workers' batches in a
//! deterministic order, and progress. Formats are recognised per record by content in [`probe`];
//! framing is [`frame`]'s job. The last step, [`facts`], attaches the request details detectors
//! asked for.

pub mod batch;
pub mod content;
pub mod evtx;
pub mod facts;
pub mod fast;
pub mod flex;
pub mod frame;
pub mod probe;
pub mod raw;
pub mod stream;
pub mod tabular;

mod aws;
mod aws_resource;
mod azure;
mod gcp;
mod gcp_export;
mod hive;
mod windows;

pub use batch::Skip;

use crate::model::Sym;
use crate::store::{EventStore, FileInfo, Interner, Origin};
use batch::Batch;
use frame::Mode;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Something to load.
#[derive(Clone)]
pub enum Input {
    /// A file or a folder on disk.
    Path(PathBuf),
    /// Bytes in memory (the embedded demo), under a display name.
    Memory { name: String, bytes: Arc<[u8]> },
}

/// Counters a loading screen or progress line reads while a load runs.
#[derive(Default, Debug)]
pub struct Progress {
    pub bytes_total: AtomicU64,
    pub bytes_done: AtomicU64,
    pub files_total: AtomicU64,
    pub files_done: AtomicU64,
    pub events: AtomicU64,
    pub done: AtomicBool,
    /// The step under way ([`Phase`] as a number; [`Progress::phase`] reads it).
    pub phase: AtomicU8,
}

/// The steps of opening a session after discovery, in order: reading the files, indexing the
/// events into the store, extracting the request facts, then (a session with detection) running
/// the detectors and grouping their alerts into incidents.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(u8)]
pub enum Phase {
    /// Reading and parsing the files.
    #[default]
    Reading,
    /// Merging, sorting and indexing the events.
    Indexing,
    /// Parsing request facts (grants, policies) from the records.
    Facts,
    /// Running the detectors.
    Detecting,
    /// Grouping alerts into incidents.
    Grouping,
}

impl Phase {
    /// Every phase, in order.
    pub const ALL: [Phase; 5] = [Phase::Reading, Phase::Indexing, Phase::Facts, Phase::Detecting, Phase::Grouping];

    /// What a person reads while it runs.
    pub fn label(self) -> &'static str {
        match self {
            Phase::Reading => "reading…",
            Phase::Indexing => "indexing…",
            Phase::Facts => "extracting request facts…",
            Phase::Detecting => "running detectors…",
            Phase::Grouping => "grouping incidents…",
        }
    }
}

impl Progress {
    /// Says which step is under way (one relaxed store: free next to the work).
    pub fn set_phase(&self, phase: Phase) {
        self.phase.store(phase as u8, Ordering::Relaxed);
    }

    /// The step under way.
    pub fn phase(&self) -> Phase {
        let n = usize::from(self.phase.load(Ordering::Relaxed));
        Phase::ALL.get(n).copied().unwrap_or(Phase::Grouping)
    }
}

/// How to load.
#[derive(Default, Clone)]
pub struct LoadOptions {
    /// Shared counters to update (the TUI's loading screen).
    pub progress: Option<Arc<Progress>>,
    /// Print a progress line on stderr (only if it is a terminal and the load takes > 1 s).
    pub stderr_progress: bool,
    /// Older logs loaded only to learn from (`--baseline`): their files are marked
    /// [`FileInfo::baseline`], detection starts after them and never alerts on them.
    pub baseline: Vec<Input>,
}

/// What a load read, skipped and ignored.
#[derive(Default, Debug, Clone)]
pub struct LoadReport {
    /// Files read (including ones that failed).
    pub files: u64,
    /// Files that could not be read at all.
    pub files_failed: u64,
    /// Bytes on disk.
    pub bytes: u64,
    /// Records found.
    pub records: u64,
    /// Events loaded.
    pub events: u64,
    /// Valid records of kinds not modelled, by kind.
    pub ignored: BTreeMap<String, u64>,
    /// Records (or files) that could not be read.
    pub skipped: u64,
    /// Skips by reason class.
    pub skip_reasons: BTreeMap<String, u64>,
    /// The first skips in file order, in full.
    pub skips: Vec<Skip>,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl LoadReport {
    /// Total ignored records.
    pub fn ignored_total(&self) -> u64 {
        self.ignored.values().sum()
    }

    /// The closing summary line.
    pub fn summary(&self) -> String {
        let mb = self.bytes as f64 / 1e6;
        let rate = if self.seconds > 0.0 { mb / self.seconds } else { 0.0 };
        format!(
            "loaded {} files, {:.1} MB, {} records: {} events, {} ignored, {} skipped{} in {:.2} s ({:.0} MB/s)",
            self.files,
            mb,
            self.records,
            self.events,
            self.ignored_total(),
            self.skipped,
            if self.files_failed > 0 { format!(" ({} files unreadable)", self.files_failed) } else { String::new() },
            self.seconds,
            rate
        )
    }
}

/// Cap on skip messages kept in the report.
pub const MAX_REPORTED_SKIPS: usize = 1000;

/// Target size of one parallel chunk of a large JSON Lines file.
const CHUNK: usize = 8 << 20;
/// Size of the blocks a chunk of a plain file is read in: well inside a core's L2 cache.
const BLOCK: usize = 256 << 10;

/// A discovered file or a problem found while looking for files.
enum Found {
    File { name: String, origin: Origin, bytes: u64, baseline: bool },
    Problem(Skip),
}

fn discover(inputs: &[Input], baseline: &[Input]) -> Vec<Found> {
    let mut out = Vec::new();
    for (input, is_baseline) in baseline.iter().map(|i| (i, true)).chain(inputs.iter().map(|i| (i, false))) {
        let from = out.len();
        match input {
            Input::Memory { name, bytes } => out.push(Found::File {
                name: name.clone(),
                origin: Origin::Memory(bytes.clone()),
                bytes: bytes.len() as u64,
                baseline: false,
            }),
            Input::Path(p) => discover_path(p, &mut out),
        }
        for f in &mut out[from..] {
            if let Found::File { baseline, .. } = f {
                *baseline = is_baseline;
            }
        }
    }
    out
}

fn discover_path(path: &Path, out: &mut Vec<Found>) {
    let problem = |name: String, reason: String| Found::Problem(Skip { file: name, line: None, reason });
    match std::fs::metadata(path) {
        Err(e) => out.push(problem(path.display().to_string(), io_reason(&e))),
        Ok(m) if m.is_dir() => {
            let walker = walkdir::WalkDir::new(path).follow_links(true).sort_by_file_name();
            for entry in walker {
                match entry {
                    Ok(e) if e.file_type().is_dir() => {}
                    Ok(e) => {
                        let name = e.path().display().to_string();
                        let bytes = e.metadata().map(|m| m.len()).unwrap_or(0);
                        out.push(Found::File {
                            name,
                            origin: Origin::Disk(e.path().to_path_buf()),
                            bytes,
                            baseline: false,
                        });
                    }
                    Err(e) => {
                        let name = e.path().map_or_else(|| path.display().to_string(), |p| p.display().to_string());
                        let reason = if e.loop_ancestor().is_some() {
                            "symbolic link loop: not followed".to_string()
                        } else if let Some(io) = e.io_error() {
                            io_reason(io)
                        } else {
                            e.to_string()
                        };
                        out.push(problem(name, reason));
                    }
                }
            }
        }
        Ok(m) => out.push(Found::File {
            name: path.display().to_string(),
            origin: Origin::Disk(path.to_path_buf()),
            bytes: m.len(),
            baseline: false,
        }),
    }
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        _ => e.to_string(),
    }
}

/// What one file produced.
struct FileResult {
    batches: Vec<Batch>,
    /// A file-level problem (unreadable, not JSON, truncated gzip).
    problem: Option<String>,
    failed: bool,
    gzip: bool,
    /// Bytes already counted in the progress while reading (chunks of a large plain file).
    credited: u64,
    /// A CSV file's header, for reading its rows back.
    table: Option<Arc<tabular::Header>>,
}

/// True for a regular file that starts with the gzip magic bytes and is large enough to stream.
fn large_gzip(path: &Path) -> bool {
    use std::io::Read;
    let Ok(meta) = std::fs::metadata(path) else { return false };
    if !meta.is_file() || meta.len() < stream::STREAM_FROM {
        return false;
    }
    let mut magic = [0u8; 2];
    std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut magic)).is_ok() && magic == [0x1f, 0x8b]
}

fn read_file(id: u32, origin: &Origin, progress: &Progress) -> FileResult {
    let fail = |reason: String| FileResult {
        batches: Vec::new(),
        problem: Some(reason),
        failed: true,
        gzip: false,
        credited: 0,
        table: None,
    };
    if let Origin::Disk(p) = origin
        && large_gzip(p)
    {
        match stream::gzip_lines(id, p, progress) {
            Ok(Some(s)) => {
                return FileResult {
                    batches: s.batches,
                    problem: s.warning,
                    failed: false,
                    gzip: true,
                    credited: 0,
                    table: None,
                };
            }
            Ok(None) => {}
            Err(reason) => return fail(reason),
        }
    }
    let content = match origin {
        Origin::Disk(p) => content::read_path(p),
        Origin::Memory(b) => content::decode(content::Bytes::Shared(b.clone())),
    };
    let content = match content {
        Ok(c) => c,
        Err(reason) => return fail(reason),
    };
    let text = content.text();
    let gzip = content.gzip;
    let mode = frame::detect_mode(text);
    let batches = match mode {
        Mode::NotJson => {
            return FileResult {
                gzip,
                ..fail("not a JSON or CSV audit log (binary or unknown format): skipped".into())
            };
        }
        Mode::Csv => {
            let Some(mut header) = tabular::sniff(text) else {
                return FileResult { gzip, ..fail("CSV header unreadable".into()) };
            };
            header.learn_date_order(text);
            let mut batches = csv_batches(id, text, &header, progress);
            Batch::name_unknown_table(&mut batches, &header);
            let problem = content.warning.clone();
            return FileResult { batches, problem, failed: false, gzip, credited: 0, table: Some(Arc::new(header)) };
        }
        Mode::Evtx => match evtx::read(id, text) {
            Ok(batches) => {
                let n: usize = batches.iter().map(|b| b.events.len()).sum();
                progress.events.fetch_add(n as u64, Ordering::Relaxed);
                batches
            }
            Err(reason) => return FileResult { gzip, ..fail(reason) },
        },
        Mode::Document => {
            let mut b = Batch::new();
            frame::frame_document(text, &mut |item| b.take(id, text, 0, item));
            b.lines = u32::MAX; // documents report absolute lines
            if b.records <= 1 && !b.skips.is_empty() && frame::looks_like_lines(text) {
                // A JSON Lines file whose first line is damaged: read it line by line instead.
                let mut lines = Batch::new();
                lines.lines = lines.take_lines(id, text, 0);
                b = lines;
            }
            progress.events.fetch_add(b.events.len() as u64, Ordering::Relaxed);
            vec![b]
        }
        Mode::JsonLines => {
            let chunks = split_chunks(text, CHUNK);
            // A plain file on disk is read chunk by chunk into a reused buffer (see
            // `content::read_line_blocks`); its map serves only to find the chunks' ends.
            #[cfg(unix)]
            let disk = match origin {
                Origin::Disk(p) if content.is_mapped() => std::fs::File::open(p).ok(),
                _ => None,
            };
            #[cfg(not(unix))]
            let disk: Option<std::fs::File> = None;
            if disk.is_none() {
                content.advise_sequential();
            }
            chunks
                .par_iter()
                .map(|&(a, z)| {
                    let mut b = Batch::new();
                    // Room for records of 256 bytes or more (audit records are 1–2 KB): the
                    // events are not moved while the chunk is read, and room not used is never
                    // touched.
                    b.events.reserve((z - a) / 256);
                    let mut read = false;
                    #[cfg(unix)]
                    if let Some(f) = &disk {
                        let at = content.start as u64;
                        let mut lines = 0;
                        let span = (at + a as u64, at + z as u64);
                        match content::read_line_blocks(f, span, BLOCK, |text, offset| {
                            lines = b.take_lines_from(id, text, (offset - at) as usize, lines);
                        }) {
                            Ok(()) => (b.lines, read) = (lines, true),
                            // The file changed under the map: the chunk is read from the map.
                            Err(_) => b = Batch::new(),
                        }
                    }
                    if !read {
                        b.lines = b.take_lines(id, &text[a..z], a);
                        content.release(a, z);
                    }
                    if !gzip {
                        // Plain text: the chunk is its bytes on disk; the gauge moves within a big file.
                        progress.bytes_done.fetch_add((z - a) as u64, Ordering::Relaxed);
                    }
                    progress.events.fetch_add(b.events.len() as u64, Ordering::Relaxed);
                    b
                })
                .collect()
        }
    };
    let credited = if !gzip && mode == Mode::JsonLines { text.len() as u64 } else { 0 };
    FileResult { batches, problem: content.warning.clone(), failed: false, gzip, credited, table: None }
}

/// Reads a CSV file: rows are split in order (a quoted cell may span lines, so only the csv
/// reader can tell where a row ends), then turned into events block by block on every core.
fn csv_batches(id: u32, text: &[u8], header: &tabular::Header, progress: &Progress) -> Vec<Batch> {
    const BLOCK: usize = 4096;
    let mut batches = Vec::new();
    let mut block: Vec<tabular::Row> = Vec::with_capacity(BLOCK * 8);
    let flush = |block: &mut Vec<tabular::Row>, batches: &mut Vec<Batch>| {
        let parsed: Vec<Batch> = block
            .par_chunks_mut(BLOCK)
            .map(|rows| {
                let mut b = Batch::new();
                b.lines = u32::MAX; // rows report absolute lines
                for row in rows.iter_mut() {
                    let row = std::mem::replace(row, tabular::Row::Error { line: 0, reason: String::new() });
                    b.take_row(id, header, row);
                }
                progress.events.fetch_add(b.events.len() as u64, Ordering::Relaxed);
                b
            })
            .collect();
        batches.extend(parsed);
        block.clear();
    };
    tabular::frame(text, header, &mut |row| {
        block.push(row);
        if block.len() == block.capacity() {
            flush(&mut block, &mut batches);
        }
    });
    flush(&mut block, &mut batches);
    if batches.is_empty() {
        let mut b = Batch::new();
        b.lines = u32::MAX;
        batches.push(b);
    }
    batches
}

/// Splits text into ranges of about `size` bytes, each ending after a newline.
fn split_chunks(text: &[u8], size: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut a = 0;
    while a < text.len() {
        let target = a.saturating_add(size);
        let z = if target >= text.len() {
            text.len()
        } else {
            memchr::memchr(b'\n', &text[target..]).map_or(text.len(), |p| target + p + 1)
        };
        out.push((a, z));
        a = z;
    }
    out
}

/// Loads every input into a store. Never fails as a whole: every problem is in the report.
pub fn load(inputs: &[Input], opts: &LoadOptions) -> (EventStore, LoadReport) {
    let started = Instant::now();
    let progress = opts.progress.clone().unwrap_or_default();
    let found = discover(inputs, &opts.baseline);
    let files: Vec<(String, Origin, u64, bool)> = found
        .iter()
        .filter_map(|f| match f {
            Found::File { name, origin, bytes, baseline } => Some((name.clone(), origin.clone(), *bytes, *baseline)),
            Found::Problem(_) => None,
        })
        .collect();
    progress.files_total.store(files.len() as u64, Ordering::Relaxed);
    progress.bytes_total.store(files.iter().map(|f| f.2).sum(), Ordering::Relaxed);

    let printer = opts.stderr_progress.then(|| spawn_progress_printer(progress.clone()));
    let results: Vec<FileResult> = files
        .par_iter()
        .enumerate()
        .map(|(i, (_, origin, bytes, _))| {
            let r = read_file(i as u32, origin, &progress);
            progress.bytes_done.fetch_add(bytes.saturating_sub(r.credited), Ordering::Relaxed);
            progress.files_done.fetch_add(1, Ordering::Relaxed);
            r
        })
        .collect();
    progress.set_phase(Phase::Indexing);

    let mut report = LoadReport::default();
    for f in &found {
        if let Found::Problem(skip) = f {
            report.files += 1;
            report.files_failed += 1;
            report.skipped += 1;
            *report.skip_reasons.entry(batch::reason_class(&skip.reason)).or_default() += 1;
            push_skip(&mut report, skip.clone());
        }
    }
    let (events, strings, infos, tables) = merge(files, results, &mut report);
    report.events = events.len() as u64;
    let mut store = EventStore::build(events, strings, infos).with_reader(Arc::new(raw::Reader::new(tables)));
    progress.set_phase(Phase::Facts);
    facts::attach(&mut store);
    report.seconds = started.elapsed().as_secs_f64();
    progress.done.store(true, Ordering::Relaxed);
    if let Some(h) = printer {
        let _ = h.join();
    }
    (store, report)
}

fn push_skip(report: &mut LoadReport, skip: Skip) {
    if report.skips.len() < MAX_REPORTED_SKIPS {
        report.skips.push(skip);
    }
}

/// The events, their strings, the files and (per file) a CSV file's header.
type Merged = (Vec<crate::model::Event>, Interner, Vec<FileInfo>, Vec<Option<Arc<tabular::Header>>>);

fn merge(files: Vec<(String, Origin, u64, bool)>, results: Vec<FileResult>, report: &mut LoadReport) -> Merged {
    let mut strings = Interner::new();
    // Per batch: its events, its string-id map into `strings`, the line its lines count from.
    let mut pending: Vec<(Vec<crate::model::Event>, Vec<Sym>, u32)> = Vec::new();
    let mut infos = Vec::with_capacity(files.len());
    let mut tables = Vec::with_capacity(files.len());
    for ((name, origin, bytes, baseline), result) in files.into_iter().zip(results) {
        report.files += 1;
        report.bytes += bytes;
        let mut info = FileInfo {
            name: name.clone(),
            origin,
            bytes,
            gzip: result.gzip,
            records: 0,
            events: 0,
            skipped: 0,
            ignored: 0,
            baseline,
        };
        if let Some(reason) = result.problem {
            if result.failed {
                report.files_failed += 1;
                report.skipped += 1;
                info.skipped += 1;
                *report.skip_reasons.entry(batch::reason_class(&reason)).or_default() += 1;
            }
            push_skip(report, Skip { file: name.clone(), line: None, reason });
        }
        let mut line_base: u32 = 0;
        for mut b in result.batches {
            let map: Vec<Sym> = b.strings.strings().iter().map(|s| strings.intern(s)).collect();
            let absolute = b.lines == u32::MAX;
            info.events += b.events.len() as u64;
            pending.push((std::mem::take(&mut b.events), map, if absolute { 0 } else { line_base }));
            for (line, reason) in b.skips {
                let line = if absolute { line } else { line.saturating_add(line_base) };
                let line = (!b.unlined).then_some(line);
                push_skip(report, Skip { file: name.clone(), line, reason });
            }
            let skipped: u64 = b.skip_counts.values().sum();
            for (class, n) in b.skip_counts {
                *report.skip_reasons.entry(class).or_default() += n;
            }
            info.skipped += skipped;
            report.skipped += skipped;
            for (kind, n) in b.ignored {
                info.ignored += n;
                *report.ignored.entry(kind).or_default() += n;
            }
            info.records += b.records;
            report.records += b.records;
            if !absolute {
                line_base = line_base.saturating_add(b.lines);
            }
        }
        infos.push(info);
        tables.push(result.table);
    }
    (gather(pending), strings, infos, tables)
}

/// Concatenates the batches' events in file order, giving each its store-wide string ids and
/// absolute line on the way: one parallel pass, whose cost is mostly first-touch page faults on
/// the new vector, which two threads take in half the time.
fn gather(parts: Vec<(Vec<crate::model::Event>, Vec<Sym>, u32)>) -> Vec<crate::model::Event> {
    let total = parts.iter().map(|p| p.0.len()).sum();
    let mut events = Vec::with_capacity(total);
    let mut rest = &mut events.spare_capacity_mut()[..total];
    let mut slots = Vec::with_capacity(parts.len());
    for p in &parts {
        let (head, tail) = rest.split_at_mut(p.0.len());
        slots.push(head);
        rest = tail;
    }
    // Each part is freed as soon as it is copied, so the peak stays near one copy of the events.
    slots.into_par_iter().zip(parts.into_par_iter()).for_each(|(slot, (part, map, line_base))| {
        let remap = |s: Sym| map[s.0 as usize];
        for (s, e) in slot.iter_mut().zip(&part) {
            let mut e = *e;
            e.principal = remap(e.principal);
            e.service = remap(e.service);
            e.operation = remap(e.operation);
            e.resource = remap(e.resource);
            e.source_ip = remap(e.source_ip);
            e.user_agent = remap(e.user_agent);
            e.status = remap(e.status);
            e.region = remap(e.region);
            e.computer = remap(e.computer);
            e.process = remap(e.process);
            e.parent = remap(e.parent);
            e.command_line = remap(e.command_line);
            e.target = remap(e.target);
            e.src.line = e.src.line.saturating_add(line_base);
            s.write(e);
        }
    });
    // SAFETY: the slots cover the first `total` elements exactly once each (split in order,
    // lengths summing to `total`), and every element of every slot was written just above.
    unsafe { events.set_len(total) };
    events
}

fn spawn_progress_printer(p: Arc<Progress>) -> std::thread::JoinHandle<()> {
    use std::io::{IsTerminal, Write};
    std::thread::spawn(move || {
        if !std::io::stderr().is_terminal() {
            return;
        }
        let start = Instant::now();
        let mut printed = false;
        while !p.done.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(200));
            let el = start.elapsed().as_secs_f64();
            if el < 1.0 {
                continue;
            }
            let done = p.bytes_done.load(Ordering::Relaxed) as f64 / 1e6;
            let total = p.bytes_total.load(Ordering::Relaxed) as f64 / 1e6;
            let ev = p.events.load(Ordering::Relaxed);
            eprint!(
                "\r\x1b[2Kloading {:.0}/{:.0} MB, {}/{} files, {} events ({:.0} events/s)",
                done,
                total,
                p.files_done.load(Ordering::Relaxed),
                p.files_total.load(Ordering::Relaxed),
                ev,
                ev as f64 / el
            );
            let _ = std::io::stderr().flush();
            printed = true;
        }
        if printed {
            eprint!("\r\x1b[2K");
        }
    })
}

//! Native Windows event log files (`.evtx`), recognised by their `ElfFile\0` magic.
//!
//! Owns reading the binary format with the `evtx` crate: the file's 64 KiB chunks are parsed in
//! parallel, each record is rendered to the crate's JSON (`Event.System` / `Event.EventData` with
//! `#attributes`) and read by the same record reader as converted evtx JSON ([`super::windows`]).
//! A damaged chunk or record is reported as `record N` / `chunk N` with its reason, and the rest
//! loads. An event's [`SourceRef`] holds its chunk's byte offset (`offset`, `len` = one chunk)
//! and its `EventRecordID` (`index` and `line`), so [`record_json`] renders the one record again
//! for the raw view without keeping any JSON in memory.

use super::batch::Batch;
use crate::model::SourceRef;
use evtx::{EvtxChunkData, EvtxParser, ParserSettings};
use rayon::prelude::*;
use std::sync::Arc;

/// The first bytes of every `.evtx` file.
pub const MAGIC: &[u8; 8] = b"ElfFile\0";

/// Size of the file header and of one chunk.
const HEADER: u64 = 4096;
const CHUNK: u64 = 65536;

/// Chunks parsed in parallel at a time (4 MiB): bounds the copies held at once.
const GROUP: usize = 64;

/// True when the bytes are a native event log file.
pub fn is_evtx(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

fn settings() -> Arc<ParserSettings> {
    Arc::new(ParserSettings::new().num_threads(1).indent(false))
}

/// An error and its causes, as one line.
fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let s = c.to_string();
        if !out.contains(&s) {
            while out.ends_with('.') {
                out.pop();
            }
            out.push_str(": ");
            out.push_str(&s);
        }
        cur = c.source();
    }
    out
}

/// Reads every record of an `.evtx` file's bytes into batches (one per chunk, in file order).
/// `Err` is a reason for a file that cannot be read at all (a damaged file header).
pub fn read(file: u32, bytes: &[u8]) -> Result<Vec<Batch>, String> {
    let mut parser = EvtxParser::from_read_seek(std::io::Cursor::new(bytes))
        .map_err(|e| format!("evtx file header unreadable: {}", describe(&e)))?
        .with_configuration(ParserSettings::new().num_threads(1).indent(false));
    let settings = settings();
    let mut batches = Vec::new();
    let mut group: Vec<Result<EvtxChunkData, (String, String)>> = Vec::with_capacity(GROUP);
    let run = |group: &mut Vec<Result<EvtxChunkData, (String, String)>>, batches: &mut Vec<Batch>| {
        let done: Vec<Batch> = group.par_drain(..).map(|c| read_chunk(file, c, &settings)).collect();
        batches.extend(done);
    };
    for chunk in parser.chunks() {
        group.push(chunk.map_err(|e| (label(&e), reason(&e))));
        if group.len() == GROUP {
            run(&mut group, &mut batches);
        }
    }
    run(&mut group, &mut batches);
    // Bytes after the last whole chunk: a file cut short (copied while written, truncated).
    let tail = (bytes.len() as u64).saturating_sub(HEADER) % CHUNK;
    if tail != 0 {
        let mut b = Batch::new();
        b.lines = u32::MAX;
        b.unlined = true;
        let n = (bytes.len() as u64).saturating_sub(HEADER) / CHUNK;
        b.skip_labelled(
            &format!("chunk {n}"),
            &format!("incomplete chunk: the file is cut short ({tail} of {CHUNK} bytes); its records were not read"),
        );
        batches.push(b);
    }
    Ok(batches)
}

/// Where an error is: `record N` or `chunk N`.
fn label(e: &evtx::err::EvtxError) -> String {
    use evtx::err::EvtxError as E;
    match e {
        E::FailedToParseRecord { record_id, .. } => format!("record {record_id}"),
        E::FailedToParseChunk { chunk_id, .. } => format!("chunk {chunk_id}"),
        E::FailedToReadRecordAt { chunk: Some(c), offset, .. } => format!("chunk {c} offset {offset}"),
        _ => "chunk".into(),
    }
}

/// What went wrong, without the location [`label`] gives.
fn reason(e: &evtx::err::EvtxError) -> String {
    use evtx::err::EvtxError as E;
    match e {
        E::FailedToParseRecord { source, .. } | E::FailedToReadRecordAt { source, .. } => describe(&**source),
        E::FailedToParseChunk { source, .. } => describe(&**source),
        other => describe(other),
    }
}

fn read_chunk(file: u32, chunk: Result<EvtxChunkData, (String, String)>, settings: &Arc<ParserSettings>) -> Batch {
    let mut b = Batch::new();
    b.lines = u32::MAX; // record numbers, not lines
    b.unlined = true;
    let mut data = match chunk {
        Ok(d) => d,
        Err((label, reason)) => {
            b.skip_labelled(&label, &reason);
            return b;
        }
    };
    let number = data.number.unwrap_or(0);
    let offset = HEADER + number * CHUNK;
    let mut parsed = match data.parse(settings.clone()) {
        Ok(p) => p,
        Err(e) => {
            b.skip_labelled(&format!("chunk {number}"), &describe(&e));
            return b;
        }
    };
    for record in parsed.iter() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let place = match label(&e).as_str() {
                    "chunk" => format!("chunk {number}"),
                    l => l.to_string(),
                };
                b.skip_labelled(&place, &reason(&e));
                continue;
            }
        };
        let id = record.event_record_id;
        match record.into_json() {
            Ok(json) => {
                let src = SourceRef { file, line: id as u32, index: id as u32, offset, len: CHUNK as u32 };
                b.take_record(json.data.as_bytes(), src);
            }
            Err(e) => b.skip_labelled(&format!("record {id}"), &reason(&e)),
        }
    }
    b
}

/// The JSON of the record an evtx event came from, rendered again from its chunk.
pub fn record_json(bytes: &[u8], src: &SourceRef) -> Result<String, String> {
    let (a, z) = (src.offset as usize, src.offset as usize + src.len as usize);
    let chunk = bytes.get(a..z).ok_or("the file changed since it was loaded")?;
    let mut data = EvtxChunkData::new(chunk.to_vec(), false).map_err(|e| describe(&e))?;
    let mut parsed = data.parse(settings()).map_err(|e| describe(&e))?;
    for record in parsed.iter().flatten() {
        if record.event_record_id as u32 == src.index {
            return record.into_json().map(|j| j.data).map_err(|e| describe(&e));
        }
    }
    Err(format!("record {} is no longer in its chunk: the file changed since it was loaded", src.index))
}

//! Reading a loaded record back from its file, for the raw view, reports and detectors that
//! read request details: the [`RecordReader`] the loader gives the store.
//!
//! Owns finding the record again (a cached decoded file, or a large gzip file inflated up to the
//! record and not kept), rendering an `.evtx` record again from its chunk, and turning a CSV row
//! back into the JSON object its reader took. The store keeps only where each record lies.

use super::{content, evtx, stream, tabular};
use crate::model::SourceRef;
use crate::store::{FileInfo, Origin, RecordReader};
use std::sync::{Arc, Mutex};

/// Reads records back from the files of one load.
#[derive(Default)]
pub struct Reader {
    /// Per file (by store file number), a CSV file's header: its rows read back as JSON objects.
    tables: Vec<Option<Arc<tabular::Header>>>,
    /// The last file decoded, by store file number.
    cache: Mutex<Option<(u32, Arc<content::Content>)>>,
}

impl Reader {
    /// A reader for files whose CSV headers (by store file number) are `tables`.
    pub fn new(tables: Vec<Option<Arc<tabular::Header>>>) -> Reader {
        Reader { tables, cache: Mutex::new(None) }
    }

    /// A record's bytes as JSON text: a CSV row becomes the object its reader took.
    fn as_json(&self, at: &SourceRef, bytes: &[u8]) -> Result<String, String> {
        match self.tables.get(at.file as usize).and_then(Option::as_ref) {
            Some(header) => header.row_text_json(bytes),
            None => Ok(String::from_utf8_lossy(bytes).into_owned()),
        }
    }
}

impl RecordReader for Reader {
    fn read(&self, file: &FileInfo, at: &SourceRef) -> Result<String, String> {
        if let Origin::Disk(p) = &file.origin
            && file.gzip
            && file.bytes >= stream::STREAM_FROM
        {
            // Too large to keep inflated: inflate up to the record, keep nothing.
            let bytes = stream::gzip_read_at(p, at.offset, at.len as usize)?;
            return self.as_json(at, &bytes);
        }
        let content = {
            let mut cache = self.cache.lock().map_err(|_| "raw cache poisoned")?;
            match &*cache {
                Some((id, c)) if *id == at.file => c.clone(),
                _ => {
                    let c = Arc::new(match &file.origin {
                        Origin::Disk(p) => content::read_path(p)?,
                        Origin::Memory(b) => content::decode(content::Bytes::Shared(b.clone()))?,
                    });
                    *cache = Some((at.file, c.clone()));
                    c
                }
            }
        };
        let text = content.text();
        if evtx::is_evtx(text) {
            // A binary event log: the record is rendered again from its chunk.
            return evtx::record_json(text, at);
        }
        let (a, b) = (at.offset as usize, at.offset as usize + at.len as usize);
        let slice = text.get(a..b).ok_or("the file changed since it was loaded")?;
        self.as_json(at, slice)
    }

    /// A large gzip file is inflated once for all the records asked for, not once per record.
    fn read_many(&self, file: &FileInfo, at: &[SourceRef]) -> Vec<Result<String, String>> {
        match &file.origin {
            Origin::Disk(p) if file.gzip && file.bytes >= stream::STREAM_FROM => {
                let ranges: Vec<(u64, usize)> = at.iter().map(|a| (a.offset, a.len as usize)).collect();
                let read = stream::gzip_read_many(p, &ranges);
                read.into_iter().zip(at).map(|(r, a)| r.and_then(|b| self.as_json(a, &b))).collect()
            }
            _ => at.iter().map(|a| self.read(file, a)).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::EventStore;

    fn memory_file(text: &str) -> FileInfo {
        FileInfo {
            name: "mem.jsonl".into(),
            origin: Origin::Memory(text.as_bytes().into()),
            bytes: text.len() as u64,
            gzip: false,
            records: 2,
            events: 2,
            skipped: 0,
            ignored: 0,
            baseline: false,
        }
    }

    #[test]
    fn reads_the_record_where_the_store_says_it_lies() {
        let text = "{\"a\":1}\n{\"b\":2}\n";
        let file = memory_file(text);
        let at = SourceRef { file: 0, line: 2, index: SourceRef::NO_INDEX, offset: 8, len: 7 };
        assert_eq!(Reader::default().read(&file, &at).unwrap(), "{\"b\":2}");
        let past = SourceRef { offset: 40, ..at };
        assert_eq!(Reader::default().read(&file, &past).unwrap_err(), "the file changed since it was loaded");
    }

    #[test]
    fn a_store_without_a_reader_says_so() {
        let text = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/gcp-audit/elastic-integrations_test-cloudresourcemanager-googleapis-com.log"
        ))
        .unwrap();
        let input = crate::ingest::Input::Memory { name: "one.log".into(), bytes: text.into() };
        let (loaded, _) = crate::ingest::load(&[input], &Default::default());
        let e = loaded.events()[0];
        let record = loaded.raw(&e).unwrap();
        assert!(record.contains("cloudresourcemanager"), "{record}");
        let bare = EventStore::build(loaded.events().to_vec(), loaded.strings().clone(), loaded.files().to_vec());
        assert_eq!(bare.raw(&e).unwrap_err(), "this store cannot read records back");
        let bare = bare.with_reader(Arc::new(Reader::default()));
        assert_eq!(bare.raw(&e).unwrap(), record);
    }
}

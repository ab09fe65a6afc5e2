//! The embedded demo dataset: 30 days of a small organisation on GCP, Azure, AWS and Windows,
//! with planted incidents, written by [`crate::generate`] with its default settings and embedded
//! in the binary as one deterministic `.tar.gz`.
//!
//! Owns packing a generated folder into that archive (sorted paths, zero times and owners, so the
//! same files give the same bytes), unpacking it into in-memory inputs for the loader, and writing
//! it out as files (`demo --write DIR`). A test regenerates the data and checks the embedded
//! archive is exactly what the generator writes today.

use crate::generate::GenerateConfig;
use crate::ingest::Input;
use anyhow::{Context, Result};
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The archive, as built by `trailwatch demo --rebuild-asset`.
pub const ARCHIVE: &[u8] = include_bytes!("../assets/demo/trailwatch-demo.tar.gz");

/// The generator settings the demo data is made with.
pub fn config() -> GenerateConfig {
    GenerateConfig::default()
}

/// Packs every file under `dir` into a deterministic `.tar.gz`.
pub fn build_archive(dir: &Path) -> Result<Vec<u8>> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    files.sort();
    let gz = GzEncoder::new(Vec::new(), Compression::best());
    let mut tar = tar::Builder::new(gz);
    tar.mode(tar::HeaderMode::Deterministic);
    for path in files {
        let rel = path.strip_prefix(dir).context("file outside the folder")?;
        let data = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        header.set_cksum();
        tar.append_data(&mut header, rel, &data[..])?;
    }
    Ok(tar.into_inner()?.finish()?)
}

/// The files of an archive as (relative path, bytes), in archive order.
pub fn unpack(archive: &[u8]) -> Result<Vec<(String, Vec<u8>)>> {
    let mut tar = tar::Archive::new(GzDecoder::new(archive));
    let mut out = Vec::new();
    for entry in tar.entries()? {
        let mut entry = entry?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = entry.path()?.to_string_lossy().into_owned();
        let mut data = Vec::with_capacity(entry.size() as usize);
        entry.read_to_end(&mut data)?;
        out.push((name, data));
    }
    Ok(out)
}

/// The embedded dataset as loader inputs named `demo/<path>`.
pub fn inputs() -> Result<Vec<Input>> {
    Ok(unpack(ARCHIVE)?
        .into_iter()
        .map(|(name, bytes)| Input::Memory { name: format!("demo/{name}"), bytes: Arc::from(bytes) })
        .collect())
}

/// Writes the embedded dataset out as files under `dir`. Refuses paths that would leave it.
pub fn write(dir: &Path) -> Result<usize> {
    let files = unpack(ARCHIVE)?;
    for (name, bytes) in &files {
        let rel = Path::new(name);
        if rel.is_absolute() || rel.components().any(|c| matches!(c, std::path::Component::ParentDir)) {
            anyhow::bail!("unsafe path in the demo archive: {name}");
        }
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(files.len())
}

/// Regenerates the demo data and packs it (what `--rebuild-asset` writes).
pub fn rebuild() -> Result<Vec<u8>> {
    let tmp = std::env::temp_dir().join(format!("trailwatch-demo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    crate::generate::generate(&config(), &tmp)?;
    let archive = build_archive(&tmp);
    let _ = std::fs::remove_dir_all(&tmp);
    archive
}

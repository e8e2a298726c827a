//! Hardware sources: DRAM access latency and disk I/O completion timing.

use std::fs::{File, OpenOptions};
use std::hint::black_box;
use std::io::{Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

use crate::clock::ticks;
use crate::sources::util::time_each;
use crate::{EntropySource, SourceCategory, SourceError, SourceInfo, SpeedClass};

/// Latency of scattered reads from a buffer much larger than the caches.
#[derive(Debug, Default)]
pub struct MemoryTiming;

static MEMORY_TIMING: SourceInfo = SourceInfo {
    name: "memory_timing",
    category: SourceCategory::Hardware,
    physics: "Reads words scattered across a 16 MiB buffer, far larger than the last-level \
              cache, and times each group of reads. Every read misses the caches and usually \
              the TLB, so it waits on the memory controller: DRAM refresh, bank and row-buffer \
              state, the other core's traffic and the hypervisor's page walks all move the \
              latency by tens of cycles.",
    speed: SpeedClass::Fast,
};

/// 16 MiB: larger than the caches of the VMs wellspring targets, small enough to keep
/// resident (allocating it per batch cost more than the measurement itself).
const MEMORY_WORDS: usize = 16 * 1024 * 1024 / 8;
// An odd stride of ~4.1 MB in words, so successive reads land on different pages and banks.
const MEMORY_STRIDE: usize = 524_309;

/// The scattered-read buffer, allocated on first use and kept for the process's lifetime.
pub(crate) fn memory_buffer() -> &'static [u64] {
    static BUFFER: std::sync::OnceLock<Box<[u64]>> = std::sync::OnceLock::new();
    BUFFER.get_or_init(|| (0..MEMORY_WORDS as u64).collect())
}

impl EntropySource for MemoryTiming {
    fn info(&self) -> &SourceInfo {
        &MEMORY_TIMING
    }

    fn collect(&self, n: usize) -> Result<Vec<u8>, SourceError> {
        let buffer = memory_buffer();
        let mut idx = 0usize;
        let mut acc = 0u64;
        let out = time_each(n, |_| {
            for _ in 0..4 {
                idx = (idx + MEMORY_STRIDE + (acc as usize & 7)) % MEMORY_WORDS;
                acc = acc.wrapping_add(black_box(buffer[idx]));
            }
        });
        black_box(acc);
        Ok(out)
    }
}

/// Completion time of small synchronous disk writes.
#[derive(Debug, Default)]
pub struct DiskIo;

static DISK_IO: SourceInfo = SourceInfo {
    name: "disk_io",
    category: SourceCategory::Hardware,
    physics: "Writes one 4 KiB block with O_DIRECT and O_DSYNC (bypassing the page cache \
              where the file system allows it) and times each write until the device reports \
              it durable. The latency goes through the block layer, the virtio queue, the \
              host's I/O scheduler and the physical device's controller and media, each \
              adding queueing and service-time noise.",
    speed: SpeedClass::Slow,
};

const BLOCK: usize = 4096;

/// A page-aligned block buffer, as O_DIRECT requires.
#[repr(C, align(4096))]
struct AlignedBlock([u8; BLOCK]);

fn scratch_dir() -> PathBuf {
    // /var/tmp is usually on a real disk; /tmp is often tmpfs, where O_DIRECT is refused.
    let var_tmp = PathBuf::from("/var/tmp");
    if var_tmp.is_dir() {
        var_tmp
    } else {
        std::env::temp_dir()
    }
}

fn open_scratch(path: &PathBuf) -> std::io::Result<File> {
    let direct = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .custom_flags(libc::O_DIRECT | libc::O_DSYNC)
        .open(path);
    match direct {
        Ok(file) => Ok(file),
        Err(_) => OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .custom_flags(libc::O_DSYNC)
            .open(path),
    }
}

impl EntropySource for DiskIo {
    fn info(&self) -> &SourceInfo {
        &DISK_IO
    }

    fn collect(&self, n: usize) -> Result<Vec<u8>, SourceError> {
        let io_err = |source| SourceError::Io {
            name: DISK_IO.name,
            source,
        };
        let path = scratch_dir().join(format!("wellspring-disk-io-{}", std::process::id()));
        let mut file = open_scratch(&path).map_err(io_err)?;
        let _ = std::fs::remove_file(&path);
        let mut block = Box::new(AlignedBlock([0u8; BLOCK]));
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            block.0[0] = i as u8;
            let offset = ((i % 64) * BLOCK) as u64;
            file.seek(SeekFrom::Start(offset)).map_err(io_err)?;
            let t0 = ticks();
            let written = file.write(&block.0);
            out.push(ticks().wrapping_sub(t0) as u8);
            match written {
                Ok(BLOCK) => {}
                Ok(short) => {
                    return Err(SourceError::Failed {
                        name: DISK_IO.name,
                        message: format!("short write of {short} bytes"),
                    });
                }
                Err(e) => return Err(io_err(e)),
            }
        }
        Ok(out)
    }
}

/// Completion time of small direct reads from a scratch file.
#[derive(Debug, Default)]
pub struct DiskRead;

static DISK_READ: SourceInfo = SourceInfo {
    name: "disk_read",
    category: SourceCategory::Hardware,
    physics: "Reads 4 KiB blocks at scattered offsets of a 1 MiB scratch file with O_DIRECT, \
              bypassing the page cache, and times each read to completion: the request \
              travels the block layer and the virtio queue to the host's storage, whose \
              queueing and media latency vary.",
    speed: SpeedClass::Slow,
};

impl EntropySource for DiskRead {
    fn info(&self) -> &SourceInfo {
        &DISK_READ
    }

    fn collect(&self, n: usize) -> Result<Vec<u8>, SourceError> {
        use std::os::unix::fs::FileExt;
        let io_err = |source| SourceError::Io {
            name: DISK_READ.name,
            source,
        };
        let path = scratch_dir().join(format!("wellspring-disk-read-{}", std::process::id()));
        let mut file = open_scratch(&path).map_err(io_err)?;
        let _ = std::fs::remove_file(&path);
        let mut block = Box::new(AlignedBlock([0x5a; BLOCK]));
        for i in 0..256u64 {
            file.seek(SeekFrom::Start(i * BLOCK as u64))
                .map_err(io_err)?;
            file.write_all(&block.0).map_err(io_err)?;
        }
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            // 97 is coprime with 256: the reads hop around the file.
            let offset = ((i * 97) % 256 * BLOCK) as u64;
            let t0 = ticks();
            let read = file.read_at(&mut block.0, offset);
            out.push(ticks().wrapping_sub(t0) as u8);
            read.map_err(io_err)?;
        }
        Ok(out)
    }
}

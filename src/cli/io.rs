//! Where a command's output goes and where its input files come from: this process's terminal
//! and files, or, when `permitdesk serve` runs the command for a client, that client. The server
//! installs a [`Remote`] on the thread that runs the command; every `outln!`/`errln!`, every `-o`
//! file and every input file then travels over the client's socket, and the client writes and
//! reads them as the person who asked.

use super::Exit;
use std::cell::RefCell;
use std::io::{self, IsTerminal as _, Write};
use std::path::{Path, PathBuf};

/// The client of a served command, as the command sees it.
pub trait Remote {
    fn stdout(&mut self, bytes: &[u8]) -> io::Result<()>;
    fn stderr(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// An output file the client writes at `path`: begun, filled in chunks, then committed.
    fn file_begin(&mut self, path: &Path) -> io::Result<()>;
    fn file_chunk(&mut self, bytes: &[u8]) -> io::Result<()>;
    fn file_commit(&mut self) -> io::Result<()>;
    /// The contents of an input file the client read and sent, by the path it was named by.
    fn upload(&mut self, path: &Path) -> Option<Vec<u8>>;
}

thread_local! {
    static REMOTE: RefCell<Option<Box<dyn Remote>>> = const { RefCell::new(None) };
}

/// Runs `f` with this thread's output and input going to `remote`.
pub fn served<R>(remote: Box<dyn Remote>, f: impl FnOnce() -> R) -> R {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            REMOTE.with(|r| r.borrow_mut().take());
        }
    }
    REMOTE.with(|r| *r.borrow_mut() = Some(remote));
    let _reset = Reset;
    f()
}

/// Whether this command runs for a client of `serve`.
pub fn is_served() -> bool {
    REMOTE.with(|r| r.borrow().is_some())
}

fn with_remote<R>(f: impl FnOnce(&mut dyn Remote) -> R) -> Option<R> {
    REMOTE.with(|r| r.borrow_mut().as_mut().map(|remote| f(remote.as_mut())))
}

/// Standard output: the terminal's, or the client's.
pub struct Stdout;

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match with_remote(|r| r.stdout(buf)) {
            Some(result) => result.map(|()| buf.len()),
            None => io::stdout().lock().write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match with_remote(|_| ()) {
            Some(()) => Ok(()),
            None => io::stdout().flush(),
        }
    }
}

/// Standard error: the terminal's, or the client's.
pub struct Stderr;

impl Write for Stderr {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match with_remote(|r| r.stderr(buf)) {
            Some(result) => result.map(|()| buf.len()),
            None => io::stderr().lock().write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match with_remote(|_| ()) {
            Some(()) => Ok(()),
            None => io::stderr().flush(),
        }
    }
}

/// A line on standard output. A reader that went away (a closed pipe) is not an error here:
/// nothing was lost that the command had not already committed.
pub fn out(args: std::fmt::Arguments<'_>) {
    let _ = Stdout.write_fmt(args);
}

pub fn err(args: std::fmt::Arguments<'_>) {
    let _ = Stderr.write_fmt(args);
}

/// Whether progress bars may be drawn: only on this process's own terminal.
pub fn stderr_is_terminal() -> bool {
    !is_served() && io::stderr().is_terminal()
}

/// The bytes of an input file named on the command line: read here, or sent by the client.
pub fn read_input(path: &Path) -> io::Result<Vec<u8>> {
    match with_remote(|r| r.upload(path)) {
        Some(Some(bytes)) => Ok(bytes),
        Some(None) => Err(io::Error::new(
            io::ErrorKind::NotFound,
            "the client did not send this file",
        )),
        None => std::fs::read(path),
    }
}

/// An input file of at most `max` bytes, which must be a regular file (not a device or a FIFO,
/// which could be endless): read here, or sent by the client.
pub fn read_input_limited(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    if is_served() {
        let bytes = read_input(path)?;
        if bytes.len() as u64 > max {
            return Err(too_big(max));
        }
        return Ok(bytes);
    }
    read_local_limited(path, max)
}

/// A file of this machine of at most `max` bytes, which must be a regular file.
pub fn read_local_limited(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    use std::io::Read as _;
    let file = open_regular(path)?;
    let mut bytes = Vec::new();
    file.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(too_big(max));
    }
    Ok(bytes)
}

/// Opens a regular file of this machine for reading. A device or a FIFO could be endless
/// (`/dev/zero`) or block the open itself (a FIFO nobody writes), so the open does not wait and
/// anything but a regular file is refused.
pub fn open_regular(path: &Path) -> io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(nix::fcntl::OFlag::O_NONBLOCK.bits())
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    Ok(file)
}

fn too_big(max: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("larger than {} MiB", max >> 20),
    )
}

/// An output file being written: under a temporary name beside it until [`OutputFile::commit`],
/// or streamed to the client, which does the same on its side.
pub struct OutputFile {
    target: Target,
}

enum Target {
    Local {
        file: std::fs::File,
        temp: PathBuf,
        path: PathBuf,
    },
    Remote,
}

impl OutputFile {
    /// Starts writing `path`, refusing (exit 6) a directory, a device, a FIFO or a socket there,
    /// and any of `protected` (the store's own files). A link at `path` is replaced, never
    /// followed.
    pub fn create(path: &Path, protected: &[PathBuf]) -> anyhow::Result<OutputFile> {
        if is_served() {
            with_remote(|r| r.file_begin(path))
                .unwrap_or(Ok(()))
                .map_err(|e| Exit::new(1, format!("{}: {e}", path.display())))?;
            return Ok(OutputFile {
                target: Target::Remote,
            });
        }
        check_target(path, protected)?;
        let (file, temp) = create_temp_beside(path)?;
        Ok(OutputFile {
            target: Target::Local {
                file,
                temp,
                path: path.to_path_buf(),
            },
        })
    }

    /// Makes the file appear under its name, whole, and durably.
    pub fn commit(mut self) -> anyhow::Result<()> {
        match std::mem::replace(&mut self.target, Target::Remote) {
            Target::Remote => with_remote(|r| r.file_commit())
                .unwrap_or(Ok(()))
                .map_err(|e| anyhow::anyhow!("sending the file: {e}")),
            Target::Local { file, temp, path } => {
                let done = file
                    .sync_all()
                    .and_then(|()| std::fs::rename(&temp, &path))
                    .and_then(|()| sync_parent(&path));
                if let Err(e) = done {
                    let _ = std::fs::remove_file(&temp);
                    return Err(Exit::new(1, format!("{}: {e}", path.display())).into());
                }
                Ok(())
            }
        }
    }
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.target {
            Target::Local { file, .. } => file.write(buf),
            Target::Remote => with_remote(|r| r.file_chunk(buf))
                .unwrap_or(Ok(()))
                .map(|()| buf.len()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.target {
            Target::Local { file, .. } => file.flush(),
            Target::Remote => Ok(()),
        }
    }
}

impl Drop for OutputFile {
    fn drop(&mut self) {
        if let Target::Local { temp, .. } = &self.target {
            // Not committed (an error part-way): the temporary file goes.
            let _ = std::fs::remove_file(temp);
        }
    }
}

/// Refuses an output path that is a directory, a device, a FIFO or a socket, or one of the
/// store's own files (exit 6, naming it).
pub fn check_target(path: &Path, protected: &[PathBuf]) -> Result<(), Exit> {
    use std::os::unix::fs::FileTypeExt;
    let refuse = |what: &str| {
        Exit::new(
            6,
            format!(
                "{}: {what}; name a new or ordinary file for the output",
                path.display()
            ),
        )
    };
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        let kind = meta.file_type();
        if kind.is_dir() {
            return Err(refuse("is a directory"));
        }
        if kind.is_block_device() || kind.is_char_device() {
            return Err(refuse("is a device"));
        }
        if kind.is_fifo() {
            return Err(refuse("is a FIFO"));
        }
        if kind.is_socket() {
            return Err(refuse("is a socket"));
        }
    }
    let resolved = resolve_parent(path);
    for store_file in protected {
        let store_file = store_file
            .canonicalize()
            .unwrap_or_else(|_| store_file.clone());
        if resolved.as_deref() == Some(store_file.as_path()) {
            return Err(refuse("is one of the store's own files"));
        }
    }
    Ok(())
}

/// The path with its directory resolved, without following a link at the path itself (which the
/// rename replaces rather than writes through).
fn resolve_parent(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Some(parent.canonicalize().ok()?.join(name))
}

/// A new file beside `path` (rows carry passport numbers: never world-readable), created with `O_CREAT|O_EXCL|O_NOFOLLOW` under a random name, so a
/// link or file planted under a predictable name is never written through.
fn create_temp_beside(path: &Path) -> anyhow::Result<(std::fs::File, PathBuf)> {
    use std::os::unix::fs::OpenOptionsExt;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Exit::new(6, format!("{}: not a file name", path.display())))?;
    let mut last_error = None;
    for _ in 0..16 {
        let temp = parent.join(format!(".{name}.{:016x}.tmp", fastrand::u64(..)));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .custom_flags(nix::libc::O_NOFOLLOW)
            .mode(0o640)
            .open(&temp)
        {
            Ok(file) => return Ok((file, temp)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last_error = Some(e),
            Err(e) => return Err(Exit::new(1, format!("{}: {e}", path.display())).into()),
        }
    }
    Err(Exit::new(
        1,
        format!(
            "{}: cannot create a temporary file beside it: {}",
            path.display(),
            last_error.map(|e| e.to_string()).unwrap_or_default()
        ),
    )
    .into())
}

fn sync_parent(path: &Path) -> io::Result<()> {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => std::fs::File::open(p)?.sync_all(),
        _ => std::fs::File::open(".")?.sync_all(),
    }
}

/// The store's own files, which no output may replace: the store, its journals, its anchor key.
pub fn store_files(store: &Path) -> Vec<PathBuf> {
    let mut files = vec![store.to_path_buf(), crate::store::anchor_key_path(store)];
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut name = store.as_os_str().to_owned();
        name.push(suffix);
        files.push(PathBuf::from(name));
    }
    files
}

/// A line on standard output (the terminal's or the client's).
#[macro_export]
macro_rules! outln {
    () => { $crate::cli::io::out(format_args!("\n")) };
    ($($arg:tt)*) => {{
        $crate::cli::io::out(format_args!($($arg)*));
        $crate::cli::io::out(format_args!("\n"));
    }};
}

/// Text on standard output without a line break.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::io::out(format_args!($($arg)*)) };
}

/// A line on standard error (the terminal's or the client's).
#[macro_export]
macro_rules! errln {
    ($($arg:tt)*) => {{
        $crate::cli::io::err(format_args!($($arg)*));
        $crate::cli::io::err(format_args!("\n"));
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_at_the_target_is_replaced_not_followed() {
        let dir = tempfile::tempdir().expect("dir");
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").expect("victim");
        let out = dir.path().join("out.csv");
        std::os::unix::fs::symlink(&victim, &out).expect("link");
        let mut file = OutputFile::create(&out, &[]).expect("create");
        file.write_all(b"rows").expect("write");
        file.commit().expect("commit");
        assert_eq!(std::fs::read_to_string(&victim).expect("read"), "precious");
        assert_eq!(std::fs::read_to_string(&out).expect("read"), "rows");
        assert!(!std::fs::symlink_metadata(&out).expect("meta").is_symlink());
    }

    #[test]
    fn directories_fifos_and_store_files_are_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let err = check_target(dir.path(), &[]).expect_err("a directory");
        assert_eq!(err.code, 6);
        let fifo = dir.path().join("fifo");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).expect("fifo");
        assert_eq!(check_target(&fifo, &[]).expect_err("a fifo").code, 6);
        let store = dir.path().join("s.db");
        std::fs::write(&store, "").expect("store");
        let err = check_target(&store, &store_files(&store)).expect_err("the store");
        assert!(err.message.contains("store's own files"), "{}", err.message);
        let wal = dir.path().join("s.db-wal");
        assert_eq!(
            check_target(&wal, &store_files(&store))
                .expect_err("the wal")
                .code,
            6
        );
    }
}

//! Reading an exec's arguments out of the calling process: the file name,
//! the argv and envp arrays, with `process_vm_readv` a page at a time
//! (`sys.rs`), bounded by named limits. An exec whose arguments cannot be read whole is reported as an
//! error (the supervisor denies it), never guessed.

/// Most argv entries read from one exec (more → denied as unreadable).
pub const MAX_ARGS: usize = 4096;
/// Most environment entries read from one exec (more → denied).
pub const MAX_ENV_ENTRIES: usize = 8192;
/// Longest single argument or environment string (the kernel's own limit,
/// MAX_ARG_STRLEN, is 32 pages).
pub const MAX_ARG_BYTES: usize = 128 * 1024;
/// Most bytes read from the caller's memory for one exec: file name, argv
/// and environment together.
pub const MAX_EXEC_BYTES: usize = 4 * 1024 * 1024;
/// Environment variables that change what a program does. Any `GIT_*` and
/// `LD_*` variable counts too (see [`relevant_env`]).
pub const RELEVANT_ENV: &[&str] = &[
    "PATH",
    "BASH_ENV",
    "ENV",
    "PAGER",
    "MANPAGER",
    "EDITOR",
    "VISUAL",
    "BROWSER",
    "LESSOPEN",
    "LESSCLOSE",
    "PROMPT_COMMAND",
    "SSH_ASKPASS",
    "SUDO_ASKPASS",
    "DYLD_INSERT_LIBRARIES",
    "PYTHONSTARTUP",
    "PYTHONPATH",
    "PERL5OPT",
    "NODE_OPTIONS",
    "RUBYOPT",
    "HISTFILE",
    "HISTSIZE",
];

/// Does `name` change what the programs of an exec do?
pub fn relevant_env(name: &str) -> bool {
    RELEVANT_ENV.contains(&name) || name.starts_with("GIT_") || name.starts_with("LD_")
}

/// Why an exec's arguments could not be read whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError(pub String);

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An exec's arguments as the caller passed them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecRead {
    /// The path argument, as given (may be relative, or empty with
    /// `AT_EMPTY_PATH`).
    pub path: String,
    /// For `execveat`: the directory fd the path is relative to (`None` for
    /// `AT_FDCWD` and plain `execve`).
    pub dirfd: Option<i32>,
    /// `execveat` flags.
    pub flags: u64,
    pub argv: Vec<String>,
    /// Only the entries for which [`relevant_env`] holds.
    pub env: Vec<(String, String)>,
}

const PAGE: u64 = 4096;

/// Page buffers kept by each supervisor thread between execs: a page read
/// costs no allocation once a thread has judged a few execs.
const KEPT_PAGE_BUFFERS: usize = 32;

thread_local! {
    static SPARE_PAGES: std::cell::RefCell<Vec<Vec<u8>>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Page-cached reads of another process's memory, with a byte budget. An
/// exec's arguments span a few pages, so they are kept in a short list
/// (newest last) rather than a map.
struct Mem {
    pid: u32,
    pages: Vec<(u64, Vec<u8>)>,
    read: usize,
}

impl Drop for Mem {
    fn drop(&mut self) {
        SPARE_PAGES.with(|spare| {
            let mut spare = spare.borrow_mut();
            for (_, buf) in self.pages.drain(..) {
                if spare.len() >= KEPT_PAGE_BUFFERS {
                    break;
                }
                spare.push(buf);
            }
        });
    }
}

impl Mem {
    fn new(pid: u32) -> Mem {
        Mem {
            pid,
            pages: Vec::new(),
            read: 0,
        }
    }

    fn page(&mut self, base: u64) -> Result<&[u8], ReadError> {
        if let Some(i) = self.pages.iter().rposition(|(b, _)| *b == base) {
            return Ok(&self.pages[i].1);
        }
        if self.read + PAGE as usize > MAX_EXEC_BYTES {
            return Err(ReadError(format!(
                "the exec's arguments are larger than {MAX_EXEC_BYTES} bytes"
            )));
        }
        let mut buf = SPARE_PAGES
            .with(|spare| spare.borrow_mut().pop())
            .unwrap_or_default();
        buf.resize(PAGE as usize, 0);
        let n = crate::sys::read_memory(self.pid, base, &mut buf)
            .map_err(|e| ReadError(format!("cannot read the caller's memory: {e}")))?;
        if n == 0 {
            return Err(ReadError("the caller's memory ended early".into()));
        }
        buf.truncate(n);
        self.read += n;
        self.pages.push((base, buf));
        Ok(&self.pages.last().expect("just pushed").1)
    }

    fn bytes(&mut self, addr: u64, len: usize) -> Result<Vec<u8>, ReadError> {
        let mut out = Vec::with_capacity(len);
        let mut at = addr;
        while out.len() < len {
            let base = at & !(PAGE - 1);
            let off = (at - base) as usize;
            let page = self.page(base)?;
            if off >= page.len() {
                return Err(ReadError("the caller's memory ended early".into()));
            }
            let take = (len - out.len()).min(page.len() - off);
            out.extend_from_slice(&page[off..off + take]);
            at += take as u64;
        }
        Ok(out)
    }

    fn pointer(&mut self, addr: u64) -> Result<u64, ReadError> {
        let b = self.bytes(addr, 8)?;
        Ok(u64::from_ne_bytes(b.try_into().expect("8 bytes")))
    }

    fn c_string(&mut self, addr: u64) -> Result<String, ReadError> {
        Ok(String::from_utf8_lossy(&self.c_bytes(addr)?).into_owned())
    }

    fn c_bytes(&mut self, addr: u64) -> Result<Vec<u8>, ReadError> {
        if addr == 0 {
            return Err(ReadError("a null string pointer".into()));
        }
        let mut out = Vec::new();
        let mut at = addr;
        loop {
            let base = at & !(PAGE - 1);
            let off = (at - base) as usize;
            let page = self.page(base)?;
            if off >= page.len() {
                return Err(ReadError("the caller's memory ended early".into()));
            }
            let rest = &page[off..];
            if let Some(nul) = rest.iter().position(|&b| b == 0) {
                out.extend_from_slice(&rest[..nul]);
                break;
            }
            out.extend_from_slice(rest);
            at += rest.len() as u64;
            if out.len() > MAX_ARG_BYTES {
                return Err(ReadError(format!(
                    "an argument is longer than {MAX_ARG_BYTES} bytes"
                )));
            }
        }
        if out.len() > MAX_ARG_BYTES {
            return Err(ReadError(format!(
                "an argument is longer than {MAX_ARG_BYTES} bytes"
            )));
        }
        Ok(out)
    }

    /// A NULL-terminated array of string pointers, at most `max` entries,
    /// each read whole and handed to `keep`.
    fn each_string(
        &mut self,
        addr: u64,
        max: usize,
        what: &str,
        mut keep: impl FnMut(Vec<u8>),
    ) -> Result<(), ReadError> {
        if addr == 0 {
            // Linux treats a NULL argv/envp as empty.
            return Ok(());
        }
        for i in 0..=max {
            let p = self.pointer(addr + 8 * i as u64)?;
            if p == 0 {
                return Ok(());
            }
            if i == max {
                break;
            }
            keep(self.c_bytes(p)?);
        }
        Err(ReadError(format!("more than {max} {what} entries")))
    }
}

/// Read the arguments of the exec that thread `pid` is making: system call
/// `nr` (`execve` or `execveat`) with raw arguments `args`.
pub fn read_exec(pid: u32, nr: i64, args: [u64; 6]) -> Result<ExecRead, ReadError> {
    let mut mem = Mem::new(pid);
    let (dirfd, path, argv, envp, flags) = if nr == libc::SYS_execveat {
        let fd = args[0] as i32;
        let dirfd = (fd != libc::AT_FDCWD).then_some(fd);
        (dirfd, args[1], args[2], args[3], args[4])
    } else if nr == libc::SYS_execve {
        (None, args[0], args[1], args[2], 0)
    } else {
        return Err(ReadError(format!("system call {nr} is not an exec")));
    };
    let path = mem.c_string(path)?;
    let mut args = Vec::new();
    mem.each_string(argv, MAX_ARGS, "argv", |a| {
        args.push(String::from_utf8_lossy(&a).into_owned())
    })?;
    // Every entry is read whole (an environment that cannot be read is
    // refused), but only the relevant ones are made into text.
    let mut env = Vec::new();
    mem.each_string(envp, MAX_ENV_ENTRIES, "environment", |kv| {
        let Some(eq) = kv.iter().position(|&b| b == b'=') else {
            return;
        };
        let name = String::from_utf8_lossy(&kv[..eq]);
        if relevant_env(&name) {
            env.push((
                name.into_owned(),
                String::from_utf8_lossy(&kv[eq + 1..]).into_owned(),
            ));
        }
    })?;
    Ok(ExecRead {
        path,
        dirfd,
        flags,
        argv: args,
        env,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relevant_names() {
        assert!(relevant_env("LD_PRELOAD"));
        assert!(relevant_env("GIT_SSH_COMMAND"));
        assert!(relevant_env("BASH_ENV"));
        assert!(!relevant_env("HOME"));
        assert!(!relevant_env("TERM"));
    }

    #[test]
    fn reads_path_argv_and_relevant_env_from_a_live_process() {
        use std::ffi::CString;
        let path = CString::new("/bin/rm").unwrap();
        let args: Vec<CString> = ["rm", "-rf", "a b"]
            .iter()
            .map(|s| CString::new(*s).unwrap())
            .collect();
        let long = CString::new("x".repeat(9000)).unwrap();
        let envs: Vec<CString> = ["HOME=/h", "LD_PRELOAD=/evil.so", "GIT_DIR=/g"]
            .iter()
            .map(|s| CString::new(*s).unwrap())
            .collect();
        let mut argv: Vec<u64> = args.iter().map(|a| a.as_ptr() as u64).collect();
        argv.push(long.as_ptr() as u64);
        argv.push(0);
        let mut envp: Vec<u64> = envs.iter().map(|a| a.as_ptr() as u64).collect();
        envp.push(0);
        let me = std::process::id();
        let got = read_exec(
            me,
            libc::SYS_execve,
            [
                path.as_ptr() as u64,
                argv.as_ptr() as u64,
                envp.as_ptr() as u64,
                0,
                0,
                0,
            ],
        )
        .unwrap();
        assert_eq!(got.path, "/bin/rm");
        assert_eq!(&got.argv[..3], ["rm", "-rf", "a b"]);
        assert_eq!(got.argv[3].len(), 9000);
        assert_eq!(
            got.env,
            vec![
                ("LD_PRELOAD".to_string(), "/evil.so".to_string()),
                ("GIT_DIR".to_string(), "/g".to_string())
            ]
        );
        // execveat: dirfd, path, argv, envp, flags.
        let at = read_exec(
            me,
            libc::SYS_execveat,
            [7, path.as_ptr() as u64, argv.as_ptr() as u64, 0, 0x1000, 0],
        )
        .unwrap();
        assert_eq!((at.dirfd, at.flags, at.env.len()), (Some(7), 0x1000, 0));
        // An argv with no terminating NULL within the cap is refused.
        let endless: Vec<u64> = vec![args[0].as_ptr() as u64; MAX_ARGS + 1];
        let err = read_exec(
            me,
            libc::SYS_execve,
            [path.as_ptr() as u64, endless.as_ptr() as u64, 0, 0, 0, 0],
        )
        .unwrap_err();
        assert!(err.0.contains("more than"), "{err}");
    }

    #[test]
    fn a_process_that_is_not_there_is_unreadable() {
        let path = c"/bin/true";
        let gone = [path.as_ptr() as u64, 0, 0, 0, 0, 0];
        let err = read_exec(u32::MAX - 1, libc::SYS_execve, gone).unwrap_err();
        assert!(err.0.contains("cannot read the caller's memory"), "{err}");
        let me = std::process::id();
        let err = read_exec(me, 0, [0; 6]).unwrap_err();
        assert!(err.0.contains("not an exec"), "{err}");
        // A null path pointer is refused, not read as empty.
        let err = read_exec(me, libc::SYS_execve, [0; 6]).unwrap_err();
        assert!(err.0.contains("null"), "{err}");
    }
}

//! `kintsugi limits`: what Kintsugi cannot stop, said plainly, and every
//! named limit with its value.

use anyhow::Result;
use kintsugi_intercept::hook;
use std::process::ExitCode;

const TEXT: &str = "\
What Kintsugi cannot stop
- Root. A process running as root can stop the daemon, edit its files and
  bypass every check. Kintsugi is a safety net for agents running as you.
- Same-user kills. Any process of your user can SIGKILL the daemon. A stop
  by signal is recorded when it is SIGTERM/SIGINT; a SIGKILL is recorded at
  the next start as an unclean stop.
- Commands that never ask. Kintsugi judges only what reaches it: a program
  that deletes files itself, or a command run by absolute path outside any
  hook, is not seen before it runs. On Linux `kintsugi guard -- AGENT`
  closes the exec part of this for the agent's whole process tree (below).
- Agents without a post-tool hook. Cursor, Copilot CLI and OpenCode report
  no completion, so their commands are recorded as allowed, not as
  finished, and undo of one asks for --force (Claude Code, Codex, Gemini CLI
  and Qwen Code get `kintsugi hook --after` from `kintsugi init`).
- Code as data. A script the line runs (`./x.sh`, `bash x`, `python3 x.py`,
  `source x`) is read when the line is proposed and judged by its text (at
  most 256 KiB, regular files only; larger, missing or binary ones
  are \"unknown\", ambiguous). A script changed after that check, or one
  fetched or generated while the line runs, is not the text that was
  judged; files a script opens or programs it downloads are not read.
- Programs Kintsugi does not know are ambiguous, not safe; their read
  forms (`list`, `get`, `status`, `--help`, …) are judged by the verb alone,
  so a CLI whose `get` changes something is misjudged.
- Same-user ledger rewrites. The checkpoint signing key sits in the data dir:
  a process with your privileges can rewrite the ledger and sign a new
  history, or delete the last events together with the checkpoint lines
  that cover them. Configure `witness_dir` on storage the agent cannot write
  to make that visible (`verify` checks the witness copy; without one,
  `verify`, `status` and `doctor` warn).
- Events after the last checkpoint are protected by the hash chain only.
- Fleet shipping (`[fleet]`) proves centrally only what a host shipped: a
  host compromised before shipping can sign a fresh history (it shows as
  forks where it overlaps what was already shipped). TLS follows the URL's
  sslmode: only verify-full (with sslrootcert) checks both the server's
  certificate and its name; prefer and require check neither.
- The OS can always stop the daemon. The admin password gates the ways
  Kintsugi offers to turn it off (`stop`, `resume`, loosening the mode,
  `init --undo`, `service uninstall`), but any process of your user can
  SIGTERM or SIGKILL the daemon. That is made visible, not prevented: a
  signal stop is a ledger event, an unclean stop is recorded at the next
  start, and `kintsugi service install` makes the service manager start it
  again. With `fail_mode = \"closed\"`, interception blocks every non-safe
  command while the daemon is down.
- Same-user vault reads. vault.json holds the argon2id verifier the daemon
  checks proofs with; a process that reads it can answer challenges without
  knowing the password (it cannot learn the password or open the sealed
  settings). The vault stops agents that go through Kintsugi's front door,
  not code that reads your files (docs/ADMIN.md).
- Erasing the vault and the ledger together. A provisioned vault is also
  recorded on the signed ledger, so deleting vault.json and
  vault.provisioned starts the daemon degraded (locked, at least attended),
  not unlocked. Deleting ledger.db as well starts a fresh, unlocked history;
  the daemon does not re-verify the whole chain at start (`kintsugi verify`
  does). Re-provisioning after an erasure is recorded and warned about in
  `status`, not prevented.
- Which daemon the runners trust. Shims, `exec`, MCP and the agent
  hooks honour KINTSUGI_SOCKET and KINTSUGI_DATA_DIR, and before trusting an
  answer check the peer: SO_PEERCRED uid is yours, the socket file is
  yours, the peer's pid is the one in the data dir's kintsugi.pid, and
  /proc/PID/exe is this same program (same device and inode, or this path
  marked deleted after an in-place upgrade). Anything else is decided
  locally with the fail mode forced closed. This rejects a fake server and
  a server that took the socket path after the daemon was killed; it does
  not reject a genuine `kintsugi daemon` the agent started with its own data
  dir and config (only `kintsugi guard` closes that). Outside Linux only the
  uid and owner checks are made.
- The environment only tightens the fail mode. KINTSUGI_FAIL_MODE=closed
  blocks more; KINTSUGI_FAIL_MODE=open does not loosen fail_mode = \"closed\".
- Secrets with no tell. Redaction blanks values it can recognise by name,
  shape, program position, standard input of a program that reads one, or
  SQL; a secret read at run time (`cat pw.txt | docker login
  --password-stdin`) or with no tell at all is stored as written. A held
  line with a redacted value cannot be run by `kintsugi run`: the value was
  never stored.

Named limits (config keys in parentheses)
- frame size: 16 MiB per request line
- read timeout: 30 s for a complete request (read_timeout_secs)
- connections served at once: 1024 (max_connections), at most 128 per peer
  process (max_connections_per_process); `subscribe` streams are counted
  apart, 64 at once (max_subscribers); peers of another uid hold no slot;
  a connection turned away for load gets one `busy` error, and interceptors
  then block the command whatever the fail mode (nothing runs unrecorded)
- held commands at once: 1000 (max_pending); beyond it new holds are denied;
  20 per agent session (max_pending_per_session; commands without a session
  count per agent), beyond which that session's holds are denied; `kintsugi
  queue` groups holds by agent and session, smallest group first
- hold expiry: 3600 s (pending_ttl_secs)
- in-band wait: 30 s by default, at most 600 s per request
- checkpoint: every 1000 events (checkpoint_every) or 10 s (checkpoint_interval_secs)
- ledger writer: at most 4096 events per transaction, 65536 queued
- fleet shipping ([fleet]): 5000 events per central transaction (batch_size,
  at most 50000), new events looked for every 500 ms (poll_interval_ms),
  retries from 500 ms (retry_min_ms) doubling to 30 s (retry_max_secs), 5 s
  to connect, 3 s for the last pass at a clean stop; TLS per sslmode
  (disable, prefer, require, verify-ca, verify-full; verify-* need sslrootcert)
- admin password: argon2id 64 MiB, t=3, p=1 for a new vault (the vault
  records its own parameters); challenge nonces single-use, 60 s; after 5
  failed attempts a wait of 30 s, doubling per failure up to 1 hour,
  persisted across restarts
- local model scorer ([model], off unless a path is set): 750 ms per
  command (timeout_ms), 2 threads (threads), 4 waiting (queue_len), 40
  tokens out (max_tokens), 1024-token context (context_tokens), command
  quoted up to 600 characters; past any of them the heuristic answers
- derived text (reasons, summaries, previews, model prompt) is scrubbed of
  every secret value found in the command; values shorter than 4
  characters only as whole words
- the local model can only raise a risk: it never lowers a class, unlocks a
  hold or allows anything (docs/MODEL.md)
";

pub fn run() -> Result<ExitCode> {
    print!("{TEXT}");
    print!("{}", watcher_and_snapshot_limits());
    print!("{}", alert_limits());
    print!("{}", crate::commands::web::limits_text());
    print!("{}", super::limits_human::text());
    print!("{}", guard_limits());
    Ok(ExitCode::SUCCESS)
}

/// The `[alerts]` limits, from the constants the daemon uses.
fn alert_limits() -> String {
    use kintsugi_daemon::{
        ALERT_COMMAND_CHARS, ALERT_PREVIEW_CHARS, DESKTOP_CALL_TIMEOUT, DESKTOP_QUEUE_LEN,
        WEBHOOK_ATTEMPTS, WEBHOOK_FIRST_BACKOFF, WEBHOOK_QUEUE_LEN,
    };
    format!(
        "- alerts ([alerts], off unless desktop = true or a webhook is set): a
  desktop notification and/or a webhook POST per hold (and per deny with
  on_deny); each channel has its own thread and a queue of {dq} (desktop) /
  {wq} (webhook) alerts; a full queue drops the alert (logged, counted in
  `status`), so an alert never delays a verdict; a webhook gets {attempts}
  attempts of at most {timeout} ms each (timeout_ms), {backoff} ms apart,
  doubling; plain http only to loopback; a D-Bus call may take {dbus} ms;
  alerts carry the redacted command (at most {cmd} characters) and preview
  (at most {preview}); a notification offers only \"Open\" (the control room),
  never approve; best effort: an alert lost is not a hold answered
",
        dq = DESKTOP_QUEUE_LEN,
        wq = WEBHOOK_QUEUE_LEN,
        attempts = WEBHOOK_ATTEMPTS,
        timeout = kintsugi_daemon::AlertsConfig::default()
            .timeout()
            .as_millis(),
        backoff = WEBHOOK_FIRST_BACKOFF.as_millis(),
        dbus = DESKTOP_CALL_TIMEOUT.as_millis(),
        cmd = ALERT_COMMAND_CHARS,
        preview = ALERT_PREVIEW_CHARS,
    )
}

/// What `kintsugi guard`'s exec layer cannot see or prevent, and its
/// limits, from the constants the code uses.
fn guard_limits() -> String {
    format!(
        "
kintsugi guard (Linux, seccomp user notification; docs/GUARD.md)
- Every execve/execveat of the guarded tree is judged, but the argv is read
  from the caller's memory: a multi-threaded program could change it after
  the check and before the kernel reads it (time of check / time of use).
- File operations that need no exec (a Python shutil.rmtree, a program
  deleting files itself) are not seen: the snapshot and watcher backstops
  are the answer there.
- Root (or your user outside the tree) can kill the guard; the tree's later
  execs then fail (ENOSYS) rather than run unjudged.
- no_new_privs: inside the guarded tree setuid programs (sudo, su, ping on
  some systems) do not gain privileges; run them outside guard.
- The agent's own start is not judged: its first program, its re-runs of
  itself (/proc/self/exe) and, for an npm launcher script, the interpreter
  and the hand-off to a program in its node_modules with the agent's exact
  arguments, only until the first other exec of the tree. What the agent
  then runs is judged as its own top-level commands.
- 32-bit and x32 system calls are killed by the filter (not judged).
- Where seccomp user notification is unavailable (kernel before 5.0, a
  container that forbids it, a supervisor already listening: EBUSY) guard
  says so and falls back to the PATH shims; `status` and `doctor` show
  which layer protects each live guard.
- exec arguments: at most {args} argv entries, {env} environment entries,
  {arg_kib} KiB per string, {total_mib} MiB in all; an exec that cannot be
  read whole is refused, never guessed
- at most {in_flight} execs judged at once (the rest wait, paused, in turn);
  allowed ancestors looked for up to {depth} parents up
- live guards leave a note in <data dir>/guards/ that `status` (CLI, TUI,
  web) reads: at most {notes} notes of at most {note_bytes} bytes each
- inheritance: an exec under an allowed one (up to {window_h} h later, the
  {allowances} most recently used remembered) is allowed when it is part of
  that line, or held only for being unknown; anything non-safe by a known
  rule is judged on its own
- such a covered exec continues before its own ledger record: records are
  gathered for {defer_ms} ms and committed together, so a daemon killed in
  that window loses those children's lines (their parent's is on the
  ledger)
- a safe exec (the agent's own, or covered; no deny or hold rule matching
  it) is answered by the guard itself under the daemon's lease and reported
  in batches gathered for {report_ms} ms, so it is on the ledger after it
  started, not before; the kill switch stops that at once (the guard checks
  its file before each such exec), a newly remembered denial when the guard
  reads the daemon's next lease line; a guard killed in that window loses
  those execs' own lines; at most {unreported} wait to be reported and an exec
  over {leased_kib} KiB is never answered so (both are proposed instead), and a
  report the daemon has not answered in {report_s} s goes to the spool;
  `guard --ask-every-exec` asks the daemon instead
",
        args = kintsugi_guard::MAX_ARGS,
        notes = kintsugi_protocol::guards::MAX_GUARD_NOTES,
        note_bytes = kintsugi_protocol::guards::MAX_GUARD_NOTE_BYTES,
        env = kintsugi_guard::MAX_ENV_ENTRIES,
        arg_kib = kintsugi_guard::MAX_ARG_BYTES / 1024,
        total_mib = kintsugi_guard::MAX_EXEC_BYTES / (1024 * 1024),
        in_flight = kintsugi_guard::MAX_IN_FLIGHT,
        depth = kintsugi_guard::MAX_TREE_DEPTH,
        window_h = kintsugi_daemon::EXEC_ALLOWANCE_WINDOW.as_secs() / 3600,
        allowances = kintsugi_daemon::MAX_EXEC_ALLOWANCES,
        defer_ms = kintsugi_daemon::DEFER_WINDOW.as_millis(),
        report_ms = crate::commands::guard_lease::REPORT_WINDOW.as_millis(),
        unreported = crate::commands::guard_lease::MAX_UNREPORTED,
        report_s = crate::commands::guard_lease::REPORT_TIMEOUT.as_secs(),
        leased_kib = crate::commands::guard_lease::MAX_LEASED_EXEC_BYTES / 1024,
    )
}

/// The snapshot, watcher and approval limits, from the constants the code
/// uses (so this page cannot drift from them).
fn watcher_and_snapshot_limits() -> String {
    use kintsugi_watch::{COALESCE, MAX_BATCH, QUIET, RESTART_AFTER};
    let ms = |d: std::time::Duration| d.as_millis();
    let d = kintsugi_config::Config::default();
    format!(
        "- snapshots: per snapshot {max_mb} MiB of content (snapshot_max_mb), {max_files}
  entries (snapshot_max_files), {max_secs} s (snapshot_max_secs); beyond any, undo
  cannot cover the rest and, attended, the command is held; the store keeps
  {store_mb} MiB (snapshot_store_max_mb) for {days} days (snapshot_retention_days)
  and always the newest {keep} (snapshot_keep_newest); xattr values over {xattr}
  bytes are not captured; every budget and a daemon stop are checked after
  each {chunk_kib} KiB read inside a file, so a growing or endless file stops there
- snapshots never read FIFOs, sockets, devices or the {pseudo} pseudo-filesystem
  types (proc, sysfs, cgroup, ..., by statfs magic; listed as skipped); a
  recursive effect on `/` or one of the {system} whole system directories
  (/usr, /etc, /home, ...) starts no capture (\"reaches the whole system\")
- undo writes only through directories opened without following symlinks;
  one above a snapshot's roots that was replaced or re-pointed since capture
  refuses the undo even with --force (use `kintsugi undo ID --to DIR`)
- capture progress to `approve`/`run`: at most one line per 100 ms
- subscribers: one that cannot take the next line within {sub_write} s (it
  stopped reading) is dropped; at most {refusals} refusals are answered at
  once with a 1 s grace read, the rest get their one line and are closed
- watcher: a batch closes after {quiet} ms of quiet or {batch} ms; more than
  {coalesce} changes of one kind are one summarised event; the daemon's own
  watcher ([watch] paths) restarts {restart} s after it stops; mirror
  manifests are kept {grace} s before GC may drop them (their objects are
  pinned); the newest 8 degraded-watch notes show in `status`
- approval reuse: a command rides on a human's approval only when each of
  its simple commands (argv after static expansion) is an unused one of
  the approved line's, from the approved cwd, and it is not catastrophic
  unless the approved line was; each is used once; within {hook_reuse} s for
  what an agent's hook held, {run_reuse} s for what runs inside a runner's
  approved command (KINTSUGI_APPROVED_PARENT only names the approval)
- undo --force first snapshots what it overwrites (session
  kintsugi:before-undo) and is refused when that snapshot is incomplete
- agent hooks: payloads up to {payload_mib} MiB; a shell call whose payload or
  command cannot be read is blocked in every fail mode (the reason quotes at
  most {quoted_cmds} commands found in it, {quoted_chars} characters each); an explicit allow
  only for a safe verdict or a human's approval, any other allow is \"no
  opinion\" (the agent's own permission rules apply); every interceptor (hooks,
  shims, exec, run, MCP) waits {propose} s for the daemon's verdict before the
  local check and the fail mode decide; the post-tool hook waits
  {complete} s for the daemon's ack; a hold waits (--wait-secs, at most 600;
  KINTSUGI_HOOK_WAIT_SECS may only shorten it), per agent host timeout →
  hold budget, at least {margin} s apart; a hold still pending at the budget
  is denied with the `kintsugi run ID` hint, before the host would let the
  command run:
  {waits}
- repository policy: every .kintsugi.toml from the cwd up applies; one
  larger than {repo_kib} KiB is reported and none of its rules apply
- MCP exec: {mcp_default} s per command by default, at most {mcp_max} s
  (timeout_secs; the whole process group is killed); {mcp_out_mib} MiB of
  stdout and of stderr kept
- replay: transcripts up to {replay_mib} MiB each (lines up to {line_mib} MiB),
  {replay_files} files and {replay_depth} directory levels per run; a ledger event
  sees a call within {window} s of the time the agent gave it ({candidates}
  events with the same text examined); the local model is not consulted
",
        sub_write = kintsugi_daemon::SUBSCRIBER_WRITE_TIMEOUT.as_secs(),
        refusals = kintsugi_daemon::MAX_REFUSALS_IN_FLIGHT,
        max_mb = d.snapshot_max_mb,
        max_files = d.snapshot_max_files,
        max_secs = d.snapshot_max_secs,
        store_mb = d.snapshot_store_max_mb,
        days = d.snapshot_retention_days,
        keep = d.snapshot_keep_newest,
        xattr = kintsugi_snapshot::MAX_XATTR_BYTES,
        chunk_kib = kintsugi_snapshot::COPY_CHUNK / 1024,
        pseudo = kintsugi_snapshot::PSEUDO_FILESYSTEMS.len(),
        system = kintsugi_snapshot::WHOLE_SYSTEM_DIRS.len() - 1,
        quiet = ms(QUIET),
        batch = ms(MAX_BATCH),
        coalesce = COALESCE,
        restart = RESTART_AFTER.as_secs(),
        grace = kintsugi_snapshot::MIRROR_MANIFEST_GRACE.as_secs(),
        payload_mib = hook::MAX_PAYLOAD_BYTES / (1024 * 1024),
        quoted_cmds = hook::MAX_QUOTED_COMMANDS,
        quoted_chars = hook::MAX_QUOTED_CHARS,
        repo_kib = kintsugi_daemon::MAX_REPO_FILE_BYTES / 1024,
        propose = hook::PROPOSE_TIMEOUT.as_secs(),
        waits = hook_waits(),
        margin = hook::budget::HOLD_MARGIN.as_secs(),
        complete = hook::after::COMPLETE_TIMEOUT.as_secs(),
        mcp_default = kintsugi_mcp::DEFAULT_TIMEOUT_SECS,
        mcp_max = kintsugi_mcp::MAX_TIMEOUT_SECS,
        mcp_out_mib = kintsugi_mcp::MAX_OUTPUT_BYTES / (1024 * 1024),
        replay_mib = crate::replay::MAX_TRANSCRIPT_BYTES / (1024 * 1024),
        line_mib = crate::replay::MAX_LINE_BYTES / (1024 * 1024),
        replay_files = crate::replay::MAX_FILES,
        replay_depth = crate::replay::MAX_DEPTH,
        window = crate::replay::ledger::LEDGER_WINDOW_SECS,
        candidates = crate::replay::ledger::MAX_LEDGER_CANDIDATES,
        hook_reuse = kintsugi_daemon::HOOK_REUSE_WINDOW.as_secs(),
        run_reuse = kintsugi_daemon::RUN_REUSE_WINDOW.as_secs(),
    )
}

/// Each agent's default hold budget, e.g. `claude 55 s, codex 300 s, …`.
fn hook_waits() -> String {
    hook::Agent::ALL
        .iter()
        .map(|a| {
            let b = hook::budget::hold_budget(*a);
            match b.host_timeout {
                Some(host) => format!(
                    "{} {} s → {} s",
                    a.name(),
                    host.as_secs(),
                    b.budget.as_secs()
                ),
                None => format!("{} (no host timeout) {} s", a.name(), b.budget.as_secs()),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_configurable_limit_is_named_on_the_page() {
        let page = format!("{TEXT}{}", watcher_and_snapshot_limits());
        for key in [
            "read_timeout_secs",
            "max_connections",
            "max_connections_per_process",
            "max_subscribers",
            "max_pending",
            "max_pending_per_session",
            "witness_dir",
            "pending_ttl_secs",
            "checkpoint_every",
            "checkpoint_interval_secs",
            "snapshot_max_mb",
            "snapshot_max_files",
            "snapshot_max_secs",
            "snapshot_store_max_mb",
            "snapshot_retention_days",
            "snapshot_keep_newest",
            "batch_size",
            "timeout_ms",
            "queue_len",
            "timeout_secs",
            "--wait-secs",
        ] {
            assert!(page.contains(key), "`kintsugi limits` does not name {key}");
        }
        let d = kintsugi_config::Config::default();
        assert!(page.contains(&format!("{} MiB of content", d.snapshot_max_mb)));
        assert_eq!(
            (
                d.max_connections,
                d.max_connections_per_process,
                d.max_subscribers,
                d.max_pending,
                d.max_pending_per_session
            ),
            (1024, 128, 64, 1000, 20),
            "the page's text names these defaults: change both together"
        );
        assert!(page.contains(&format!(
            "each {} KiB read",
            kintsugi_snapshot::COPY_CHUNK / 1024
        )));
        assert!(page.contains("--to DIR"));
        assert!(page.contains(&format!(
            "most {} KiB",
            kintsugi_classify::MAX_SCRIPT_BYTES / 1024
        )));
        assert!(page.contains(&format!(
            "values shorter than {}\n  characters only as whole words",
            kintsugi_daemon::MIN_SUBSTRING_SECRET
        )));
    }
}

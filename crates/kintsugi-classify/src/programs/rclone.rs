//! rclone by verb: the listing and checking verbs (`ls`, `lsd`, `lsl`,
//! `size`, `about`, `check`, …) only read; `delete`, `deletefile`, `purge`
//! and `cleanup` remove files from a remote for good (there is no undo on
//! most backends); `rmdir`, `rmdirs`, `dedupe`, `mkdir`, `touch` and other
//! housekeeping are changes; transfers (`copy`, `sync`, `move`) are judged
//! like `rsync`; any other verb is an unknown subcommand. Dry runs are safe.

use super::Cmd;
use crate::effects::Effect;
use crate::engine::Walker;

/// Verbs that only read or print.
const READ: &[&str] = &[
    "ls",
    "lsd",
    "lsl",
    "lsf",
    "lsjson",
    "size",
    "about",
    "tree",
    "check",
    "cryptcheck",
    "checksum",
    "hashsum",
    "md5sum",
    "sha1sum",
    "listremotes",
    "version",
    "help",
    "cat",
    "",
];

/// Verbs that delete remote files for good.
const DESTROY: &[&str] = &["delete", "deletefile", "purge", "cleanup"];

/// Verbs that change a remote in a limited or undoable way.
const CHANGE: &[&str] = &[
    "rmdir", "rmdirs", "dedupe", "mkdir", "touch", "settier", "backend", "rcat", "link", "copyurl",
];

/// Judge one `rclone` command line.
pub(crate) fn handle(e: &mut Walker, c: &Cmd) {
    let verb = c.sub(0);
    if c.dry_run() || READ.contains(&verb) {
        return;
    }
    let target = c.sub(1).to_string();
    if DESTROY.contains(&verb) {
        e.add(Effect::CloudDestroy {
            tool: "rclone".into(),
            what: format!("rclone {verb} {target}"),
        });
    } else if CHANGE.contains(&verb) {
        e.add(Effect::CloudChange {
            tool: "rclone".into(),
            what: format!("rclone {verb} {target}"),
        });
    } else if matches!(
        verb,
        "copy" | "copyto" | "sync" | "move" | "moveto" | "bisync"
    ) {
        super::net::copy_remote(e, c);
    } else {
        e.add(Effect::Unknown {
            program: "rclone".into(),
            form: "subcommand".into(),
            what: format!("runs `rclone {verb}`, which Kintsugi does not model"),
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::expect;

    #[test]
    fn rclone_verbs() {
        expect(&[
            ("rclone deletefile remote:db/backup.sql.gz", "catastrophic"),
            ("rclone delete b2:bucket/logs --min-age 30d", "catastrophic"),
            ("rclone cleanup remote:", "catastrophic"),
            ("rclone purge remote:old", "catastrophic"),
            ("rclone rmdirs remote:photos", "ambiguous"),
            ("rclone dedupe --dedupe-mode newest remote:x", "ambiguous"),
            ("rclone lsl remote:photos --max-depth 1", "safe"),
            ("rclone size remote:photos", "safe"),
            ("rclone about remote:", "safe"),
            ("rclone deletefile --dry-run remote:x/y", "safe"),
            ("rclone copy remote:backup ./restore", "ambiguous"),
            ("rclone frobnicate remote:x", "ambiguous"),
        ]);
    }
}

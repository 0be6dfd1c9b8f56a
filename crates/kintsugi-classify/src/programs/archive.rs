//! What an archiver reads: `tar` members are relative to the `-C DIR` given
//! before them (`tar czf out.tgz -C ~ .ssh` archives `~/.ssh`), and `cpio
//! -o` archives the paths listed on its standard input (a here-string,
//! `find … |`, a file). A member that is credential material is a secret
//! read: the archive is a copy of the keys.

use super::Cmd;
use crate::effects::Effect;
use crate::engine::{Stdin, Walker};

/// A `SecretRead` for every `tar` member naming credential material.
pub(crate) fn tar_members(e: &mut Walker, c: &Cmd) {
    let mut dir: Option<String> = None;
    let mut k = 0;
    while k < c.args.len() {
        let t = c.args[k].text.as_str();
        if t == "-C" || t == "--directory" {
            dir = c.args.get(k + 1).map(|w| w.text.clone());
            k += 2;
            continue;
        }
        if let Some(d) = t.strip_prefix("--directory=") {
            dir = Some(d.to_string());
        } else if !t.starts_with('-') {
            let mut cands = vec![e.path(t)];
            if let Some(d) = dir.as_deref().filter(|_| !t.starts_with('/')) {
                cands.push(e.path(&format!("{d}/{t}")));
            }
            for p in cands {
                if is_key_material(e, &p) {
                    e.add(Effect::SecretRead { path: p });
                    break;
                }
            }
        }
        k += 1;
    }
}

/// `cpio -o`: the paths on standard input are archived.
pub(crate) fn cpio(e: &mut Walker, c: &Cmd) {
    let create = c.long("--create")
        || c.args
            .iter()
            .any(|w| w.text.starts_with('-') && !w.text.starts_with("--") && w.text.contains('o'));
    if !create {
        e.add(Effect::Change {
            program: "cpio".into(),
            what: "extracts or copies files from an archive".into(),
        });
        return;
    }
    let listed: Vec<String> = match &c.stdin {
        Stdin::Literal(text) => text.split_whitespace().map(str::to_string).collect(),
        Stdin::Listing(paths) => paths.clone(),
        Stdin::File(f) => vec![f.clone()],
        _ => Vec::new(),
    };
    for t in listed.iter().take(256) {
        let p = e.path(&crate::programs::code_scan::expand_user(t, &e.home));
        if is_key_material(e, &p) {
            e.add(Effect::SecretRead { path: p });
        }
    }
}

fn is_key_material(e: &Walker, p: &str) -> bool {
    crate::secret_paths::is_secret_path(p, e.ctx) || crate::secret_paths::is_secret_dir(p, e.ctx)
}

#[cfg(test)]
mod tests {
    use crate::testutil::expect;

    #[test]
    fn tar_members_are_relative_to_dash_c() {
        expect(&[
            ("tar czf /tmp/scratch/keys.tgz -C ~ .ssh", "catastrophic"),
            (
                "tar cf - -C ~ .aws | gzip > /tmp/scratch/a.tgz",
                "catastrophic",
            ),
            ("tar -C /home/dev -czf /tmp/b.tgz .gnupg", "catastrophic"),
            (
                "tar --directory=$HOME/.ssh -cf /tmp/k.tar id_ed25519",
                "catastrophic",
            ),
            ("tar czf /tmp/scratch/src.tgz -C ~/proj src", "safe"),
        ]);
    }

    #[test]
    fn cpio_archives_the_listed_paths() {
        expect(&[
            (
                "cpio -o <<< ~/.ssh/id_ed25519 > /tmp/scratch/k.cpio",
                "catastrophic",
            ),
            (
                "find ~/.ssh | cpio -ov > /tmp/scratch/k.cpio",
                "catastrophic",
            ),
            ("find src | cpio -o > /tmp/scratch/src.cpio", "safe"),
            ("cpio -idv < /tmp/scratch/src.cpio", "ambiguous"),
        ]);
    }
}

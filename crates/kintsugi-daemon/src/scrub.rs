//! Secrets never reach disk: every command the daemon is handed is judged
//! as it is, then scrubbed (`kintsugi_protocol::redact`) before anything is
//! stored, hashed, queued, snapshotted or logged. Sentences derived from the
//! command (reason, summary, preview, model prompt) are scrubbed too: first
//! by the redactor, then of every secret value found in the command itself
//! ([`Secrets`]), since the classifier may have taken a value for a URL,
//! a path or an argument and quoted it where no neighbour tells it apart.

use kintsugi_classify::Effect;
use kintsugi_protocol::{ProposedCommand, REDACTED, command_secrets, redact, redact_command};

/// Secret values shorter than this are replaced in derived text only as
/// whole words (bounded by characters that are not letters or digits), so
/// a one-letter password does not blank every `a` of a sentence.
pub const MIN_SUBSTRING_SECRET: usize = 4;

/// `cmd` with secret values in `raw` and `argv` replaced by the marker.
pub fn command(mut cmd: ProposedCommand) -> ProposedCommand {
    redact_command(&mut cmd);
    cmd
}

/// `text` with secret values replaced by the marker.
pub fn text(text: String) -> String {
    if text.len() > MAX_REMEMBERED_TEXT {
        return redacted(text);
    }
    if let Some(known) = remembered().lock().ok().and_then(|m| m.get(&text).cloned()) {
        return known;
    }
    let out = redacted(text.clone());
    if let Ok(mut m) = remembered().lock() {
        if m.len() >= MAX_REMEMBERED_TEXTS {
            m.clear();
        }
        m.insert(text, out.clone());
    }
    out
}

/// Longest sentence whose redaction is remembered.
pub const MAX_REMEMBERED_TEXT: usize = 1024;
/// Most sentences remembered; the memory is emptied when it is full.
pub const MAX_REMEMBERED_TEXTS: usize = 256;

/// Redacted sentences by their text. Redaction is a pure function of the
/// text, and the same reasons come back for every exec of a build (the
/// same rule, the same parent), so each is worked out once.
fn remembered() -> &'static std::sync::Mutex<std::collections::HashMap<String, String>> {
    static MEMORY: std::sync::OnceLock<
        std::sync::Mutex<std::collections::HashMap<String, String>>,
    > = std::sync::OnceLock::new();
    MEMORY.get_or_init(Default::default)
}

fn redacted(text: String) -> String {
    match redact(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(t) => t,
    }
}

/// The secret values of one command, taken before it is scrubbed.
#[derive(Debug, Default, Clone)]
pub struct Secrets(Vec<String>);

impl Secrets {
    /// The values the redactor blanks in `cmd` (raw and argv), longest first.
    pub fn of(cmd: &ProposedCommand) -> Secrets {
        let mut v = command_secrets(cmd);
        v.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Secrets(v)
    }

    /// `text` redacted, then every one of these values in it replaced.
    pub fn text(&self, text_in: String) -> String {
        let t = text(text_in);
        if self.0.is_empty() {
            return t;
        }
        // Existing markers stay whole (a secret could be `RED`).
        t.split(REDACTED)
            .map(|piece| {
                let mut p = piece.to_string();
                for s in &self.0 {
                    p = replace_value(&p, s);
                }
                p
            })
            .collect::<Vec<_>>()
            .join(REDACTED)
    }
}

impl Secrets {
    /// Effects with every secret value in their paths, hosts and sentences
    /// replaced: the classifier may take a password for a file or a URL,
    /// and effects feed snapshot manifests, previews and notes. A path that
    /// held a secret no longer names a real file, so nothing is captured
    /// for it (it was never one).
    pub fn effects(&self, effects: Vec<Effect>) -> Vec<Effect> {
        if self.0.is_empty() {
            return effects;
        }
        effects.into_iter().map(|e| self.effect(e)).collect()
    }

    fn effect(&self, e: Effect) -> Effect {
        let t = |s: String| self.text(s);
        match e {
            Effect::Delete { path, recursive } => Effect::Delete {
                path: t(path),
                recursive,
            },
            Effect::Overwrite { path, append } => Effect::Overwrite {
                path: t(path),
                append,
            },
            Effect::Move { from, to } => Effect::Move {
                from: t(from),
                to: t(to),
            },
            Effect::Chmod { path, recursive } => Effect::Chmod {
                path: t(path),
                recursive,
            },
            Effect::GitRefRewrite {
                repo,
                remote,
                refspec,
                force,
                delete,
            } => Effect::GitRefRewrite {
                repo: t(repo),
                remote: t(remote),
                refspec: t(refspec),
                force,
                delete,
            },
            Effect::GitDiscard { repo, what } => Effect::GitDiscard {
                repo: t(repo),
                what: t(what),
            },
            Effect::GitHistoryRewrite { repo, what } => Effect::GitHistoryRewrite {
                repo: t(repo),
                what: t(what),
            },
            Effect::GitChange { what } => Effect::GitChange { what: t(what) },
            Effect::DbDestroy { engine, what } => Effect::DbDestroy {
                engine: t(engine),
                what: t(what),
            },
            Effect::DbWrite { engine, what } => Effect::DbWrite {
                engine: t(engine),
                what: t(what),
            },
            Effect::DiskWrite { device, what } => Effect::DiskWrite {
                device: t(device),
                what: t(what),
            },
            Effect::CloudDestroy { tool, what } => Effect::CloudDestroy {
                tool: t(tool),
                what: t(what),
            },
            Effect::CloudChange { tool, what } => Effect::CloudChange {
                tool: t(tool),
                what: t(what),
            },
            Effect::SecretRead { path } => Effect::SecretRead { path: t(path) },
            Effect::NetworkEgress {
                host,
                payload,
                sensitive,
            } => Effect::NetworkEgress {
                host: t(host),
                payload: t(payload),
                sensitive,
            },
            Effect::Download { host, to } => Effect::Download {
                host: t(host),
                to: t(to),
            },
            Effect::RemoteExec {
                host,
                reverse_shell,
            } => Effect::RemoteExec {
                host: t(host),
                reverse_shell,
            },
            Effect::DownloadExec {
                source,
                interpreter,
            } => Effect::DownloadExec {
                source: t(source),
                interpreter: t(interpreter),
            },
            Effect::Persistence { what, path } => Effect::Persistence {
                what: t(what),
                path: t(path),
            },
            Effect::SecurityDisable { what, control } => Effect::SecurityDisable {
                what: t(what),
                control: t(control),
            },
            Effect::Power { what } => Effect::Power { what: t(what) },
            Effect::ForkBomb { name } => Effect::ForkBomb { name: t(name) },
            Effect::PackageChange { manager, what } => Effect::PackageChange {
                manager: t(manager),
                what: t(what),
            },
            Effect::Change { program, what } => Effect::Change {
                program: t(program),
                what: t(what),
            },
            Effect::Unknown {
                program,
                form,
                what,
            } => Effect::Unknown {
                program: t(program),
                form,
                what: t(what),
            },
            Effect::Opaque { what, exec } => Effect::Opaque {
                what: t(what),
                exec,
            },
            Effect::ParseError { what } => Effect::ParseError { what: t(what) },
            Effect::Limit { what } => Effect::Limit { what: t(what) },
        }
    }
}

fn replace_value(text: &str, secret: &str) -> String {
    if secret.len() >= MIN_SUBSTRING_SECRET {
        return text.replace(secret, REDACTED);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    for (i, _) in text.match_indices(secret) {
        if i < at {
            continue;
        }
        let before = text[..i].chars().next_back();
        let after = text[i + secret.len()..].chars().next();
        if !word(before) && !word(after) {
            out.push_str(&text[at..i]);
            out.push_str(REDACTED);
            at = i + secret.len();
        }
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(raw: &str) -> ProposedCommand {
        ProposedCommand::new("test", "/tmp", vec![], raw)
    }

    #[test]
    fn remembered_sentences_are_redacted_the_same_every_time() {
        let secret = "curl -H 'Authorization: Bearer abcdefabcdef0123456789' https://x".to_string();
        let first = text(secret.clone());
        assert!(first.contains(REDACTED) && !first.contains("abcdef0123"));
        assert_eq!(text(secret.clone()), first);
        assert_eq!(text("plain words".into()), "plain words");
        // Filling the memory past its bound empties it and answers stay right.
        for i in 0..MAX_REMEMBERED_TEXTS + 3 {
            assert_eq!(text(format!("sentence {i}")), format!("sentence {i}"));
        }
        assert!(remembered().lock().unwrap().len() <= MAX_REMEMBERED_TEXTS);
        assert_eq!(text(secret), first);
        // A long text is redacted without being remembered.
        let long = format!(
            "{} password=hunter2hunter2",
            "x ".repeat(MAX_REMEMBERED_TEXT)
        );
        assert!(text(long.clone()).contains(REDACTED));
        assert!(!remembered().lock().unwrap().contains_key(&long));
    }

    #[test]
    fn a_value_quoted_in_derived_text_is_scrubbed() {
        // The classifier may take the password for the URL to download.
        let s = Secrets::of(&cmd("wget --http-password Pw0rdQ https://h/f"));
        assert_eq!(
            s.text("Downloads Pw0rdQ and https://h/f into ./Pw0rdQ".into()),
            "Downloads [REDACTED] and https://h/f into ./[REDACTED]"
        );
        // Quoted and escaped values are found as the shell passes them.
        let s = Secrets::of(&cmd(r#"zip -P 'a b$c' x.zip f; sshpass -p p\!q ssh h"#));
        assert_eq!(
            s.text("secret a b$c and p!q".into()),
            "secret [REDACTED] and [REDACTED]"
        );
        // Argv values count too.
        let mut c = cmd("");
        c.argv = vec![
            "htpasswd".into(),
            "-b".into(),
            "f".into(),
            "u".into(),
            "ArgPw9".into(),
        ];
        assert_eq!(
            Secrets::of(&c).text("writes ArgPw9".into()),
            "writes [REDACTED]"
        );
    }

    #[test]
    fn effects_lose_the_values_they_quote() {
        let s = Secrets::of(&cmd("wget --http-password EffPw1 https://h/f"));
        let got = s.effects(vec![
            Effect::Download {
                host: "EffPw1".into(),
                to: "/p/EffPw1".into(),
            },
            Effect::Delete {
                path: "/p/build".into(),
                recursive: true,
            },
        ]);
        assert_eq!(
            got,
            [
                Effect::Download {
                    host: "[REDACTED]".into(),
                    to: "/p/[REDACTED]".into()
                },
                Effect::Delete {
                    path: "/p/build".into(),
                    recursive: true
                }
            ]
        );
    }

    #[test]
    fn short_values_only_as_whole_words_and_markers_stay() {
        let s = Secrets::of(&cmd("mysql -pab db"));
        assert_eq!(s.text("a table ab, tab".into()), "a table [REDACTED], tab");
        let s = Secrets::of(&cmd("zip -P RED x.zip f"));
        assert_eq!(s.text("[REDACTED] RED".into()), "[REDACTED] [REDACTED]");
        let none = Secrets::of(&cmd("ls -la"));
        assert_eq!(none.text("ls -la".into()), "ls -la");
    }
}

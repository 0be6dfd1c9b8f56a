//! The analysis engine: per-line state (tracked variables, cwd, effects),
//! the iterative tree walk over tree-sitter's output, and the recovery scan
//! used when the parser reports an error.

use crate::effects::Effect;
use crate::env_hooks::history_off;
use crate::parse::{Parsed, fast_path_ok, parse, redirect_extra_words};
use crate::words::{Env, Word, split};
use crate::{
    Context, MAX_LINE_BYTES, MAX_LOOP_BODIES, MAX_NESTING, MAX_NODES, MAX_RECOVERED, Program,
};
use std::collections::HashMap;
use std::path::PathBuf;
use tree_sitter::Node;

/// A pipeline's node id, its stages' node ids, and what each stage but the
/// last produces.
type PipelineStages = (usize, Vec<usize>, Vec<Stdin>);

/// A node's parent, grandparent and great-grandparent in the tree being walked.
type Ancestors<'t> = [Option<Node<'t>>; 3];

/// Where a command's standard input comes from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Stdin {
    Terminal,
    /// Known text (here-string, here-doc, `echo '…' |`).
    Literal(String),
    /// A file (`< f`, `cat f |`).
    File(String),
    /// Network content (`curl … |`).
    Download(String),
    /// Decoded or decompressed data (`base64 -d |`).
    Decoded(String),
    /// The output of another program.
    Other(String),
    /// Paths listed by `ls`/`find`/`git ls-files` (resolved, may be globs).
    Listing(Vec<String>),
}

/// A redirection after expansion.
#[derive(Debug, Clone)]
pub(crate) struct Redir {
    pub op: RedirOp,
    pub target: Word,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum RedirOp {
    Write,
    Append,
    Read,
}

pub(crate) struct Walker<'c> {
    pub ctx: &'c Context,
    pub cwd: PathBuf,
    pub home: String,
    pub vars: HashMap<String, String>,
    pub commands: Vec<Program>,
    pub effects: Vec<Effect>,
    pub complete: bool,
    pub nodes: usize,
    pub stopped: bool,
    /// The effective project root (given, or the starting cwd).
    pub project: Option<String>,
    /// Shell functions defined in the line: name → body.
    pub funcs: HashMap<String, String>,
    /// Arrays assigned in the line with static elements: name → elements.
    pub arrays: HashMap<String, Vec<String>>,
    /// Functions being expanded now, innermost last (`f` calling `f`).
    pub calling: Vec<String>,
    /// Function bodies expanded so far over the whole analysis.
    pub calls: usize,
    /// Time spent parsing so far over the whole analysis.
    pub parse_time: std::cell::Cell<std::time::Duration>,
    /// What was written to files in the line (for `curl -o x; sh x`).
    pub files: HashMap<String, Stdin>,
    /// Paths that are really another program (`ln -s /bin/rm ./x`).
    pub aliases: HashMap<String, String>,
    /// Facts noticed earlier in the line (`terraform plan -destroy -out=F`).
    pub notes: Vec<String>,
    /// Bytes of text expanded so far (caps quadratic work on nested input).
    pub work: std::cell::Cell<usize>,
    /// The pipeline being walked: its node id, its stages' node ids and
    /// what each stage but the last produces. A stage's input is judged
    /// from every stage before it, so the stages are listed and judged once
    /// per pipeline, not once per stage (quadratic on long pipelines).
    stage_kinds: std::cell::RefCell<Option<PipelineStages>>,
    /// Loop bodies analysed so far (each value of a `for` runs its body).
    loop_bodies: usize,
    /// Fragments analysed by parse recovery so far over the whole analysis.
    recovered: usize,
    /// The command being analysed writes into a pipe (not the last stage).
    pub piped_out: bool,
    /// The caller's file reader, for scripts the line runs (none: no I/O).
    pub reader: Option<&'c ScriptReader<'c>>,
    /// Scripts whose text was analysed, with the first effect they added.
    pub scripts: Vec<ScriptSpan>,
    /// Name references (`declare -n r=HOME`): reference → variable named.
    pub namerefs: HashMap<String, String>,
    /// The pipeline stages after the command being analysed, as text.
    pub downstream: Vec<String>,
    /// How `cd` is taken in this pass (`cd_fail.rs`).
    pub cd: crate::cd_fail::CdState,
}

/// The caller's file reader: absolute path → the file's text.
pub(crate) type ScriptReader<'a> = dyn Fn(&str) -> Option<String> + 'a;

/// A script file analysed as part of the line.
#[derive(Debug, Clone)]
pub(crate) struct ScriptSpan {
    /// The file's name as the line spelled it (basename).
    pub name: String,
    /// The text that was analysed.
    pub content: String,
    /// Index of the first effect the script added.
    pub first_effect: usize,
}

impl<'c> Walker<'c> {
    pub fn new(ctx: &'c Context) -> Self {
        Walker {
            ctx,
            cwd: ctx.cwd.clone(),
            home: crate::words::normalize(&ctx.home),
            vars: HashMap::new(),
            commands: Vec::new(),
            effects: Vec::new(),
            complete: true,
            nodes: 0,
            stopped: false,
            project: crate::paths::project_root(ctx, &ctx.cwd),
            funcs: HashMap::new(),
            arrays: HashMap::new(),
            calling: Vec::new(),
            calls: 0,
            parse_time: std::cell::Cell::new(std::time::Duration::ZERO),
            files: HashMap::new(),
            aliases: HashMap::new(),
            notes: Vec::new(),
            work: std::cell::Cell::new(0),
            stage_kinds: std::cell::RefCell::new(None),
            loop_bodies: 0,
            recovered: 0,
            piped_out: false,
            reader: None,
            scripts: Vec::new(),
            namerefs: HashMap::new(),
            downstream: Vec::new(),
            cd: Default::default(),
        }
    }

    pub fn add(&mut self, e: Effect) {
        for e in crate::listed::expand(self, e) {
            if self.effects.len() < 512 && !self.effects.contains(&e) {
                self.effects.push(e);
            }
        }
    }

    /// Split and expand text into words with the current variables.
    pub fn split(&self, text: &str) -> Vec<Word> {
        let done = self.work.get().saturating_add(text.len());
        self.work.set(done);
        if done > crate::MAX_WORK {
            return vec![Word {
                text: "$(…)".into(),
                dynamic: true,
                glob: false,
            }];
        }
        let with_arrays;
        let text = if self.arrays.is_empty() || !text.contains("${") {
            text
        } else {
            with_arrays = crate::arrays::substitute(text, &self.arrays);
            with_arrays.as_str()
        };
        let cwd = self.cwd.to_string_lossy();
        let env = Env {
            vars: &self.vars,
            home: &self.home,
            cwd: &cwd,
            project: self.project.as_deref(),
            budget: 4,
        };
        let words = split(text, &env);
        // What the words expanded to counts too (`X=$X$X` repeated doubles
        // the value each time; `IFS=,` over `*,*,…` makes thousands of
        // words): past the cap the next split is dynamic.
        let out: usize = words.iter().map(Word::work).sum();
        self.work.set(self.work.get().saturating_add(out));
        words
    }

    /// Resolve a word to an absolute path against the current cwd and home.
    pub fn path(&self, text: &str) -> String {
        crate::words::resolve(text, &self.cwd, std::path::Path::new(&self.home))
    }

    /// Analyse a script (the line itself, or a payload found inside it).
    pub fn run_script(&mut self, src: &str, via: &[String], depth: usize, stdin: &Stdin) {
        // In code, a computed variable's use is its substitution again.
        let src = &*crate::words::without_marker(src);
        if self.stopped {
            return;
        }
        if depth > MAX_NESTING {
            self.add(Effect::Limit {
                what: "nesting".into(),
            });
            return;
        }
        if src.len() > MAX_LINE_BYTES {
            self.add(Effect::Limit {
                what: "too-large".into(),
            });
            return;
        }
        crate::programs::forkbomb::scan_fork_bomb(self, src);
        if fast_path_ok(src) {
            let words = self.split(src);
            self.run_argv(words, Vec::new(), stdin.clone(), via.to_vec(), depth);
            return;
        }
        let spent = self.parse_time.get();
        let left = crate::LINE_PARSE_BUDGET.saturating_sub(spent);
        if left.is_zero() {
            self.complete = false;
            self.add(Effect::Limit {
                what: "parse-time".into(),
            });
            self.recover(src, via, depth);
            return;
        }
        let started = std::time::Instant::now();
        let parsed = parse(src, left.min(crate::PARSE_BUDGET));
        self.parse_time.set(spent + started.elapsed());
        match parsed {
            Parsed::Tree(t) => {
                let root = t.root_node();
                let err = root.has_error();
                if err {
                    self.complete = false;
                    self.add(Effect::ParseError {
                        what: "bash syntax the parser rejects".into(),
                    });
                }
                self.walk(root, src, via, depth, stdin);
                if err {
                    self.recover(src, via, depth);
                }
            }
            Parsed::TimedOut => {
                self.complete = false;
                self.add(Effect::Limit {
                    what: "parse-time".into(),
                });
                self.recover(src, via, depth);
            }
            Parsed::Failed => {
                self.complete = false;
                self.add(Effect::ParseError {
                    what: "parser unavailable".into(),
                });
                self.recover(src, via, depth);
            }
        }
    }

    /// Best-effort scan of a line the parser could not read: split on every
    /// separator (ignoring quoting) and analyse each fragment as a command.
    fn recover(&mut self, src: &str, via: &[String], depth: usize) {
        let mut via = via.to_vec();
        via.push("parse-recovery".into());
        if let Some(k) = src.find("/dev/tcp/").or_else(|| src.find("/dev/udp/")) {
            let host = src[k + 9..]
                .split(['/', ' ', ';'])
                .next()
                .unwrap_or("")
                .to_string();
            self.add(Effect::RemoteExec {
                host,
                reverse_shell: true,
            });
        }
        let seps = [';', '&', '|', '\n', '(', ')', '`', '<', '>'];
        for (k, seg) in src.split(|c| seps.contains(&c)).enumerate() {
            // Per text and per line: loop bodies past the parser's time
            // budget would each recover again (the line is a limit already).
            self.recovered += 1;
            if k > 256 || self.recovered > MAX_RECOVERED || self.stopped {
                break;
            }
            let seg = seg.trim();
            let brace_word =
                seg.starts_with('{') && seg.find('}').is_some_and(|k| seg[..k].contains(','));
            let seg = if brace_word {
                seg.trim_start_matches('$')
            } else {
                seg.trim_start_matches(['$', '{', '}', '!'])
                    .trim_end_matches('}')
                    .trim()
            };
            if seg.is_empty() {
                continue;
            }
            let words: Vec<Word> = self
                .split(seg)
                .into_iter()
                .filter(|w| !w.text.is_empty())
                .collect();
            if !words.is_empty() {
                self.run_argv(words, Vec::new(), Stdin::Terminal, via.clone(), depth + 1);
            }
        }
    }

    fn text<'s>(node: Node, src: &'s str) -> &'s str {
        node.utf8_text(src.as_bytes()).unwrap_or("")
    }

    fn walk(&mut self, root: Node, src: &str, via: &[String], depth: usize, stdin: &Stdin) {
        // Node ids are only unique within one tree: a nested walk keeps its
        // own pipeline cache.
        let outer = self.stage_kinds.take();
        self.walk_tree(root, src, via, depth, stdin);
        self.stage_kinds.replace(outer);
    }

    /// End the analysis at a cap (`limit:nodes`, `limit:work`): the line
    /// was not read whole, so it is at least ambiguous.
    pub(crate) fn stop_at_limit(&mut self, what: &str) {
        self.complete = false;
        self.add(Effect::Limit { what: what.into() });
        self.stopped = true;
    }

    fn walk_tree(&mut self, root: Node, src: &str, via: &[String], depth: usize, stdin: &Stdin) {
        // Each node travels with its nearest ancestors: tree-sitter finds a
        // node's parent by walking down from the root, so asking for it at
        // every node is quadratic on deeply nested input (300 nested `$(`).
        let mut stack: Vec<(Node, Ancestors)> = vec![(root, [None; 3])];
        while let Some((node, up)) = stack.pop() {
            self.nodes += 1;
            if self.nodes > MAX_NODES {
                self.stop_at_limit("nodes");
                return;
            }
            if self.stopped {
                return;
            }
            if self.work.get() > crate::MAX_WORK {
                self.stop_at_limit("work");
                return;
            }
            let parent_kind = up[0].map(|p| p.kind()).unwrap_or("");
            match node.kind() {
                "command" => self.command_node(node, up, src, via, depth, stdin),
                "variable_assignment" if parent_kind != "command" => {
                    let t = Self::text(node, src);
                    let decl = up[0]
                        .filter(|d| d.kind() == "declaration_command")
                        .map(|d| Self::text(d, src));
                    crate::namerefs::assign(self, t, decl, depth);
                }
                "unset_command" => {
                    let t = Self::text(node, src);
                    if t.split_whitespace()
                        .any(|w| matches!(w, "HISTFILE" | "HISTSIZE" | "HISTFILESIZE"))
                    {
                        self.add(history_off("unset HISTFILE"));
                    }
                }
                "redirected_statement" => {
                    let body_is_cmd = node.named_child(0).is_some_and(|b| b.kind() == "command");
                    if !body_is_cmd {
                        let mut redirs = Vec::new();
                        let mut here = None;
                        let mut cur = node.walk();
                        for ch in node.named_children(&mut cur) {
                            self.collect_redir(ch, src, &mut redirs, &mut here);
                        }
                        // `a | b > f`: the last stage writes the file.
                        if let Some(body) = node.named_child(0)
                            && body.kind() == "pipeline"
                            && let Some(last) =
                                body.named_child(body.named_child_count().saturating_sub(1) as u32)
                        {
                            let words = self.split(Self::text(last, src));
                            if let Some(first) = words.first()
                                && crate::pipes::fills_storage(
                                    crate::words::basename(&first.text),
                                    &words,
                                )
                                && let Some(r) = redirs.iter().find(|r| r.op != RedirOp::Read)
                            {
                                let t = self.path(&r.target.text);
                                self.add(Effect::DiskWrite {
                                    device: t,
                                    what:
                                        "an unbounded or huge write that fills the disk or memory"
                                            .into(),
                                });
                            }
                        }
                        self.redirect_effects("", &redirs);
                    }
                }
                "function_definition" => {
                    let mut cur = node.walk();
                    let kids: Vec<Node> = node.named_children(&mut cur).collect();
                    if let (Some(name), Some(body)) = (kids.first(), kids.last()) {
                        let b = Self::text(*body, src);
                        let inner = b
                            .trim()
                            .trim_start_matches(['{', '('])
                            .trim_end_matches(['}', ')']);
                        if self.funcs.len() < 64 {
                            self.funcs
                                .insert(Self::text(*name, src).to_string(), inner.to_string());
                        }
                    }
                }
                "for_statement" => self.for_loop(node, src, via, depth, stdin),
                _ => {}
            }
            let mut cur = node.walk();
            let kids: Vec<Node> = node.named_children(&mut cur).collect();
            let kid_up = [Some(node), up[0], up[1]];
            stack.extend(kids.into_iter().rev().map(|k| (k, kid_up)));
        }
    }

    fn collect_redir(
        &mut self,
        ch: Node,
        src: &str,
        redirs: &mut Vec<Redir>,
        here: &mut Option<String>,
    ) {
        match ch.kind() {
            "file_redirect" => {
                let mut op = "";
                let mut cur = ch.walk();
                for k in ch.children(&mut cur) {
                    if !k.is_named() {
                        op = k.kind();
                        break;
                    }
                }
                let mut cur = ch.walk();
                let dest = ch
                    .named_children(&mut cur)
                    .find(|k| k.kind() != "file_descriptor" && k.kind() != "ERROR");
                let Some(dest) = dest else { return };
                let Some(w) = self.split(Self::text(dest, src)).into_iter().next() else {
                    return;
                };
                let op = match op {
                    ">" | ">|" | "&>" | "<>" => RedirOp::Write,
                    ">&" | "&>>" | ">>"
                        if w.text.chars().all(|c| c.is_ascii_digit() || c == '-') =>
                    {
                        return;
                    }
                    ">&" => RedirOp::Write,
                    ">>" | "&>>" => RedirOp::Append,
                    "<" => RedirOp::Read,
                    _ => return,
                };
                redirs.push(Redir { op, target: w });
            }
            "herestring_redirect" => {
                let mut cur = ch.walk();
                let v: Vec<String> = ch
                    .named_children(&mut cur)
                    .flat_map(|k| self.split(Self::text(k, src)))
                    .map(|w| w.text)
                    .collect();
                *here = Some(v.join(" "));
            }
            "heredoc_redirect" => {
                let mut cur = ch.walk();
                for k in ch.named_children(&mut cur) {
                    if k.kind() == "heredoc_body" {
                        *here = Some(Self::text(k, src).to_string());
                    }
                }
                if here.is_none() {
                    *here = Some(String::new());
                }
            }
            _ => {}
        }
    }

    fn command_node(
        &mut self,
        node: Node,
        up: Ancestors,
        src: &str,
        via: &[String],
        depth: usize,
        inherited: &Stdin,
    ) {
        let mut words: Vec<Word> = Vec::new();
        let mut redirs = Vec::new();
        let mut here = None;
        let mut cur = node.walk();
        let mut pending: Option<(usize, usize)> = None;
        for ch in node.named_children(&mut cur) {
            match ch.kind() {
                "file_redirect" | "heredoc_redirect" | "herestring_redirect" => {
                    self.collect_redir(ch, src, &mut redirs, &mut here);
                    // `rm 2>/dev/null -rf ~`: words after the target are
                    // arguments, not part of the redirection.
                    for (s, e) in redirect_extra_words(ch) {
                        if let Some((ps, pe)) = pending.take() {
                            words.extend(self.split(src.get(ps..pe).unwrap_or("")));
                        }
                        words.extend(self.split(src.get(s..e).unwrap_or("")));
                    }
                }
                "comment" => {}
                _ => {
                    // Tree-sitter sometimes splits one shell word into touching
                    // nodes (`-rf$IFS/`); glue them back together.
                    pending = match pending {
                        Some((s, e)) if e == ch.start_byte() => Some((s, ch.end_byte())),
                        Some((s, e)) => {
                            words.extend(self.split(src.get(s..e).unwrap_or("")));
                            Some((ch.start_byte(), ch.end_byte()))
                        }
                        None => Some((ch.start_byte(), ch.end_byte())),
                    };
                }
            }
        }
        if let Some((s, e)) = pending {
            words.extend(self.split(src.get(s..e).unwrap_or("")));
        }
        let mut stage = node;
        // The stage's parent and grandparent (the pipeline, and what holds it).
        let mut stage_up = (up[0], up[1]);
        if let Some(p) = up[0]
            && p.kind() == "redirected_statement"
        {
            stage = p;
            stage_up = (up[1], up[2]);
            let mut cur = p.walk();
            for ch in p.named_children(&mut cur) {
                if ch.id() != node.id() {
                    self.collect_redir(ch, src, &mut redirs, &mut here);
                    for (s, e) in redirect_extra_words(ch) {
                        words.extend(self.split(src.get(s..e).unwrap_or("")));
                    }
                }
            }
        }
        // `find … | while read -r d; do …`: the loop's condition reads the pipe.
        if let Some(p) = up[0].filter(|p| crate::pipes::loop_reads_pipe(*p)) {
            (stage, stage_up) = (p, (up[1], up[2]));
        }
        let mut stdin = if let Some(h) = here {
            Stdin::Literal(h)
        } else if let Some(r) = redirs.iter().find(|r| r.op == RedirOp::Read) {
            Stdin::File(self.path(&r.target.text))
        } else {
            Stdin::Terminal
        };
        if stdin == Stdin::Terminal {
            match stage_up.0 {
                Some(p) if p.kind() == "pipeline" => {
                    let idx = self.stage_index(p, stage, src);
                    if idx == 0
                        && let Some(h) = stage_up.1
                        && h.kind() == "heredoc_redirect"
                    {
                        stdin = self.heredoc_upstream(h, src);
                    } else if idx == 0 {
                        stdin = inherited.clone();
                    } else {
                        stdin = self.upstream(idx);
                    }
                }
                _ => stdin = inherited.clone(),
            }
        }
        let piped_out = stage_up.0.is_some_and(|p| {
            p.kind() == "pipeline" && self.stage_index(p, stage, src) + 1 < p.named_child_count()
        });
        let after = crate::downstream::stages_after(stage_up.0, stage, src);
        let old = std::mem::replace(&mut self.piped_out, piped_out);
        let old_after = std::mem::replace(&mut self.downstream, after);
        self.cd.guarded = crate::cd_fail::guarded(node, up[0]);
        self.run_argv(words, redirs, stdin, via.to_vec(), depth);
        self.piped_out = old;
        self.downstream = old_after;
    }

    /// `for v in a b; do …; done`: analyse the body once per literal value.
    fn for_loop(&mut self, node: Node, src: &str, via: &[String], depth: usize, stdin: &Stdin) {
        let Some(var) = node.child_by_field_name("variable") else {
            return;
        };
        let Some(body) = node.child_by_field_name("body") else {
            return;
        };
        let name = Self::text(var, src).to_string();
        let mut values = Vec::new();
        let mut cur = node.walk();
        for v in node.children_by_field_name("value", &mut cur) {
            for w in self.split(Self::text(v, src)) {
                // `for f in $(ls …)`: the listing's paths.
                if let Some(inner) = w.text.strip_prefix("$(").and_then(|x| x.strip_suffix(')')) {
                    let iw = self.split(inner);
                    if let Stdin::Listing(paths) = crate::pipes::stage_kind(self, &iw, inner) {
                        values.extend(paths.into_iter().map(|p| Word {
                            text: p,
                            dynamic: false,
                            glob: true,
                        }));
                        continue;
                    }
                }
                values.push(w);
            }
        }
        let body_text = Self::text(body, src).trim();
        let body_text = body_text.strip_prefix("do").unwrap_or(body_text);
        let body_text = body_text
            .strip_suffix("done")
            .unwrap_or(body_text)
            .to_string();
        let old = self.vars.get(&name).cloned();
        for v in values.into_iter().take(8) {
            // `for d in $(cat list)`: the body runs on a computed value.
            let Some(value) = crate::words::assigned_value(std::slice::from_ref(&v)) else {
                continue;
            };
            // Nested loops multiply: eight values in each of eight levels
            // would analyse the innermost body millions of times.
            if self.loop_bodies >= MAX_LOOP_BODIES {
                self.complete = false;
                self.add(Effect::Limit {
                    what: "loops".into(),
                });
                break;
            }
            self.loop_bodies += 1;
            self.vars.insert(name.clone(), value);
            self.run_script(&body_text, via, depth + 1, stdin);
        }
        match old {
            Some(o) => self.vars.insert(name, o),
            None => self.vars.remove(&name),
        };
    }

    /// Bind `$0`, `$1`…, `$@` for a payload or function call; returns what
    /// to restore.
    pub fn set_positional(
        &mut self,
        zero: Option<&str>,
        args: &[String],
    ) -> Vec<(String, Option<String>)> {
        let keys = [
            "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "@", "*", "#",
        ];
        let saved: Vec<(String, Option<String>)> = keys
            .iter()
            .map(|k| (k.to_string(), self.vars.remove(*k)))
            .collect();
        if let Some(z) = zero {
            self.vars.insert("0".into(), z.into());
        }
        for (i, a) in args.iter().enumerate().take(9) {
            self.vars.insert((i + 1).to_string(), a.clone());
        }
        self.vars.insert("@".into(), args.join(" "));
        self.vars.insert("*".into(), args.join(" "));
        self.vars.insert("#".into(), args.len().to_string());
        saved
    }

    pub fn restore(&mut self, saved: Vec<(String, Option<String>)>) {
        for (k, v) in saved {
            match v {
                Some(v) => self.vars.insert(k, v),
                None => self.vars.remove(&k),
            };
        }
    }

    /// `cat <<EOF | sh`: tree-sitter hangs the pipeline under the here-doc
    /// redirect `h`.
    fn heredoc_upstream(&self, h: Node, src: &str) -> Stdin {
        let mut body = String::new();
        let mut cur = h.walk();
        for k in h.named_children(&mut cur) {
            if k.kind() == "heredoc_body" {
                body = Self::text(k, src).to_string();
            }
        }
        let owner = h
            .parent()
            .and_then(|r| r.named_child(0))
            .map(|c| Self::text(c, src))
            .unwrap_or("");
        let words = self.split(owner);
        match words.first().map(|w| crate::words::basename(&w.text)) {
            Some("cat" | "tee" | "echo") => Stdin::Literal(body),
            Some(other) => Stdin::Other(other.to_string()),
            None => Stdin::Terminal,
        }
    }

    /// What earlier pipeline stages feed into a later one.
    /// Where `stage` stands in `pipeline` (0 when it is not found); lists
    /// and judges the pipeline's stages the first time it is asked.
    fn stage_index(&self, pipeline: Node, stage: Node, src: &str) -> usize {
        let cached = self.stage_kinds.take();
        let (id, ids, kinds) = match cached {
            Some(c) if c.0 == pipeline.id() => c,
            _ => {
                let mut cur = pipeline.walk();
                let stages: Vec<Node> = pipeline.named_children(&mut cur).collect();
                let ids = stages.iter().map(|s| s.id()).collect();
                let upstream = &stages[..stages.len().saturating_sub(1)];
                let kinds = upstream.iter().map(|s| self.produces(*s, src)).collect();
                (pipeline.id(), ids, kinds)
            }
        };
        let idx = ids.iter().position(|s| *s == stage.id()).unwrap_or(0);
        self.stage_kinds.replace(Some((id, ids, kinds)));
        idx
    }

    /// What one pipeline stage produces for the next.
    fn produces(&self, s: Node, src: &str) -> Stdin {
        let t = Self::text(s, src);
        let mut here = None;
        if s.kind() == "redirected_statement" || s.kind() == "command" {
            let mut cur = s.walk();
            for k in s.named_children(&mut cur) {
                if k.kind() == "herestring_redirect" {
                    let mut c2 = k.walk();
                    let v: Vec<String> = k
                        .named_children(&mut c2)
                        .flat_map(|x| self.split(Self::text(x, src)))
                        .map(|w| w.text)
                        .collect();
                    here = Some(v.join(" "));
                }
            }
        }
        let words = self.split(t);
        let kind = crate::pipes::stage_kind(self, &words, t);
        match (here, &kind) {
            (Some(h), Stdin::Other(n) | Stdin::File(n))
                if n == "cat"
                    || n.ends_with("<<<")
                    || words.first().is_some_and(|w| w.text == "cat") =>
            {
                Stdin::Literal(h)
            }
            _ => kind,
        }
    }

    /// The input of stage `idx` of the pipeline `stage_index` last listed:
    /// a download or decoded data anywhere upstream reaches it, otherwise
    /// what the stage before it produces.
    fn upstream(&self, idx: usize) -> Stdin {
        let cache = self.stage_kinds.borrow();
        let Some((_, _, kinds)) = cache.as_ref() else {
            return Stdin::Terminal;
        };
        let seen = &kinds[..idx.min(kinds.len())];
        if let Some(d) = seen.iter().find(|k| matches!(k, Stdin::Download(_))) {
            d.clone()
        } else if let Some(d) = seen.iter().find(|k| matches!(k, Stdin::Decoded(_))) {
            d.clone()
        } else {
            seen.last().cloned().unwrap_or(Stdin::Terminal)
        }
    }
}

#[cfg(test)]
#[path = "engine_tests.rs"]
mod tests;

//! The replay report: counts of allowed, held and denied calls, the calls
//! Kintsugi never saw first (with `--against-ledger`), every held or denied
//! call with its redacted command line, the rules that hold most, and the
//! same counts per agent and per project. Text for people, one JSON object
//! with `--json`.

use super::ledger::SeenBy;
use super::transcripts::Skipped;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Most rules listed under "most frequent holds" in the text report.
pub const TOP_RULES: usize = 10;

/// One call with its verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub agent: String,
    pub project: String,
    pub cwd: String,
    pub session: Option<String>,
    pub time: Option<String>,
    pub file: String,
    pub line: usize,
    /// The command line, redacted as the daemon would store it.
    pub command: String,
    /// `allow`, `hold` or `deny`.
    pub decision: String,
    pub class: String,
    pub rule: String,
    pub reason: String,
    /// With `--against-ledger`: whether Kintsugi saw the call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seen: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seen_by: Option<SeenBy>,
}

/// Counts for one slice of the calls.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    pub calls: usize,
    pub allowed: usize,
    pub held: usize,
    pub denied: usize,
    /// With `--against-ledger`: calls with no matching ledger event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub never_seen: Option<usize>,
}

impl Counts {
    fn add(&mut self, e: &Entry) {
        self.calls += 1;
        match e.decision.as_str() {
            "allow" => self.allowed += 1,
            "hold" => self.held += 1,
            _ => self.denied += 1,
        }
        if let Some(seen) = e.seen {
            *self.never_seen.get_or_insert(0) += usize::from(!seen);
        }
    }
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The mode the calls were decided in.
    pub mode: String,
    pub files_read: usize,
    pub files_skipped: Vec<Skipped>,
    /// Transcript lines that were not JSON.
    pub bad_lines: usize,
    pub totals: Counts,
    /// With `--against-ledger`: the calls no ledger event saw (the
    /// measured interception gap).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub never_seen: Option<Vec<Entry>>,
    /// Every held or denied call.
    pub held_or_denied: Vec<Entry>,
    /// Rules of held calls, most frequent first.
    pub top_holds: Vec<(String, usize)>,
    pub per_agent: BTreeMap<String, Counts>,
    pub per_project: BTreeMap<String, Counts>,
    /// Notes on how the verdicts were reached.
    pub notes: Vec<String>,
}

impl Report {
    /// Summarise `entries`.
    pub fn build(
        mode: &str,
        entries: Vec<Entry>,
        files_read: usize,
        files_skipped: Vec<Skipped>,
        bad_lines: usize,
        against_ledger: bool,
        notes: Vec<String>,
    ) -> Report {
        let mut totals = Counts::default();
        let mut per_agent: BTreeMap<String, Counts> = BTreeMap::new();
        let mut per_project: BTreeMap<String, Counts> = BTreeMap::new();
        let mut rules: BTreeMap<String, usize> = BTreeMap::new();
        if against_ledger {
            totals.never_seen = Some(0);
        }
        for e in &entries {
            totals.add(e);
            per_agent.entry(e.agent.clone()).or_default().add(e);
            per_project.entry(e.project.clone()).or_default().add(e);
            if e.decision == "hold" {
                *rules.entry(e.rule.clone()).or_default() += 1;
            }
        }
        let mut top_holds: Vec<(String, usize)> = rules.into_iter().collect();
        top_holds.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let never_seen = against_ledger.then(|| {
            entries
                .iter()
                .filter(|e| e.seen == Some(false))
                .cloned()
                .collect()
        });
        let held_or_denied = entries
            .into_iter()
            .filter(|e| e.decision != "allow")
            .collect();
        Report {
            mode: mode.to_string(),
            files_read,
            files_skipped,
            bad_lines,
            totals,
            never_seen,
            held_or_denied,
            top_holds,
            per_agent,
            per_project,
            notes,
        }
    }

    /// The report for people.
    pub fn text(&self) -> String {
        let mut o = String::new();
        let t = &self.totals;
        let _ = writeln!(
            o,
            "replayed {} shell call(s) from {} transcript file(s) in {} mode: {} allowed, {} held, {} denied",
            t.calls, self.files_read, self.mode, t.allowed, t.held, t.denied
        );
        for s in &self.files_skipped {
            let _ = writeln!(o, "skipped {}: {}", s.file, s.why);
        }
        if self.bad_lines > 0 {
            let _ = writeln!(
                o,
                "{} transcript line(s) were not JSON and were skipped",
                self.bad_lines
            );
        }
        for n in &self.notes {
            let _ = writeln!(o, "note: {n}");
        }
        if let Some(unseen) = &self.never_seen {
            let _ = writeln!(
                o,
                "\nnever seen by Kintsugi (no matching ledger event): {} of {}",
                unseen.len(),
                t.calls
            );
            for e in unseen {
                let _ = writeln!(o, "  {}", line(e));
            }
        }
        let _ = writeln!(o, "\nheld or denied: {}", self.held_or_denied.len());
        for e in &self.held_or_denied {
            let _ = writeln!(o, "  {}", line(e));
            let _ = writeln!(o, "      {}: {}", e.rule, e.reason);
        }
        if !self.top_holds.is_empty() {
            let _ = writeln!(o, "\nmost frequent holds (rule: count)");
            for (rule, n) in self.top_holds.iter().take(TOP_RULES) {
                let _ = writeln!(o, "  {rule}: {n}");
            }
        }
        let table = |o: &mut String, title: &str, map: &BTreeMap<String, Counts>| {
            let _ = writeln!(o, "\n{title}");
            for (k, c) in map {
                let unseen = c
                    .never_seen
                    .map(|n| format!(", {n} never seen"))
                    .unwrap_or_default();
                let _ = writeln!(
                    o,
                    "  {k}: {} call(s), {} allowed, {} held, {} denied{unseen}",
                    c.calls, c.allowed, c.held, c.denied
                );
            }
        };
        table(&mut o, "per agent", &self.per_agent);
        table(&mut o, "per project", &self.per_project);
        o
    }
}

fn line(e: &Entry) -> String {
    format!(
        "{:<5} {:<7} {}  {}  [{}]",
        e.decision,
        e.agent,
        e.time.as_deref().unwrap_or("-"),
        e.command,
        e.project
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(agent: &str, project: &str, decision: &str, rule: &str, seen: Option<bool>) -> Entry {
        Entry {
            agent: agent.into(),
            project: project.into(),
            cwd: project.into(),
            session: None,
            time: None,
            file: "f".into(),
            line: 1,
            command: format!("cmd-{rule}"),
            decision: decision.into(),
            class: "ambiguous".into(),
            rule: rule.into(),
            reason: "r".into(),
            seen,
            seen_by: None,
        }
    }

    #[test]
    fn counts_per_agent_and_project_and_ranks_holds() {
        let entries = vec![
            entry("claude", "/p1", "hold", "git:push", Some(true)),
            entry("claude", "/p1", "hold", "git:push", Some(false)),
            entry("codex", "/p2", "hold", "rm:recursive", Some(true)),
            entry("codex", "/p2", "deny", "rm:home", Some(false)),
            entry("codex", "/p1", "allow", "safe:read-only", Some(true)),
        ];
        let r = Report::build("attended", entries, 2, vec![], 0, true, vec![]);
        assert_eq!(r.totals.calls, 5);
        assert_eq!(
            (r.totals.allowed, r.totals.held, r.totals.denied),
            (1, 3, 1)
        );
        assert_eq!(r.totals.never_seen, Some(2));
        assert_eq!(r.top_holds[0], ("git:push".to_string(), 2));
        assert_eq!(r.top_holds.len(), 2);
        assert_eq!(r.per_agent["codex"].calls, 3);
        assert_eq!(r.per_project["/p1"].held, 2);
        assert_eq!(r.never_seen.as_ref().unwrap().len(), 2);
        assert_eq!(r.held_or_denied.len(), 4);
        let text = r.text();
        let unseen_at = text.find("never seen by Kintsugi").unwrap();
        let held_at = text.find("held or denied").unwrap();
        assert!(unseen_at < held_at, "the gap comes first:\n{text}");
    }
}

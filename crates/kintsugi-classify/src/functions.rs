//! Calls of shell functions defined in the line: each call analyses the
//! body with the call's arguments, within two caps (recursion depth per
//! function, and bodies expanded per analysis) so fan-out cannot explode.

use crate::effects::Effect;
use crate::engine::{Stdin, Walker};
use crate::words::Word;
use crate::{MAX_FUNCTION_CALLS, MAX_RECURSION};

impl Walker<'_> {
    /// Run the body of function `name` for the call `argv` (`argv[0]` is
    /// the name). A function already on the call stack `MAX_RECURSION`
    /// times adds nothing new and is not expanded again; past
    /// `MAX_FUNCTION_CALLS` bodies the analysis is marked incomplete.
    pub(crate) fn call_function(
        &mut self,
        name: &str,
        body: &str,
        argv: &[Word],
        via: &[String],
        depth: usize,
        stdin: &Stdin,
    ) {
        if self.calling.iter().filter(|n| *n == name).count() >= MAX_RECURSION {
            return;
        }
        if self.calls >= MAX_FUNCTION_CALLS {
            self.complete = false;
            self.add(Effect::Limit {
                what: "function-calls".into(),
            });
            return;
        }
        self.calls += 1;
        let args: Vec<String> = argv[1..].iter().map(|w| w.text.clone()).collect();
        let saved = self.set_positional(None, &args);
        let mut via = via.to_vec();
        via.push(format!("function {name}"));
        self.calling.push(name.to_string());
        self.run_script(body, &via, depth + 1, stdin);
        self.calling.pop();
        self.restore(saved);
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::project_ctx;
    use crate::{Class, analyze};
    use std::time::{Duration, Instant};

    fn timed(line: &str) -> (crate::Analysis, Duration) {
        let t = Instant::now();
        let a = analyze(line, &project_ctx());
        (a, t.elapsed())
    }

    /// Found by the fuzz campaign: a function that calls itself eight
    /// times per body re-analysed its body 8^depth times (over a second).
    #[test]
    fn fanning_out_recursion_is_analysed_once_per_level() {
        let (a, t) = timed("f(){ f|f& f|f& f|f& f|f& };f");
        assert_eq!(a.class, Class::Catastrophic, "{}", a.rule);
        assert!(t < Duration::from_millis(200), "took {t:?}");
        let (_, t) = timed("f(){ f|f& [[ f|f& [ f|f& [ f|f& [ };};f");
        assert!(t < Duration::from_millis(200), "took {t:?}");
    }

    /// Distinct functions that each call the next many times hit the cap
    /// on bodies expanded: the line is not fully read, so not safe.
    #[test]
    fn a_chain_of_fanning_functions_hits_the_call_cap() {
        let mut line = String::from("h(){ true; }; ");
        let names = ["a", "b", "c", "d", "e", "g"];
        for (k, n) in names.iter().enumerate() {
            let next = names.get(k + 1).copied().unwrap_or("h");
            line.push_str(&format!("{n}(){{ {next}; {next}; {next}; {next}; }}; "));
        }
        line.push('a');
        let (a, t) = timed(&line);
        assert!(!a.parse_complete);
        assert!(a.class >= Class::Ambiguous, "{}", a.rule);
        assert!(t < Duration::from_millis(500), "took {t:?}");
    }

    /// A recursive call with other arguments is still analysed.
    #[test]
    fn a_recursive_call_reaching_further_is_seen() {
        let (a, _) = timed("f(){ rm -rf \"$1\"; f ~; }; f build");
        assert_eq!(a.class, Class::Catastrophic, "{}: {}", a.rule, a.reason);
        let (a, _) = timed("f(){ echo \"$1\"; }; f a; f b; f c");
        assert_eq!(a.class, Class::Safe, "{}: {}", a.rule, a.reason);
    }
}

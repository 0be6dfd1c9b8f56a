//! Debug helper: prints the tree-sitter s-expression of each line given in
//! `LINES_TO_PARSE` (lines separated by a `@@` line), plus redirect details.
//! `LINES_TO_PARSE='echo hi > x' cargo run -p kintsugi-classify --example sexp`

fn main() {
    let mut p = tree_sitter::Parser::new();
    p.set_language(&tree_sitter_bash::LANGUAGE.into()).unwrap();
    for l in std::env::var("LINES_TO_PARSE")
        .unwrap_or_default()
        .split("\n@@\n")
    {
        let t = p.parse(l, None).unwrap();
        println!("{l}\n  {}", t.root_node().to_sexp());
        let mut c = t.walk();
        let mut stack = vec![t.root_node()];
        while let Some(n) = stack.pop() {
            if n.kind().contains("redirect") {
                let mut cc = n.walk();
                for k in n.children(&mut cc) {
                    println!(
                        "    {} child kind={} named={} text={:?}",
                        n.kind(),
                        k.kind(),
                        k.is_named(),
                        k.utf8_text(l.as_bytes()).unwrap()
                    );
                }
            }
            let _ = &mut c;
            let mut cc = n.walk();
            for k in n.children(&mut cc) {
                stack.push(k);
            }
        }
    }
}

//! Unit tests of redaction: each secret family is blanked, the rest of the
//! line stays verbatim, and look-alikes that are not secrets are untouched.

use super::*;

fn r(line: &str) -> String {
    redact(line).into_owned()
}

#[track_caller]
fn same(line: &str) {
    assert!(
        matches!(redact(line), Cow::Borrowed(_)),
        "{line:?} was changed to {:?}",
        r(line)
    );
}

#[test]
fn env_assignments() {
    assert_eq!(
        r("GITHUB_TOKEN=ghx123 gh pr list"),
        "GITHUB_TOKEN=[REDACTED] gh pr list"
    );
    assert_eq!(
        r("export AWS_SECRET_ACCESS_KEY=abc/def+ghi"),
        "export AWS_SECRET_ACCESS_KEY=[REDACTED]"
    );
    assert_eq!(
        r("PGPASSWORD='s3cr3t pw' psql -h db"),
        "PGPASSWORD='[REDACTED]' psql -h db"
    );
    assert_eq!(r("MYSQL_PWD=x mysql"), "MYSQL_PWD=[REDACTED] mysql");
    assert_eq!(
        r("env API_KEY=\"k\" ./run"),
        "env API_KEY=\"[REDACTED]\" ./run"
    );
    assert_eq!(
        r("kubectl create secret generic db --from-literal=password=hunter2"),
        "kubectl create secret generic db --from-literal=password=[REDACTED]"
    );
    same("PWD=/tmp OLDPWD=/ HOME=/root PATH=/bin:/usr/bin make -j4");
    same("EDITOR=vim git commit --author 'A <a@b.c>'");
}

#[test]
fn credential_flags() {
    assert_eq!(
        r("psql --password=hunter2 -h x"),
        "psql --password=[REDACTED] -h x"
    );
    assert_eq!(
        r("tool --token abc123 list"),
        "tool --token [REDACTED] list"
    );
    assert_eq!(r("tool --api-key 'a b' x"), "tool --api-key '[REDACTED]' x");
    assert_eq!(
        r("openssl enc -pass pass:hunter2 -in f"),
        "openssl enc -pass pass:[REDACTED] -in f"
    );
    same("docker login --password-stdin -u me registry.example");
    same("gpg --passphrase-file key.txt -d x");
    same("psql --no-password -c 'select 1'");
    same("tool --token -v");
}

#[test]
fn database_and_program_flags() {
    assert_eq!(
        r("mysql -uroot -phunter2 app"),
        "mysql -uroot -p[REDACTED] app"
    );
    assert_eq!(
        r("/usr/bin/mysqldump -pX1 db > d.sql"),
        "/usr/bin/mysqldump -p[REDACTED] db > d.sql"
    );
    assert_eq!(r("sudo mysql -p'a b'"), "sudo mysql -p'[REDACTED]'");
    // A detached -p prompts; the next word is the database.
    same("mysql -p appdb");
    assert_eq!(
        r("curl -u alice:hunter2 https://x"),
        "curl -u alice:[REDACTED] https://x"
    );
    assert_eq!(
        r("curl -ualice:pw https://x"),
        "curl -ualice:[REDACTED] https://x"
    );
    assert_eq!(
        r("redis-cli -a hunter2 ping"),
        "redis-cli -a [REDACTED] ping"
    );
    assert_eq!(r("sshpass -p hunter2 ssh h"), "sshpass -p [REDACTED] ssh h");
    assert_eq!(
        r("docker login -u me -p hunter2 reg"),
        "docker login -u me -p [REDACTED] reg"
    );
    assert_eq!(
        r("gh secret set NAME -b hunter2"),
        "gh secret set NAME -b [REDACTED]"
    );
    assert_eq!(
        r("aws configure set aws_secret_access_key abcd"),
        "aws configure set aws_secret_access_key [REDACTED]"
    );
}

#[test]
fn look_alikes_are_untouched() {
    same("mkdir -p a/b && cp -p x y && ssh -p 22 host && grep -p x f");
    same("docker run -p 8080:80 nginx; curl -u alice https://x");
    same("rm -rf ./build; git push origin main; ls -la ~/.ssh");
    same("git log --format=%H -n 5 | xargs -n1 git show");
    same("ssh-keygen -t ed25519 -f ~/.ssh/id_ed25519");
    same("cat task-1234567890abcdefghijklmnop.txt");
    same("git checkout 3f2a1b4c5d6e7f8091a2b3c4d5e6f708192a3b4c");
    same("echo mysql; mkdir -p x");
    same("ssh git@github.com; git clone ssh://git@github.com/a/b");
}

#[test]
fn headers_and_schemes() {
    assert_eq!(
        r(r#"curl -H "Authorization: Bearer abc.def" https://api"#),
        r#"curl -H "Authorization: Bearer [REDACTED]" https://api"#
    );
    assert_eq!(
        r("curl -H 'X-Api-Key: k123' u"),
        "curl -H 'X-Api-Key: [REDACTED]' u"
    );
    assert_eq!(
        r("curl --header='Cookie: sid=1' u"),
        "curl --header='Cookie: [REDACTED]' u"
    );
    assert_eq!(
        r("curl -H'Authorization:Basic dXNlcjpwYXNz' u"),
        "curl -H'Authorization:Basic [REDACTED]' u"
    );
    assert_eq!(
        r("http GET u 'X-Thing: Bearer abcdefghijk'"),
        "http GET u 'X-Thing: Bearer [REDACTED]'"
    );
    assert_eq!(
        r(r#"curl -d '{"user":"a","password":"hunter2"}' u"#),
        r#"curl -d '{"user":"a","password":"[REDACTED]"}' u"#
    );
}

#[test]
fn urls() {
    assert_eq!(
        r("git clone https://alice:hunter2@github.com/a/b"),
        "git clone https://alice:[REDACTED]@github.com/a/b"
    );
    assert_eq!(
        r("psql postgres://u:p%40ss@db:5432/app"),
        "psql postgres://u:[REDACTED]@db:5432/app"
    );
    assert_eq!(
        r("git push https://x0123456789abcdefXYZ@host/r"),
        "git push https://[REDACTED]@host/r"
    );
    assert_eq!(
        r("curl 'https://h/p?a=1&token=T0k&api_key=K&access_token=A&sig=S#frag'"),
        "curl 'https://h/p?a=1&token=[REDACTED]&api_key=[REDACTED]&access_token=[REDACTED]&sig=[REDACTED]#frag'"
    );
    assert_eq!(
        r("curl 'https://s3/o?X-Amz-Signature=abc&X-Amz-Date=1'"),
        "curl 'https://s3/o?X-Amz-Signature=[REDACTED]&X-Amz-Date=1'"
    );
    same("curl https://example.com/a?page=2&q=rust");
}

#[test]
fn token_shapes() {
    let gh = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";
    assert_eq!(r(&format!("echo {gh}")), "echo ghp_[REDACTED]");
    assert_eq!(
        r("x github_pat_11ABCDEFG0123456789_abcdefghijklmnop"),
        "x github_pat_[REDACTED]"
    );
    assert_eq!(r("x gho_abcdefghijklmnopqrstuvwxyz"), "x gho_[REDACTED]");
    assert_eq!(
        r("aws s3 ls --profile AKIAIOSFODNN7EXAMPLE"),
        "aws s3 ls --profile AKIA[REDACTED]"
    );
    assert_eq!(
        r("echo wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        "echo [REDACTED]"
    );
    assert_eq!(r("slack xoxb-1234-5678-abcdef"), "slack xoxb-[REDACTED]");
    assert_eq!(
        r("openai sk-proj-abcdefghijklmnopqrstuvwx"),
        "openai sk-[REDACTED]"
    );
    assert_eq!(
        r("claude sk-ant-api03-abcdefghijklmnopqrstuvwx"),
        "claude sk-[REDACTED]"
    );
    assert_eq!(
        r("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl done"),
        "jwt [REDACTED] done"
    );
}

#[test]
fn private_key_blocks() {
    let line = "printf '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n' > k";
    let out = r(line);
    assert!(!out.contains("b3BlbnNzaC1rZXk"), "{out}");
    assert!(out.contains("-----BEGIN OPENSSH PRIVATE KEY-----[REDACTED]-----END"));
    assert!(out.ends_with("' > k"), "{out}");
    let cut = r("echo -----BEGIN RSA PRIVATE KEY----- MIIEpAIB more");
    assert!(!cut.contains("MIIEpAIB"), "{cut}");
    same("echo -----BEGIN CERTIFICATE----- MIIB -----END CERTIFICATE-----");
}

#[test]
fn argv_is_redacted_across_elements() {
    let argv: Vec<String> = [
        "curl",
        "-u",
        "a:pw",
        "--token",
        "T",
        "-H",
        "Authorization: Bearer zz",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(
        redact_argv(&argv),
        [
            "curl",
            "-u",
            "a:[REDACTED]",
            "--token",
            "[REDACTED]",
            "-H",
            "Authorization: Bearer [REDACTED]"
        ]
    );
    let plain: Vec<String> = vec!["mkdir".into(), "-p".into(), "x".into()];
    assert_eq!(redact_argv(&plain), plain);
}

#[test]
fn command_redaction_touches_only_raw_and_argv() {
    let mut cmd = ProposedCommand::new(
        "recorder",
        "/home/me",
        vec!["env".into(), "TOKEN=x".into()],
        "env TOKEN=x",
    );
    let before = cmd.clone();
    assert!(redact_command(&mut cmd));
    assert_eq!(cmd.raw, "env TOKEN=[REDACTED]");
    assert_eq!(cmd.argv, ["env", "TOKEN=[REDACTED]"]);
    assert_eq!(
        (cmd.id, cmd.cwd, cmd.agent),
        (before.id, before.cwd, before.agent)
    );
}

#[test]
fn redaction_is_idempotent_and_total() {
    let lines = [
        "GITHUB_TOKEN=abc curl -H 'Authorization: Bearer x' https://u:p@h/?token=t",
        "mysql -pX; echo ghp_abcdefghijklmnopqrstuvwx",
        "unterminated 'quote --password=x",
        "\\ \\\\ \" ' $' ü=ü --pässword=ü ü:ü https://ü:ü@ü",
        "",
        "-----BEGIN PRIVATE KEY-----",
        "\"a\":",
        "x=\"{\\\"token\\\": \\\"ab\\\"}\"",
    ];
    for l in lines {
        let once = r(l);
        assert_eq!(r(&once), once, "not idempotent on {l:?}");
    }
    assert!(!r("x=\"{\\\"token\\\": \\\"ab\\\"}\"").contains("ab\\"));
}

#[test]
fn never_panics_on_arbitrary_bytes() {
    // A cheap deterministic fuzz over shell-ish alphabets.
    let alphabet: Vec<char> = "ab=:@/?&-_'\"\\ $;|ü\n.eyJ-pxoxb<%,PASSWORD("
        .chars()
        .collect();
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    for _ in 0..20_000 {
        let mut s = String::new();
        for _ in 0..(seed % 40) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            s.push(alphabet[(seed % alphabet.len() as u64) as usize]);
        }
        let _ = redact(&s);
        let _ = redact(&format!("htpasswd -b {s}"));
        let _ = redact(&format!("echo {s} | sudo -S x <<E\n{s}\nE"));
        let _ = redact_argv(&[s.clone(), "--token".into(), s]);
    }
}

#[test]
fn shell_code_inside_a_word_is_searched() {
    assert_eq!(
        r(r#"bash -c "mysql -pX1 db; echo ok""#),
        r#"bash -c "mysql -p[REDACTED] db; echo ok""#
    );
    assert_eq!(
        r("ssh host 'curl -u a:b https://x'"),
        "ssh host 'curl -u a:[REDACTED] https://x'"
    );
    let argv: Vec<String> = vec!["sh".into(), "-c".into(), "sshpass -p pw ssh h".into()];
    assert_eq!(redact_argv(&argv)[2], "sshpass -p [REDACTED] ssh h");
    same("bash -c 'mkdir -p a && ssh -p 22 h'");
}

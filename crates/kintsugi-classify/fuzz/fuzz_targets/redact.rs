//! Fuzz target: secret redaction (`kintsugi_protocol::redact`) on arbitrary
//! bytes (lossily decoded) must never panic, whether it sees a whole line,
//! an argv (the input split at NUL bytes) or asks for the secret values,
//! and `redact_argv` keeps the argument count.
#![no_main]

use kintsugi_protocol::redact::{redact, redact_argv, secret_values};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let line = String::from_utf8_lossy(data);
    let _ = redact(&line);
    let _ = secret_values(&line);
    let argv: Vec<String> = line.split('\0').map(str::to_string).collect();
    let red = redact_argv(&argv);
    assert_eq!(red.len(), argv.len(), "redact_argv changed the argument count");
});

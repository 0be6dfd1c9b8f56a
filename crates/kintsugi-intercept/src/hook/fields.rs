//! Reading fields out of a payload: a string field, a shell command given
//! as a string or an argv list, and the Claude-style `tool_name` /
//! `tool_input` shape most dialects share. Every miss is an error naming
//! the field and what was found instead.

use super::{HookRequest, exit_code_of};
use serde_json::Value;

/// `tool_input.command` (or another key) as a string, for dialects that
/// nest the shell command in an object.
pub(crate) fn str_field<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// A shell command given as a string or as an argv array. An argv array is
/// joined into the line that runs exactly those words, each quoted when it
/// needs it (`["bash","-lc","rm -rf ~"]` → `bash -lc 'rm -rf ~'`), so the
/// daemon analyses what really runs.
pub(crate) fn command_value(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => {
            let words: Option<Vec<String>> = items
                .iter()
                .map(|w| w.as_str().map(str::to_string))
                .collect();
            words.map(|w| kintsugi_protocol::argv_to_line(&w))
        }
        _ => None,
    }
}

/// How a JSON value is named in an error message.
fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// The shell command of tool `tool` under the first of `keys` that `input`
/// has, as [`command_value`] reads it. `place` names `input` in messages
/// (`tool_input`; empty for the payload itself). Anything else (`input` not
/// an object, no key, a value that is not a string or a list of strings)
/// is an error naming what was wrong: a shell tool whose command cannot be
/// read is never waved through.
pub(crate) fn command_in(
    input: &Value,
    keys: &[&str],
    place: &str,
    tool: &str,
) -> Result<String, String> {
    let at = |k: &str| {
        if place.is_empty() {
            k.to_string()
        } else {
            format!("{place}.{k}")
        }
    };
    let obj = input.as_object().ok_or_else(|| {
        format!(
            "`{place}` of tool `{tool}` is {}, not an object with a `{}` string",
            json_kind(input),
            keys[0]
        )
    })?;
    let (key, v) = keys
        .iter()
        .find_map(|k| obj.get(*k).map(|v| (*k, v)))
        .ok_or_else(|| format!("tool `{tool}` came without a `{}` string", at(keys[0])))?;
    command_value(v).ok_or_else(|| {
        let what = match v {
            Value::Array(_) => "a list that holds something other than strings".to_string(),
            other => json_kind(other).to_string(),
        };
        format!(
            "`{}` of tool `{tool}` is {what}, not a string or a list of strings",
            at(key)
        )
    })
}

/// The shape of Claude-style payloads (`tool_name`, `tool_input.command`),
/// shared by Claude, Codex, Gemini and Qwen. `shell_tools` are the tool
/// names that run a shell command.
pub(crate) fn parse_tool_payload(
    v: &Value,
    shell_tools: &[&str],
    command_keys: &[&str],
) -> Result<HookRequest, String> {
    let obj = v.as_object().ok_or("the payload is not a JSON object")?;
    let tool_name = obj
        .get("tool_name")
        .and_then(Value::as_str)
        .ok_or("the payload has no `tool_name` string")?
        .to_string();
    let mut req = HookRequest {
        command: None,
        cwd: str_field(v, "cwd").map(str::to_string),
        session: str_field(v, "session_id").map(str::to_string),
        tool_name,
        tool_use_id: str_field(v, "tool_use_id").map(str::to_string),
        exit_code: exit_code_of(v.get("tool_response")),
        duration_ms: v.get("duration_ms").and_then(Value::as_u64),
    };
    if !shell_tools.contains(&req.tool_name.as_str()) {
        return Ok(req);
    }
    let input = obj
        .get("tool_input")
        .ok_or_else(|| format!("tool `{}` came without `tool_input`", req.tool_name))?;
    req.command = Some(command_in(
        input,
        command_keys,
        "tool_input",
        &req.tool_name,
    )?);
    Ok(req)
}

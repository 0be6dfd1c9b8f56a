//! NDJSON framing: one JSON object per `\n`-terminated line, at most
//! [`MAX_FRAME_BYTES`]. Decoding turns every malformed frame into a message
//! that says what was wrong, so the daemon can answer `error` and stay up.

use crate::types::{REQUEST_KINDS, Request};
use serde::Serialize;

/// The largest frame either side accepts: 16 MiB, newline excluded.
pub const MAX_FRAME_BYTES: usize = 16 * 1024 * 1024;

/// Why a frame could not be turned into a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("frame is not valid UTF-8 (byte {0}); send one UTF-8 JSON object per line")]
    Utf8(usize),
    #[error("frame is not valid JSON: {0}")]
    Json(String),
    #[error("frame is not a JSON object; send {{\"kind\":\"…\", …}}")]
    NotObject,
    #[error("request has no string field `kind`; add one of: {}", REQUEST_KINDS.join(", "))]
    MissingKind,
    #[error("unknown request kind `{0}`")]
    UnknownKind(String),
    #[error("bad `{kind}` request: {detail}")]
    BadFields { kind: String, detail: String },
}

/// Encode a value as one compact JSON line with its trailing newline.
pub fn encode_line<T: Serialize>(value: &T) -> Vec<u8> {
    let mut out = serde_json::to_vec(value).expect("protocol types always serialize");
    out.push(b'\n');
    out
}

/// Decode one frame (without its newline) into a request.
///
/// The common case is a single typed parse; only a failing frame pays for the
/// second, diagnostic pass that names what was wrong.
pub fn decode_request(frame: &[u8]) -> Result<Request, DecodeError> {
    if let Ok(req) = serde_json::from_slice::<Request>(frame) {
        return Ok(req);
    }
    let text = std::str::from_utf8(frame).map_err(|e| DecodeError::Utf8(e.valid_up_to()))?;
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| DecodeError::Json(e.to_string()))?;
    let obj = value.as_object().ok_or(DecodeError::NotObject)?;
    let kind = obj
        .get("kind")
        .and_then(|k| k.as_str())
        .ok_or(DecodeError::MissingKind)?;
    if !REQUEST_KINDS.contains(&kind) {
        return Err(DecodeError::UnknownKind(kind.to_string()));
    }
    match serde_json::from_value::<Request>(value.clone()) {
        Ok(req) => Ok(req),
        Err(e) => Err(DecodeError::BadFields {
            kind: kind.to_string(),
            detail: e.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_kind_matches_protocol_example() {
        let err = decode_request(br#"{"kind":"bogus"}"#).unwrap_err();
        assert_eq!(err.to_string(), "unknown request kind `bogus`");
    }

    #[test]
    fn missing_field_names_the_field() {
        let err = decode_request(br#"{"kind":"approve"}"#).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("approve") && msg.contains("`id`"), "{msg}");
    }

    #[test]
    fn invalid_utf8_and_json_and_non_objects() {
        assert!(matches!(
            decode_request(b"\xff\xfe"),
            Err(DecodeError::Utf8(0))
        ));
        assert!(matches!(
            decode_request(b"{nope"),
            Err(DecodeError::Json(_))
        ));
        assert!(matches!(
            decode_request(b"[1,2]"),
            Err(DecodeError::NotObject)
        ));
        assert!(matches!(
            decode_request(br#"{"x":1}"#),
            Err(DecodeError::MissingKind)
        ));
    }

    #[test]
    fn encode_appends_one_newline() {
        let line = encode_line(&Request::Status);
        assert_eq!(line, b"{\"kind\":\"status\"}\n");
    }
}

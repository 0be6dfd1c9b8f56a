//! The wire types against the examples of PROTOCOL.md.
use super::*;

#[test]
fn request_kinds_serialize_as_protocol_words() {
    let reqs = [
        (Request::ListPending, "listpending"),
        (Request::PendingStatus { id: "a".into() }, "pendingstatus"),
        (
            Request::AuthBegin {
                op: "shutdown".into(),
            },
            "authbegin",
        ),
        (Request::Status, "status"),
    ];
    for (req, word) in reqs {
        let v = serde_json::to_value(&req).unwrap();
        assert_eq!(v["kind"], word);
        assert!(REQUEST_KINDS.contains(&word));
    }
}

#[test]
fn propose_is_flattened_beside_kind() {
    let line = r#"{"kind":"propose","id":"u","ts":"2026-01-01T00:00:00Z","agent":"shim","cwd":"/","argv":["ls"],"raw":"ls"}"#;
    let req: Request = serde_json::from_str(line).unwrap();
    match req {
        Request::Propose(c) => assert_eq!(c.raw, "ls"),
        other => panic!("got {other:?}"),
    }
}

#[test]
fn argv_lines_are_quoted_for_the_shell() {
    assert_eq!(shell_quote("a b"), "'a b'");
    assert_eq!(shell_quote("it's"), r"'it'\''s'");
    assert_eq!(shell_quote("-rf"), "-rf");
    assert_eq!(shell_quote(""), "''");
    assert_eq!(
        argv_to_line(&["rm".into(), "-rf".into(), "my dir".into()]),
        "rm -rf 'my dir'"
    );
}

#[test]
fn observe_uses_change_not_kind() {
    let line = r#"{"kind":"observe","change":"removed","path":"/x"}"#;
    let req: Request = serde_json::from_str(line).unwrap();
    assert_eq!(
        req,
        Request::Observe(Observation::new(Change::Removed, "/x"))
    );
}

#[test]
fn verdict_omits_absent_optionals() {
    let r = Response::Verdict(Verdict {
        decision: Decision::Allow,
        class: Class::Safe,
        rule: "safe:read-only".into(),
        reason: "Reads files.".into(),
        summary: None,
        risk: None,
        event: Some(3),
        pending: None,
        snapshot: None,
    });
    let s = serde_json::to_string(&r).unwrap();
    assert_eq!(
        s,
        r#"{"kind":"verdict","decision":"allow","class":"safe","rule":"safe:read-only","reason":"Reads files.","event":3}"#
    );
}

#[test]
fn subscription_lines_keep_the_event_kind_apart_from_the_tag() {
    let v = serde_json::to_value(&Request::Subscribe).unwrap();
    assert_eq!(v, serde_json::json!({"kind": "subscribe"}));
    assert!(REQUEST_KINDS.contains(&"subscribe"));
    let r = Response::Event {
        event: EventRecord {
            seq: 7,
            kind: "propose".into(),
            raw: "ls".into(),
            ..Default::default()
        },
    };
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["kind"], "event");
    assert_eq!(v["event"]["kind"], "propose");
    assert_eq!(v["event"]["seq"], 7);
    let back: Response = serde_json::from_value(v).unwrap();
    assert_eq!(back, r);
    let lag: Response = serde_json::from_str(r#"{"kind":"lagged","missed":3}"#).unwrap();
    assert_eq!(lag, Response::Lagged { missed: 3 });
    let q = r#"{"kind":"queue","change":"expired","item":{"id":"a","command":{"id":"u","ts":"t","agent":"x","cwd":"/","raw":"rm -rf b"},"class":"ambiguous","rule":"r","reason":"r","created":"t","status":"gone"}}"#;
    let Response::Queue { change, item } = serde_json::from_str(q).unwrap() else {
        panic!("not a queue line");
    };
    assert_eq!(change, QueueChange::Expired);
    assert_eq!(item.command.raw, "rm -rf b");
}

#[test]
fn status_example_from_protocol_page() {
    let r: Response = serde_json::from_str(r#"{"kind":"status","scorer":"heuristic"}"#).unwrap();
    assert_eq!(
        r,
        Response::Status(Box::new(StatusInfo {
            scorer: "heuristic".into(),
            ..Default::default()
        }))
    );
}

#[test]
fn the_typed_origin_wins_and_old_clients_are_read_by_their_agent_name() {
    let old = ProposedCommand::new("hook:claude", "/", vec![], "ls");
    assert_eq!(old.origin(), Some(Origin::Hook));
    assert!(!serde_json::to_string(&old).unwrap().contains("origin"));
    let typed = ProposedCommand::new("nightly-bot", "/", vec![], "ls").from_origin(Origin::Run);
    assert_eq!(typed.origin(), Some(Origin::Run));
    let json = serde_json::to_value(&typed).unwrap();
    assert_eq!(json["origin"], "run");
    // A hook is known by its field, whatever the agent string says.
    let hook = ProposedCommand::new("claude", "/", vec![], "ls").from_origin(Origin::Hook);
    assert_eq!(hook.origin(), Some(Origin::Hook));
    assert_eq!(
        ProposedCommand::new("cron", "/", vec![], "ls").origin(),
        None
    );
}

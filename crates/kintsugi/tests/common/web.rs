//! `kintsugi web` for tests: started in a real terminal (tmux) as a human
//! would start it, so it is outside the test's process tree; its stdout
//! goes to a file (not a terminal) and the login URL is read from there.
//! A tiny HTTP/1.1 client with the session cookie and CSRF token.

use super::{BIN, Sandbox, Tmux};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub struct Web {
    pub tmux: Tmux,
    pub port: u16,
    pub login_url: String,
    pub stdout: PathBuf,
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

impl Web {
    /// Start `kintsugi web --port 0` in a tmux terminal of its own.
    pub fn start(sb: &Sandbox) -> Web {
        super::require_tmux();
        let stdout = sb.root().join("web.out");
        let tmux = Tmux::new();
        tmux.run(&format!(
            "HOME='{}' KINTSUGI_DATA_DIR='{}' KINTSUGI_CONFIG='{}' '{}' web --port 0 >'{}' 2>&1; echo EXIT=$?; sleep 60",
            sb.root().join("home").display(),
            sb.data().display(),
            sb.config().display(),
            BIN,
            stdout.display()
        ));
        let deadline = Instant::now() + Duration::from_secs(60);
        let first = loop {
            let text = std::fs::read_to_string(&stdout).unwrap_or_default();
            if let Some(line) = text.lines().next().filter(|_| text.contains('\n')) {
                break line.to_string();
            }
            assert!(
                Instant::now() < deadline,
                "kintsugi web printed no URL:\n{text}\n{}",
                tmux.screen()
            );
            std::thread::sleep(Duration::from_millis(25));
        };
        assert!(
            first.starts_with("http://127.0.0.1:") && first.contains("/login/"),
            "the first line is not the login URL: {first}"
        );
        let port = first["http://127.0.0.1:".len()..]
            .split('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        Web {
            tmux,
            port,
            login_url: first,
            stdout,
        }
    }

    /// The path part of the login URL.
    pub fn login_path(&self) -> String {
        let at = self.login_url.find("/login/").unwrap();
        self.login_url[at..].to_string()
    }

    pub fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: {}\r\n",
            self.port,
            body.len()
        );
        for (n, v) in headers {
            req.push_str(&format!("{n}: {v}\r\n"));
        }
        req.push_str("\r\n");
        req.push_str(body);
        s.write_all(req.as_bytes()).unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
        Reply {
            status: head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0),
            head: head.to_string(),
            body: body.to_string(),
        }
    }

    /// Log in with the one-time URL: the session's cookie and CSRF token.
    pub fn login(&self) -> Session {
        let r = self.request("GET", &self.login_path(), &[], "");
        assert_eq!(r.status, 303, "{r:?}");
        let set = r
            .head
            .lines()
            .find_map(|l| l.strip_prefix("Set-Cookie: "))
            .expect("the login sets a cookie");
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Strict"),
            "{set}"
        );
        let cookie = set.split(';').next().unwrap().to_string();
        let s = self.request("GET", "/api/session", &[("Cookie", &cookie)], "");
        assert_eq!(s.status, 200, "{s:?}");
        let csrf = s.json()["csrf"].as_str().unwrap().to_string();
        Session { cookie, csrf }
    }
}

pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

impl Web {
    pub fn get(&self, s: &Session, path: &str) -> Reply {
        self.request("GET", path, &[("Cookie", &s.cookie)], "")
    }
    pub fn post(&self, s: &Session, path: &str, body: &str) -> Reply {
        self.request(
            "POST",
            path,
            &[("Cookie", &s.cookie), ("X-Kintsugi-CSRF", &s.csrf)],
            body,
        )
    }
}

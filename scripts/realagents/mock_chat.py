#!/usr/bin/env python3
"""A loopback mock of the OpenAI Chat Completions API, for driving real agent
CLIs that speak it (Qwen Code, OpenCode) with one shell command we choose.
Python stdlib only; binds 127.0.0.1.

POST .../chat/completions (stream or not):
  * the conversation already holds a tool result (a `tool` message)
    -> the assistant says "Done." and stops;
  * else, when the request offers a shell tool (--tool, or the first of
    run_shell_command, bash, shell, execute_command, Execute)
    -> one call of it with {"command": CMD, "description", "is_background"}
       (plus Droid's required risk rating for `Execute`);
  * else -> a short assistant message.
GET .../models -> a one-model list.  Every request is logged as one JSON line
(method, path, body) to --log, so a test can read what the agent sent back
(for instance the output of the command it ran).
"""
import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARGS = None
LOCK = threading.Lock()
SHELL_TOOLS = ("run_shell_command", "bash", "shell", "execute_command", "Execute")


def log(entry):
    entry["t"] = time.time()
    with LOCK, open(ARGS.log, "a") as f:
        f.write(json.dumps(entry) + "\n")


def offered_tools(body):
    names = []
    for t in body.get("tools") or []:
        fn = t.get("function") if isinstance(t, dict) else None
        if isinstance(fn, dict) and fn.get("name"):
            names.append(fn["name"])
    return names


def decide(body):
    """('text', TEXT) or ('call', TOOL)."""
    messages = body.get("messages") or []
    if any(isinstance(m, dict) and m.get("role") == "tool" for m in messages):
        return "text", "Done."
    names = offered_tools(body)
    wanted = [ARGS.tool] if ARGS.tool else list(SHELL_TOOLS)
    for name in wanted:
        if name in names:
            return "call", name
    return "text", "I have no shell tool here."


def arguments(tool):
    args = {"command": ARGS.cmd, "description": "Run the requested command",
            "is_background": False}
    if tool == "Execute":
        # Factory Droid refuses an Execute call without its risk rating.
        args.update({"riskLevelReason": "The user asked for exactly this command.",
                     "riskLevel": "low"})
    return json.dumps(args)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        pass

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        try:
            return json.loads(raw or b"{}")
        except ValueError:
            return None

    def _send(self, code, obj):
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        log({"method": "GET", "path": self.path})
        if self.path.split("?")[0].rstrip("/").endswith("/models"):
            self._send(200, {"object": "list", "data": [
                {"id": ARGS.model, "object": "model", "created": 0, "owned_by": "mock"}]})
        else:
            self._send(404, {"error": {"message": "mock: unsupported path"}})

    def do_POST(self):
        body = self._body()
        log({"method": "POST", "path": self.path, "body": body})
        if not self.path.split("?")[0].rstrip("/").endswith("/chat/completions") or not isinstance(body, dict):
            self._send(404, {"error": {"message": "mock: unsupported path"}})
            return
        kind, what = decide(body)
        cid = "chatcmpl-mock-%d" % int(time.time() * 1000)
        if kind == "call":
            message = {"role": "assistant", "content": None, "tool_calls": [
                {"id": "call_mock_1", "type": "function",
                 "function": {"name": what, "arguments": arguments(what)}}]}
            finish = "tool_calls"
        else:
            message = {"role": "assistant", "content": what}
            finish = "stop"
        usage = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
        if not body.get("stream"):
            self._send(200, {"id": cid, "object": "chat.completion", "created": int(time.time()),
                             "model": ARGS.model, "usage": usage,
                             "choices": [{"index": 0, "message": message, "finish_reason": finish}]})
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()

        def chunk(delta, finish_reason=None, extra=None):
            obj = {"id": cid, "object": "chat.completion.chunk", "created": int(time.time()),
                   "model": ARGS.model,
                   "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}
            if extra:
                obj.update(extra)
            self.wfile.write(b"data: " + json.dumps(obj).encode() + b"\n\n")
            self.wfile.flush()

        if kind == "call":
            call = dict(message["tool_calls"][0])
            call["index"] = 0
            chunk({"role": "assistant", "content": None, "tool_calls": [call]})
        else:
            chunk({"role": "assistant", "content": what})
        chunk({}, finish, {"usage": usage})
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()
        self.close_connection = True


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file", required=True)
    p.add_argument("--cmd", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--tool")
    p.add_argument("--model", default="mock-model")
    ARGS = p.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", ARGS.port), Handler)
    with open(ARGS.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.replace(ARGS.port_file + ".tmp", ARGS.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()

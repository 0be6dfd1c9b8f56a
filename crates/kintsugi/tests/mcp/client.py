"""Drive `kintsugi mcp` with the official Python MCP SDK client.

usage: client.py KINTSUGI_BINARY CWD VICTIM_DIR [MODE]
MODE is the SDK's `Client(mode=...)`: `legacy` (the 2025-11-25 initialize
handshake and a session), `auto` (probe `server/discover`, adopt the newest
revision both speak) or `2026-07-28` (stateless: no handshake, no probe;
every request carries the version in `_meta`). Default: legacy.
Prints one JSON object with what each call returned; the Rust test asserts.
"""
import asyncio
import json
import os
import sys

from mcp import Client, StdioServerParameters


def text_of(result):
    return "".join(getattr(c, "text", "") for c in result.content)


async def main(binary, cwd, victim, mode="legacy"):
    params = StdioServerParameters(command=binary, args=["mcp"], env=dict(os.environ))
    report = {}
    async with Client(params, mode=mode) as client:
        report["protocol_version"] = client.protocol_version
        found = client.session.discover_result
        report["discovered"] = None if found is None else {
            "supported": found.supported_versions,
            "tools": [t["name"] for t in (found.meta or {}).get("dev.kintsugi/tools", [])],
            "server": ((found.meta or {}).get("io.modelcontextprotocol/serverInfo") or {}).get("name"),
        }
        listed = await client.list_tools()
        report["tools"] = sorted(t.name for t in listed.tools)
        hi = await client.call_tool("exec", {"command": "echo hi", "cwd": cwd})
        report["echo"] = {"is_error": hi.is_error, "text": text_of(hi),
                          "structured": hi.structured_content}
        fail = await client.call_tool("exec", {"command": "exit 7", "cwd": cwd})
        report["exit7"] = {"is_error": fail.is_error, "structured": fail.structured_content}
        bad = await client.call_tool("exec", {"command": f"rm -rf {victim}", "cwd": cwd})
        report["catastrophic"] = {"is_error": bad.is_error, "text": text_of(bad)}
        # A timeout kills the whole process group: the background job
        # must never get to write its file.
        slow = await client.call_tool("exec", {
            "command": "(sleep 2; touch late-marker) & sleep 30",
            "cwd": cwd, "timeout_secs": 1})
        report["timeout"] = {"is_error": slow.is_error, "text": text_of(slow)}
        await asyncio.sleep(3)
        report["timeout"]["marker_written"] = os.path.exists(os.path.join(cwd, "late-marker"))
        big = await client.call_tool("exec", {"command": "head -c 3000000 /dev/zero", "cwd": cwd})
        report["big"] = {"is_error": big.is_error,
                         "stdout_len": len(big.structured_content["stdout"]),
                         "truncated": big.structured_content["truncated"]}
        chk = await client.call_tool("check", {"command": "rm -rf ~", "cwd": cwd})
        report["check"] = chk.structured_content
    print(json.dumps(report))


asyncio.run(main(*sys.argv[1:5]))

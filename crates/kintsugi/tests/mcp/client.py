"""Drive `kintsugi mcp` with the official Python MCP SDK client.

usage: client.py KINTSUGI_BINARY CWD VICTIM_DIR
Prints one JSON object with what each call returned; the Rust test asserts.
"""
import asyncio
import json
import os
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client


def text_of(result):
    return "".join(getattr(c, "text", "") for c in result.content)


async def main(binary, cwd, victim):
    params = StdioServerParameters(command=binary, args=["mcp"], env=dict(os.environ))
    report = {}
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            listed = await session.list_tools()
            report["tools"] = sorted(t.name for t in listed.tools)
            hi = await session.call_tool("exec", {"command": "echo hi", "cwd": cwd})
            report["echo"] = {"is_error": hi.is_error, "text": text_of(hi),
                              "structured": hi.structured_content}
            fail = await session.call_tool("exec", {"command": "exit 7", "cwd": cwd})
            report["exit7"] = {"is_error": fail.is_error, "structured": fail.structured_content}
            bad = await session.call_tool("exec", {"command": f"rm -rf {victim}", "cwd": cwd})
            report["catastrophic"] = {"is_error": bad.is_error, "text": text_of(bad)}
            # A timeout kills the whole process group: the background job
            # must never get to write its file.
            slow = await session.call_tool("exec", {
                "command": "(sleep 2; touch late-marker) & sleep 30",
                "cwd": cwd, "timeout_secs": 1})
            report["timeout"] = {"is_error": slow.is_error, "text": text_of(slow)}
            await asyncio.sleep(3)
            report["timeout"]["marker_written"] = os.path.exists(os.path.join(cwd, "late-marker"))
            big = await session.call_tool("exec", {"command": "head -c 3000000 /dev/zero", "cwd": cwd})
            report["big"] = {"is_error": big.is_error,
                             "stdout_len": len(big.structured_content["stdout"]),
                             "truncated": big.structured_content["truncated"]}
            chk = await session.call_tool("check", {"command": "rm -rf ~", "cwd": cwd})
            report["check"] = chk.structured_content
    print(json.dumps(report))


asyncio.run(main(*sys.argv[1:4]))

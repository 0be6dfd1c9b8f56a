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
            chk = await session.call_tool("check", {"command": "rm -rf ~", "cwd": cwd})
            report["check"] = chk.structured_content
    print(json.dumps(report))


asyncio.run(main(*sys.argv[1:4]))

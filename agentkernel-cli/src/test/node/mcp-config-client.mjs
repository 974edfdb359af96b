// Reads the MCP server entry that 'agentkernel mcp install AGENT' wrote into a coding agent's
// configuration file and connects to it as that agent would, with the official TypeScript MCP
// client (@modelcontextprotocol/sdk): the entry's own command, args and env on the stdio transport,
// or its own URL and headers on the Streamable HTTP transport. Lists the tools and runs one command
// in a sandbox through them. Nothing of the server comes from anywhere but the file.
//
// usage: node mcp-config-client.mjs AGENT FILE [--no-headers]
//   AGENT: claude (mcpServers: type stdio|http), gemini (mcpServers: command|httpUrl),
//          opencode (mcp: type local|remote)
// env: MCP_SDK_MODULES: the node_modules holding @modelcontextprotocol/sdk
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";

const require = createRequire(path.join(process.env.MCP_SDK_MODULES, "noop.js"));
const { Client } = require("@modelcontextprotocol/sdk/client/index.js");
const { StreamableHTTPClientTransport } = require("@modelcontextprotocol/sdk/client/streamableHttp.js");
const { StdioClientTransport, getDefaultEnvironment } = require("@modelcontextprotocol/sdk/client/stdio.js");

const [agent, file, flag] = process.argv.slice(2);
const config = JSON.parse(readFileSync(file, "utf8"));
const servers = agent === "opencode" ? config.mcp : config.mcpServers;
const entry = servers?.agentkernel;
if (!entry) {
  console.log("not ok - no agentkernel entry in " + file);
  process.exit(1);
}

// The entry as each agent reads it: a process to start, or a URL with headers.
function spec() {
  switch (agent) {
    case "claude":
      return (entry.type ?? "stdio") === "stdio"
        ? { command: entry.command, args: entry.args ?? [], env: entry.env ?? {} }
        : { url: entry.url, headers: entry.headers ?? {}, type: entry.type };
    case "gemini":
      return entry.command ? { command: entry.command, args: entry.args ?? [], env: entry.env ?? {} }
        : { url: entry.httpUrl, headers: entry.headers ?? {}, type: "http" };
    case "opencode":
      return entry.type === "local"
        ? { command: entry.command[0], args: entry.command.slice(1), env: entry.environment ?? {} }
        : { url: entry.url, headers: entry.headers ?? {}, type: "http" };
    default:
      throw new Error("unknown agent " + agent);
  }
}

const s = spec();
let transport;
if (s.command) {
  // the agent's minimal environment plus the entry's own variables: nothing else of the test's
  transport = new StdioClientTransport({ command: s.command, args: s.args,
    env: { ...getDefaultEnvironment(), ...s.env }, stderr: "inherit" });
  console.log("# stdio: " + s.command + " " + s.args.join(" "));
} else {
  if (s.type !== "http") throw new Error("not a Streamable HTTP entry: " + JSON.stringify(entry));
  const headers = flag === "--no-headers" ? {} : s.headers;
  transport = new StreamableHTTPClientTransport(new URL(s.url), { requestInit: { headers } });
  console.log("# http: " + s.url + " headers: " + Object.keys(headers).join(","));
}

const client = new Client({ name: "agentkernel-config-test", version: "1.0.0" });
try {
  await client.connect(transport);
} catch (e) {
  console.log("not ok - connect: " + e.message);
  process.exit(3);
}
const tools = (await client.listTools()).tools.map(t => t.name);
console.log("tools: " + tools.join(" "));
const r = await client.callTool({ name: "sandbox_run", arguments: { command: ["echo", "hello from the configured server"] } });
const text = (r.content ?? []).map(c => c.text ?? "").join("");
console.log((r.isError ? "not ok - sandbox_run: " : "ok - sandbox_run: ") + JSON.stringify(r.structuredContent ?? text));
await client.close();
process.exit(r.isError ? 2 : 0);

// The official TypeScript MCP client (@modelcontextprotocol/sdk, what the Inspector and most desktop
// agents use) against AgentKernel's tools, over one transport: every tool is called with good and with
// bad arguments. A tool-level failure must come back as a result with isError (that this client can
// show), never as a thrown protocol error (e.g. -32602 "Structured content does not match the tool's
// output schema", which this client raises when an error's structured content does not match).
//
// usage: node mcp-client.mjs http URL | node mcp-client.mjs stdio COMMAND ARG...
// env: MCP_SDK_MODULES: the node_modules holding @modelcontextprotocol/sdk
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(path.join(process.env.MCP_SDK_MODULES, "noop.js"));
const { Client } = require("@modelcontextprotocol/sdk/client/index.js");
const { StreamableHTTPClientTransport } = require("@modelcontextprotocol/sdk/client/streamableHttp.js");
const { StdioClientTransport } = require("@modelcontextprotocol/sdk/client/stdio.js");

const [mode, ...rest] = process.argv.slice(2);
const transport = mode === "http"
  ? new StreamableHTTPClientTransport(new URL(rest[0]))
  : new StdioClientTransport({ command: rest[0], args: rest.slice(1), env: process.env, stderr: "inherit" });
const client = new Client({ name: "agentkernel-ts-client-test", version: "1.0.0" });
await client.connect(transport);

let passed = 0;
let failed = 0;
const called = new Set();
function ok(name) { passed++; console.log("ok - " + name); }
function notOk(name, why) { failed++; console.log("not ok - " + name + ": " + why); }

// Calls a tool; expectError: true (a tool error), false (a success), null (either).
async function call(tool, args, expectError, label) {
  called.add(tool);
  const name = `${tool} ${label} ${JSON.stringify(args)}`;
  try {
    const r = await client.callTool({ name: tool, arguments: args });
    const text = (r.content ?? []).map(c => c.text ?? "").join("");
    if (expectError === true && !r.isError) return notOk(name, "expected an error result, got " + text.slice(0, 200));
    if (expectError === false && r.isError) return notOk(name, "expected a result, got the error " + text.slice(0, 300));
    if (r.isError && text.length === 0) return notOk(name, "an error result without a message");
    ok(name + (r.isError ? " -> error: " + text.split("\n")[0].slice(0, 120) : ""));
    return r;
  } catch (e) {
    notOk(name, "the client threw " + (e.code !== undefined ? "(" + e.code + ") " : "") + e.message);
  }
}

const listed = await client.listTools(); // the client caches each tool's output schema and validates results with it
const tools = listed.tools.map(t => t.name);
console.log("# tools: " + tools.join(" "));
const sid = () => r => r?.structuredContent;

// background tasks
const dispatched = await call("dispatch_background_task", { task_description: "print(6 * 7)" }, false, "good");
const taskId = dispatched?.structuredContent?.task_id;
await call("dispatch_background_task", {}, true, "missing argument");
await call("dispatch_background_task", { task_description: 5 }, true, "wrong type");
await call("get_background_task_status", { task_id: taskId }, false, "good");
await call("get_background_task_status", { task_id: "task-0000000000000000" }, true, "unknown id");
await call("get_background_task_status", {}, true, "missing argument");
const waited = await call("wait_for_background_task", { task_id: taskId, timeout: 120 }, false, "good");
if (waited && waited.structuredContent?.output !== "42\n") notOk("wait_for_background_task output", JSON.stringify(waited.structuredContent));
await call("wait_for_background_task", { task_id: "task-0000000000000000" }, true, "unknown id");
await call("wait_for_background_task", { task_id: taskId, timeout: "soon" }, true, "wrong type");
await call("list_background_tasks", {}, false, "good");
await call("list_background_tasks", { bogus: 1 }, null, "unknown argument");
await call("cancel_background_task", { task_id: taskId }, false, "good (already ended)");
await call("cancel_background_task", { task_id: "task-0000000000000000" }, true, "unknown id");
await call("execute_task", { task_description: "print(1 + 1)" }, false, "good");
await call("execute_task", { task_description: "raise SystemExit(3)" }, true, "the code fails");
await call("execute_task", { task_description: "print(1)", template: "cobol" }, true, "unknown template");
await call("execute_task", { task_description: "print(1)", required_tools: 7 }, true, "wrong type");

// code sessions and tools
const executed = await call("execute_code", { code: "x = 6" }, false, "good");
const sessionId = executed?.structuredContent?.session_id;
await call("execute_code", { code: "print(x * 7)", session_id: sessionId }, false, "good, same session");
await call("execute_code", { code: "1/0", session_id: sessionId }, true, "the code raises");
await call("execute_code", { code: "x", session_id: "ses-0000000000000000" }, true, "unknown session");
await call("execute_code", { code: 12 }, true, "wrong type");
await call("execute_code", { code: "1", flavor: "huge" }, true, "unknown flavor");
await call("list_sessions", {}, false, "good");
await call("stop_session", { session_id: sessionId }, false, "good");
await call("stop_session", { session_id: sessionId }, true, "already stopped");
await call("search_tools", {}, false, "good");
await call("search_tools", { query: 5 }, true, "wrong type");

// sandboxes
const box = "ts-client-" + mode;
await call("sandbox_run", { command: ["echo", "hi"] }, false, "good");
await call("sandbox_run", { command: "exit 3" }, true, "the command fails");
await call("sandbox_run", { command: [] }, true, "empty command");
await call("sandbox_run", { command: ["true"], profile: "paranoid" }, true, "unknown profile");
await call("sandbox_create", { name: box, memory_mb: 256 }, false, "good");
await call("sandbox_create", { name: box }, true, "name taken");
await call("sandbox_create", { name: box + "-x", vcpus: 0.5 }, true, "fractional vcpus");
await call("sandbox_create", { name: "bad name!" }, true, "invalid name");
await call("sandbox_exec", { name: box, command: ["sh", "-c", "echo out"] }, false, "good");
await call("sandbox_exec", { name: box, command: ["sh", "-c", "exit 4"] }, true, "the command fails");
await call("sandbox_exec", { name: "no-such-box", command: ["ls"] }, true, "unknown sandbox");
await call("sandbox_list", {}, false, "good");
await call("sandbox_file_write", { name: box, path: "/workspace/a.txt", content: "hello" }, false, "good");
await call("sandbox_file_write", { name: box, path: "relative.txt", content: "x" }, true, "relative path");
await call("sandbox_file_read", { name: box, path: "/workspace/a.txt" }, false, "good");
await call("sandbox_file_read", { name: box, path: "/workspace/missing.txt" }, true, "missing file");
// background processes and pause/resume on the running sandbox
const started = await call("background_start", { name: box, command: ["sh", "-c", "echo bg; sleep 60"] }, false, "good");
const bgId = started?.structuredContent?.id;
await call("background_start", { name: "no-such-box", command: ["true"] }, true, "unknown sandbox");
await call("background_start", { name: box, command: [] }, true, "empty command");
await call("background_list", { name: box }, false, "good");
await call("background_list", { name: "no-such-box" }, true, "unknown sandbox");
await call("background_logs", { name: box, id: bgId }, false, "good");
await call("background_logs", { name: box, id: "bg-000000000000" }, true, "unknown id");
await call("background_kill", { name: box, id: bgId }, false, "good");
await call("background_kill", { name: box, id: "bg-000000000000" }, true, "unknown id");
await call("sandbox_pause", { name: box }, false, "good");
await call("sandbox_pause", { name: "no-such-box" }, true, "unknown sandbox");
await call("sandbox_resume", { name: box }, false, "good");
await call("sandbox_resume", { name: "no-such-box" }, true, "unknown sandbox");

// snapshots and forks need a sandbox on an image (AK_TEST_IMAGE); one on the host's /usr is refused
await call("sandbox_snapshot", { name: box }, true, "a sandbox on the host's /usr");
await call("sandbox_snapshot", { name: "no-such-box" }, true, "unknown sandbox");
await call("snapshot_list", {}, false, "good");
await call("snapshot_restore", { snapshot: "no-such-snapshot" }, true, "unknown snapshot");
await call("snapshot_delete", { snapshot: "no-such-snapshot" }, true, "unknown snapshot");
await call("sandbox_fork", { name: box, count: 100 }, true, "too many");
if (process.env.AK_TEST_IMAGE) {
  const imgBox = box + "-img";
  const snap = box + "-snap";
  await call("sandbox_create", { name: imgBox, image: process.env.AK_TEST_IMAGE }, false, "good, on an image");
  await call("sandbox_snapshot", { name: imgBox, snapshot: snap }, false, "good");
  await call("sandbox_snapshot", { name: imgBox, snapshot: snap }, true, "name taken");
  await call("snapshot_restore", { snapshot: snap }, false, "good");
  const forked = await call("sandbox_fork", { name: imgBox, names: [imgBox + "-f"] }, false, "good");
  await call("sandbox_remove", { name: imgBox + "-f" }, false, "good (the fork)");
  await call("snapshot_delete", { snapshot: forked?.structuredContent?.snapshot?.name }, false, "good (the fork's)");
  await call("sandbox_remove", { name: imgBox }, false, "good (on an image)");
  await call("snapshot_delete", { snapshot: snap }, false, "good");
} else {
  notOk("snapshots", "AK_TEST_IMAGE is not set: the good cases of sandbox_snapshot, snapshot_restore, sandbox_fork and snapshot_delete need an image");
}

await call("sandbox_stop", { name: box }, false, "good");
await call("sandbox_exec", { name: box, command: ["ls"] }, true, "stopped sandbox");
await call("sandbox_stop", { name: "no-such-box" }, true, "unknown sandbox");
await call("sandbox_start", { name: box }, false, "good");
await call("sandbox_start", { name: "no-such-box" }, true, "unknown sandbox");
await call("sandbox_remove", { name: box }, false, "good");
await call("sandbox_remove", { name: box }, true, "already removed");

// images: a good pull only when the test gives an image of a registry it runs (AK_TEST_IMAGE)
if (process.env.AK_TEST_IMAGE) {
  await call("image_pull", { image: process.env.AK_TEST_IMAGE }, false, "good");
  await call("image_pull", { image: process.env.AK_TEST_IMAGE, policy: "never" }, false, "stored");
}
await call("image_pull", { image: "Bad Name:!" }, true, "invalid reference");
await call("image_pull", {}, true, "missing argument");
await call("image_pull", { image: "localhost/agentkernel-no-such-image:1", policy: "never" }, true, "not stored");
await call("image_pull", { image: "busybox", policy: "sometimes" }, true, "invalid policy");
await call("image_list", {}, false, "good");

for (const t of tools) if (!called.has(t)) notOk("coverage", "the tool " + t + " was not called");
await client.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

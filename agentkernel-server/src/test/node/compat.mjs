// Wire compatibility of this server with the published Node.js client (npm package
// `agentkernel`, version 0.18.1). Plain Node ESM, no test framework.
//
//   AGENTKERNEL_BASE_URL=http://127.0.0.1:18888 [AGENTKERNEL_API_KEY=secret] node compat.mjs
//
// The package is imported as `agentkernel` (run from a directory whose node_modules holds it),
// or from $AGENTKERNEL_NODE_MODULES/agentkernel (default: ./node_modules of the current
// directory). Every check prints one line; the last line is `N passed, M failed`; the exit
// code is non-zero when any check failed.

import { readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";

const EXPECTED_VERSION = "0.18.1";
const nodeModules = process.env.AGENTKERNEL_NODE_MODULES ?? path.join(process.cwd(), "node_modules");

async function loadSdk() {
  try {
    return await import("agentkernel");
  } catch {
    return await import(pathToFileURL(path.join(nodeModules, "agentkernel", "dist", "index.js")).href);
  }
}

const sdk = await loadSdk();
const { AgentKernel, AgentKernelError, AuthError, NotFoundError, ValidationError, ServerError } = sdk;

let passed = 0;
let failed = 0;
let skipped = 0;

function assert(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

function assertEqual(actual, expected, what) {
  if (actual !== expected) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

async function check(name, fn) {
  const started = Date.now();
  try {
    const note = await fn();
    if (note === "skip") {
      skipped++;
      console.log(`skip - ${name}`);
      return;
    }
    passed++;
    console.log(`ok - ${name} (${Date.now() - started} ms)`);
  } catch (err) {
    failed++;
    const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    console.log(`not ok - ${name}: ${detail}`);
  }
}

/** Calls fn, which must throw an instance of errorClass with the given status. */
async function expectError(fn, errorClass, status) {
  let thrown;
  try {
    await fn();
  } catch (err) {
    thrown = err;
  }
  assert(thrown !== undefined, `expected ${errorClass.name}, but the call succeeded`);
  assert(thrown instanceof errorClass,
    `expected ${errorClass.name}, got ${thrown?.name}: ${thrown?.message}`);
  assert(thrown instanceof AgentKernelError, `${thrown.name} is not an AgentKernelError`);
  if (status !== undefined) {
    assertEqual(thrown.status, status, `${errorClass.name}.status`);
  }
  assert(typeof thrown.message === "string" && thrown.message.length > 0, "error message is empty");
  // the client reads the message from the envelope's "error": it must not be the raw JSON
  assert(!thrown.message.trim().startsWith("{"), `message is raw JSON, not the envelope's error: ${thrown.message}`);
  return thrown;
}

/** Collects a stream's events until done/error (the client stops there itself). */
async function collect(stream) {
  const events = [];
  for await (const event of stream) {
    events.push(event);
  }
  return events;
}

function streamText(events, stream) {
  return events
    .filter((e) => e.type === "output" && (stream === undefined || e.data.stream === stream))
    .map((e) => String(e.data.data))
    .join("");
}

const baseUrl = process.env.AGENTKERNEL_BASE_URL;
const apiKey = process.env.AGENTKERNEL_API_KEY;
console.log(`# server ${baseUrl ?? "(default http://localhost:18888)"}, API key ${apiKey ? "set" : "not set"}`);

// configured from AGENTKERNEL_BASE_URL / AGENTKERNEL_API_KEY, as users do
const client = new AgentKernel({ timeout: 60000 });

await check(`package is agentkernel@${EXPECTED_VERSION}`, async () => {
  const pkg = JSON.parse(await readFile(path.join(nodeModules, "agentkernel", "package.json"), "utf8"));
  assertEqual(pkg.name, "agentkernel", "package name");
  assertEqual(pkg.version, EXPECTED_VERSION, "package version");
  assertEqual(typeof AgentKernel, "function", "AgentKernel export");
});

await check("health() returns \"ok\"", async () => {
  assertEqual(await client.health(), "ok", "health()");
});

await check("health() needs no API key", async () => {
  const anonymous = new AgentKernel({ baseUrl: client.baseUrl, apiKey: "" });
  assertEqual(await anonymous.health(), "ok", "health() without a key");
});

await check("run([\"echo\", \"hello\"]) output is exactly \"hello\\n\"", async () => {
  const result = await client.run(["echo", "hello"]);
  assertEqual(result.output, "hello\n", "run().output");
});

await check("run() passes argv, not a shell string", async () => {
  const result = await client.run(["python3", "-c", "print(1+1)"]);
  assertEqual(result.output, "2\n", "run(python3 -c print(1+1)).output");
});

await check("run() with image, profile restrictive, fast false: runs on that image", async () => {
  // AK_TEST_IMAGE: a busybox image of a registry on loopback (TestImages); its os-release is its own
  const result = await client.run(["cat", "/etc/os-release"],
    { image: process.env.AK_TEST_IMAGE, profile: "restrictive", fast: false });
  assert(result.output.includes("ID=akbusybox"), `the image's os-release expected: ${result.output}`);
});

await check("run() with image host runs on the host's /usr", async () => {
  const result = await client.run(["python3", "-c", "print(1+1)"], { image: "host", fast: false });
  assertEqual(result.output, "2\n", "output");
});

await check("run() with profile restrictive has no network", async () => {
  const result = await client.run(["ip", "-o", "link"], { profile: "restrictive", fast: true });
  const links = result.output.trim().split("\n");
  assertEqual(links.length, 1, `links (${result.output})`);
  assert(links[0].includes(": lo:"), `only loopback expected: ${result.output}`);
});

await check("run() with profile moderate and fast true", async () => {
  const result = await client.run(["sh", "-c", "echo $0", "moderate"], { profile: "moderate", fast: true });
  assertEqual(result.output, "moderate\n", "output");
});

await check("run() of a failing command resolves (exit code in the data, no throw)", async () => {
  const result = await client.run(["sh", "-c", "echo out; exit 3"]);
  assertEqual(result.output, "out\n", "output");
  assertEqual(result.exit_code, 3, "exit_code");
});

await check("runStream() yields started, progress, output, done with the exit code", async () => {
  const events = await collect(client.runStream(["sh", "-c", "echo one; echo two >&2; echo three; exit 4"]));
  const types = events.map((e) => e.type);
  assertEqual(types[0], "started", `first event of ${types}`);
  assert(typeof events[0].data.sandbox === "string" && events[0].data.sandbox.length > 0, "started.sandbox");
  assertEqual(JSON.stringify(events.filter((e) => e.type === "progress").map((e) => e.data.stage)),
    JSON.stringify(["creating", "starting", "executing"]), "progress stages");
  const last = events[events.length - 1];
  assertEqual(last.type, "done", `last event of ${types}`);
  assertEqual(last.data.exit_code, 4, "done.exit_code");
  assertEqual(streamText(events, "stdout"), "one\nthree\n", "stdout text from event.data.data");
  assertEqual(streamText(events, "stderr"), "two\n", "stderr text from event.data.data");
  for (const e of events.filter((x) => x.type === "output")) {
    assertEqual(e.data.content, e.data.data, "output content and data");
  }
});

await check("runStream([\"echo\", \"hello\"]) with options: output and exit code 0", async () => {
  const events = await collect(client.runStream(["echo", "hello"], { profile: "restrictive", fast: false }));
  assertEqual(streamText(events), "hello\n", "streamed output");
  assertEqual(events[events.length - 1].type, "done", "last event");
  assertEqual(events[events.length - 1].data.exit_code, 0, "done.exit_code");
});

await check("runStream() delivers output before the command ends", async () => {
  const started = Date.now();
  let firstOutputAt;
  let doneAt;
  for await (const event of client.runStream(["sh", "-c", "echo early; sleep 2; echo late"])) {
    if (event.type === "output" && firstOutputAt === undefined) firstOutputAt = Date.now();
    if (event.type === "done") doneAt = Date.now();
  }
  assert(firstOutputAt !== undefined && doneAt !== undefined, "no output or no done event");
  assert(doneAt - firstOutputAt >= 1500,
    `first output ${firstOutputAt - started} ms, done ${doneAt - started} ms: output was not live`);
});

await check("batchRun() results in order, {output, error} each, a failure does not fail the others", async () => {
  const response = await client.batchRun([
    { command: ["echo", "hello"] },
    { command: ["python3", "-c", "print(2+2)"] },
    { command: ["sh", "-c", "echo partial; exit 9"] },
    { command: ["/nonexistent/program"] },
    { command: ["echo", "last"] },
  ]);
  assert(Array.isArray(response.results), "results is an array");
  assertEqual(response.results.length, 5, "number of results");
  for (const r of response.results) {
    assert("output" in r && "error" in r, `both keys in ${JSON.stringify(r)}`);
  }
  assertEqual(response.results[0].output, "hello\n", "results[0].output");
  assertEqual(response.results[0].error, null, "results[0].error");
  assertEqual(response.results[1].output, "4\n", "results[1].output");
  assertEqual(response.results[2].output, "partial\n", "results[2].output");
  assertEqual(response.results[2].error, null, "a non-zero exit is not an error");
  assertEqual(response.results[4].output, "last\n", "results[4].output");
  assertEqual(response.results[4].error, null, "results[4].error");
});

await check("400 → ValidationError (run with an empty command)", async () => {
  await expectError(() => client.run([]), ValidationError, 400);
});

await check("400 → ValidationError (run with an unknown profile)", async () => {
  const err = await expectError(() => client.run(["true"], { profile: "no-such-profile" }), ValidationError, 400);
  assert(err.message.includes("no-such-profile"), `message names the profile: ${err.message}`);
});

await check("400 → ValidationError (runStream with an empty command, before any event)", async () => {
  await expectError(() => collect(client.runStream([])), ValidationError, 400);
});

await check("400 → ValidationError (batchRun with no commands)", async () => {
  await expectError(() => client.batchRun([]), ValidationError, 400);
});

await check("401 → AuthError (wrong API key)", async () => {
  if (!apiKey) {
    console.log("# AGENTKERNEL_API_KEY not set: the server has no key, so nothing returns 401");
    return "skip";
  }
  const wrong = new AgentKernel({ baseUrl: client.baseUrl, apiKey: `${apiKey}-wrong` });
  const err = await expectError(() => wrong.run(["echo", "x"]), AuthError, 401);
  assert(!err.message.includes(apiKey), "the message must not echo keys");
});

await check("401 → AuthError (no API key; also for runStream and batchRun)", async () => {
  if (!apiKey) {
    return "skip";
  }
  const anonymous = new AgentKernel({ baseUrl: client.baseUrl, apiKey: "" });
  await expectError(() => anonymous.run(["echo", "x"]), AuthError, 401);
  await expectError(() => collect(anonymous.runStream(["echo", "x"])), AuthError, 401);
  await expectError(() => anonymous.batchRun([{ command: ["echo", "x"] }]), AuthError, 401);
});

await check("404 → NotFoundError (getSandbox('missing'))", async () => {
  await expectError(() => client.getSandbox("missing"), NotFoundError, 404);
});

await check("404 → NotFoundError (an unknown route)", async () => {
  await expectError(() => client.request("GET", "/no-such-route"), NotFoundError, 404);
});

await check("413 → ServerError (the client's catch-all for other statuses)", async () => {
  await expectError(() => client.run(["echo", "x".repeat(17 * 1024 * 1024)]), ServerError, 500);
});

// ---- persistent sandboxes: the client's lifecycle, exec, files, logs and errors -------------------

const box = `compat-${process.pid}`;
const session = `compat-session-${process.pid}`;
const leftovers = [box, session];

function assertInfo(info, name, status, what) {
  assert(info !== null && typeof info === "object", `${what}: not an object: ${JSON.stringify(info)}`);
  assertEqual(info.name, name, `${what}.name`);
  assertEqual(info.status, status, `${what}.status`);
  assert(typeof info.backend === "string" && info.backend.length > 0, `${what}.backend: ${JSON.stringify(info)}`);
}

try {
  await check("createSandbox() returns the sandbox info, running", async () => {
    const info = await client.createSandbox(box, { profile: "moderate", memory_mb: 256, vcpus: 1 });
    assertInfo(info, box, "running", "createSandbox()");
    assertEqual(info.memory_mb, 256, "memory_mb");
    assertEqual(info.vcpus, 1, "vcpus");
    assert(!Number.isNaN(Date.parse(info.created_at)), `created_at is a date: ${info.created_at}`);
  });

  await check("getSandbox() and listSandboxes() show it", async () => {
    assertInfo(await client.getSandbox(box), box, "running", "getSandbox()");
    const all = await client.listSandboxes();
    assert(Array.isArray(all), `listSandboxes() is an array: ${JSON.stringify(all)}`);
    const mine = all.filter((s) => s.name === box);
    assertEqual(mine.length, 1, `${box} in listSandboxes()`);
    assertInfo(mine[0], box, "running", "listSandboxes() entry");
  });

  await check("execInSandbox() runs argv exactly, output not trimmed", async () => {
    const result = await client.execInSandbox(box, ["python3", "-c", "print(1+1)"]);
    assertEqual(result.output, "2\n", "output");
    const args = await client.execInSandbox(box, ["printf", "[%s]", "a b", "$HOME", "c;d"]);
    assertEqual(args.output, "[a b][$HOME][c;d]", "printf output");
  });

  await check("execInSandbox() with env and workdir", async () => {
    await client.execInSandbox(box, ["mkdir", "-p", "/workspace/sub"]);
    const result = await client.execInSandbox(box, ["sh", "-c", "printf '%s|%s|%s' \"$K\" \"$OTHER\" \"$(pwd)\""],
      { env: ["K=V", "OTHER=x=y z"], workdir: "/workspace/sub" });
    assertEqual(result.output, "V|x=y z|/workspace/sub", "output");
  });

  await check("execInSandbox() of a failing command resolves with its exit code", async () => {
    const result = await client.execInSandbox(box, ["sh", "-c", "echo partial; exit 3"]);
    assertEqual(result.output, "partial\n", "output");
    assertEqual(result.exit_code, 3, "exit_code");
  });

  await check("writeFile() / readFile() round trip (utf8)", async () => {
    const text = "h\u00e9llo \u20ac\n";
    const written = await client.writeFile(box, "workspace/hello.txt", text);
    assertEqual(written, "Wrote 11 bytes to /workspace/hello.txt", "writeFile() result");
    const file = await client.readFile(box, "workspace/hello.txt");
    assertEqual(file.content, text, "content");
    assertEqual(file.encoding, "utf8", "encoding");
    assertEqual(file.size, 11, "size");
    const seen = await client.execInSandbox(box, ["cat", "/workspace/hello.txt"]);
    assertEqual(seen.output, text, "the file inside the sandbox");
  });

  await check("writeFile() / readFile() with an absolute path (leading /)", async () => {
    await client.writeFile(box, "/tmp/abs.txt", "absolute");
    const file = await client.readFile(box, "/tmp/abs.txt");
    assertEqual(file.content, "absolute", "content");
    assertEqual((await client.execInSandbox(box, ["cat", "/tmp/abs.txt"])).output, "absolute", "inside");
  });

  await check("writeFile() with encoding base64 and readFile() of binary content", async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await client.writeFile(box, "workspace/all.bin", bytes.toString("base64"), { encoding: "base64" });
    const file = await client.readFile(box, "workspace/all.bin");
    assertEqual(file.encoding, "base64", "encoding");
    assertEqual(file.size, 256, "size");
    assert(Buffer.from(file.content, "base64").equals(bytes), "content differs from the 256 bytes written");
  });

  await check("deleteFile(), then readFile() → NotFoundError", async () => {
    const deleted = await client.deleteFile(box, "workspace/hello.txt");
    assertEqual(deleted, "Deleted /workspace/hello.txt", "deleteFile() result");
    await expectError(() => client.readFile(box, "workspace/hello.txt"), NotFoundError, 404);
  });

  await check("writeFile() into directories that do not exist yet creates them", async () => {
    await client.writeFile(box, "workspace/new/deeper/file.txt", "made");
    assertEqual((await client.readFile(box, "workspace/new/deeper/file.txt")).content, "made", "content");
  });

  await check("writeFiles() writes several files in one request: {written}", async () => {
    const result = await client.writeFiles(box, { "w/a.txt": "A", "/tmp/w/b.txt": "B" });
    assertEqual(result.written, 2, "written");
    assertEqual((await client.readFile(box, "workspace/w/a.txt")).content, "A", "relative path under /workspace");
    assertEqual((await client.readFile(box, "tmp/w/b.txt")).content, "B", "absolute path");
    await expectError(() => client.writeFiles(box, {}), ValidationError, 400);
  });

  await check("getSandboxByUuid() finds the sandbox by the uuid its info shows", async () => {
    const info = await client.getSandbox(box);
    assert(typeof info.uuid === "string" && info.uuid.length === 36, `uuid: ${JSON.stringify(info)}`);
    assertInfo(await client.getSandboxByUuid(info.uuid), box, "running", "getSandboxByUuid()");
    await expectError(() => client.getSandboxByUuid("00000000-0000-4000-8000-000000000000"), NotFoundError, 404);
  });

  await check("extendTtl(): a sandbox with a ttl gets a later expires_at; one without keeps none", async () => {
    const none = await client.extendTtl(box, { by: "1h" });
    assertEqual(none.expires_at, undefined, "expires_at of a sandbox without a ttl");
    const timed = `${box}-ttl`;
    leftovers.push(timed);
    const created = await client.request("POST", "/sandboxes", { name: timed, ttl: "1h" });
    const extended = await client.extendTtl(timed, { by: "30m" });
    assertEqual(Date.parse(extended.expires_at) - Date.parse(created.expires_at), 30 * 60 * 1000, "moved by 30m");
    await expectError(() => client.extendTtl(timed, { by: "soon" }), ValidationError, 400);
    await expectError(() => client.extendTtl(`missing-${process.pid}`, { by: "1h" }), NotFoundError, 404);
    await client.removeSandbox(timed);
  });

  await check("createSandbox() with secrets and secret_files: the sandbox holds a placeholder, never the value", async () => {
    const secret = `${box}-sec`;
    leftovers.push(secret);
    await client.createSandbox(secret, { profile: "moderate", secrets: ["TOKEN=compat-value-9:api.example.com"],
      secret_files: ["TOKEN"] });
    const env = (await client.execInSandbox(secret, ["sh", "-c", "printf %s \"$TOKEN\""])).output;
    assert(/^AKSECRET_TOKEN_[0-9a-f]{32}$/.test(env), `a placeholder in $TOKEN: ${env}`);
    assertEqual((await client.execInSandbox(secret, ["cat", "/run/agentkernel/secrets/TOKEN"])).output, env,
      "the file holds the same placeholder");
    await expectError(() => client.createSandbox(`${secret}-bad`, { secrets: ["NOPE:api.example.com"] }),
      ValidationError, 400);
    await client.removeSandbox(secret);
  });

  await check("getSandboxLogs() lists the audit events in order", async () => {
    const events = await client.getSandboxLogs(box);
    assert(Array.isArray(events), `logs are an array: ${JSON.stringify(events)}`);
    const types = events.map((e) => e.event);
    assertEqual(types[0], "sandbox_created", `first event of ${types}`);
    for (const t of ["sandbox_started", "command_executed", "file_written", "file_read", "file_deleted"]) {
      assert(types.includes(t), `${t} in ${types}`);
    }
    for (const e of events) {
      assertEqual(e.sandbox, box, "event.sandbox");
      assert(!Number.isNaN(Date.parse(e.timestamp)), `timestamp ${e.timestamp}`);
    }
    const failed = events.find((e) => e.event === "command_executed" && e.exit_code === 3);
    assert(failed !== undefined, `command_executed with exit_code 3 in ${JSON.stringify(events)}`);
  });

  await check("stop (POST /sandboxes/{name}/stop) keeps the files; exec while stopped fails; start again", async () => {
    // the client has no stopSandbox/startSandbox; its generic request() reaches the routes
    const stopped = await client.request("POST", `/sandboxes/${encodeURIComponent(box)}/stop`);
    assertInfo(stopped, box, "stopped", "stop");
    assertInfo(await client.getSandbox(box), box, "stopped", "getSandbox() after stop");
    const err = await expectError(() => client.execInSandbox(box, ["true"]), AgentKernelError);
    assert(err.message.includes("stopped"), `message says it is stopped: ${err.message}`);
    const started = await client.request("POST", `/sandboxes/${encodeURIComponent(box)}/start`);
    assertInfo(started, box, "running", "start");
    const file = await client.readFile(box, "/tmp/abs.txt");
    assertEqual(file.content, "absolute", "file kept across stop and start");
  });

  // ---- background processes (execDetached, detachedStatus, detachedLogs, detachedKill, detachedList) ----

  await check("execDetached() starts a background process; detachedStatus() and detachedLogs() follow it to its end", async () => {
    const started = await client.execDetached(box, ["sh", "-c", "echo \"out $K from $(pwd)\"; echo err >&2; exit 4"],
      { env: ["K=v"], workdir: "/tmp" });
    assert(typeof started.id === "string" && started.id.length > 0, `id: ${JSON.stringify(started)}`);
    assertEqual(started.sandbox, box, "sandbox");
    assert(Array.isArray(started.command) && started.command[0] === "sh", `command: ${JSON.stringify(started)}`);
    assert(Number.isInteger(started.pid) && started.pid > 0, `pid: ${JSON.stringify(started)}`);
    assert(["running", "failed"].includes(started.status), `status: ${started.status}`);
    assert(!Number.isNaN(Date.parse(started.started_at)), `started_at: ${started.started_at}`);
    let status = started;
    for (let i = 0; i < 200 && status.status === "running"; i++) {
      assertEqual(status.exit_code, null, "exit_code while running");
      await new Promise((r) => setTimeout(r, 50));
      status = await client.detachedStatus(box, started.id);
    }
    assertEqual(status.status, "failed", "status after exit 4");
    assertEqual(status.exit_code, 4, "exit_code");
    const logs = await client.detachedLogs(box, started.id);
    assertEqual(logs.stdout, "out v from /tmp\n", "logs.stdout");
    assertEqual(logs.stderr, "err\n", "logs.stderr");
    const err = await client.detachedLogs(box, started.id, "stderr");
    assertEqual(err.stderr, "err\n", "stderr only");
    assertEqual(err.stdout, undefined, "no stdout when stderr is asked for");
    const ok = await client.execDetached(box, ["true"]);
    status = ok;
    for (let i = 0; i < 200 && status.status === "running"; i++) {
      await new Promise((r) => setTimeout(r, 50));
      status = await client.detachedStatus(box, ok.id);
    }
    assertEqual(status.status, "completed", "status after exit 0");
    assertEqual(status.exit_code, 0, "exit_code 0");
  });

  await check("detachedKill() kills a background process with its children; detachedList() lists them", async () => {
    const started = await client.execDetached(box, ["sh", "-c", "sleep 1004 & sleep 1004; wait"]);
    const listed = await client.detachedList(box);
    assert(Array.isArray(listed), `detachedList() is an array: ${JSON.stringify(listed)}`);
    const mine = listed.filter((p) => p.id === started.id);
    assertEqual(mine.length, 1, "the process in detachedList()");
    assertEqual(mine[0].status, "running", "listed status");
    const killed = await client.detachedKill(box, started.id);
    assert(typeof killed === "string" && killed.includes(started.id), `detachedKill() answers a message: ${killed}`);
    const after = await client.detachedStatus(box, started.id);
    assertEqual(after.status, "failed", "status after kill");
    assertEqual(after.exit_code, 137, "exit_code after SIGKILL");
    let left = "";
    for (let i = 0; i < 50; i++) {
      left = (await client.execInSandbox(box, ["sh", "-c",
        "for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline 2>/dev/null; echo; done | grep -c 'sleep 100[4]' || true"])).output.trim();
      if (left === "0") {
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    assertEqual(left, "0", "processes of the killed group left in the sandbox");
    const types = (await client.getSandboxLogs(box)).map((e) => e.event);
    for (const t of ["background_started", "background_killed", "background_exited"]) {
      assert(types.includes(t), `${t} in ${types}`);
    }
  });

  await check("detached calls: unknown id → NotFoundError, unknown sandbox → NotFoundError, bad input → ValidationError", async () => {
    await expectError(() => client.detachedStatus(box, "no-such-id"), NotFoundError, 404);
    await expectError(() => client.detachedLogs(box, "no-such-id"), NotFoundError, 404);
    await expectError(() => client.detachedKill(box, "no-such-id"), NotFoundError, 404);
    const missing = `missing-${process.pid}`;
    await expectError(() => client.execDetached(missing, ["true"]), NotFoundError, 404);
    await expectError(() => client.detachedList(missing), NotFoundError, 404);
    await expectError(() => client.execDetached(box, []), ValidationError, 400);
    await expectError(() => client.execDetached(box, ["true"], { workdir: "relative" }), ValidationError, 400);
  });

  await check("createSandbox() errors: invalid name → ValidationError, taken name → error naming it", async () => {
    await expectError(() => client.createSandbox("bad name/.."), ValidationError, 400);
    await expectError(() => client.createSandbox(box, { profile: "no-such-profile" }), ValidationError, 400);
    const dup = await expectError(() => client.createSandbox(box), AgentKernelError);
    assert(dup.message.includes(box), `message names the sandbox: ${dup.message}`);
  });

  await check("sandbox() session: run, info, remove", async () => {
    const sb = await client.sandbox(session);
    assertEqual((await sb.run(["echo", "in session"])).output, "in session\n", "run().output");
    assertEqual((await sb.run(["sh", "-c", "echo $A"], { env: ["A=b"] })).output, "b\n", "run() with env");
    assertInfo(await sb.info(), session, "running", "info()");
    await sb.remove();
    await sb.remove(); // idempotent
    await expectError(() => client.getSandbox(session), NotFoundError, 404);
  });

  await check("removeSandbox(), then the sandbox is gone (NotFoundError everywhere)", async () => {
    await client.removeSandbox(box);
    await expectError(() => client.getSandbox(box), NotFoundError, 404);
    await expectError(() => client.execInSandbox(box, ["true"]), NotFoundError, 404);
    await expectError(() => client.readFile(box, "tmp/abs.txt"), NotFoundError, 404);
    await expectError(() => client.getSandboxLogs(box), NotFoundError, 404);
    await expectError(() => client.removeSandbox(box), NotFoundError, 404);
    const all = await client.listSandboxes();
    assert(!all.some((s) => s.name === box), `${box} still listed`);
  });

  await check("404 → NotFoundError for every sandbox call on a missing sandbox", async () => {
    const missing = `missing-${process.pid}`;
    await expectError(() => client.execInSandbox(missing, ["true"]), NotFoundError, 404);
    await expectError(() => client.writeFile(missing, "tmp/x", "x"), NotFoundError, 404);
    await expectError(() => client.readFile(missing, "tmp/x"), NotFoundError, 404);
    await expectError(() => client.deleteFile(missing, "tmp/x"), NotFoundError, 404);
    await expectError(() => client.removeSandbox(missing), NotFoundError, 404);
    await expectError(() => client.getSandboxLogs(missing), NotFoundError, 404);
  });
} finally {
  for (const name of leftovers) {
    try {
      await client.removeSandbox(name);
      console.log(`# removed leftover sandbox ${name}`);
    } catch {
      // already removed
    }
  }
}

// ---- named volumes (issue 15, point 6): createSandbox({ volumes: ["slug:/path", "slug:/path:ro"] }) ----
// The client has no volume methods ("Create volumes via CLI first"): the volume is made over HTTP.

const volume = `compat-vol-${process.pid}`;
const volumeBoxes = [`compat-vw-${process.pid}`, `compat-vr-${process.pid}`];

async function volumeRequest(method, path, body) {
  const headers = { "Content-Type": "application/json" };
  if (apiKey) {
    headers.Authorization = `Bearer ${apiKey}`;
  }
  const r = await fetch(`${client.baseUrl}${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
  return { status: r.status, json: await r.json() };
}

try {
  await check("createSandbox({ volumes }) mounts a named volume read-write and read-only", async () => {
    const created = await volumeRequest("POST", "/volumes", { name: volume, size_mb: 16 });
    assertEqual(created.status, 201, `POST /volumes: ${JSON.stringify(created.json)}`);
    const writer = await client.createSandbox(volumeBoxes[0], { volumes: [`${volume}:/shared`] });
    assertInfo(writer, volumeBoxes[0], "running", "createSandbox() with a volume");
    await client.execInSandbox(volumeBoxes[0], ["sh", "-c", "echo from-node > /shared/f"]);
    await client.createSandbox(volumeBoxes[1], { volumes: [`${volume}:/shared:ro`] });
    const read = await client.execInSandbox(volumeBoxes[1], ["sh", "-c", "cat /shared/f; echo x > /shared/g || echo refused"]);
    assert(read.output.includes("from-node"), `the reader sees the file: ${JSON.stringify(read)}`);
    assert(read.output.includes("refused"), `the reader cannot write: ${JSON.stringify(read)}`);
    await expectError(() => client.createSandbox(`compat-vx-${process.pid}`, { volumes: [`no-such-${process.pid}:/x`] }),
      NotFoundError, 404);
  });
} finally {
  for (const name of volumeBoxes) {
    try {
      await client.removeSandbox(name);
    } catch {
      // not created
    }
  }
  await volumeRequest("DELETE", `/volumes/${volume}?force=true`);
}

// ---- snapshots: takeSnapshot, listSnapshots, getSnapshot, restoreSnapshot, deleteSnapshot -------------------
// A snapshot needs a sandbox on an image (AK_TEST_IMAGE, from a registry on loopback); one on the host's /usr is a 409.

const snapBox = `compat-snap-${process.pid}`;
const snapName = `compat-snap-${process.pid}-s`;

function assertSnapshot(meta, what) {
  assert(meta !== null && typeof meta === "object", `${what}: not an object: ${JSON.stringify(meta)}`);
  assertEqual(meta.name, snapName, `${what}.name`);
  assertEqual(meta.sandbox, snapBox, `${what}.sandbox`);
  assert(typeof meta.image_tag === "string" && meta.image_tag.includes(`:${snapName}@sha256:`),
    `${what}.image_tag: ${JSON.stringify(meta)}`);
  assert(typeof meta.backend === "string" && meta.backend.length > 0, `${what}.backend: ${JSON.stringify(meta)}`);
  assert(!Number.isNaN(Date.parse(meta.created_at)), `${what}.created_at is a date: ${meta.created_at}`);
}

if (!process.env.AK_TEST_IMAGE) {
  await check("snapshots (takeSnapshot, listSnapshots, getSnapshot, restoreSnapshot, deleteSnapshot)", async () => "skip");
} else {
  try {
    // a 409 is the client's catch-all ServerError, whose status field is always 500; the message is the server's
    await check("takeSnapshot() of a sandbox on the host's /usr → 409 (ServerError): it has no image", async () => {
      await client.createSandbox(snapBox, { profile: "moderate" });
      try {
        const err = await expectError(() => client.takeSnapshot({ sandbox: snapBox, name: snapName }), ServerError, 500);
        assert(err.message.includes("/usr"), `the message says why: ${err.message}`);
      } finally {
        await client.removeSandbox(snapBox);
      }
    });

    await check("takeSnapshot({sandbox, name}) of a sandbox on an image returns its SnapshotMeta", async () => {
      await client.createSandbox(snapBox, { image: process.env.AK_TEST_IMAGE, profile: "moderate" });
      await client.writeFile(snapBox, "workspace/kept.txt", "as taken\n");
      assertSnapshot(await client.takeSnapshot({ sandbox: snapBox, name: snapName }), "takeSnapshot()");
    });

    await check("listSnapshots() and getSnapshot() show it", async () => {
      const all = await client.listSnapshots();
      assert(Array.isArray(all), `listSnapshots() is an array: ${JSON.stringify(all)}`);
      const mine = all.filter((s) => s.name === snapName);
      assertEqual(mine.length, 1, `${snapName} in listSnapshots()`);
      assertSnapshot(mine[0], "listSnapshots() entry");
      assertSnapshot(await client.getSnapshot(snapName), "getSnapshot()");
      await expectError(() => client.getSnapshot(`missing-${process.pid}`), NotFoundError, 404);
    });

    await check("restoreSnapshot(name) brings back the files as taken, in place and after a remove", async () => {
      await client.writeFile(snapBox, "workspace/kept.txt", "changed\n");
      await client.writeFile(snapBox, "workspace/new.txt", "after the snapshot\n");
      const restored = await client.restoreSnapshot(snapName);
      assertInfo(restored, snapBox, "running", "restoreSnapshot()");
      assertEqual((await client.readFile(snapBox, "workspace/kept.txt")).content, "as taken\n", "kept.txt after a restore");
      await expectError(() => client.readFile(snapBox, "workspace/new.txt"), NotFoundError, 404);
      await client.removeSandbox(snapBox);
      assertInfo(await client.restoreSnapshot(snapName), snapBox, "running", "restoreSnapshot() of a removed sandbox");
      assertEqual((await client.readFile(snapBox, "workspace/kept.txt")).content, "as taken\n", "kept.txt in the re-created sandbox");
    });

    await check("deleteSnapshot(): 409 (ServerError) while a sandbox runs on it, then gone (NotFoundError)", async () => {
      const err = await expectError(() => client.deleteSnapshot(snapName), ServerError, 500);
      assert(err.message.includes(snapBox), `the message names the sandbox on it: ${err.message}`);
      await client.removeSandbox(snapBox);
      await client.deleteSnapshot(snapName);
      await expectError(() => client.getSnapshot(snapName), NotFoundError, 404);
      await expectError(() => client.deleteSnapshot(snapName), NotFoundError, 404);
      assert(!(await client.listSnapshots()).some((s) => s.name === snapName), `${snapName} still listed`);
    });
  } finally {
    try {
      await client.removeSandbox(snapBox);
      console.log(`# removed leftover sandbox ${snapBox}`);
    } catch {
      // already removed
    }
    try {
      await client.deleteSnapshot(snapName);
      console.log(`# deleted leftover snapshot ${snapName}`);
    } catch {
      // already deleted
    }
  }
}

if (skipped > 0) {
  console.log(`# ${skipped} skipped`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);

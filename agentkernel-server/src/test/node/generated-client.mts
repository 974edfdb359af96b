// A client generated from the server's own /openapi.json by standard tools from the npm registry
// (openapi-typescript for the types, openapi-fetch for the calls), type-checked by tsc against the
// generated types and run against the real server: run, a sandbox's create/exec/remove and a code
// session. Prints "ok - ..." / "not ok - ..." lines and "N passed, M failed".
// env: AK_URL (the server), AK_KEY (its API key)
import createClient from "openapi-fetch";
import type { paths } from "./schema.js";

const client = createClient<paths>({
  baseUrl: process.env.AK_URL,
  headers: { Authorization: `Bearer ${process.env.AK_KEY}` },
});

let passed = 0;
let failed = 0;
function check(name: string, ok: boolean, detail: unknown): void {
  if (ok) {
    passed++;
    console.log("ok - " + name);
  } else {
    failed++;
    console.log("not ok - " + name + ": " + JSON.stringify(detail));
  }
}

const health = await client.GET("/health");
check("GET /health", health.data?.status === "ok", health.data);

const run = await client.POST("/run", { body: { command: ["sh", "-c", "echo hi; echo err >&2; exit 3"] } });
check("POST /run", run.data?.data.stdout === "hi\n" && run.data?.data.stderr === "err\n" && run.data?.data.exit_code === 3,
  run.data ?? run.error);

const refused = await client.POST("/run", { body: { command: [] } });
check("POST /run refused", refused.response.status === 400 && refused.error?.code === "invalid_request", refused.error);

const name = "generated-client-box";
const created = await client.POST("/sandboxes", { body: { name, memory_mb: 256, vcpus: 1 } });
check("POST /sandboxes", created.response.status === 201 && created.data?.data.name === name
  && created.data?.data.vcpus === 1, created.data ?? created.error);

const fraction = await client.POST("/sandboxes", { body: { name: name + "-half", vcpus: 0.5 } });
check("POST /sandboxes with a fractional vcpus is 400", fraction.response.status === 400
  && fraction.error?.code === "invalid_request", fraction.error);

const exec = await client.POST("/sandboxes/{name}/exec", {
  params: { path: { name } },
  body: { command: ["sh", "-c", "echo 42 > /workspace/n; cat /workspace/n"] },
});
check("POST /sandboxes/{name}/exec", exec.data?.data.output === "42\n" && exec.data?.data.exit_code === 0,
  exec.data ?? exec.error);

const listed = await client.GET("/sandboxes");
check("GET /sandboxes", (listed.data?.data ?? []).some(s => s.name === name && Number.isInteger(s.vcpus)), listed.data);

const removed = await client.DELETE("/sandboxes/{name}", { params: { path: { name } } });
check("DELETE /sandboxes/{name}", removed.response.status === 200 && typeof removed.data?.data === "string",
  removed.data ?? removed.error);

const gone = await client.GET("/sandboxes/{name}", { params: { path: { name } } });
check("GET /sandboxes/{name} after remove is 404", gone.response.status === 404 && gone.error?.code === "not_found",
  gone.error);

const first = await client.POST("/execute", { body: { code: "x = 20", template: "python" } });
const session = first.data?.data.session_id ?? "";
check("POST /execute creates a session", session.length > 0 && first.data?.data.session_created === true,
  first.data ?? first.error);

const second = await client.POST("/execute", { body: { code: "print(x + 22)", session_id: session } });
check("POST /execute keeps state", second.data?.data.stdout === "42\n" && second.data?.data.session_created === false,
  second.data ?? second.error);

const raised = await client.POST("/execute", { body: { code: "1/0", session_id: session } });
check("POST /execute reports an error", raised.data?.data.success === false
  && raised.data?.data.error?.type === "ZeroDivisionError", raised.data ?? raised.error);

const ended = await client.DELETE("/sessions/{id}", { params: { path: { id: session } } });
check("DELETE /sessions/{id}", ended.data?.data.deleted === true, ended.data ?? ended.error);

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

// ConsoleIT's user: drives the web console in headless Chromium (playwright-core with the system's
// chromium, no browser download) as a person would, and prints one line per step it checked. Ends
// with CONSOLE-OK; any failed step throws (exit code 1) after a screenshot of the page as it was.
//
// Env: AK_BASE_URL (the daemon), AK_KEY (its API key), AK_CHROMIUM (the browser), AK_NODE_MODULES
// (where playwright-core is installed), AK_SHOTS (where screenshots go), AK_OTHER_ORIGIN (a page
// on another origin whose script tries the API).
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";

const base = process.env.AK_BASE_URL;
const key = process.env.AK_KEY;
const shots = process.env.AK_SHOTS;
const other = process.env.AK_OTHER_ORIGIN;
const { chromium } = await import(pathToFileURL(join(process.env.AK_NODE_MODULES, "playwright-core", "index.mjs")).href);
mkdirSync(shots, { recursive: true });

const SANDBOX = "console-sb";
const LONG = 120_000;
const problems = [];
const browser = await chromium.launch({ executablePath: process.env.AK_CHROMIUM,
  args: ["--disable-dev-shm-usage", "--disable-gpu"] });

function step(text) {
  console.log("ok " + text);
}

function check(condition, text) {
  if (!condition) {
    throw new Error("check failed: " + text);
  }
}

/** A context of one size; page errors, CSP reports and any URL carrying the key are problems. */
async function open(size, viewport, mobile) {
  const context = await browser.newContext({ viewport, isMobile: mobile, hasTouch: mobile, acceptDownloads: true,
    deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.on("pageerror", (e) => problems.push(size + ": page error: " + e.message));
  page.on("console", (m) => {
    if (m.type() === "error" && !/Failed to load resource/.test(m.text())) {
      problems.push(size + ": console error: " + m.text());
    }
  });
  page.on("request", (r) => {
    if (key && r.url().includes(key)) {
      problems.push(size + ": the key is in a URL: " + r.url());
    }
  });
  page.setDefaultTimeout(30_000);
  return { context, page };
}

async function shot(page, name, size) {
  await page.waitForTimeout(300); // let the last refresh paint
  await page.screenshot({ path: join(shots, name + "-" + size + ".png"), fullPage: true });
}

async function signIn(page) {
  await page.goto(base + "/console/");
  await page.locator("#api-key").fill(key);
  await page.locator("#sign-in").click();
  await page.locator("nav a[aria-current=page]").waitFor();
}

async function user(page) {
  // ---- sign in: first a wrong key, then the right one ----
  await page.goto(base + "/console/");
  await page.locator("#api-key").waitFor();
  await shot(page, "login", "desktop");
  await page.locator("#api-key").fill("not-the-key");
  await page.locator("#sign-in").click();
  await page.getByRole("alert").filter({ hasText: /not accepted|did not accept/ }).waitFor();
  step("a wrong key is refused");
  await page.locator("#api-key").fill(key);
  await page.locator("#sign-in").click();
  await page.locator("h1", { hasText: "Sandboxes" }).waitFor();
  check(!page.url().includes(key), "the key is not in the page's address");
  check(await page.evaluate(() => sessionStorage.getItem("agentkernel.apiKey")) === key, "the key is kept in sessionStorage");
  step("signed in with the key (kept in sessionStorage, not in the address)");

  // ---- create a sandbox ----
  await page.locator("#new-sandbox-name").fill(SANDBOX);
  await page.locator("#create-sandbox").click();
  const row = page.locator("[data-testid=sandbox-table] tr", { hasText: SANDBOX });
  await row.locator(".badge", { hasText: "running" }).waitFor({ timeout: LONG });
  step("created sandbox " + SANDBOX + " and it is listed as running");
  await shot(page, "sandboxes", "desktop");

  // ---- a command whose output streams in ----
  await row.getByRole("link", { name: SANDBOX }).click();
  await page.locator("h1", { hasText: "Sandbox" }).waitFor();
  await page.locator("#exec-command").fill("for i in 1 2 3 4; do echo line-$i; sleep 1; done; echo oops >&2; exit 3");
  await page.locator("#exec-run").click();
  await page.locator("#exec-output", { hasText: "line-1" }).waitFor();
  const whileRunning = await page.locator("#exec-output").innerText();
  const exitWhileRunning = await page.locator("#exec-exit").innerText();
  check(!whileRunning.includes("line-4") && exitWhileRunning.includes("running"),
    "line-1 is shown while the command still runs (output so far: " + JSON.stringify(whileRunning) + ", status: "
    + JSON.stringify(exitWhileRunning) + ")");
  await page.locator("#exec-exit", { hasText: "exit code 3" }).waitFor({ timeout: LONG });
  const full = await page.locator("#exec-output").innerText();
  check(/line-1\s*line-2\s*line-3\s*line-4/.test(full) && full.includes("oops"), "the whole output is shown: " + full);
  check(await page.locator("#exec-output .stderr", { hasText: "oops" }).count() === 1, "stderr is marked as stderr");
  step("a command's output streamed in (line-1 shown before the command ended), exit code 3 shown");

  // ---- upload a file, see it listed, download it ----
  const content = Buffer.concat([Buffer.from("hello from the console\n"), Buffer.from([0, 1, 2, 250, 255])]);
  await page.locator("#upload-file").setInputFiles({ name: "upload.bin", mimeType: "application/octet-stream", buffer: content });
  await page.locator("#upload-button").click();
  await page.locator("#files-status", { hasText: "uploaded /workspace/upload.bin" }).waitFor();
  const fileRow = page.locator("[data-testid=files-table] tr", { hasText: "upload.bin" });
  await fileRow.waitFor();
  check((await fileRow.innerText()).includes("28 B"), "the listing shows the file's size: " + await fileRow.innerText());
  const [download] = await Promise.all([page.waitForEvent("download"),
    page.locator("button.download[data-file='upload.bin']").click()]);
  const saved = join(shots, "..", "console-download.bin");
  await download.saveAs(saved);
  check(download.suggestedFilename() === "upload.bin", "the download is named upload.bin: " + download.suggestedFilename());
  check(Buffer.compare(readFileSync(saved), content) === 0, "the downloaded bytes are the uploaded ones");
  step("uploaded upload.bin (28 bytes, binary), listed it, downloaded the same bytes");
  await page.locator("#files-dir").fill("/");
  await page.locator("#files-open").click();
  await page.locator("[data-testid=files-table] a", { hasText: "workspace/" }).click();
  await fileRow.waitFor();
  step("browsed / and back into /workspace");

  // ---- the terminal: a shell whose state lasts across lines, typed keys, exit ----
  await page.locator("#term-open").click();
  await page.locator("#term-status", { hasText: "connected" }).waitFor();
  await page.locator("#term-line").fill("cd /tmp && export AK_T=kept");
  await page.locator("#term-line").press("Enter");
  await page.locator("#term-line").fill("echo \"$AK_T in $(pwd)\"");
  await page.locator("#term-line").press("Enter");
  await page.locator("#term-screen", { hasText: "kept in /tmp" }).waitFor();
  await page.locator("#term-screen").click();
  await page.keyboard.type("echo typed-$((6*7))");
  await page.keyboard.press("Enter");
  await page.locator("#term-screen", { hasText: "typed-42" }).waitFor();
  await shot(page, "terminal", "desktop");
  await page.locator("#term-line").fill("exit");
  await page.locator("#term-line").press("Enter");
  await page.locator("#term-status", { hasText: "exited with 0" }).waitFor();
  step("terminal: cd and a variable kept across lines (kept in /tmp), typed keys ran (typed-42), exit 0");
  await shot(page, "sandbox", "desktop");

  // ---- a code session keeps its state ----
  await page.goto(base + "/console/#/sessions");
  await page.locator("#new-session-template").selectOption("python");
  await page.locator("#create-session").click();
  await page.waitForURL(/#\/sessions\/.+/, { timeout: LONG });
  const session = decodeURIComponent(page.url().replace(/.*#\/sessions\//, ""));
  await page.locator("#repl-code").fill("x = 41\nprint('set')");
  await page.locator("#repl-run").click();
  await page.locator("[data-cell='1'][data-done]").waitFor({ timeout: LONG });
  check((await page.locator("[data-cell='1']").innerText()).includes("set"), "the first cell printed 'set'");
  await page.locator("#repl-code").fill("print(x + 1)");
  await page.locator("#repl-code").press("Control+Enter");
  await page.locator("[data-cell='2'][data-done=ok]").waitFor({ timeout: LONG });
  const second = await page.locator("[data-cell='2']").innerText();
  check(second.trim() === "42", "the second cell sees x from the first: " + JSON.stringify(second));
  console.log("SESSION=" + session);
  step("code session " + session + " kept x between two executions (42)");
  await shot(page, "session", "desktop");
  await page.goto(base + "/console/#/sessions");
  await page.locator("[data-testid=session-table]", { hasText: session }).waitFor();
  await shot(page, "sessions", "desktop");

  // ---- a task: live status, then cancelled ----
  await page.goto(base + "/console/#/tasks");
  await page.locator("#task-code").fill("import time\nprint('task-started', flush=True)\ntime.sleep(300)");
  await page.locator("#dispatch-task").click();
  const cancel = page.locator("button[data-cancel]");
  await cancel.waitFor({ timeout: LONG });
  const task = await cancel.getAttribute("data-cancel");
  console.log("TASK=" + task);
  await page.locator(`.badge[data-task='${task}']`, { hasText: /running|queued/ }).waitFor();
  await shot(page, "tasks", "desktop");
  await cancel.click();
  await page.locator(`.badge[data-task='${task}']`, { hasText: "cancelled" }).waitFor({ timeout: LONG });
  check(await page.locator("button[data-cancel]").count() === 0, "a cancelled task has no Cancel button");
  step("dispatched task " + task + ", saw it running, cancelled it, saw it cancelled");

  // ---- images, audit log with filters, metrics ----
  await page.goto(base + "/console/#/images");
  await page.locator("h1", { hasText: "Images" }).waitFor();
  await page.locator("main .note, [data-testid=image-table]").first().waitFor();
  await shot(page, "images", "desktop");
  step("images page");
  await page.goto(base + "/console/#/audit");
  await page.locator("[data-testid=audit-table]", { hasText: SANDBOX }).waitFor();
  await page.locator("#audit-sandbox").fill(SANDBOX);
  await page.getByRole("button", { name: "Refresh" }).click();
  await page.locator("#audit-type option", { hasText: "sandbox_created" }).waitFor({ state: "attached" });
  await page.locator("#audit-type").selectOption("sandbox_created");
  const rows = page.locator("[data-testid=audit-table] tbody tr");
  check(await rows.count() === 1, "one sandbox_created event of " + SANDBOX + ": " + await rows.count());
  check((await rows.first().innerText()).includes(SANDBOX), "the filtered row names the sandbox");
  await shot(page, "audit", "desktop");
  step("audit log filtered by sandbox and event type: one sandbox_created of " + SANDBOX);
  await page.goto(base + "/console/#/metrics");
  const sandboxes = page.locator("[data-figure=Sandboxes] .figure-value");
  await sandboxes.waitFor();
  check(Number(await sandboxes.innerText()) >= 1, "the Sandboxes figure counts " + SANDBOX);
  const requests = page.locator("[data-figure='HTTP requests'] .figure-value");
  const before = Number(await requests.innerText());
  await page.waitForFunction((b) => Number(document.querySelector("[data-figure='HTTP requests'] .figure-value")
    ?.textContent) > b, before, { timeout: 15_000 });
  await page.locator("details.samples summary").click();
  await page.locator("#metrics-filter").fill("agentkernel_sandboxes");
  await page.locator("[data-testid=metrics-table] tr", { hasText: "state=running" }).first().waitFor();
  const names = await page.locator("[data-testid=metrics-table] tbody td:first-child").allInnerTexts();
  check(names.length > 0 && names.every((n) => n.startsWith("agentkernel_sandboxes")), "the samples are filtered by name: " + names);
  await shot(page, "metrics", "desktop");
  step("metrics: " + await sandboxes.innerText() + " sandbox(es), HTTP requests rose from " + before
    + " to " + await requests.innerText() + " while watching");
  return session;
}

/** Every page at phone size. */
async function phone(page, session) {
  await signIn(page);
  const pages = [["sandboxes", "#/sandboxes", "[data-testid=sandbox-table]"],
    ["sandbox", "#/sandboxes/" + SANDBOX, "[data-testid=files-table]"],
    ["sessions", "#/sessions", "[data-testid=session-table]"],
    ["session", "#/sessions/" + encodeURIComponent(session), "#repl-code"],
    ["tasks", "#/tasks", "[data-testid=task-table]"],
    ["images", "#/images", "h1"],
    ["audit", "#/audit", "[data-testid=audit-table]"],
    ["metrics", "#/metrics", "[data-figure=Sandboxes]"]];
  for (const [name, hash, ready] of pages) {
    await page.goto(base + "/console/" + hash);
    await page.locator(ready).first().waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    check(width <= 390, name + " fits a 390 px wide screen (is " + width + " px wide)");
    await shot(page, name, "phone");
  }
  step("every page at 390x844 fits the screen's width");
}

/** A page of another origin tries the API with the key: the browser and the daemon refuse. */
async function foreign(context) {
  const page = await context.newPage();
  await page.goto(other);
  const results = await page.evaluate(async ({ daemon, key }) => {
    const out = {};
    async function attempt(label, promise) {
      try {
        const r = await promise;
        out[label] = r.type + ":" + r.status;
      } catch (e) {
        out[label] = "refused:" + e.name;
      }
    }
    await attempt("list", fetch(daemon + "/sandboxes", { headers: { Authorization: "Bearer " + key } }));
    await attempt("status", fetch(daemon + "/status", { headers: { "X-API-Key": key } }));
    await attempt("console", fetch(daemon + "/console/console.js"));
    await attempt("create", fetch(daemon + "/sandboxes", { method: "POST", mode: "no-cors",
      headers: { "Content-Type": "text/plain" }, body: JSON.stringify({ name: "cross-origin-sb" }) }));
    return out;
  }, { daemon: base, key });
  console.log("FOREIGN=" + JSON.stringify(results));
  check(results.list === "refused:TypeError" && results.status === "refused:TypeError" && results.console === "refused:TypeError",
    "reads from another origin fail: " + JSON.stringify(results));
  check(results.create === "opaque:0", "the no-cors POST got an opaque answer: " + JSON.stringify(results));
  // what the daemon itself answers such a request, seen from outside the browser's rules
  const direct = await context.request.get(base + "/sandboxes", { headers: { Origin: new URL(other).origin,
    Authorization: "Bearer " + key } });
  const body = await direct.json();
  check(direct.status() === 403 && body.code === "origin_not_allowed", "the daemon answers 403 origin_not_allowed: "
    + direct.status() + " " + JSON.stringify(body));
  check(!direct.headers()["access-control-allow-origin"], "no CORS header for a foreign origin");
  step("a page of another origin cannot read the API even with the key (" + JSON.stringify(results)
    + "); the daemon answers such requests 403 origin_not_allowed");
  await page.close();
}

let exit = 0;
const desktop = await open("desktop", { width: 1280, height: 800 }, false);
try {
  const session = await user(desktop.page);
  const mobile = await open("phone", { width: 390, height: 844 }, true);
  try {
    await phone(mobile.page, session);
  } catch (e) {
    await mobile.page.screenshot({ path: join(shots, "failed-phone.png"), fullPage: true }).catch(() => {});
    throw e;
  } finally {
    await mobile.context.close();
  }
  await foreign(desktop.context);
  if (problems.length > 0) {
    throw new Error("problems seen in the pages:\n" + problems.join("\n"));
  }
  writeFileSync(join(shots, "steps-passed"), "ok\n");
  console.log("CONSOLE-OK");
} catch (e) {
  exit = 1;
  console.log("FAILED: " + (e && e.stack ? e.stack : e));
  await desktop.page.screenshot({ path: join(shots, "failed-desktop.png"), fullPage: true }).catch(() => {});
} finally {
  await desktop.context.close();
  await browser.close();
}
process.exit(exit);

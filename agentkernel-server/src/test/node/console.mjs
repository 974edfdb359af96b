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
const IMAGE = process.env.AK_IMAGE;
const IMG_SANDBOX = "console-img";
const SNAP_SANDBOX = "console-from-snap";
const VOLUME = "console-vol";
const SNAPSHOT = "console-snap";
const SECRET = "CONSOLE_TOKEN";
const SECRET_VALUE = "s3cr3t-" + Math.random().toString(36).slice(2);
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
  page.on("dialog", (d) => void d.accept()); // "Remove ...?" questions: yes
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(e.violatedDirective + " "
      + e.blockedURI + " " + (e.sample || "")));
  });
  page.setDefaultTimeout(30_000);
  return { context, page };
}

async function shot(page, name, size) {
  await page.waitForTimeout(300); // let the last refresh paint
  await page.screenshot({ path: join(shots, name + "-" + size + ".png"), fullPage: true });
  const violations = await page.evaluate(() => window.__cspViolations ?? []);
  for (const v of violations) {
    problems.push(size + " " + name + ": CSP violation: " + v);
  }
}

/** The terminal's screen rows as text. */
async function termRows(page) {
  return page.evaluate(() => [...document.querySelectorAll("#term-screen .xterm-rows > div")]
    .map((r) => r.textContent.replace(/\u00a0/g, " ")));
}

/** Waits until `command` was taken by the shell and runs: its line is the last one, no prompt after it. */
async function running(page, command) {
  await page.waitForFunction((command) => {
    const rows = [...document.querySelectorAll("#term-screen .xterm-rows > div")]
      .map((r) => r.textContent.replace(/\u00a0/g, " ").trimEnd()).filter((r) => r.length > 0);
    return rows.length > 0 && rows[rows.length - 1].endsWith("$ " + command);
  }, command, { timeout: 15_000 });
  await page.waitForTimeout(300); // the shell has read the line; let it start the program
}

/** Waits until the shell's prompt is the last line on the screen (the program before it has ended). */
async function promptBack(page) {
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll("#term-screen .xterm-rows > div")]
      .map((r) => r.textContent.replace(/\u00a0/g, " ").trimEnd()).filter((r) => r.length > 0);
    return rows.length > 0 && /[$#]$/.test(rows[rows.length - 1]);
  }, null, { timeout: 15_000 });
}

/** Waits until at least `count` rows of the terminal read exactly `text` (output, not the typed command). */
async function rowsEqual(page, text, count) {
  await page.waitForFunction(({ text, count }) => [...document.querySelectorAll("#term-screen .xterm-rows > div")]
    .filter((r) => r.textContent.replace(/\u00a0/g, " ").trim() === text).length >= count, { text, count }, { timeout: 15_000 })
    .catch(async (e) => {
      throw new Error("no " + count + " row(s) reading " + text + " (" + e.message + "): " + JSON.stringify(await termRows(page)));
    });
}

/**
 * Asks the shell in the terminal for its pty's size (stty size) and checks that it is the size the
 * emulator shows: {rows, cols}.
 */
async function ptySize(page) {
  const marker = "sz" + Math.floor(Math.random() * 1e6);
  await page.locator("#term-line").fill("echo " + marker + "=$(stty size | tr ' ' x)");
  await page.locator("#term-line").press("Enter");
  const re = new RegExp(marker + "=(\\d+)x(\\d+)");
  await page.waitForFunction((r) => new RegExp(r).test(document.querySelector("#term-screen .xterm-rows").textContent),
    re.source, { timeout: 10_000 });
  const text = (await termRows(page)).join("\n");
  const m = re.exec(text);
  const rows = Number(m[1]), cols = Number(m[2]);
  const shown = await page.evaluate(() => {
    const box = document.querySelector("#term-screen");
    return { rows: Number(box.dataset.rows), cols: Number(box.dataset.cols) };
  });
  check(shown.rows === rows && shown.cols === cols, "the pty's size is the terminal's: pty " + rows + "x" + cols
    + ", terminal " + shown.rows + "x" + shown.cols);
  return { rows, cols };
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

  // ---- the terminal (xterm.js): a shell whose state lasts across lines, full-screen drawing, keys, resize ----
  await page.locator("#term-open").click();
  await page.locator("#term-status", { hasText: "connected" }).waitFor();
  await page.locator("#term-line").fill("cd /tmp && export AK_T=kept");
  await page.locator("#term-line").press("Enter");
  await page.locator("#term-line").fill("echo \"$AK_T in $(pwd)\"");
  await page.locator("#term-line").press("Enter");
  await page.locator("#term-screen .xterm-rows", { hasText: "kept in /tmp" }).waitFor();
  await page.locator("#term-screen").click();
  await page.keyboard.type("echo typed-$((6*7))");
  await page.keyboard.press("Enter");
  await page.locator("#term-screen .xterm-rows", { hasText: "typed-42" }).waitFor();
  step("terminal: cd and a variable kept across lines (kept in /tmp), typed keys ran (typed-42)");
  // xterm's <style> elements got the page's nonce and are applied (a refused one has no rules)
  const styles = await page.evaluate(() => [...document.querySelectorAll("style")].map((s) => ({
    nonce: s.nonce, rules: s.sheet ? s.sheet.cssRules.length : -1 })));
  check(styles.length > 0 && styles.every((s) => s.nonce && s.rules > 0),
    "xterm's style elements carry the nonce and are applied: " + JSON.stringify(styles));
  // a full-screen program's drawing: clear the screen, put XY at row 5 column 10
  await page.keyboard.type("printf '\\033[2J\\033[5;10HXY\\033[12;1H'; sleep 2");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => {
    const rows = document.querySelectorAll("#term-screen .xterm-rows > div");
    return rows.length > 5 && rows[4].textContent.replace(/\u00a0/g, " ").startsWith("         XY");
  }, null, { timeout: 15_000 });
  const drawn = await termRows(page);
  check(drawn[0].trim() === "" && drawn[3].trim() === "", "rows 1 and 4 were cleared: " + JSON.stringify(drawn.slice(0, 6)));
  step("terminal: ESC[2J ESC[5;10H drew XY at row 5, column 10 of a cleared screen");
  // top: a real full-screen program, drawn in place, quit with q
  await page.keyboard.type("top -d 1");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll("#term-screen .xterm-rows > div")].map((r) => r.textContent.replace(/\u00a0/g, " "));
    return rows.length > 8 && rows[0].startsWith("top - ") && rows.some((r) => /PID\s+USER/.test(r));
  }, null, { timeout: 15_000 });
  await shot(page, "terminal-top", "desktop");
  await page.keyboard.press("q");
  await promptBack(page); // keys typed before top has ended would go to top
  await page.keyboard.type("echo top-quit");
  await page.keyboard.press("Enter");
  await rowsEqual(page, "top-quit", 1);
  step("terminal: top drew its screen (\"top - \" on row 1, the PID USER header) and quit with q");
  // vi: insert mode, Escape, :wq, the file written
  await page.keyboard.type("vi /tmp/vi-test.txt");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll("#term-screen .xterm-rows > div")].map((r) => r.textContent.trim());
    return rows.filter((r) => r === "~").length >= 5; // vi marks the lines past the end of the file with ~
  }, null, { timeout: 15_000 }).catch(async (e) => {
    throw new Error("vi did not draw its screen (" + e.message + "): " + JSON.stringify(await termRows(page)));
  });
  await page.keyboard.press("i");
  await page.keyboard.type("written-in-vi");
  await page.keyboard.press("Escape");
  await page.keyboard.type(":wq");
  await page.keyboard.press("Enter");
  await promptBack(page);
  await page.keyboard.type("echo \"file: $(cat /tmp/vi-test.txt)\"");
  await page.keyboard.press("Enter");
  await rowsEqual(page, "file: written-in-vi", 1);
  step("terminal: vi drew its screen (~ lines), took insert mode, Escape and :wq, and wrote the file");
  // arrows: up recalls the last line
  await page.keyboard.type("echo arrow-$((40+2))");
  await page.keyboard.press("Enter");
  await rowsEqual(page, "arrow-42", 1);
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("Enter");
  await rowsEqual(page, "arrow-42", 2);
  step("terminal: ArrowUp recalled the last command line");
  // ctrl-c interrupts a sleep
  await page.keyboard.type("sleep 300");
  await page.keyboard.press("Enter");
  await running(page, "sleep 300");
  const interrupted = Date.now();
  await page.keyboard.press("Control+c");
  await page.keyboard.type("echo \"rc=$?\"");
  await page.keyboard.press("Enter");
  await page.locator("#term-screen .xterm-rows", { hasText: "rc=130" }).waitFor({ timeout: 10_000 });
  step("terminal: Ctrl+C interrupted sleep 300 (rc=130 after " + (Date.now() - interrupted) + " ms)");
  // the window's size is followed: the pty gets the terminal's rows and columns, before and after a resize
  const sizeBefore = await ptySize(page);
  await page.setViewportSize({ width: 900, height: 800 });
  await page.waitForFunction((b) => {
    const box = document.querySelector("#term-screen");
    return box.dataset.cols !== String(b.cols) && box.dataset.sentSize === box.dataset.rows + "x" + box.dataset.cols;
  }, sizeBefore, { timeout: 10_000 });
  const sizeAfter = await ptySize(page);
  check(sizeAfter.cols < sizeBefore.cols, "a narrower window gave fewer columns: " + JSON.stringify({ sizeBefore, sizeAfter }));
  await page.setViewportSize({ width: 1280, height: 800 });
  step("terminal: the pty's size follows the window (stty size " + sizeBefore.rows + "x" + sizeBefore.cols + ", then "
    + sizeAfter.rows + "x" + sizeAfter.cols + " at 900 px)");
  await shot(page, "terminal", "desktop");
  await page.locator("#term-line").fill("exit");
  await page.locator("#term-line").press("Enter");
  await page.locator("#term-status", { hasText: "exited with 0" }).waitFor();
  step("terminal: exit 0");
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

  await manage(page);

  // ---- audit log with filters, metrics ----
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

/** The daemon's API as the test itself (not the page): for set-up and for checking what the page did. */
async function api(page, method, path, body) {
  const r = await page.context().request.fetch(base + path, { method, headers: { Authorization: "Bearer " + key,
    ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    data: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status(), body: text ? JSON.parse(text) : null };
}

/** Waits for a status line to say `pattern`, and answers its text. */
async function said(page, selector, pattern) {
  const loc = page.locator(selector, { hasText: pattern });
  await loc.waitFor({ timeout: LONG });
  return loc.innerText();
}

/** Images, volumes, snapshots and secrets, each as a user does it, with the API's refusals shown. */
async function manage(page) {
  // ---- images: a bad reference is a readable error; a pull shows its progress; the image is listed with its size ----
  await page.goto(base + "/console/#/images");
  await page.locator("h1", { hasText: "Images" }).waitFor();
  await page.locator("#pull-ref").fill("Bad Name!");
  await page.locator("#pull-image").click();
  const bad = await said(page, "#pull-progress .note.error", "the pull failed");
  check(/refused \(400 bad request\): /.test(bad), "a bad reference is a readable 400: " + bad);
  step("images: a bad reference is refused readably (" + bad + ")");
  await page.locator("#pull-ref").fill(IMAGE);
  await page.locator("#pull-image").click();
  await page.locator("#pull-done").waitFor({ timeout: LONG });
  const progress = await page.locator("#pull-progress").innerText();
  check(/resolved .*: \d+ layer\(s\)/.test(progress), "the pull said what it resolved: " + progress);
  const layerLines = await page.locator("#pull-progress li[data-layer]").allInnerTexts();
  check(layerLines.length > 0 && layerLines.every((l) => /fetched|already stored/.test(l)),
    "each layer's progress was shown: " + JSON.stringify(layerLines));
  const imageRow = page.locator("[data-testid=image-table] tr", { hasText: IMAGE });
  await imageRow.waitFor();
  check(/\d+(\.\d)? (B|KiB|MiB)/.test(await imageRow.innerText()), "the image is listed with its size: " + await imageRow.innerText());
  await shot(page, "images", "desktop");
  step("images: pulled " + IMAGE + " with its progress shown (" + layerLines.length + " layer line(s)); listed with its size");

  // ---- volumes: create one ----
  await page.goto(base + "/console/#/volumes");
  await page.locator("#new-volume-name").fill(VOLUME);
  await page.locator("#new-volume-size").fill("64");
  await page.locator("#create-volume").click();
  await said(page, "#volume-status", "creating volume " + VOLUME + ": done");
  await page.locator("[data-testid=volume-table] tr", { hasText: VOLUME }).waitFor();
  step("volumes: created " + VOLUME);

  // ---- a sandbox from the image with the volume mounted ----
  await page.goto(base + "/console/#/sandboxes");
  await page.locator("#new-sandbox-name").fill(IMG_SANDBOX);
  await page.locator("#new-sandbox-image").fill(IMAGE);
  await page.locator("#new-sandbox-volumes").fill(VOLUME + ":/data");
  await page.locator("#create-sandbox").click();
  await page.locator("[data-testid=sandbox-table] tr", { hasText: IMG_SANDBOX }).locator(".badge", { hasText: "running" })
    .waitFor({ timeout: LONG });
  const written = await api(page, "POST", "/sandboxes/" + IMG_SANDBOX + "/exec",
    { command: ["sh", "-c", "echo before > /workspace/mark && echo vol > /data/v && cat /data/v"] });
  check(written.status === 200 && written.body.data.stdout === "vol\n", "the volume is mounted at /data: " + JSON.stringify(written));
  step("sandboxes: created " + IMG_SANDBOX + " from " + IMAGE + " with " + VOLUME + " at /data");

  // ---- refusals shown: an image in use, a mounted volume ----
  await page.goto(base + "/console/#/images");
  await page.locator(`button[data-remove-image='${IMAGE}']`).click();
  const inUse = await said(page, "#image-status .note.error", "refused");
  check(inUse.includes("409 conflict") && inUse.includes("in use"), "removing an image in use is a readable 409: " + inUse);
  await page.locator("[data-testid=image-table] tr", { hasText: IMAGE }).waitFor();
  step("images: removing " + IMAGE + " while " + IMG_SANDBOX + " runs on it is refused (" + inUse + ")");
  await page.goto(base + "/console/#/volumes");
  const volRow = page.locator("[data-testid=volume-table] tr", { hasText: VOLUME });
  await volRow.filter({ hasText: IMG_SANDBOX + " at /data" }).waitFor();
  await page.locator(`button[data-remove-volume='${VOLUME}']`).click();
  const mounted = await said(page, "#volume-status .note.error", "refused");
  check(mounted.includes("409 conflict") && mounted.includes("mounted"), "removing a mounted volume is a readable 409: " + mounted);
  await shot(page, "volumes", "desktop");
  step("volumes: listed as mounted by " + IMG_SANDBOX + "; removing it is refused (" + mounted + ")");

  // ---- snapshots: take, a sandbox from it, restore, delete (refused while used, then done) ----
  await page.goto(base + "/console/#/snapshots");
  await page.locator("#snapshot-sandbox").fill(IMG_SANDBOX);
  await page.locator("#snapshot-name").fill(SNAPSHOT);
  await page.locator("#take-snapshot").click();
  await said(page, "#snapshot-status", ": done");
  await page.locator("[data-testid=snapshot-table] tr", { hasText: SNAPSHOT }).waitFor();
  step("snapshots: took " + SNAPSHOT + " of " + IMG_SANDBOX);
  await api(page, "POST", "/sandboxes/" + IMG_SANDBOX + "/exec", { command: ["sh", "-c", "echo after > /workspace/mark"] });
  await page.locator("#from-snapshot").selectOption(SNAPSHOT);
  await page.locator("#from-snapshot-name").fill(SNAP_SANDBOX);
  await page.locator("#create-from-snapshot").click();
  await said(page, "#snapshot-status", "creating sandbox " + SNAP_SANDBOX + " from snapshot " + SNAPSHOT + ": done");
  const copy = await api(page, "POST", "/sandboxes/" + SNAP_SANDBOX + "/exec", { command: ["cat", "/workspace/mark"] });
  check(copy.status === 200 && copy.body.data.stdout === "before\n", "the new sandbox has the snapshot's files: " + JSON.stringify(copy));
  step("snapshots: created " + SNAP_SANDBOX + " from " + SNAPSHOT + " (it has the snapshot's /workspace/mark: before)");
  await page.locator(`button[data-restore='${SNAPSHOT}']`).click();
  await said(page, "#snapshot-status", "restoring " + IMG_SANDBOX + " from " + SNAPSHOT + ": done");
  const restored = await api(page, "POST", "/sandboxes/" + IMG_SANDBOX + "/exec", { command: ["cat", "/workspace/mark"] });
  check(restored.status === 200 && restored.body.data.stdout === "before\n", "the restore brought back the file: " + JSON.stringify(restored));
  step("snapshots: restored " + IMG_SANDBOX + " ('after' is 'before' again)");
  await page.locator(`button[data-delete-snapshot='${SNAPSHOT}']`).click();
  const used = await said(page, "#snapshot-status .note.error", "refused");
  check(used.includes("409 conflict"), "deleting a snapshot a sandbox runs on is a readable 409: " + used);
  await shot(page, "snapshots", "desktop");
  step("snapshots: deleting " + SNAPSHOT + " is refused while sandboxes run on it (" + used + ")");

  // ---- secrets: set (the value never comes back), listed by name, removed ----
  await page.goto(base + "/console/#/secrets");
  await page.locator("#secret-name").fill(SECRET);
  await page.locator("#secret-value").fill(SECRET_VALUE);
  await page.locator("#set-secret").click();
  await said(page, "#secret-status", "setting secret " + SECRET + ": done");
  await page.locator("[data-testid=secret-table] tr", { hasText: SECRET }).waitFor();
  check(await page.locator("#secret-value").inputValue() === "", "the value field is emptied");
  check(!(await page.content()).includes(SECRET_VALUE), "the value is nowhere in the page");
  const listed = await api(page, "GET", "/secrets/" + SECRET);
  check(listed.status === 200 && !JSON.stringify(listed.body).includes(SECRET_VALUE), "the API has it, without its value");
  await page.locator("#secret-name").fill("bad name");
  await page.locator("#secret-value").fill("x");
  await page.locator("#set-secret").click();
  const badSecret = await said(page, "#secret-status .note.error", "refused");
  check(badSecret.includes("400 bad request"), "a bad secret name is a readable 400: " + badSecret);
  await shot(page, "secrets", "desktop");
  step("secrets: set " + SECRET + " (value never shown back, field emptied), a bad name refused (" + badSecret + ")");
}

/** After the phone's pass (which shows them): the snapshot, volume, image and secret removed through their pages. */
async function removeManaged(page) {
  // a volume a stopped sandbox mounts: refused, then taken from it with force
  check((await api(page, "POST", "/sandboxes/" + IMG_SANDBOX + "/stop")).status === 200, "stopped " + IMG_SANDBOX);
  await page.goto(base + "/console/#/volumes");
  await page.locator(`button[data-remove-volume='${VOLUME}']`).click();
  const stopped = await said(page, "#volume-status .note.error", "refused");
  check(stopped.includes("409 conflict"), "removing a volume a stopped sandbox mounts is refused: " + stopped);
  await page.locator("#volume-force").check();
  await page.locator(`button[data-remove-volume='${VOLUME}']`).click();
  await said(page, "#volume-status", "removing volume " + VOLUME + ": done");
  await page.locator("[data-testid=volume-table] tr", { hasText: VOLUME }).waitFor({ state: "detached" });
  step("volumes: removing " + VOLUME + " while stopped " + IMG_SANDBOX + " mounts it is refused (" + stopped
    + "), done with force");

  await page.goto(base + "/console/#/snapshots");
  check((await api(page, "DELETE", "/sandboxes/" + SNAP_SANDBOX)).status === 200, "removed " + SNAP_SANDBOX);
  check((await api(page, "DELETE", "/sandboxes/" + IMG_SANDBOX)).status === 200, "removed " + IMG_SANDBOX);
  await page.locator(`button[data-delete-snapshot='${SNAPSHOT}']`).click();
  await said(page, "#snapshot-status", "deleting snapshot " + SNAPSHOT + ": done");
  await page.locator("[data-testid=snapshot-table] tr", { hasText: SNAPSHOT }).waitFor({ state: "detached" });
  step("snapshots: deleted " + SNAPSHOT + " once its sandboxes were removed");

  await page.goto(base + "/console/#/images");
  await page.locator(`button[data-remove-image='${IMAGE}']`).click();
  await said(page, "#image-status", "removing " + IMAGE + ": done");
  await page.locator("[data-testid=image-table] tr", { hasText: IMAGE }).waitFor({ state: "detached" });
  step("images: removed " + IMAGE + " once unused");

  await page.goto(base + "/console/#/secrets");
  await page.locator(`button[data-remove-secret='${SECRET}']`).click();
  await said(page, "#secret-status", "removing secret " + SECRET + ": done");
  check((await api(page, "GET", "/secrets/" + SECRET)).status === 404, "the secret is gone");
  step("secrets: removed " + SECRET);
}

/** Every page at phone size. */
async function phone(page, session) {
  await signIn(page);
  const pages = [["sandboxes", "#/sandboxes", "[data-testid=sandbox-table]"],
    ["sandbox", "#/sandboxes/" + SANDBOX, "[data-testid=files-table]"],
    ["sessions", "#/sessions", "[data-testid=session-table]"],
    ["session", "#/sessions/" + encodeURIComponent(session), "#repl-code"],
    ["tasks", "#/tasks", "[data-testid=task-table]"],
    ["images", "#/images", "#pull-ref"],
    ["snapshots", "#/snapshots", "#take-snapshot"],
    ["volumes", "#/volumes", "#create-volume"],
    ["secrets", "#/secrets", "#set-secret"],
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
  // the terminal on a phone: fitted to the screen, lines and keys from the controls under it
  await page.goto(base + "/console/#/sandboxes/" + SANDBOX);
  await page.locator("#term-open").click();
  await page.locator("#term-status", { hasText: "connected" }).waitFor();
  const size = await ptySize(page);
  check(size.cols >= 20 && size.cols <= 50, "the terminal fits a phone's width: " + size.cols + " columns");
  const box = await page.locator("#term-screen").boundingBox();
  check(box.x >= 0 && box.x + box.width <= 390, "the terminal is inside the screen: " + JSON.stringify(box));
  await page.locator("#term-line").fill("sleep 300");
  await page.locator("#term-line").press("Enter");
  await running(page, "sleep 300");
  await page.locator("#term-ctrl-c").click();
  await page.locator("#term-line").fill("echo \"phone-rc=$?\"");
  await page.locator("#term-line").press("Enter");
  await page.locator("#term-screen .xterm-rows", { hasText: "phone-rc=130" }).waitFor({ timeout: 10_000 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 390, "the sandbox page with its terminal fits a 390 px wide screen (is " + width + " px wide)");
  await shot(page, "terminal", "phone");
  await page.locator("#term-close").click();
  step("terminal at 390x844: " + size.rows + "x" + size.cols + " (stty size), the Ctrl+C button interrupted a sleep");
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
  await removeManaged(desktop.page);
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

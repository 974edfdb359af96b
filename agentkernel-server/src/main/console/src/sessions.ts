import { call } from "./api";
import { fill, h, note, table, when } from "./dom";
import { message, Page } from "./page";

interface Session {
  session_id: string;
  template: string;
  state: string;
  executions: number;
  created_at: string;
  last_used_at: string;
}

interface CodeResult {
  session_id: string;
  stdout: string;
  stderr: string;
  success: boolean;
  state_lost: boolean;
  error: { type: string; message: string; traceback: string } | null;
  execution_time_ms: number;
}

const TEMPLATES = ["python", "node", "bash"];

/** The code sessions, and a form to open one. */
export function sessionList(page: Page): void {
  const status = h("div", { class: "status-line" });
  const list = h("div", {});
  const template = h("select", { id: "new-session-template", name: "template" },
    TEMPLATES.map((t) => h("option", { value: t }, t)));
  const open = h("button", { type: "submit", id: "create-session" }, "New session");
  const form = h("form", { class: "inline-form", "aria-label": "Open a code session" },
    h("label", {}, "Language", template), open);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    open.disabled = true;
    fill(status, note("info", "starting a " + template.value + " session..."));
    try {
      const s = await call<Session>("POST", "/sessions", { template: template.value });
      location.hash = "#/sessions/" + encodeURIComponent(s.session_id);
    } catch (err) {
      fill(status, note("error", message(err)));
      open.disabled = false;
    }
  });

  async function refresh(): Promise<void> {
    try {
      const { sessions } = await call<{ sessions: Session[] }>("GET", "/sessions");
      fill(list, sessions.length === 0 ? note("info", "No code sessions.") : table(
        ["Session", "Language", "State", "Executions", "Last used", ""],
        sessions.map((s) => [
          h("a", { href: "#/sessions/" + encodeURIComponent(s.session_id) }, s.session_id),
          s.template, h("span", { class: "badge " + s.state }, s.state), s.executions, when(s.last_used_at),
          h("button", { class: "danger", onclick: async () => {
            try {
              await call("DELETE", "/sessions/" + encodeURIComponent(s.session_id));
            } catch (err) {
              fill(status, note("error", message(err)));
            }
            await refresh();
          } }, "End"),
        ]), "session-table"));
    } catch (err) {
      fill(list, note("error", message(err)));
    }
  }

  fill(page.root, h("h1", {}, "Code sessions"), form, status, list);
  page.every(5000, refresh);
}

/** A REPL on one session: each run keeps its variables for the next. */
export function sessionRepl(page: Page, id: string): void {
  const info = h("div", { class: "status-line" });
  const cells = h("div", { id: "repl-cells", class: "cells" });
  const code = h("textarea", { id: "repl-code", name: "code", rows: 4, spellcheck: "false",
    placeholder: "x = 41\nprint(x + 1)" });
  const run = h("button", { type: "submit", id: "repl-run" }, "Run (Ctrl+Enter)");
  const form = h("form", { class: "repl-form", "aria-label": "Run code" }, h("label", { class: "grow" }, "Code", code), run);
  let count = 0;
  async function execute(): Promise<void> {
    const source = code.value;
    if (!source.trim()) {
      return;
    }
    run.disabled = true;
    const n = ++count;
    const out = h("pre", { class: "terminal cell-output", "data-cell": n }, "running...");
    cells.append(h("div", { class: "cell" }, h("pre", { class: "cell-code" }, h("span", { class: "prompt" }, "[" + n + "] "), source), out));
    try {
      const r = await call<CodeResult>("POST", "/execute", { code: source, session_id: id });
      fill(out, h("span", { class: "stdout" }, r.stdout), h("span", { class: "stderr" }, r.stderr),
        r.error ? h("span", { class: "stderr" }, r.error.traceback || r.error.type + ": " + r.error.message) : null,
        r.state_lost ? h("span", { class: "stderr" }, "\n(the session's earlier state was lost)") : null);
      out.dataset.done = r.success ? "ok" : "error";
      code.value = "";
    } catch (err) {
      fill(out, h("span", { class: "stderr" }, message(err)));
      out.dataset.done = "error";
    } finally {
      run.disabled = false;
      code.focus();
    }
  }
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void execute();
  });
  code.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void execute();
    }
  });
  async function details(): Promise<void> {
    try {
      const s = await call<Session>("GET", "/sessions/" + encodeURIComponent(id));
      fill(info, h("span", { class: "badge " + s.state }, s.state), " " + s.template + ", " + s.executions + " executions");
    } catch (err) {
      fill(info, note("error", message(err)));
    }
  }
  fill(page.root, h("p", {}, h("a", { href: "#/sessions" }, "← Code sessions")),
    h("h1", {}, "Session ", h("code", {}, id)), info, cells, form);
  page.every(10000, details);
}

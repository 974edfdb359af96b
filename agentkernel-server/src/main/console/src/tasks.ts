import { call } from "./api";
import { fill, h, note, table, when } from "./dom";
import { message, Page } from "./page";

interface Task {
  task_id: string;
  status: string;
  queued: boolean;
  output: string;
  error: string | null;
  exit_code: number | null;
  template: string;
  created_at: string;
  finished_at: string | null;
}

/** Background tasks: dispatch one, live status, output, cancel. */
export function taskList(page: Page): void {
  const status = h("div", { class: "status-line" });
  const list = h("div", {});
  const detail = h("div", { id: "task-detail" });
  let selected: string | null = null;
  const code = h("textarea", { id: "task-code", name: "code", rows: 3, spellcheck: "false",
    placeholder: "import time\ntime.sleep(5)\nprint('done')" });
  const template = h("select", { id: "task-template", name: "template" },
    ["python", "node", "bash"].map((t) => h("option", { value: t }, t)));
  const timeout = h("input", { id: "task-timeout", name: "timeout", type: "number", min: "1", value: "300" });
  const dispatch = h("button", { type: "submit", id: "dispatch-task" }, "Dispatch");
  const form = h("form", { class: "repl-form", "aria-label": "Dispatch a task" },
    h("label", { class: "grow" }, "Code", code), h("label", {}, "Language", template),
    h("label", {}, "Timeout (s)", timeout), dispatch);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    dispatch.disabled = true;
    try {
      const t = await call<Task>("POST", "/tasks", { code: code.value, template: template.value,
        timeout: Number(timeout.value) || 300 });
      selected = t.task_id;
      fill(status, note("info", "dispatched " + t.task_id));
      await refresh();
    } catch (err) {
      fill(status, note("error", message(err)));
    } finally {
      dispatch.disabled = false;
    }
  });

  async function cancel(id: string): Promise<void> {
    try {
      const r = await call<{ success: boolean; message: string }>("POST", "/tasks/" + encodeURIComponent(id) + "/cancel");
      fill(status, note(r.success ? "info" : "error", r.message));
    } catch (err) {
      fill(status, note("error", message(err)));
    }
    await refresh();
  }

  async function refresh(): Promise<void> {
    try {
      const { tasks } = await call<{ tasks: Task[] }>("GET", "/tasks");
      fill(list, tasks.length === 0 ? note("info", "No tasks.") : table(
        ["Task", "Status", "Language", "Created", "Finished", ""],
        tasks.map((t) => [
          h("a", { href: "#", onclick: (e: Event) => {
            e.preventDefault();
            selected = t.task_id;
            void refresh();
          } }, t.task_id),
          h("span", { class: "badge " + t.status, "data-task": t.task_id }, t.queued ? "queued" : t.status),
          t.template, when(t.created_at), when(t.finished_at),
          t.status === "running" ? h("button", { class: "danger", "data-cancel": t.task_id, onclick: () => cancel(t.task_id) }, "Cancel") : "",
        ]), "task-table"));
      const shown = tasks.find((t) => t.task_id === selected);
      fill(detail, shown ? h("section", { "aria-label": "Task output" },
        h("h2", {}, "Output of ", h("code", {}, shown.task_id)),
        h("pre", { class: "terminal", id: "task-output" }, shown.output || "(no output yet)"),
        shown.error ? note("error", shown.error) : null,
        shown.exit_code !== null ? note("info", "exit code " + shown.exit_code) : null) : null);
    } catch (err) {
      fill(list, note("error", message(err)));
    }
  }

  fill(page.root, h("h1", {}, "Tasks"), form, status, list, detail);
  page.every(2000, refresh);
}

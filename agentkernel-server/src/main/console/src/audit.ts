import { call } from "./api";
import { fill, h, note, table, when } from "./dom";
import { message, Page } from "./page";

type AuditEvent = { timestamp: string; event: string; sandbox?: string } & Record<string, unknown>;

/** The audit log, filtered in the page by sandbox, event type and text. */
export function auditLog(page: Page): void {
  const sandbox = h("input", { id: "audit-sandbox", name: "sandbox", placeholder: "any", autocomplete: "off" });
  const type = h("select", { id: "audit-type", name: "type" }, h("option", { value: "" }, "any"));
  const search = h("input", { id: "audit-text", name: "text", type: "search", placeholder: "text in the details" });
  const limit = h("select", { id: "audit-limit", name: "limit" }, ["100", "500", "1000"].map((n) => h("option", { value: n }, n)));
  const list = h("div", {});
  let events: AuditEvent[] = [];

  function details(e: AuditEvent): string {
    const { timestamp: _t, event: _e, sandbox: _s, ...rest } = e;
    return Object.entries(rest).map(([k, v]) => k + "=" + (typeof v === "string" ? v : JSON.stringify(v))).join(" ");
  }

  function render(): void {
    const types = [...new Set(events.map((e) => e.event))].sort();
    const current = type.value;
    fill(type, h("option", { value: "" }, "any"), types.map((t) => h("option", { value: t, selected: t === current }, t)));
    const name = sandbox.value.trim();
    const text = search.value.trim().toLowerCase();
    const shown = events.slice().reverse().filter((e) => (!name || e.sandbox === name) && (!current || e.event === current)
      && (!text || details(e).toLowerCase().includes(text)));
    fill(list, note("info", shown.length + " of " + events.length + " events, newest first"),
      table(["Time", "Event", "Sandbox", "Details"], shown.map((e) => [
        when(e.timestamp), e.event, e.sandbox ?? "", h("span", { class: "details" }, details(e)),
      ]), "audit-table"));
  }

  async function refresh(): Promise<void> {
    try {
      const name = sandbox.value.trim();
      events = await call<AuditEvent[]>("GET", name ? "/sandboxes/" + encodeURIComponent(name) + "/logs?limit=" + limit.value
        : "/audit?limit=" + limit.value);
      render();
    } catch (err) {
      fill(list, note("error", message(err)));
    }
  }

  const form = h("form", { class: "inline-form", "aria-label": "Filter the audit log" },
    h("label", {}, "Sandbox", sandbox), h("label", {}, "Event", type), h("label", { class: "grow" }, "Text", search),
    h("label", {}, "Last", limit), h("button", { type: "submit" }, "Refresh"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void refresh();
  });
  type.addEventListener("change", render);
  search.addEventListener("input", render);
  limit.addEventListener("change", () => void refresh());
  fill(page.root, h("h1", {}, "Audit log"), form, list);
  page.every(10000, refresh);
}

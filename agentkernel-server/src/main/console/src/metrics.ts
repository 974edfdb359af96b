import { text } from "./api";
import { fill, h, note, table } from "./dom";
import { message, Page } from "./page";

/** One sample of the Prometheus text format: name, labels, value. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/y;

/** Parses the Prometheus text exposition format (comments skipped; timestamps ignored). */
export function parse(body: string): Sample[] {
  const samples: Sample[] = [];
  for (const raw of body.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) {
      continue;
    }
    const brace = line.indexOf("{");
    const space = line.indexOf(" ");
    let name: string;
    const labels: Record<string, string> = {};
    let rest: string;
    if (brace >= 0 && (space < 0 || brace < space)) {
      name = line.slice(0, brace);
      let end = brace + 1; // after the last label read (a failed sticky match resets lastIndex)
      LABEL.lastIndex = end;
      let m: RegExpExecArray | null;
      while ((m = LABEL.exec(line)) !== null) {
        labels[m[1]] = m[2].replace(/\\(["\\n])/g, (_all, c: string) => (c === "n" ? "\n" : c));
        end = LABEL.lastIndex;
      }
      const close = line.indexOf("}", end);
      rest = line.slice(close + 1).trim();
    } else {
      name = line.slice(0, space);
      rest = line.slice(space + 1).trim();
    }
    const value = Number(rest.split(/\s+/)[0].replace(/^([+-]?)Inf$/, "$1Infinity"));
    samples.push({ name, labels, value });
  }
  return samples;
}

function sum(samples: Sample[], name: string, where: (l: Record<string, string>) => boolean = () => true): number {
  return samples.filter((s) => s.name === name && where(s.labels)).reduce((a, s) => a + (isNaN(s.value) ? 0 : s.value), 0);
}

function byLabel(samples: Sample[], name: string, label: string): string {
  const parts = new Map<string, number>();
  for (const s of samples.filter((x) => x.name === name)) {
    const key = s.labels[label] ?? "";
    parts.set(key, (parts.get(key) ?? 0) + s.value);
  }
  const shown = [...parts].filter(([, v]) => v > 0).map(([k, v]) => k + " " + v);
  return shown.length ? shown.join(", ") : "none";
}

/** A few live figures from /metrics, refreshed every 3 s, and every sample below. */
export function metricsPage(page: Page): void {
  const figures = h("div", { class: "figures", id: "figures" });
  const filter = h("input", { id: "metrics-filter", type: "search", placeholder: "filter by name", autocomplete: "off" });
  const all = h("div", {});
  const updated = h("p", { class: "note info" });
  let last: Sample[] = [];
  const summary = h("summary", {}, "All samples");
  const details = h("details", { class: "samples" }, summary, h("label", {}, "Filter by name", filter), all);

  function card(label: string, value: string | number, detail = ""): HTMLElement {
    return h("div", { class: "figure", "data-figure": label }, h("div", { class: "figure-value" }, String(value)),
      h("div", { class: "figure-label" }, label), detail ? h("div", { class: "figure-detail" }, detail) : null);
  }

  function renderAll(): void {
    const f = filter.value.trim();
    const matching = last.filter((s) => !f || s.name.includes(f));
    const shown = matching.slice(0, 300);
    fill(summary, "All samples (" + last.length + ")");
    if (!details.open) {
      return; // drawn when opened
    }
    fill(all, table(["Metric", "Labels", "Value"], shown.map((s) => [h("code", {}, s.name),
      Object.entries(s.labels).map(([k, v]) => k + "=" + v).join(" "), String(s.value)]), "metrics-table"),
      matching.length > shown.length ? note("info", "the first " + shown.length + " of " + matching.length
        + "; filter to see others") : null);
  }

  async function refresh(): Promise<void> {
    try {
      const samples = parse(await text("/metrics"));
      last = samples;
      fill(figures,
        card("Sandboxes", sum(samples, "agentkernel_sandboxes"), byLabel(samples, "agentkernel_sandboxes", "state")),
        card("Code sessions", sum(samples, "agentkernel_code_sessions")),
        card("Code executions", sum(samples, "agentkernel_code_executions_seconds_count")),
        card("Tasks", sum(samples, "agentkernel_tasks"), byLabel(samples, "agentkernel_tasks", "state")),
        card("HTTP requests", sum(samples, "agentkernel_http_requests_seconds_count"),
          sum(samples, "agentkernel_http_requests_seconds_count", (l) => (l.status ?? "").startsWith("5")) + " answered 5xx"),
        card("Audit events", sum(samples, "agentkernel_audit_events_total")),
        card("Warm pool", sum(samples, "agentkernel_pool_sandboxes"), "served " + sum(samples, "agentkernel_pool_served_total")
          + ", missed " + sum(samples, "agentkernel_pool_misses_total")));
      fill(updated, "updated " + new Date().toLocaleTimeString() + ", " + samples.length + " samples");
      renderAll();
    } catch (err) {
      fill(figures, note("error", message(err)));
    }
  }
  filter.addEventListener("input", renderAll);
  details.addEventListener("toggle", renderAll);
  fill(page.root, h("h1", {}, "Metrics"), figures, updated, details);
  page.every(3000, refresh);
}

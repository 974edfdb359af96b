/** A tiny element builder: text is always set as text (never parsed as HTML). */
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, unknown>;

const PROPERTIES = new Set(["value", "checked", "disabled", "selected"]);

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {},
    ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) {
      continue;
    }
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2), value as EventListener);
    } else if (name === "class") {
      el.className = String(value);
    } else if (PROPERTIES.has(name)) {
      (el as unknown as Record<string, unknown>)[name] = value;
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      el.append(typeof child === "number" ? String(child) : child);
    }
  }
  return el;
}

/** Replaces the children of `el`. */
export function fill(el: Element, ...children: (Child | Child[])[]): void {
  el.replaceChildren();
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      el.append(typeof child === "number" ? String(child) : child);
    }
  }
}

/** A message line: `kind` is "error" or "info". */
export function note(kind: "error" | "info", text: string): HTMLElement {
  return h("p", { class: "note " + kind, role: kind === "error" ? "alert" : "status" }, text);
}

/** Bytes in a short human form. */
export function bytes(n: number): string {
  if (n < 1024) {
    return n + " B";
  }
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return v.toFixed(v < 10 ? 1 : 0) + " " + units[i];
}

/** An ISO time as the browser's local time. */
export function when(iso: string | null | undefined): string {
  if (!iso) {
    return "";
  }
  const d = new Date(iso);
  return isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/** A table with a header row; `rows` are cells. Wrapped so that it scrolls sideways on a phone. */
export function table(headers: string[], rows: Child[][], testId?: string): HTMLElement {
  return h("div", { class: "table-wrap" },
    h("table", { "data-testid": testId },
      h("thead", {}, h("tr", {}, headers.map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((c, i) => h("td", { "data-label": headers[i] }, c)))))));
}

import { act } from "./actions";
import { call } from "./api";
import { fill, h, note, table, when } from "./dom";
import { message, Page } from "./page";

interface Volume {
  name: string;
  size_mb: number;
  limited: boolean;
  used_mb: number | null;
  available_mb: number | null;
  in_use: number;
  mounts: { sandbox: string; path: string; read_only: boolean }[];
  created_at: string;
}

const enc = encodeURIComponent;

/**
 * Named volumes (`/volumes`): the list with use and mounts, create one, remove one (refused with
 * 409 while a sandbox mounts it: the refusal is shown; "force" takes it from stopped sandboxes). Sandboxes mount them from the create form
 * of the sandboxes page ("Volumes": NAME:/path).
 */
export function volumeList(page: Page): void {
  const status = h("div", { class: "status-line", id: "volume-status" });
  const list = h("div", {});
  const name = h("input", { id: "new-volume-name", name: "name", required: true, autocomplete: "off", placeholder: "data",
    pattern: "[A-Za-z0-9][A-Za-z0-9_.\\-]*" });
  const size = h("input", { id: "new-volume-size", name: "size", type: "number", min: "1", placeholder: "default" });
  const create = h("button", { type: "submit", id: "create-volume" }, "Create volume");
  const force = h("input", { type: "checkbox", id: "volume-force", name: "force" });
  const form = h("form", { class: "inline-form", "aria-label": "Create a volume" },
    h("label", { class: "grow" }, "Name", name), h("label", {}, "Size (MB)", size), create);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body: Record<string, unknown> = { name: name.value.trim() };
    if (size.value) {
      body.size_mb = Number(size.value);
    }
    create.disabled = true;
    if (await act(status, "creating volume " + body.name, () => call("POST", "/volumes", body), refresh)) {
      name.value = "";
    }
    create.disabled = false;
  });

  async function refresh(): Promise<void> {
    try {
      const { volumes } = await call<{ volumes: Volume[] }>("GET", "/volumes");
      fill(list, volumes.length === 0 ? note("info", "No volumes yet.") : table(
        ["Volume", "Size", "Used", "Mounted by", "Created", ""], volumes.map((v) => [
          v.name, v.limited ? v.size_mb + " MB" : "no limit", v.used_mb === null ? "" : v.used_mb + " MB",
          v.mounts.length === 0 ? "-" : h("span", {}, v.mounts.flatMap((m, i) => [i > 0 ? ", " : "",
            h("a", { href: "#/sandboxes/" + enc(m.sandbox) }, m.sandbox), " at " + m.path + (m.read_only ? " (ro)" : "")])),
          when(v.created_at),
          h("button", { class: "danger", "data-remove-volume": v.name, onclick: () => {
            if (confirm("Remove volume " + v.name + " and its files?")) {
              void act(status, "removing volume " + v.name,
                () => call("DELETE", "/volumes/" + enc(v.name) + (force.checked ? "?force=true" : "")), refresh);
            }
          } }, "Remove"),
        ]), "volume-table"));
    } catch (err) {
      fill(list, note("error", message(err)));
    }
  }

  fill(page.root, h("h1", {}, "Volumes"), h("p", { class: "note info" }, "Named volumes outlive sandboxes; mount one "
    + "when creating a sandbox (Sandboxes page, Volumes: NAME:/path)."), form,
  h("label", { class: "check" }, h("span", {}, force, " Remove also from stopped sandboxes that mount it (never from running ones)")),
  status, list);
  page.every(10000, refresh);
}

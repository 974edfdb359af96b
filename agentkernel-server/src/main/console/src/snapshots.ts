import { act } from "./actions";
import { call } from "./api";
import { bytes, fill, h, note, table, when } from "./dom";
import { message, Page } from "./page";

interface Snapshot {
  name: string;
  sandbox: string;
  image_tag: string;
  backend: string;
  base_image?: string;
  vcpus: number;
  memory_mb: number;
  size_bytes: number;
  created_at: string;
}

const enc = encodeURIComponent;

/**
 * Snapshots (`/snapshots`): the list; take one of a sandbox (`POST /snapshots`); restore one onto
 * its sandbox (`POST /snapshots/NAME/restore`); delete one (409 while a sandbox runs on it, shown);
 * a new sandbox from one (`POST /sandboxes` with `snapshot`).
 */
export function snapshotList(page: Page): void {
  const status = h("div", { class: "status-line", id: "snapshot-status" });
  const list = h("div", {});
  const sandbox = h("input", { id: "snapshot-sandbox", name: "sandbox", required: true, autocomplete: "off",
    placeholder: "a sandbox made from an image", list: "snapshot-sandboxes" });
  const sandboxes = h("datalist", { id: "snapshot-sandboxes" });
  const name = h("input", { id: "snapshot-name", name: "name", autocomplete: "off", placeholder: "default: made up",
    pattern: "[A-Za-z0-9][A-Za-z0-9_.\\-]*" });
  const take = h("button", { type: "submit", id: "take-snapshot" }, "Take snapshot");
  const form = h("form", { class: "inline-form", "aria-label": "Take a snapshot" },
    h("label", { class: "grow" }, "Sandbox", sandbox, sandboxes), h("label", {}, "Snapshot name", name), take);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body: Record<string, string> = { sandbox: sandbox.value.trim() };
    if (name.value.trim()) {
      body.name = name.value.trim();
    }
    take.disabled = true;
    if (await act(status, "taking a snapshot of " + body.sandbox, () => call("POST", "/snapshots", body), refresh)) {
      name.value = "";
    }
    take.disabled = false;
  });

  const from = h("select", { id: "from-snapshot", name: "snapshot", required: true });
  const newName = h("input", { id: "from-snapshot-name", name: "name", required: true, autocomplete: "off",
    placeholder: "new-sandbox", pattern: "[A-Za-z0-9][A-Za-z0-9_.\\-]*" });
  const create = h("button", { type: "submit", id: "create-from-snapshot" }, "Create sandbox");
  const createForm = h("form", { class: "inline-form", "aria-label": "Create a sandbox from a snapshot" },
    h("label", { class: "grow" }, "Snapshot", from), h("label", { class: "grow" }, "New sandbox name", newName), create);
  createForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { name: newName.value.trim(), snapshot: from.value };
    create.disabled = true;
    if (await act(status, "creating sandbox " + body.name + " from snapshot " + body.snapshot,
      () => call("POST", "/sandboxes", body), refresh)) {
      newName.value = "";
    }
    create.disabled = false;
  });

  async function refresh(): Promise<void> {
    try {
      const [snapshots, boxes] = await Promise.all([call<Snapshot[]>("GET", "/snapshots"),
        call<{ name: string }[]>("GET", "/sandboxes")]);
      fill(sandboxes, boxes.map((b) => h("option", { value: b.name })));
      const chosen = from.value;
      fill(from, snapshots.map((s) => h("option", { value: s.name, selected: s.name === chosen }, s.name)));
      fill(list, snapshots.length === 0 ? note("info", "No snapshots yet: take one of a sandbox made from an image.")
        : table(["Snapshot", "Of sandbox", "Base image", "Size", "Taken", ""], snapshots.map((s) => [
          s.name, h("a", { href: "#/sandboxes/" + enc(s.sandbox) }, s.sandbox),
          s.base_image ? h("code", { class: "digest" }, s.base_image) : "", bytes(s.size_bytes),
          when(s.created_at),
          h("span", { class: "actions" },
            h("button", { class: "secondary", "data-restore": s.name, onclick: () => {
              if (confirm("Put sandbox " + s.sandbox + " back on snapshot " + s.name + "? Its changes since are lost.")) {
                void act(status, "restoring " + s.sandbox + " from " + s.name,
                  () => call("POST", "/snapshots/" + enc(s.name) + "/restore", {}), refresh);
              }
            } }, "Restore"),
            h("button", { class: "danger", "data-delete-snapshot": s.name, onclick: () => {
              if (confirm("Delete snapshot " + s.name + "?")) {
                void act(status, "deleting snapshot " + s.name, () => call("DELETE", "/snapshots/" + enc(s.name)), refresh);
              }
            } }, "Delete")),
        ]), "snapshot-table"));
    } catch (err) {
      fill(list, note("error", message(err)));
    }
  }

  fill(page.root, h("h1", {}, "Snapshots"),
    h("p", { class: "note info" }, "A snapshot keeps a sandbox's files (its changes to the image and /workspace), "
      + "not its memory or processes."),
    form, h("h2", {}, "New sandbox from a snapshot"), createForm, status, list);
  page.every(10000, refresh);
}

import { call, download, filePath, stream, upload } from "./api";
import { bytes, fill, h, note, table, when } from "./dom";
import { message, Page, problem } from "./page";
import { terminalSection } from "./terminal";

interface Sandbox {
  name: string;
  status: string;
  backend: string;
  vcpus: number;
  memory_mb: number;
  image?: string | null;
  created_at: string;
  expires_at?: string | null;
}

const enc = encodeURIComponent;

/** The list of sandboxes, a form to create one, and stop/start/remove. */
export function sandboxList(page: Page): void {
  const status = h("div", { class: "status-line" });
  const list = h("div", {});
  const name = h("input", { id: "new-sandbox-name", name: "name", required: true, placeholder: "my-sandbox",
    pattern: "[A-Za-z0-9][A-Za-z0-9_.\\-]*", autocomplete: "off" });
  const image = h("input", { id: "new-sandbox-image", name: "image", placeholder: "default (the host's /usr)", autocomplete: "off" });
  const memory = h("input", { id: "new-sandbox-memory", name: "memory", type: "number", min: "64", placeholder: "default" });
  const volumes = h("input", { id: "new-sandbox-volumes", name: "volumes", placeholder: "NAME:/path[:ro], ...",
    autocomplete: "off", spellcheck: "false" });
  const create = h("button", { type: "submit", id: "create-sandbox" }, "Create");
  const form = h("form", { class: "inline-form", "aria-label": "Create a sandbox" },
    h("label", {}, "Name", name), h("label", {}, "Image", image), h("label", {}, "Memory (MB)", memory),
    h("label", {}, "Volumes", volumes), create);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body: Record<string, unknown> = { name: name.value.trim() };
    if (image.value.trim()) {
      body.image = image.value.trim();
    }
    if (memory.value) {
      body.memory_mb = Number(memory.value);
    }
    const mounts = volumes.value.split(",").map((v) => v.trim()).filter((v) => v.length > 0);
    if (mounts.length > 0) {
      body.volumes = mounts;
    }
    create.disabled = true;
    fill(status, note("info", "creating " + body.name + "..."));
    try {
      await call("POST", "/sandboxes", body);
      fill(status, note("info", "created " + body.name));
      name.value = "";
      volumes.value = "";
      await refresh();
    } catch (err) {
      fill(status, note("error", problem(err)));
    } finally {
      create.disabled = false;
    }
  });

  async function act(label: string, method: string, path: string): Promise<void> {
    fill(status, note("info", label + "..."));
    try {
      await call(method, path);
      fill(status, note("info", label + ": done"));
    } catch (err) {
      fill(status, note("error", problem(err)));
    }
    await refresh();
  }

  async function refresh(): Promise<void> {
    try {
      const sandboxes = await call<Sandbox[]>("GET", "/sandboxes");
      fill(list, sandboxes.length === 0 ? note("info", "No sandboxes yet.") : table(
        ["Name", "Status", "Backend", "CPUs / memory", "Created", ""],
        sandboxes.map((s) => [
          h("a", { href: "#/sandboxes/" + enc(s.name) }, s.name),
          h("span", { class: "badge " + s.status }, s.status),
          s.backend,
          s.vcpus + " / " + s.memory_mb + " MB",
          when(s.created_at),
          h("span", { class: "actions" },
            s.status === "stopped"
              ? h("button", { onclick: () => act("starting " + s.name, "POST", "/sandboxes/" + enc(s.name) + "/start") }, "Start")
              : h("button", { onclick: () => act("stopping " + s.name, "POST", "/sandboxes/" + enc(s.name) + "/stop") }, "Stop"),
            h("button", { class: "danger", onclick: () => {
              if (confirm("Remove sandbox " + s.name + " and its files?")) {
                void act("removing " + s.name, "DELETE", "/sandboxes/" + enc(s.name));
              }
            } }, "Remove")),
        ]), "sandbox-table"));
    } catch (err) {
      fill(list, note("error", message(err)));
    }
  }

  fill(page.root, h("h1", {}, "Sandboxes"), form, status, list);
  page.every(5000, refresh);
}

interface Entry {
  kind: "d" | "f" | "l" | "o";
  size: number;
  name: string;
}

/** Lists a directory through exec (the API has no listing route): portable sh, also on busybox images. */
const LIST_SCRIPT = 'cd -- "$1" || exit 2; for f in * .[!.]* ..?*; do [ -e "$f" ] || [ -L "$f" ] || continue; '
  + 'if [ -L "$f" ]; then t=l; s=0; elif [ -d "$f" ]; then t=d; s=0; elif [ -f "$f" ]; then t=f; s=$(wc -c < "$f"); '
  + 'else t=o; s=0; fi; printf "%s\\t%s\\t%s\\n" "$t" "$s" "$f"; done';

/** One sandbox: its details, an exec console with streaming output, and its files. */
export function sandboxDetail(page: Page, name: string): void {
  const info = h("div", { class: "status-line" });
  const base = "/sandboxes/" + enc(name);

  // ---- exec console ----
  const command = h("input", { id: "exec-command", name: "command", placeholder: "ls -la /workspace", autocomplete: "off",
    spellcheck: "false", required: true });
  const run = h("button", { type: "submit", id: "exec-run" }, "Run");
  const stop = h("button", { type: "button", id: "exec-stop", disabled: true }, "Stop");
  const output = h("pre", { id: "exec-output", class: "terminal", "aria-live": "polite" });
  const exit = h("div", { id: "exec-exit", class: "status-line" });
  let running: AbortController | null = null;
  const execForm = h("form", { class: "inline-form", "aria-label": "Run a command" },
    h("label", { class: "grow" }, "Command (run with sh -c)", command), run, stop);
  execForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (running) {
      return;
    }
    running = new AbortController();
    output.replaceChildren();
    fill(exit, note("info", "running..."));
    run.disabled = true;
    stop.disabled = false;
    try {
      await stream(base + "/exec/stream", { command: ["sh", "-c", command.value] }, (event, data) => {
        const d = data as Record<string, unknown>;
        if (event === "output") {
          output.append(h("span", { class: String(d.stream) }, String(d.content ?? d.data ?? "")));
          output.scrollTop = output.scrollHeight;
        } else if (event === "done") {
          fill(exit, note("info", "exit code " + d.exit_code + (d.reason ? " (" + d.reason + ")" : "")));
        } else if (event === "error") {
          fill(exit, note("error", String(d.message)));
        }
      }, running.signal);
    } catch (err) {
      fill(exit, note("error", running.signal.aborted ? "stopped" : message(err)));
    } finally {
      running = null;
      run.disabled = false;
      stop.disabled = true;
    }
  });
  stop.addEventListener("click", () => running?.abort());
  page.onLeave(() => running?.abort());

  // ---- files ----
  const dir = h("input", { id: "files-dir", name: "dir", value: "/workspace", autocomplete: "off", spellcheck: "false" });
  const listing = h("div", { id: "files-listing" });
  const fileStatus = h("div", { class: "status-line", id: "files-status" });
  const chooser = h("input", { type: "file", id: "upload-file", name: "file" });
  const uploadButton = h("button", { type: "submit", id: "upload-button" }, "Upload");
  const browse = h("form", { class: "inline-form", "aria-label": "Browse a directory" },
    h("label", { class: "grow" }, "Directory", dir), h("button", { type: "submit", id: "files-open" }, "Open"));
  const uploadForm = h("form", { class: "inline-form", "aria-label": "Upload a file" },
    h("label", { class: "grow" }, "Upload into this directory", chooser), uploadButton);

  function join(directory: string, file: string): string {
    return directory.replace(/\/+$/, "") + "/" + file;
  }

  async function list(): Promise<void> {
    const directory = dir.value.trim() || "/";
    try {
      const r = await call<{ stdout: string; stderr: string; exit_code: number }>("POST", base + "/exec",
        { command: ["sh", "-c", LIST_SCRIPT, "sh", directory] });
      if (r.exit_code !== 0) {
        fill(listing, note("error", "cannot list " + directory + ": " + (r.stderr || "exit code " + r.exit_code)));
        return;
      }
      const entries: Entry[] = r.stdout.split("\n").filter((l) => l.length > 0).map((line) => {
        const [kind, size, ...rest] = line.split("\t");
        return { kind: kind as Entry["kind"], size: Number(size), name: rest.join("\t") };
      }).sort((a, b) => (a.kind === "d" ? 0 : 1) - (b.kind === "d" ? 0 : 1) || a.name.localeCompare(b.name));
      const up = directory === "/" ? [] : [[h("a", { href: "#", onclick: (e: Event) => {
        e.preventDefault();
        dir.value = directory.replace(/\/+$/, "").replace(/\/[^/]*$/, "") || "/";
        void list();
      } }, ".."), "", "", ""]];
      fill(listing, table(["Name", "Kind", "Size", ""], [...up, ...entries.map((entry) => [
        entry.kind === "d"
          ? h("a", { href: "#", onclick: (e: Event) => {
            e.preventDefault();
            dir.value = join(directory, entry.name);
            void list();
          } }, entry.name + "/")
          : entry.name,
        { d: "directory", f: "file", l: "link", o: "other" }[entry.kind] ?? entry.kind,
        entry.kind === "f" ? bytes(entry.size) : "",
        entry.kind === "f" ? h("button", { class: "download", "data-file": entry.name, onclick: () => save(join(directory, entry.name), entry.name) },
          "Download") : "",
      ])], "files-table"));
    } catch (err) {
      fill(listing, note("error", message(err)));
    }
  }

  async function save(path: string, fileName: string): Promise<void> {
    try {
      const blob = await download(filePath(name, path));
      const url = URL.createObjectURL(blob);
      const a = h("a", { href: url, download: fileName });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      fill(fileStatus, note("info", "downloaded " + path + " (" + bytes(blob.size) + ")"));
    } catch (err) {
      fill(fileStatus, note("error", message(err)));
    }
  }

  browse.addEventListener("submit", (e) => {
    e.preventDefault();
    void list();
  });
  uploadForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const file = chooser.files?.[0];
    if (!file) {
      fill(fileStatus, note("error", "choose a file first"));
      return;
    }
    const target = join(dir.value.trim() || "/", file.name);
    uploadButton.disabled = true;
    try {
      await upload(filePath(name, target), file);
      fill(fileStatus, note("info", "uploaded " + target + " (" + bytes(file.size) + ")"));
      chooser.value = "";
      await list();
    } catch (err) {
      fill(fileStatus, note("error", message(err)));
    } finally {
      uploadButton.disabled = false;
    }
  });

  async function details(): Promise<void> {
    try {
      const s = await call<Sandbox>("GET", base);
      fill(info, h("span", { class: "badge " + s.status, id: "sandbox-status" }, s.status), " ",
        s.backend + ", " + s.vcpus + " CPU, " + s.memory_mb + " MB" + (s.image ? ", image " + s.image : "")
        + (s.expires_at ? ", expires " + when(s.expires_at) : ""));
    } catch (err) {
      fill(info, note("error", message(err)));
    }
  }

  fill(page.root,
    h("p", {}, h("a", { href: "#/sandboxes" }, "← Sandboxes")),
    h("h1", {}, "Sandbox ", h("code", {}, name)), info,
    h("section", { "aria-labelledby": "exec-title" }, h("h2", { id: "exec-title" }, "Run a command"), execForm, output, exit),
    h("section", { "aria-labelledby": "files-title" }, h("h2", { id: "files-title" }, "Files"), browse, uploadForm,
      fileStatus, listing),
    terminalSection(page, name));
  page.every(5000, details);
  void list();
}

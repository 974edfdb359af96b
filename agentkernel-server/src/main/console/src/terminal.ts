import { FitAddon } from "@xterm/addon-fit";
import { Terminal } from "@xterm/xterm";
import { call, stream, upload } from "./api";
import { fill, h, note } from "./dom";
import { message, Page } from "./page";

/**
 * The interactive terminal of a sandbox: xterm.js (a full terminal emulator: vim, top, less are
 * drawn) on `POST /sandboxes/NAME/attach`, output over SSE (`GET /attach/ID/events`), keys as raw
 * bytes (`POST /attach/ID/input`), the window's size followed (`POST /attach/ID/resize` whenever
 * the terminal's box changes size). xterm's own <style> elements get the page's style nonce
 * (see csp.ts). Phones: a line box, and buttons for the keys a phone keyboard lacks.
 */

const enc = encodeURIComponent;

/** Keys a phone's keyboard has not: label, id and the bytes sent. */
const PHONE_KEYS: [string, string, string][] = [
  ["Ctrl+C", "term-ctrl-c", "\x03"], ["Esc", "term-esc", "\x1b"], ["Tab", "term-tab", "\t"],
  ["↑", "term-up", "\x1b[A"], ["↓", "term-down", "\x1b[B"], ["←", "term-left", "\x1b[D"], ["→", "term-right", "\x1b[C"],
];

/** The terminal section of a sandbox's page. */
export function terminalSection(page: Page, sandbox: string): HTMLElement {
  const box = h("div", { id: "term-screen", class: "xterm-box", "aria-label": "Terminal: click here and type" });
  const status = h("div", { id: "term-status", class: "status-line" });
  const line = h("input", { id: "term-line", name: "line", autocomplete: "off", spellcheck: "false", autocapitalize: "off",
    placeholder: "a line to send (Enter sends it)" });
  const send = h("button", { type: "submit", id: "term-send" }, "Send");
  const keys = PHONE_KEYS.map(([label, id, bytes]) => h("button", { type: "button", id, class: "secondary key",
    onclick: () => input(bytes) }, label));
  const open = h("button", { type: "button", id: "term-open" }, "Open terminal");
  const close = h("button", { type: "button", id: "term-close", class: "danger", disabled: true }, "Close");
  const form = h("form", { class: "inline-form", "aria-label": "Send a line" }, h("label", { class: "grow" }, "Input", line),
    send);
  const keyRow = h("div", { class: "actions term-keys", "aria-label": "Keys" }, keys);

  let term: Terminal | null = null;
  let fit: FitAddon | null = null;
  let observer: ResizeObserver | null = null;
  let session: string | null = null;
  let reader: AbortController | null = null;
  let queue: Promise<void> = Promise.resolve();
  let sizeQueue: Promise<void> = Promise.resolve();
  const encoder = new TextEncoder();

  function input(text: string): void {
    const id = session;
    if (!id) {
      return;
    }
    const bytes = encoder.encode(text);
    queue = queue.then(() => upload("/attach/" + enc(id) + "/input", bytes, "POST"))
      .catch((err) => fill(status, note("error", message(err))));
  }

  /** Sends the terminal's size to the server (in order, after the session is open). */
  function resized(rows: number, cols: number): void {
    const id = session;
    box.dataset.rows = String(rows);
    box.dataset.cols = String(cols);
    if (!id) {
      return;
    }
    sizeQueue = sizeQueue.then(() => call<void>("POST", "/attach/" + enc(id) + "/resize", { rows, cols }))
      .then(() => {
        box.dataset.sentSize = rows + "x" + cols;
      })
      .catch((err) => fill(status, note("error", message(err))));
  }

  /** Makes the emulator once, in the box (which must be in the page and visible). */
  function emulator(): Terminal {
    if (term) {
      return term;
    }
    const t = new Terminal({
      cursorBlink: true, fontSize: 13, scrollback: 5000, convertEol: false, allowProposedApi: false,
      fontFamily: 'ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace',
      theme: { background: "#0f1419", foreground: "#e6e6e6" },
    });
    const f = new FitAddon();
    t.loadAddon(f);
    t.open(box);
    t.onData((data) => input(data));
    t.onBinary((data) => input(data));
    t.onResize(({ rows, cols }) => resized(rows, cols));
    let pending = 0;
    observer = new ResizeObserver(() => {
      cancelAnimationFrame(pending);
      pending = requestAnimationFrame(() => fitNow());
    });
    observer.observe(box);
    term = t;
    fit = f;
    fitNow();
    return t;
  }

  function fitNow(): void {
    if (!term || !fit || box.clientWidth === 0) {
      return;
    }
    const size = fit.proposeDimensions();
    if (size && size.cols > 0 && size.rows > 0 && Number.isFinite(size.cols) && Number.isFinite(size.rows)) {
      const cols = Math.max(2, Math.min(1000, size.cols));
      const rows = Math.max(1, Math.min(1000, size.rows));
      if (cols !== term.cols || rows !== term.rows) {
        term.resize(cols, rows);
      }
    }
  }

  function ended(text: string): void {
    session = null;
    reader = null;
    open.disabled = false;
    close.disabled = true;
    box.dataset.session = "";
    fill(status, note("info", text));
  }

  open.addEventListener("click", async () => {
    open.disabled = true;
    fill(status, note("info", "opening..."));
    const t = emulator();
    fitNow();
    t.reset();
    try {
      const opened = await call<{ session: string }>("POST", "/sandboxes/" + enc(sandbox) + "/attach",
        { rows: t.rows, cols: t.cols });
      session = opened.session;
      box.dataset.session = session;
      box.dataset.sentSize = t.rows + "x" + t.cols;
      close.disabled = false;
      reader = new AbortController();
      fill(status, note("info", "connected (" + t.cols + " columns, " + t.rows + " rows)"));
      t.focus();
      const controller = reader;
      void stream("/attach/" + enc(session) + "/events", undefined, (event, data) => {
        const d = data as { b64?: string; exit_code?: number };
        if (event === "output" && d.b64) {
          t.write(Uint8Array.from(atob(d.b64), (ch) => ch.charCodeAt(0)));
        } else if (event === "exit") {
          ended("the shell exited with " + d.exit_code);
        }
      }, controller.signal).then(() => {
        if (session !== null && reader === controller) {
          ended("disconnected");
        }
      }).catch((err) => {
        if (!controller.signal.aborted) {
          ended(message(err));
        }
      });
    } catch (err) {
      fill(status, note("error", message(err)));
      open.disabled = false;
    }
  });

  async function shut(): Promise<void> {
    const id = session;
    reader?.abort();
    if (id) {
      ended("closed");
      await call("DELETE", "/attach/" + enc(id)).catch(() => undefined);
    }
  }
  close.addEventListener("click", () => void shut());
  page.onLeave(() => {
    void shut();
    observer?.disconnect();
    term?.dispose();
    term = null;
  });

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    input(line.value + "\r");
    line.value = "";
  });

  return h("section", { "aria-labelledby": "term-title" }, h("h2", { id: "term-title" }, "Terminal"),
    h("p", { class: "note info" }, "A shell in the sandbox (a full terminal: vim, top, less work). Click it and type; "
      + "on a phone, send lines and keys with the controls below it."),
    h("div", { class: "actions" }, open, close), status, h("div", { class: "term-frame" }, box), form, keyRow);
}

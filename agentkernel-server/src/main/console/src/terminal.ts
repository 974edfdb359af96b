import { call, stream, upload } from "./api";
import { fill, h, note } from "./dom";
import { message, Page } from "./page";

/**
 * A basic terminal on a sandbox (`POST /sandboxes/NAME/attach`, output over SSE, keys as raw
 * input bytes): a shell whose state lasts across commands. It keeps lines of text and understands
 * carriage return, backspace, erase-line and cursor left/right; other escape sequences are
 * dropped, so full-screen programs (vim, top) are not drawn.
 */
class Screen {
  private lines: string[] = [""];
  private col = 0;
  private pending = "";
  private static readonly MAX_LINES = 2000;

  write(text: string): void {
    const s = this.pending + text;
    this.pending = "";
    let i = 0;
    while (i < s.length) {
      const c = s[i];
      if (c === "\x1b") {
        const end = Screen.escapeEnd(s, i);
        if (end < 0) {
          this.pending = s.slice(i); // the rest of the sequence comes with the next output
          return;
        }
        this.escape(s.slice(i, end));
        i = end;
        continue;
      }
      if (c === "\r") {
        this.col = 0;
      } else if (c === "\n") {
        this.lines.push("");
        this.col = 0;
        if (this.lines.length > Screen.MAX_LINES) {
          this.lines.splice(0, this.lines.length - Screen.MAX_LINES);
        }
      } else if (c === "\b") {
        this.col = Math.max(0, this.col - 1);
      } else if (c === "\t") {
        this.put(" ".repeat(8 - (this.col % 8)));
      } else if (c >= " " && c !== "\x7f") {
        this.put(c);
      }
      i++;
    }
  }

  text(): string {
    return this.lines.join("\n");
  }

  private put(chars: string): void {
    const line = this.lines[this.lines.length - 1].padEnd(this.col);
    this.lines[this.lines.length - 1] = line.slice(0, this.col) + chars + line.slice(this.col + chars.length);
    this.col += chars.length;
  }

  /** Where the escape sequence at `i` ends, or -1 when it is not complete yet. */
  private static escapeEnd(s: string, i: number): number {
    if (i + 1 >= s.length) {
      return -1;
    }
    const kind = s[i + 1];
    if (kind === "[") {
      for (let j = i + 2; j < s.length; j++) {
        const code = s.charCodeAt(j);
        if (code >= 0x40 && code <= 0x7e) {
          return j + 1;
        }
      }
      return -1;
    }
    if (kind === "]" || kind === "P" || kind === "_") { // OSC, DCS, APC: up to BEL or ESC \
      for (let j = i + 2; j < s.length; j++) {
        if (s[j] === "\x07") {
          return j + 1;
        }
        if (s[j] === "\x1b" && j + 1 < s.length && s[j + 1] === "\\") {
          return j + 2;
        }
      }
      return -1;
    }
    if (kind === "(" || kind === ")") {
      return i + 3 <= s.length ? i + 3 : -1;
    }
    return i + 2;
  }

  private escape(seq: string): void {
    if (!seq.startsWith("\x1b[")) {
      return;
    }
    const final = seq[seq.length - 1];
    const params = seq.slice(2, -1);
    const n = Math.max(1, Number(params.replace(/[^0-9;]/g, "").split(";")[0]) || 1);
    const last = this.lines.length - 1;
    if (final === "K") {
      const mode = Number(params) || 0;
      const line = this.lines[last];
      this.lines[last] = mode === 0 ? line.slice(0, this.col) : mode === 1 ? " ".repeat(this.col) + line.slice(this.col) : "";
    } else if (final === "C") {
      this.col += n;
    } else if (final === "D") {
      this.col = Math.max(0, this.col - n);
    } else if (final === "J" && (params === "2" || params === "3")) {
      this.lines = [""];
      this.col = 0;
    } else if (final === "P") { // delete characters at the cursor
      const line = this.lines[last];
      this.lines[last] = line.slice(0, this.col) + line.slice(this.col + n);
    }
  }
}

const KEYS: Record<string, string> = {
  Enter: "\r", Backspace: "\x7f", Tab: "\t", Escape: "\x1b", ArrowUp: "\x1b[A", ArrowDown: "\x1b[B",
  ArrowRight: "\x1b[C", ArrowLeft: "\x1b[D", Home: "\x1b[H", End: "\x1b[F", Delete: "\x1b[3~",
};

/** The terminal section of a sandbox's page. */
export function terminalSection(page: Page, sandbox: string): HTMLElement {
  const screen = h("pre", { id: "term-screen", class: "terminal term", tabindex: "0", "aria-label": "Terminal output; "
    + "click here and type to send keys" });
  const status = h("div", { id: "term-status", class: "status-line" });
  const line = h("input", { id: "term-line", name: "line", autocomplete: "off", spellcheck: "false", autocapitalize: "off",
    placeholder: "a line to send (Enter sends it)" });
  const send = h("button", { type: "submit", id: "term-send" }, "Send");
  const ctrlC = h("button", { type: "button", id: "term-ctrl-c", class: "secondary" }, "Ctrl+C");
  const open = h("button", { type: "button", id: "term-open" }, "Open terminal");
  const close = h("button", { type: "button", id: "term-close", class: "danger", disabled: true }, "Close");
  const form = h("form", { class: "inline-form", "aria-label": "Send a line" }, h("label", { class: "grow" }, "Input", line),
    send, ctrlC);
  let session: string | null = null;
  let reader: AbortController | null = null;
  let queue: Promise<void> = Promise.resolve();
  const encoder = new TextEncoder();

  function input(text: string): void {
    const id = session;
    if (!id) {
      return;
    }
    const bytes = encoder.encode(text);
    queue = queue.then(() => upload("/attach/" + encodeURIComponent(id) + "/input", bytes, "POST"))
      .catch((err) => fill(status, note("error", message(err))));
  }

  function ended(text: string): void {
    session = null;
    reader = null;
    open.disabled = false;
    close.disabled = true;
    fill(status, note("info", text));
  }

  open.addEventListener("click", async () => {
    open.disabled = true;
    fill(status, note("info", "opening..."));
    const cols = Math.max(20, Math.min(200, Math.floor((screen.clientWidth - 24) / 8.5) || 80));
    try {
      const opened = await call<{ session: string }>("POST", "/sandboxes/" + encodeURIComponent(sandbox) + "/attach",
        { rows: 24, cols });
      session = opened.session;
      close.disabled = false;
      const terminal = new Screen();
      const decoder = new TextDecoder();
      reader = new AbortController();
      fill(status, note("info", "connected (" + cols + " columns)"));
      screen.focus();
      const controller = reader;
      void stream("/attach/" + encodeURIComponent(session) + "/events", undefined, (event, data) => {
        const d = data as { b64?: string; exit_code?: number };
        if (event === "output" && d.b64) {
          const raw = atob(d.b64);
          const bytes = Uint8Array.from(raw, (ch) => ch.charCodeAt(0));
          terminal.write(decoder.decode(bytes, { stream: true }));
          screen.textContent = terminal.text();
          screen.scrollTop = screen.scrollHeight;
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
      await call("DELETE", "/attach/" + encodeURIComponent(id)).catch(() => undefined);
    }
  }
  close.addEventListener("click", () => void shut());
  page.onLeave(() => void shut());

  screen.addEventListener("keydown", (e) => {
    if (!session || e.metaKey) {
      return;
    }
    let text: string | undefined;
    if (e.ctrlKey && e.key.length === 1 && /[a-z@\[\\\]^_]/i.test(e.key)) {
      text = String.fromCharCode(e.key.toUpperCase().charCodeAt(0) & 0x1f);
    } else if (!e.ctrlKey && !e.altKey && e.key.length === 1) {
      text = e.key;
    } else {
      text = KEYS[e.key];
    }
    if (text !== undefined) {
      e.preventDefault();
      input(text);
    }
  });
  screen.addEventListener("paste", (e) => {
    const text = e.clipboardData?.getData("text");
    if (session && text) {
      e.preventDefault();
      input(text);
    }
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    input(line.value + "\r");
    line.value = "";
  });
  ctrlC.addEventListener("click", () => input("\x03"));

  return h("section", { "aria-labelledby": "term-title" }, h("h2", { id: "term-title" }, "Terminal"),
    h("p", { class: "note info" }, "A shell in the sandbox: click the black area and type, or send lines below (phones). "
      + "Basic: full-screen programs (vim, top) are not drawn."),
    h("div", { class: "actions" }, open, close), status, screen, form);
}

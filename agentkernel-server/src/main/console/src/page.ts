/** What each page gets: where to draw, and a way to register what to stop when it is left. */
export interface Page {
  root: HTMLElement;
  /** Runs `fn` every `ms` until the page is left (and once now). */
  every(ms: number, fn: () => Promise<void> | void): void;
  /** Called when the page is left. */
  onLeave(fn: () => void): void;
}

export type PageView = (page: Page, arg: string) => void;

/** An error as text. */
export function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Words for the API's refusals, so that an error reads as what happened (e.g. "refused (409 conflict): ..."). */
const STATUS_WORDS: Record<number, string> = {
  400: "bad request", 403: "forbidden", 404: "not found", 409: "conflict", 413: "too large", 429: "too many",
  500: "daemon error", 502: "upstream error", 503: "unavailable",
};

/** An error of an action as a readable line: the API's status and message, or the error's text. */
export function problem(e: unknown): string {
  const status = (e as { status?: unknown })?.status;
  if (typeof status === "number" && status >= 400) {
    return "refused (" + status + (STATUS_WORDS[status] ? " " + STATUS_WORDS[status] : "") + "): " + message(e);
  }
  return message(e);
}

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

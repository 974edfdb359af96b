import { fill, note } from "./dom";
import { problem } from "./page";

/**
 * Runs one action of a page: says what it does in `status`, then "done" or the API's refusal
 * (with its status: "refused (409 conflict): ..."), and refreshes the page's list either way.
 */
export async function act(status: HTMLElement, label: string, work: () => Promise<unknown>,
    refresh: () => Promise<void>): Promise<boolean> {
  fill(status, note("info", label + "..."));
  let ok = false;
  try {
    await work();
    fill(status, note("info", label + ": done"));
    ok = true;
  } catch (err) {
    fill(status, note("error", label + ": " + problem(err)));
  }
  await refresh();
  return ok;
}


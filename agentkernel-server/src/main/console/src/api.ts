/**
 * Calls to the daemon's API from the page (same origin). The API key is pasted once and kept in
 * sessionStorage (this tab only, gone when it closes); it is sent in the Authorization header and
 * never put in a URL.
 */
const KEY = "agentkernel.apiKey";

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly code: string) {
    super(message);
  }
}

let unauthorized: () => void = () => {};

/** What to do when the daemon answers 401 (the key is wrong or gone). */
export function onUnauthorized(handler: () => void): void {
  unauthorized = handler;
}

export function apiKey(): string | null {
  return sessionStorage.getItem(KEY);
}

export function setApiKey(key: string): void {
  sessionStorage.setItem(KEY, key);
}

export function clearApiKey(): void {
  sessionStorage.removeItem(KEY);
}

function headers(extra: Record<string, string>): Record<string, string> {
  const all: Record<string, string> = { ...extra };
  const key = apiKey();
  if (key) {
    all["Authorization"] = "Bearer " + key;
  }
  return all;
}

async function failure(r: Response): Promise<ApiError> {
  const text = await r.text();
  let message = text || r.statusText;
  let code = "";
  try {
    const body = JSON.parse(text);
    message = String(body.error ?? message);
    code = String(body.code ?? "");
  } catch {
    // not JSON: the text is the message
  }
  if (r.status === 401) {
    unauthorized();
  }
  return new ApiError(r.status, message, code);
}

async function send(method: string, path: string, init: RequestInit & { headers?: Record<string, string> }): Promise<Response> {
  const r = await fetch(path, { ...init, method, headers: headers(init.headers ?? {}), credentials: "omit", cache: "no-store" });
  if (!r.ok) {
    throw await failure(r);
  }
  return r;
}

/** A JSON call; answers the envelope's `data`. */
export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit & { headers: Record<string, string> } = { headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const r = await send(method, path, init);
  const text = await r.text();
  if (!text) {
    return undefined as T;
  }
  const json = JSON.parse(text);
  if (json && json.success === false) {
    throw new ApiError(r.status, String(json.error), String(json.code ?? ""));
  }
  return (json && typeof json === "object" && "data" in json ? json.data : json) as T;
}

/** A text answer (e.g. /metrics). */
export async function text(path: string): Promise<string> {
  return (await send("GET", path, { headers: { Accept: "text/plain" } })).text();
}

/** A file's bytes. */
export async function download(path: string): Promise<Blob> {
  return (await send("GET", path, { headers: { Accept: "application/octet-stream" } })).blob();
}

/** Writes raw bytes (PUT, or `method`). */
export async function upload(path: string, body: Blob | Uint8Array, method = "PUT"): Promise<void> {
  await send(method, path, { headers: { "Content-Type": "application/octet-stream" }, body: body as BodyInit });
}

/** The path of a file route: each segment of `file` encoded, slashes kept. */
export function filePath(sandbox: string, file: string): string {
  const segments = file.split("/").filter((s) => s.length > 0).map(encodeURIComponent);
  return "/sandboxes/" + encodeURIComponent(sandbox) + "/files/" + segments.join("/");
}

/**
 * A POST of `body` (a GET when it is undefined) answered with Server-Sent Events (EventSource can
 * neither POST nor send headers):
 * each frame's event name and parsed data go to `onEvent` as they arrive.
 */
export async function stream(path: string, body: unknown, onEvent: (event: string, data: unknown) => void,
    signal: AbortSignal): Promise<void> {
  const r = await send(body === undefined ? "GET" : "POST", path, {
    headers: body === undefined ? { Accept: "text/event-stream" }
      : { "Content-Type": "application/json", Accept: "text/event-stream" },
    body: body === undefined ? undefined : JSON.stringify(body), signal,
  });
  if (!r.body) {
    return;
  }
  const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      return;
    }
    buffer += value.replace(/\r\n/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      const data: string[] = [];
      for (const line of frame.split("\n")) {
        if (line.startsWith("event:")) {
          event = line.slice(6).trim();
        } else if (line.startsWith("data:")) {
          data.push(line.slice(5).replace(/^ /, ""));
        }
      }
      if (data.length > 0) {
        onEvent(event, JSON.parse(data.join("\n")));
      }
    }
  }
}

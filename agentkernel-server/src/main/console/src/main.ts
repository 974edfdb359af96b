import { ApiError, apiKey, call, clearApiKey, onUnauthorized, setApiKey } from "./api";
import { auditLog } from "./audit";
import { stampStyleNonce } from "./csp";
import { fill, h, note } from "./dom";
import { imageList } from "./images";
import { metricsPage } from "./metrics";
import { message, Page, PageView } from "./page";
import { sandboxDetail, sandboxList } from "./sandboxes";
import { secretList } from "./secrets";
import { sessionList, sessionRepl } from "./sessions";
import { snapshotList } from "./snapshots";
import { taskList } from "./tasks";
import { volumeList } from "./volumes";

const ROUTES: { path: RegExp; view: PageView; nav: string }[] = [
  { path: /^sandboxes$/, view: sandboxList, nav: "sandboxes" },
  { path: /^sandboxes\/(.+)$/, view: sandboxDetail, nav: "sandboxes" },
  { path: /^sessions$/, view: sessionList, nav: "sessions" },
  { path: /^sessions\/(.+)$/, view: sessionRepl, nav: "sessions" },
  { path: /^tasks$/, view: taskList, nav: "tasks" },
  { path: /^images$/, view: imageList, nav: "images" },
  { path: /^snapshots$/, view: snapshotList, nav: "snapshots" },
  { path: /^volumes$/, view: volumeList, nav: "volumes" },
  { path: /^secrets$/, view: secretList, nav: "secrets" },
  { path: /^audit$/, view: auditLog, nav: "audit" },
  { path: /^metrics$/, view: metricsPage, nav: "metrics" },
];
const NAV: [string, string][] = [["sandboxes", "Sandboxes"], ["sessions", "Sessions"], ["tasks", "Tasks"],
  ["images", "Images"], ["snapshots", "Snapshots"], ["volumes", "Volumes"], ["secrets", "Secrets"], ["audit", "Audit"],
  ["metrics", "Metrics"]];

const main = h("main", { id: "main" });
const nav = h("nav", { "aria-label": "Pages" });
let leave: (() => void)[] = [];

function stopPage(): void {
  for (const fn of leave) {
    fn();
  }
  leave = [];
}

function show(): void {
  stopPage();
  const hash = decodeURIComponent(location.hash.replace(/^#\/?/, "")) || "sandboxes";
  const route = ROUTES.find((r) => r.path.test(hash));
  fill(nav, NAV.map(([id, label]) => h("a", { href: "#/" + id, "aria-current": route?.nav === id ? "page" : false }, label)),
    h("button", { type: "button", class: "signout", onclick: signOut }, "Sign out"));
  // a phone shows part of the page names: bring the current one into view
  nav.querySelector("[aria-current=page]")?.scrollIntoView({ block: "nearest", inline: "nearest" });
  const root = h("div", { class: "page" });
  fill(main, root);
  if (!route) {
    fill(root, note("error", "no page " + hash));
    return;
  }
  const page: Page = {
    root,
    every(ms, fn) {
      let timer = 0;
      let stopped = false;
      const tick = async () => {
        if (stopped) {
          return;
        }
        try {
          await fn();
        } finally {
          if (!stopped && !document.hidden) {
            timer = window.setTimeout(tick, ms);
          } else if (!stopped) {
            const wake = () => {
              document.removeEventListener("visibilitychange", wake);
              void tick();
            };
            document.addEventListener("visibilitychange", wake);
          }
        }
      };
      leave.push(() => {
        stopped = true;
        clearTimeout(timer);
      });
      void tick();
    },
    onLeave(fn) {
      leave.push(fn);
    },
  };
  const m = route.path.exec(hash);
  route.view(page, m && m[1] ? m[1] : "");
}

function signOut(): void {
  clearApiKey();
  stopPage();
  login("");
}

/** The sign-in form: the key is checked against /status before it is kept. */
function login(problem: string): void {
  stopPage();
  fill(nav);
  const key = h("input", { id: "api-key", name: "api-key", type: "password", autocomplete: "current-password",
    required: true, placeholder: "paste the daemon's API key" });
  const status = h("div", { class: "status-line" }, problem ? note("error", problem) : null);
  const form = h("form", { class: "login", "aria-label": "Sign in" },
    h("h1", {}, "AgentKernel console"),
    h("p", {}, "Paste the daemon's API key (the file STATE/api-key, e.g. /var/lib/agentkernel/api-key). "
      + "It is kept in this tab only (sessionStorage) and sent with each call."),
    h("label", {}, "API key", key), h("button", { type: "submit", id: "sign-in" }, "Sign in"), status);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    setApiKey(key.value.trim());
    try {
      await call("GET", "/status");
      if (!location.hash) {
        location.hash = "#/sandboxes";
      }
      show();
    } catch (err) {
      clearApiKey();
      fill(status, note("error", err instanceof ApiError && err.status === 401 ? "that key is not accepted" : message(err)));
    }
  });
  fill(main, form);
  key.focus();
}

async function start(): Promise<void> {
  document.body.append(h("header", {}, h("a", { class: "brand", href: "#/sandboxes" }, "AgentKernel"), nav), main);
  window.addEventListener("hashchange", () => {
    if (apiKey() !== null) {
      show();
    }
  });
  if (apiKey() === null) {
    try {
      await call("GET", "/status"); // a daemon started with --no-auth needs no key
      setApiKey("");
    } catch {
      login("");
    }
  }
  onUnauthorized(() => {
    clearApiKey();
    login("the daemon did not accept the key; paste it again");
  });
  if (apiKey() !== null) {
    show();
  }
}

stampStyleNonce();
void start();

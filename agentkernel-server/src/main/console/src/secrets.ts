import { act } from "./actions";
import { call } from "./api";
import { fill, h, note, table, when } from "./dom";
import { message, Page } from "./page";

interface Secret {
  name: string;
  created_at: string;
  updated_at: string;
}

const enc = encodeURIComponent;

/**
 * Secrets (`/secrets`): their names and dates (the API never answers a value), set one (`PUT
 * /secrets/NAME`; the value field is a password field, emptied once sent and never filled from the
 * daemon), remove one. Sandboxes are granted them at creation (`agentkernel create --secret`).
 */
export function secretList(page: Page): void {
  const status = h("div", { class: "status-line", id: "secret-status" });
  const list = h("div", {});
  const name = h("input", { id: "secret-name", name: "name", required: true, autocomplete: "off", spellcheck: "false",
    placeholder: "GITHUB_TOKEN" });
  const value = h("input", { id: "secret-value", name: "value", type: "password", required: true, autocomplete: "new-password",
    placeholder: "its value (never shown again)" });
  const set = h("button", { type: "submit", id: "set-secret" }, "Set");
  const form = h("form", { class: "inline-form", "aria-label": "Set a secret" },
    h("label", {}, "Name", name), h("label", { class: "grow" }, "Value", value), set);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const key = name.value.trim();
    const secret = value.value;
    value.value = "";
    set.disabled = true;
    if (await act(status, "setting secret " + key, () => call("PUT", "/secrets/" + enc(key), { value: secret }), refresh)) {
      name.value = "";
    }
    set.disabled = false;
  });

  async function refresh(): Promise<void> {
    try {
      const { secrets } = await call<{ secrets: Secret[] }>("GET", "/secrets");
      fill(list, secrets.length === 0 ? note("info", "No secrets yet.") : table(["Secret", "Created", "Updated", ""],
        secrets.map((s) => [s.name, when(s.created_at), when(s.updated_at),
          h("button", { class: "danger", "data-remove-secret": s.name, onclick: () => {
            if (confirm("Remove secret " + s.name + "?")) {
              void act(status, "removing secret " + s.name, () => call("DELETE", "/secrets/" + enc(s.name)), refresh);
            }
          } }, "Remove")]), "secret-table"));
    } catch (err) {
      fill(list, note("error", message(err)));
    }
  }

  fill(page.root, h("h1", {}, "Secrets"), h("p", { class: "note info" }, "Values are stored encrypted and never shown "
    + "back; a sandbox sees only a placeholder, replaced by the daemon's proxy for the hosts it is granted to."),
  form, status, list);
  page.every(15000, refresh);
}

import { act } from "./actions";
import { call, stream } from "./api";
import { bytes, fill, h, note, table, when } from "./dom";
import { message, Page, problem } from "./page";

interface Image {
  reference: string;
  digest: string;
  platform: string;
  size: number;
  layers: number;
  stored_at: string;
}

const POLICIES = ["missing", "always"];

/**
 * The images in the daemon's store: the list (with sizes), a pull whose progress (`POST
 * /images/pull`, Server-Sent Events: resolved, progress, layer, done, error) is shown as it comes,
 * and removal (`DELETE /images/REF`; an image a sandbox runs on is refused with 409, shown).
 */
export function imageList(page: Page): void {
  const list = h("div", {});
  const status = h("div", { class: "status-line", id: "image-status" });
  const ref = h("input", { id: "pull-ref", name: "image", required: true, autocomplete: "off", spellcheck: "false",
    placeholder: "python:3.12-alpine" });
  const policy = h("select", { id: "pull-policy", name: "policy" }, POLICIES.map((p) => h("option", { value: p }, p)));
  const pull = h("button", { type: "submit", id: "pull-image" }, "Pull");
  const progress = h("div", { id: "pull-progress", class: "pull-progress", "aria-live": "polite" });
  const form = h("form", { class: "inline-form", "aria-label": "Pull an image" },
    h("label", { class: "grow" }, "Image reference", ref), h("label", {}, "Pull", policy), pull);
  let pulling: AbortController | null = null;

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (pulling) {
      return;
    }
    pulling = new AbortController();
    const image = ref.value.trim();
    pull.disabled = true;
    const layers = new Map<string, HTMLElement>();
    const lines = h("ul", { class: "pull-layers" });
    const head = note("info", "pulling " + image + "...");
    fill(progress, head, lines);
    function layerLine(layer: string): HTMLElement {
      let li = layers.get(layer);
      if (!li) {
        li = h("li", { "data-layer": layer });
        layers.set(layer, li);
        lines.append(li);
      }
      return li;
    }
    try {
      await stream("/images/pull", { image, policy: policy.value }, (event, data) => {
        const d = data as Record<string, unknown>;
        if (event === "resolved") {
          fill(head, "resolved " + d.reference + ": " + d.layers + " layer(s)");
        } else if (event === "progress") {
          const total = Number(d.bytes_total);
          fill(layerLine(String(d.layer)), short(String(d.layer)) + ": " + bytes(Number(d.bytes_done))
            + (total > 0 ? " of " + bytes(total) : ""));
        } else if (event === "layer") {
          fill(layerLine(String(d.layer)), short(String(d.layer)) + ": "
            + (d.already_stored ? "already stored" : "fetched " + bytes(Number(d.bytes_fetched))));
        } else if (event === "done") {
          const img = d.image as Image;
          progress.append(h("p", { class: "note info", id: "pull-done" }, "pulled " + img.reference + " ("
            + bytes(img.size) + ")"));
        } else if (event === "error") {
          progress.append(note("error", "the pull failed: " + String(d.message)));
        }
      }, pulling.signal);
    } catch (err) {
      progress.append(note("error", "the pull failed: " + problem(err)));
    } finally {
      pulling = null;
      pull.disabled = false;
      await refresh();
    }
  });
  page.onLeave(() => pulling?.abort());

  async function refresh(): Promise<void> {
    try {
      const { images } = await call<{ images: Image[] }>("GET", "/images");
      fill(list, images.length === 0 ? note("info", "No images in the store yet: pull one above.")
        : table(["Reference", "Platform", "Size", "Layers", "Stored", "Digest", ""], images.map((i) => [
          i.reference, i.platform, bytes(i.size), i.layers, when(i.stored_at), h("code", { class: "digest" }, i.digest),
          h("button", { class: "danger", "data-remove-image": i.reference, onclick: () => {
            if (confirm("Remove image " + i.reference + " from the store?")) {
              void act(status, "removing " + i.reference,
                () => call("DELETE", "/images/" + refPath(i.reference)), refresh);
            }
          } }, "Remove"),
        ]), "image-table"));
    } catch (err) {
      fill(list, note("error", message(err)));
    }
  }
  fill(page.root, h("h1", {}, "Images"), form, progress, status, list);
  page.every(15000, refresh);
}

/** A layer's digest, short. */
function short(digest: string): string {
  return digest.replace(/^sha256:/, "").slice(0, 12);
}

/** A reference in a path: each segment encoded, but ':' and '@' kept (host:port, tag, digest). */
function refPath(reference: string): string {
  return reference.split("/").map((s) => encodeURIComponent(s).replace(/%3A/gi, ":").replace(/%40/g, "@")).join("/");
}

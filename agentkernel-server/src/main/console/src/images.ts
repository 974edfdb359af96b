import { call } from "./api";
import { bytes, fill, h, note, table, when } from "./dom";
import { message, Page } from "./page";

interface Image {
  reference: string;
  digest: string;
  platform: string;
  size: number;
  layers: number;
  stored_at: string;
}

/** The images in the daemon's store. */
export function imageList(page: Page): void {
  const list = h("div", {});
  async function refresh(): Promise<void> {
    try {
      const { images } = await call<{ images: Image[] }>("GET", "/images");
      fill(list, images.length === 0 ? note("info", "No images in the store (pull one with 'agentkernel image pull REF').")
        : table(["Reference", "Platform", "Size", "Layers", "Stored", "Digest"], images.map((i) => [
          i.reference, i.platform, bytes(i.size), i.layers, when(i.stored_at), h("code", { class: "digest" }, i.digest),
        ]), "image-table"));
    } catch (err) {
      fill(list, note("error", message(err)));
    }
  }
  fill(page.root, h("h1", {}, "Images"), list);
  page.every(15000, refresh);
}

// ConsoleIT, daemon without a key (serve --no-auth): the console opens on the sandboxes page without
// asking for a key. Prints NOAUTH-OK, or FAILED and exits 1.
import { pathToFileURL } from "node:url";
import { join } from "node:path";

const { chromium } = await import(pathToFileURL(join(process.env.AK_NODE_MODULES, "playwright-core", "index.mjs")).href);
const browser = await chromium.launch({ executablePath: process.env.AK_CHROMIUM, args: ["--disable-dev-shm-usage", "--disable-gpu"] });
let exit = 0;
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(30_000);
  await page.goto(process.env.AK_BASE_URL + "/console/");
  await page.locator("h1", { hasText: "Sandboxes" }).waitFor();
  if (await page.locator("#api-key").count() !== 0) {
    throw new Error("the sign-in form is shown although the daemon needs no key");
  }
  await page.locator("main .note, [data-testid=sandbox-table]").first().waitFor();
  console.log("NOAUTH-OK");
} catch (e) {
  exit = 1;
  console.log("FAILED: " + (e && e.stack ? e.stack : e));
} finally {
  await browser.close();
}
process.exit(exit);

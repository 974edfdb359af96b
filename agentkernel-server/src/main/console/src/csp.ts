/**
 * The page's style nonce. The daemon serves index.html with a fresh nonce in its content security
 * policy (`style-src 'self' 'nonce-N'`) and in `<meta name="ak-style-nonce">`. xterm.js makes
 * <style> elements (its renderer's sizes and colours) and has no option to give them a nonce, so
 * every <style> element made through document.createElement gets the nonce when it is made (before
 * it is inserted: a nonce set later does not count). Scripts stay `'self'` only; style attributes
 * stay refused (xterm sets styles through CSSOM properties, which the policy allows).
 */
export function stampStyleNonce(): void {
  const meta = document.querySelector('meta[name="ak-style-nonce"]');
  const nonce = meta?.getAttribute("content") ?? "";
  meta?.remove();
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(nonce)) {
    return; // no nonce given: <style> elements stay refused (the terminal then misses its sizes)
  }
  const create = Document.prototype.createElement;
  Document.prototype.createElement = function (this: Document, tag: string, options?: ElementCreationOptions) {
    const el = create.call(this, tag, options);
    if (el instanceof HTMLStyleElement) {
      el.setAttribute("nonce", nonce);
    }
    return el;
  } as typeof Document.prototype.createElement;
}

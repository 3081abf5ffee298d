// xterm.js writes its generated CSS (cell sizes, theme colours) into <style> elements. The
// console's Content-Security-Policy allows styles only from the app itself (`style-src 'self'`,
// main/console/security.ts), which blocks those elements. Instead of weakening the policy, the
// <style> elements xterm creates while it opens are replaced by a constructable stylesheet: CSSOM is
// not inline markup, so the policy allows it, and the CSS is exactly what xterm generated.

/** Runs `open` with every <style> element it creates backed by an adopted stylesheet. */
export function withAdoptedStyles<T>(open: () => T): T {
  const create = document.createElement;
  document.createElement = function (this: Document, tag: string, options?: ElementCreationOptions) {
    // Even an empty <style> element is refused by the policy once connected: xterm gets an inert
    // <template> in its place, whose text feeds the adopted sheet.
    if (tag.toLowerCase() !== 'style') return create.call(this, tag, options);
    const element = create.call(this, 'template', options);
    adopt(element);
    return element;
  } as typeof document.createElement;
  try {
    return open();
  } finally {
    document.createElement = create;
  }
}

function adopt(element: HTMLElement): void {
  const sheet = new CSSStyleSheet();
  let css = '';
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  Object.defineProperty(element, 'textContent', {
    get: () => css,
    set: (value: string | null) => {
      css = value ?? '';
      sheet.replaceSync(css);
    },
  });
}

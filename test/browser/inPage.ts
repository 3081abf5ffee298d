import { mkdirSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from 'playwright-core';
import { ROOT } from './host';

/**
 * Helpers the UI tests share: keyboard focus, the focus ring, axe, screenshots. Functions passed
 * to `evaluate` run in Chromium; the Node tsconfig has no DOM lib, so they use the small shapes
 * declared here.
 */

interface StyleLike {
  outlineStyle: string;
  outlineWidth: string;
  outlineColor: string;
}
interface ElementLike {
  matches(selector: string): boolean;
  ownerDocument: { activeElement: unknown };
}
declare function getComputedStyle(el: ElementLike): StyleLike;

/** Where screenshots go (test-artifacts/ is ignored by git). */
export const SCREENSHOTS = path.join(ROOT, 'test-artifacts', 'screenshots');

/** Saves a full-page screenshot as test-artifacts/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** True when the element has the keyboard focus. */
export function isFocused(locator: Locator): Promise<boolean> {
  return locator.evaluate((el: ElementLike) => el.ownerDocument.activeElement === el);
}

/** Presses Tab until `target` has the focus; returns how many presses it took (throws past `max`). */
export async function tabTo(page: Page, target: Locator, max = 25): Promise<number> {
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press('Tab');
    if (await isFocused(target)) return i;
  }
  throw new Error(`Tab did not reach the element in ${max} presses.`);
}

/** The focus indicator as drawn: whether :focus-visible applies and the outline's style and width. */
export function focusRing(locator: Locator): Promise<{ focusVisible: boolean; style: string; width: number; color: string }> {
  return locator.evaluate((el: ElementLike) => {
    const s = getComputedStyle(el);
    return { focusVisible: el.matches(':focus-visible'), style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor };
  });
}

/** Serious and critical axe violations (WCAG 2.x A/AA and best practice), as lines a person can read. */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/**
 * Runs `fn` with the page's real timers while Playwright's clock is installed, then puts the fake
 * ones back: axe schedules its work with setTimeout, which never fires while the clock is paused.
 * The page's time stays where it was; only timers set during `fn` are real ones.
 */
export async function withRealTimers<T>(page: Page, fn: () => Promise<T>): Promise<T> {
  const names = ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'requestAnimationFrame', 'cancelAnimationFrame'];
  const swapped = await page.evaluate(`(() => {
    const real = globalThis.__pwClock && globalThis.__pwClock.builtins;
    if (!real) return false;
    globalThis.__fakeTimers = {};
    for (const n of ${JSON.stringify(names)}) { globalThis.__fakeTimers[n] = globalThis[n]; globalThis[n] = real[n]; }
    return true;
  })()`);
  try {
    return await fn();
  } finally {
    if (swapped) {
      await page.evaluate(`(() => {
        for (const [n, f] of Object.entries(globalThis.__fakeTimers)) globalThis[n] = f;
        delete globalThis.__fakeTimers;
      })()`);
    }
  }
}

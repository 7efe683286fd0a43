import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { en } from '../../apps/web/src/locales/en';
import { zhCN } from '../../apps/web/src/locales/zh-CN';

export type Locale = 'zh-CN' | 'en';
/** The app's own texts, so a test finds controls by what a person reads on them. */
export const TEXT = { 'zh-CN': zhCN, en } as const;

/** Debian's chromium (`apt-get install chromium`; Playwright's own download is not reachable here). */
export const CHROMIUM = process.env.ROLLPLAN_CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/** Screenshots of each screen, per language: test artifacts (and the README's pictures). */
export const SCREENSHOTS = join(__dirname, '..', '..', '.rollplan', 'artifacts', 'screens');

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

/** A person's own browser: their language remembered, console errors collected. */
export async function personIn(browser: Browser, baseUrl: string, locale: Locale): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ baseURL: baseUrl, locale, timezoneId: 'Asia/Shanghai', viewport: { width: 1280, height: 900 } });
  await context.addInitScript((language) => (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem('rollplan.language', language), locale);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  // Expected failures (a 401 before sign-in, a 409 the test provokes) show as failed loads; anything else is a bug.
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) errors.push(message.text());
  });
  return { context, page, errors };
}

export async function signIn(page: Page, locale: Locale, email: string, password: string): Promise<void> {
  const t = TEXT[locale];
  await page.getByLabel(t.auth.email).fill(email);
  await page.getByLabel(t.auth.password).fill(password);
  await page.getByRole('button', { name: new RegExp(t.auth.signIn.split('').join('\\s*')) }).click();
}

/** axe-core's serious and critical violations on the page as it is now. */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}

export async function screenshot(page: Page, locale: Locale, name: string): Promise<void> {
  const dir = join(SCREENSHOTS, locale);
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

/**
 * A button by its label: Ant Design spaces out two-character Chinese labels (登 录), and a button
 * busy with a request is named after its spinner too ("loading Submit").
 */
export const buttonName = (label: string) => new RegExp(`(^|\\s)${label.split('').map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s*')}\\s*$`);

type Locator = ReturnType<Page['locator']>;

declare global {
  namespace jest {
    interface Matchers<R> {
      /** The element shows within `timeout` ms (the page works asynchronously). */
      toBeVisibleSoon(timeout?: number): Promise<R>;
      /** The element's text matches within `timeout` ms. */
      toHaveTextSoon(expected: string | RegExp, timeout?: number): Promise<R>;
    }
  }
}

expect.extend({
  async toBeVisibleSoon(locator: Locator, timeout = 15_000) {
    try {
      await locator.waitFor({ state: 'visible', timeout });
      return { pass: true, message: () => `${String(locator)} is visible` };
    } catch {
      return { pass: false, message: () => `${String(locator)} did not show within ${timeout} ms` };
    }
  },
  async toHaveTextSoon(locator: Locator, expected: string | RegExp, timeout = 15_000) {
    const until = Date.now() + timeout;
    let text = '';
    while (Date.now() < until) {
      text = (await locator.first().textContent({ timeout: 1000 }).catch(() => null)) ?? '';
      if (typeof expected === 'string' ? text.includes(expected) : expected.test(text)) return { pass: true, message: () => `text is ${text}` };
      await new Promise((r) => setTimeout(r, 100));
    }
    return { pass: false, message: () => `${String(locator)} has text "${text}", not ${String(expected)}` };
  },
});

// The browser tier: Debian's chromium driven by Playwright against the real system (API serving
// the built web app, worker, Temporal, PostgreSQL, Redis). The planning journey in both
// languages, with axe-core on every screen and a screenshot of each.
import type { Browser, Page } from 'playwright-core';
import { DEMO_PASSWORD } from '@rollplan/api';
import { cycleInExecution } from '../support/http-cycle';
import { samplePlan } from '../support/plans';
import { eventually, startTestSystem, type TestSystem } from '../support/system';
import { accessibilityProblems, buttonName, launchBrowser, personIn, screenshot, signIn, TEXT, type Locale } from '../support/browser';

jest.setTimeout(240_000);

let system: TestSystem;
let browser: Browser;
const units: Record<string, string> = {};

async function call<T = unknown>(email: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const response = await fetch(`${system.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${await system.tokenFor(email)}`, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

type Task = { id: string; kind: string; status: string; cycleId: string; outcome: string | null; links: Record<string, string> };
const openTasks = async (email: string, cycleId: string, kind: string) =>
  (await call<{ items: Task[] }>(email, 'GET', `/tasks?cycleId=${cycleId}&kind=${kind}`)).body.items;
const oneOpen = (email: string, cycleId: string, kind: string) =>
  eventually(
    () => openTasks(email, cycleId, kind),
    (tasks) => tasks.length > 0,
  ).then((tasks) => tasks[0]);

beforeAll(async () => {
  system = await startTestSystem();
  browser = await launchBrowser();
  for (const unit of (await call<{ id: string; code: string }[]>('admin@rollplan.example', 'GET', '/org-units')).body) units[unit.code] = unit.id;
});

afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

/** Fails with every serious or critical axe finding, and keeps a screenshot of the screen. */
async function lookAt(page: Page, locale: Locale, name: string): Promise<void> {
  // Not 'networkidle': the live notification stream stays open. Wait for the data to arrive.
  // A function, not a string: the page's Content-Security-Policy forbids eval.
  await page.waitForFunction(() => !(globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector('.ant-spin-spinning'));
  await page.waitForTimeout(300);
  await screenshot(page, locale, name);
  expect(await accessibilityProblems(page)).toEqual([]);
}

describe.each<Locale>(['zh-CN', 'en'])('the planning journey in %s', (locale) => {
  const t = TEXT[locale];
  let cycleId: string;

  test('a center head submits the analysis for her area; a server-side problem lands on its field', async () => {
    const started = await call<{ id: string }>('admin@rollplan.example', 'POST', '/cycles', {
      title: locale === 'en' ? 'Group plan 2027–2029' : '集团三年规划 2027–2029',
      startYear: 2027,
      contributingUnitIds: [units.finance],
    });
    expect(started.status).toBe(201);
    cycleId = started.body.id;
    const task = await oneOpen('finance@rollplan.example', cycleId, 'plan.contribution');

    const { page, errors, context } = await personIn(browser, system.baseUrl, locale);
    await page.goto('/');
    await lookAt(page, locale, 'sign-in');
    await signIn(page, locale, 'finance@rollplan.example', DEMO_PASSWORD);
    await page.waitForURL(/\/app\/inbox/);
    const row = page.locator('a.task-link').filter({ hasText: '2027–2029' });
    await expect(row.first()).toBeVisibleSoon();
    await lookAt(page, locale, 'inbox');

    await row.first().click();
    await page.waitForURL(new RegExp(`/app/tasks/${task.id}`));
    await page.getByLabel(t.field.funding).fill('Cash covers 18 months of investment');
    await page.getByLabel(t.field.investmentCapacity).fill('Up to 2 bn CNY a year');
    await page.getByLabel(t.field.financingCapacity).fill('Bank lines of 5 bn CNY');
    // Only spaces: the form lets it through, the API trims it and names the field.
    await page.getByLabel(t.field.financialPosition).fill('   ');
    await lookAt(page, locale, 'task-contribution');
    await page.getByRole('button', { name: buttonName(t.outcome.submitted) }).click();
    const fieldError = page.locator('.ant-form-item').filter({ has: page.getByLabel(t.field.financialPosition) }).locator('.ant-form-item-explain-error');
    await expect(fieldError).toHaveTextSoon(/must not be empty/);

    await page.getByLabel(t.field.financialPosition).fill('Debt ratio 42%, rated AA');
    await page.getByRole('button', { name: buttonName(t.outcome.submitted) }).dblclick();
    await expect(page.getByText(t.task.submitted).first()).toBeVisibleSoon();
    const done = await eventually(
      () => call<Task>('finance@rollplan.example', 'GET', `/tasks/${task.id}`),
      (r) => r.body.status === 'completed',
    );
    expect(done.body.outcome).toBe('submitted');
    expect(errors).toEqual([]);
    await context.close();
  });

  test('a committee member asks for changes with a comment, then approves the revision after reading the redline; the chair approves', async () => {
    const plan = samplePlan({ finance: units.finance, customer: units.customer });
    expect((await call('admin@rollplan.example', 'POST', `/cycles/${cycleId}/drafts`, plan)).status).toBe(201);
    const ballot = await oneOpen('reviewer1@rollplan.example', cycleId, 'plan.review');

    const { page, errors, context } = await personIn(browser, system.baseUrl, locale);
    await page.goto(`/app/tasks/${ballot.id}`);
    // Not signed in: to the sign-in page, then straight back to the ballot.
    await page.waitForURL(/\/app\/sign-in\?next=/);
    await signIn(page, locale, 'reviewer1@rollplan.example', DEMO_PASSWORD);
    await page.waitForURL(new RegExp(`/app/tasks/${ballot.id}`));
    await expect(page.getByText(t.task.planToRead.replace('{{version}}', '1'))).toBeVisibleSoon();
    await page.getByLabel(t.task.comment, { exact: true }).fill('Revenue 2029 is too timid');
    await lookAt(page, locale, 'task-ballot-v1');
    await page.getByRole('button', { name: buttonName(t.outcome.request_changes) }).click();
    await expect(page.getByText(t.task.submitted).first()).toBeVisibleSoon();
    const otherBallot = await oneOpen('reviewer2@rollplan.example', cycleId, 'plan.review');
    expect((await call('reviewer2@rollplan.example', 'POST', `/tasks/${otherBallot.id}/complete`, { outcome: 'approve' })).status).toBe(200);
    const asked = await call<Task>('reviewer1@rollplan.example', 'GET', `/tasks/${ballot.id}`);
    expect(asked.body.outcome).toBe('request_changes');

    // The inbox is open when the revision arrives: the new ballot shows up without a reload.
    await page.getByRole('link', { name: t.nav.inbox, exact: true }).click();
    await page.waitForURL(/\/app\/inbox/);
    await page.waitForSelector('body[data-live="open"]');
    const revised = samplePlan({ finance: units.finance, customer: units.customer });
    revised.kpis[0].targets[2] = { year: 2029, target: 12_400, monthly: Array<number>(12).fill(12_400 / 12) };
    expect((await call('admin@rollplan.example', 'POST', `/cycles/${cycleId}/drafts`, revised)).status).toBe(201);
    const roundTwo = page.getByRole('link', { name: locale === 'en' ? /v2 \(round 2\)/ : /v2（第 2 轮）/ });
    await expect(roundTwo).toBeVisibleSoon();
    await roundTwo.click();
    await expect(page.getByText(t.task.diffToRead.replace('{{from}}', '1'))).toBeVisibleSoon();
    await expect(page.locator('.redline ins').filter({ hasText: /12[,.]?400/ }).first()).toBeVisibleSoon();
    await lookAt(page, locale, 'task-ballot-redline');
    await page.getByRole('button', { name: buttonName(t.outcome.approve) }).click();
    await expect(page.getByText(t.task.submitted).first()).toBeVisibleSoon();
    const secondOther = await oneOpen('reviewer2@rollplan.example', cycleId, 'plan.review');
    expect((await call('reviewer2@rollplan.example', 'POST', `/tasks/${secondOther.id}/complete`, { outcome: 'approve' })).status).toBe(200);
    expect(errors).toEqual([]);
    await context.close();

    const chair = await personIn(browser, system.baseUrl, locale);
    await chair.page.goto('/');
    await signIn(chair.page, locale, 'chair@rollplan.example', DEMO_PASSWORD);
    await chair.page.waitForURL(/\/app\/inbox/);
    const approval = chair.page.getByRole('link', { name: locale === 'en' ? /Approve plan v2/ : /终审规划 v2/ });
    await expect(approval).toBeVisibleSoon();
    await approval.click();
    await chair.page.getByLabel(t.task.comment, { exact: true }).fill(locale === 'en' ? 'Adopted' : '同意实施');
    await chair.page.getByRole('button', { name: buttonName(t.outcome.approve) }).click();
    await expect(chair.page.getByText(t.task.submitted).first()).toBeVisibleSoon();
    expect(chair.errors).toEqual([]);
    await chair.context.close();
  });

  test('the planning office sees the cycle move to execution, its versions and the redline between them', async () => {
    const { page, errors, context } = await personIn(browser, system.baseUrl, locale);
    await page.goto('/app/cycles');
    await signIn(page, locale, 'admin@rollplan.example', DEMO_PASSWORD);
    await page.waitForURL(/\/app\/cycles/);
    await lookAt(page, locale, 'cycles');
    await page.getByRole('link', { name: locale === 'en' ? 'Group plan 2027–2029' : '集团三年规划 2027–2029' }).click();
    await expect(page.getByText(t.phase.execution).first()).toBeVisibleSoon();
    await expect(page.getByText(t.cycle.versionStatus.approved).first()).toBeVisibleSoon();
    await expect(page.getByText(t.cycle.versionStatus.changes_requested).first()).toBeVisibleSoon();
    await expect(page.locator('.redline del').filter({ hasText: /12[,.]?000/ }).first()).toBeVisibleSoon();
    await lookAt(page, locale, 'cycle');
    await page.getByRole('link', { name: t.nav.notifications, exact: true }).click();
    await lookAt(page, locale, 'notifications');
    expect(errors).toEqual([]);
    await context.close();
  });

  test("a center head reports her milestone late in the month's form, with a new month and why", async () => {
    const { cycleId, open } = await cycleInExecution(system, { title: locale === 'en' ? 'Plan in execution' : '执行中的规划' });
    const task = await oneOpen('customer@rollplan.example', cycleId, 'monthly.milestones');
    const { page, errors, context } = await personIn(browser, system.baseUrl, locale);
    await page.goto(`/app/tasks/${task.id}`);
    await page.waitForURL(/\/app\/sign-in\?next=/);
    await signIn(page, locale, 'customer@rollplan.example', DEMO_PASSWORD);
    await page.waitForURL(new RegExp(`/app/tasks/${task.id}`));
    // The form starts with one report per milestone the unit answers for.
    // (Fields by their ids: the first report's labels repeat the section's words.)
    const field = (name: string) => page.locator(`#payload_reports_0_${name}`);
    await expect(field('milestoneId')).toBeVisibleSoon();
    expect(await field('milestoneId').inputValue()).toBe('south-office');
    await field('status').click();
    await page.locator('.ant-select-item-option').filter({ hasText: t.enum.late }).click();
    const later = `${Number(open.slice(0, 4)) + 1}-03`;
    await field('newDueMonth').fill(later);
    await field('reason').fill(locale === 'en' ? 'The landlord delayed the lease' : '业主推迟签约');
    await lookAt(page, locale, 'task-milestones');
    await page.getByRole('button', { name: buttonName(t.outcome.reported) }).click();
    await expect(page.getByText(t.task.submitted).first()).toBeVisibleSoon();
    const done = await eventually(() => call<Task & { payload: { reports: unknown[] } }>('customer@rollplan.example', 'GET', `/tasks/${task.id}`), (r) => r.body.status === 'completed');
    expect(done.body.payload.reports).toEqual([{ milestoneId: 'south-office', status: 'late', newDueMonth: later, reason: expect.any(String) }]);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('what goes wrong', () => {
  test('a task decided elsewhere meanwhile: the form says so; an expired session goes to sign-in and back', async () => {
    const started = await call<{ id: string }>('admin@rollplan.example', 'POST', '/cycles', { title: 'Elsewhere', startYear: 2027, contributingUnitIds: [units.customer] });
    const task = await oneOpen('customer@rollplan.example', started.body.id, 'plan.contribution');
    const t = TEXT.en;
    const { page, errors, context } = await personIn(browser, system.baseUrl, 'en');
    await page.goto(`/app/tasks/${task.id}`);
    await signIn(page, 'en', 'customer@rollplan.example', DEMO_PASSWORD);
    await page.waitForURL(new RegExp(`/app/tasks/${task.id}`));
    for (const field of [t.field.customers, t.field.marketing, t.field.brand]) await page.getByLabel(field).fill('analysed');
    // The same head submits from another device first.
    const payload = { area: 'customer', customers: 'a', marketing: 'b', brand: 'c' };
    expect((await call('customer@rollplan.example', 'POST', `/tasks/${task.id}/complete`, { outcome: 'submitted', payload })).status).toBe(200);
    await page.getByRole('button', { name: buttonName(t.outcome.submitted) }).click();
    await expect(page.getByRole('alert').filter({ hasText: t.error.decidedElsewhere })).toBeVisibleSoon();

    // Signed out everywhere (another device): the next request finds the session gone.
    expect((await call('customer@rollplan.example', 'POST', '/auth/logout', { everywhere: true })).status).toBe(204);
    await page.getByRole('link', { name: t.nav.cycles, exact: true }).click();
    await page.waitForURL(/\/app\/sign-in\?next=%2Fcycles/);
    await expect(page.getByText(t.auth.expired)).toBeVisibleSoon();
    await signIn(page, 'en', 'customer@rollplan.example', DEMO_PASSWORD);
    await page.waitForURL(/\/app\/cycles$/);
    expect(errors).toEqual([]);
    await context.close();
  });

  test('keyboard only: sign in, reach the inbox and open a task without a mouse', async () => {
    const started = await call<{ id: string }>('admin@rollplan.example', 'POST', '/cycles', { title: 'Keyboard', startYear: 2027, contributingUnitIds: [units.hr] });
    await oneOpen('hr@rollplan.example', started.body.id, 'plan.contribution');
    const { page, context } = await personIn(browser, system.baseUrl, 'en');
    await page.goto('/app/sign-in');
    // The e-mail field takes the focus when the page opens.
    await expect(page.locator('input[type="email"]:focus')).toBeVisibleSoon();
    await page.keyboard.type('hr@rollplan.example');
    await page.keyboard.press('Tab');
    await page.keyboard.type(DEMO_PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/app\/inbox/);
    await expect(page.locator('a.task-link').first()).toBeVisibleSoon();
    // Through the header and the filters to the first task.
    let reached = false;
    for (let i = 0; i < 30 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = (await page.evaluate<boolean>("Boolean(document.activeElement?.classList.contains('task-link'))"));
    }
    expect(reached).toBe(true);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/app\/tasks\//);
    // The decision form's fields and buttons are reachable the same way.
    let onField = false;
    for (let i = 0; i < 30 && !onField; i++) {
      await page.keyboard.press('Tab');
      onField = await page.evaluate<boolean>("document.activeElement?.id === 'payload_people'");
    }
    expect(onField).toBe(true);
    await context.close();
  });
});

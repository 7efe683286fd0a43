import request from 'supertest';
import { localDateOf, nthWorkingDayEnd, workingDaysAfter, type BusinessCalendar } from '@rollplan/domain';
import { cycleInExecution } from '../support/http-cycle';
import { ORG_TIME_ZONE, orgMonthNow } from '../support/org-time';
import { DEMO, startTestSystem, type TestSystem } from '../support/system';

// The business calendar (issue 18): mainland China's holidays and make-up days from the data
// package, the planning office's entries over them, and due dates fixed from it when a month opens.
describe('the business calendar', () => {
  let system: TestSystem;
  const as = async (email: string) => request.agent(system.baseUrl).auth(await system.tokenFor(email), { type: 'bearer' });
  beforeAll(async () => {
    system = await startTestSystem();
  });
  afterAll(() => system?.stop());

  it("serves a packaged year, and the office's entries over a year the package does not know", async () => {
    const finance = await as(DEMO.finance);
    const { body: y2026 } = await finance.get('/calendar/2026').expect(200);
    expect(y2026).toMatchObject({ year: 2026, timeZone: ORG_TIME_ZONE, known: true });
    expect(y2026.days).toEqual(expect.arrayContaining([
      expect.objectContaining({ date: '2026-02-17', kind: 'holiday', source: 'package' }),
      expect.objectContaining({ date: '2026-02-14', kind: 'workday', source: 'package' }),
      expect.objectContaining({ date: '2026-10-10', kind: 'workday', source: 'package' }),
    ]));

    const admin = await as(DEMO.admin);
    const { body: far } = await admin.get('/calendar/2199').expect(200);
    expect(far).toMatchObject({ known: false, days: [] });
    await admin.put('/calendar/entries/2199-02-03').send({ kind: 'holiday', name: '春节 Spring Festival' }).expect(200);
    await admin.put('/calendar/entries/2199-01-31').send({ kind: 'workday', name: '春节调休' }).expect(200);
    expect((await admin.get('/calendar/2199').expect(200)).body).toMatchObject({
      known: true,
      days: [
        { date: '2199-01-31', kind: 'workday', name: '春节调休', source: 'office' },
        { date: '2199-02-03', kind: 'holiday', name: '春节 Spring Festival', source: 'office' },
      ],
    });
    // The office's word over the package's: a packaged holiday made a working day.
    await admin.put('/calendar/entries/2026-02-23').send({ kind: 'workday', name: 'back early' }).expect(200);
    expect((await finance.get('/calendar/2026').expect(200)).body.days).toContainEqual({ date: '2026-02-23', kind: 'workday', name: 'back early', source: 'office' });
    await admin.delete('/calendar/entries/2026-02-23').expect(204);
    expect((await finance.get('/calendar/2026').expect(200)).body.days).toContainEqual(expect.objectContaining({ date: '2026-02-23', kind: 'holiday', source: 'package' }));

    // Bad input and who may edit.
    expect((await admin.put('/calendar/entries/2199-02-30').send({ kind: 'holiday', name: 'x' }).expect(400)).body.details).toEqual([{ path: 'date', message: 'not a calendar date' }]);
    expect((await admin.put('/calendar/entries/2199-02-04').send({ kind: 'weekend', name: 'x' }).expect(400)).body.details[0].path).toBe('kind');
    await finance.put('/calendar/entries/2199-02-04').send({ kind: 'holiday', name: 'x' }).expect(403);
    await admin.delete('/calendar/entries/2199-02-05').expect(404);
    const audit = await admin.get('/audit').query({ subjectType: 'calendar', subjectId: '2199-02-03' }).expect(200);
    expect(audit.body.items).toEqual([expect.objectContaining({ action: 'calendar.entry_set', data: { kind: 'holiday', name: '春节 Spring Festival' } })]);
  });

  it('fixes a month\'s actuals due date from the calendar as it is when the month opens', async () => {
    const admin = await as(DEMO.admin);
    const thisMonth = orgMonthNow();
    const yearDays = async (year: number) => (await admin.get(`/calendar/${year}`).expect(200)).body.days as { date: string; kind: string }[];
    const days = [...(await yearDays(thisMonth.year)), ...(await yearDays(thisMonth.year + 1))];
    const base: BusinessCalendar = { timeZone: ORG_TIME_ZONE, holidays: days.filter((d) => d.kind === 'holiday').map((d) => d.date), workdays: days.filter((d) => d.kind === 'workday').map((d) => d.date) };
    // The office declares a day off that moves the due date: the 5th working day itself, or when
    // that has passed (the month opens late, with five working days from now) the next working day.
    const regular = nthWorkingDayEnd(thisMonth, 5, base);
    const late = regular <= Date.now() + 60_000;
    const dayOff = localDateOf((late ? workingDaysAfter(Date.now(), 1, base) : regular) - 1, ORG_TIME_ZONE);
    await admin.put(`/calendar/entries/${dayOff}`).send({ kind: 'holiday', name: 'Announced today' }).expect(200);
    try {
      const withDayOff = { ...base, holidays: [...base.holidays, dayOff] };
      const expected = late ? workingDaysAfter(Date.now(), 5, withDayOff) : nthWorkingDayEnd(thisMonth, 5, withDayOff);

      const { cycleId, open } = await cycleInExecution(system, { title: 'Calendar at work' });
      const { body: month } = await admin.get(`/cycles/${cycleId}/periods/${open}`).expect(200);
      expect(month.actualsDueAt).toBe(new Date(expected).toISOString());
      // Beijing midnight, not UTC's.
      expect(month.actualsDueAt).toMatch(/T16:00:00\.000Z$/);
      expect(new Date(month.closesAt).toISOString()).toMatch(/T16:00:00\.000Z$/);
      // The finance center's actuals task carries that due date.
      const finance = await as(DEMO.finance);
      const tasks = (await finance.get('/tasks').query({ cycleId, kind: 'monthly.actuals' }).expect(200)).body.items;
      expect(tasks.length).toBeGreaterThan(0);
      for (const task of tasks) expect(task.dueAt).toBe(month.actualsDueAt);

      // Changing the calendar moves only due dates not yet fixed: this month keeps its own.
      await admin.delete(`/calendar/entries/${dayOff}`).expect(204);
      expect((await admin.get(`/cycles/${cycleId}/periods/${open}`).expect(200)).body.actualsDueAt).toBe(month.actualsDueAt);
    } finally {
      await admin.delete(`/calendar/entries/${dayOff}`);
    }
  });
});

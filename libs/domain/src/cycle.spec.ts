import { CyclePhase, cycleWorkflowId, isTerminalPhase } from './cycle';
import { cancelCycleSchema, listCyclesQuerySchema, startCycleSchema } from './cycle.schema';

describe('startCycleSchema', () => {
  it('accepts a title and start year and defaults the rest: three years, no internal review, 7-day reviews, 3 rounds', () => {
    expect(startCycleSchema.parse({ title: '  Plan 2027  ', startYear: 2027 })).toEqual({
      title: 'Plan 2027',
      startYear: 2027,
      horizonYears: 3,
      actualsWorkingDay: 5,
      rollingAdjustment: { auto: true, leadMonths: 2 },
      internalReviewUnitIds: [],
      committee: { reviewDays: 7, maxRounds: 3 },
      monitoring: { pastMonths: 'skip' },
    });
  });

  it('takes the month monitoring starts from within the plan years only', () => {
    expect(startCycleSchema.parse({ title: 'Plan', startYear: 2026, monitoring: { from: '2026-10', pastMonths: 'backfill' } }).monitoring).toEqual({ from: '2026-10', pastMonths: 'backfill' });
    const outside = startCycleSchema.safeParse({ title: 'Plan', startYear: 2026, monitoring: { from: '2029-01' } });
    expect(outside.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['monitoring.from', 'must be a month of the plan years 2026–2028']]);
    expect(startCycleSchema.safeParse({ title: 'Plan', startYear: 2026, monitoring: { from: '2026-13' } }).success).toBe(false);
  });

  it('names every bad field at once', () => {
    const result = startCycleSchema.safeParse({ title: '', startYear: 2027.5, horizonYears: 5, owner: 'x' });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => (i.code === 'unrecognized_keys' ? i.keys.join() : i.path.join('.')));
    expect(paths.sort()).toEqual(['horizonYears', 'owner', 'startYear', 'title']);
  });

  it.each([1999, 2101, '2027', null])('rejects start year %j', (startYear) => {
    expect(startCycleSchema.safeParse({ title: 'Plan', startYear }).success).toBe(false);
  });

  it('keeps text that looks like markup or SQL verbatim', () => {
    const title = `<script>alert(1)</script>'; DROP TABLE cycles; --`;
    expect(startCycleSchema.parse({ title, startYear: 2027 }).title).toBe(title);
  });
});

describe('other cycle inputs', () => {
  it('requires a non-blank cancellation reason', () => {
    expect(cancelCycleSchema.safeParse({ reason: '   ' }).success).toBe(false);
    expect(cancelCycleSchema.parse({ reason: ' budget frozen ' })).toEqual({ reason: 'budget frozen' });
  });

  it('coerces list paging from the query string and bounds it', () => {
    expect(listCyclesQuerySchema.parse({ limit: '10', offset: '20' })).toEqual({ limit: 10, offset: 20 });
    expect(listCyclesQuerySchema.safeParse({ limit: '0' }).success).toBe(false);
    expect(listCyclesQuerySchema.safeParse({ limit: '201' }).success).toBe(false);
    expect(listCyclesQuerySchema.safeParse({ phase: 'nonsense' }).success).toBe(false);
  });

  it('treats closed, rejected and cancelled as terminal', () => {
    const terminal = Object.values(CyclePhase).filter(isTerminalPhase).sort();
    expect(terminal).toEqual(['cancelled', 'closed', 'rejected']);
  });

  it('derives the workflow id from the cycle id', () => {
    expect(cycleWorkflowId('0b6f')).toBe('cycle-0b6f');
  });
});

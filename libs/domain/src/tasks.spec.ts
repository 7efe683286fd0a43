import { escalationSchedule, majorityOf, tallyGroup } from './tasks';
import { validateDecision } from './tasks.schema';

const DAY = 86_400_000;
const HOUR = 3_600_000;

describe('tallyGroup', () => {
  it.each([
    // rule, voters, votes (true = pass), expected state
    [{ kind: 'all' }, 3, [true, true], 'open'],
    [{ kind: 'all' }, 3, [true, true, true], 'passed'],
    [{ kind: 'all' }, 3, [true, false], 'failed'],
    [{ kind: 'any' }, 3, [false, false], 'open'],
    [{ kind: 'any' }, 3, [false, true], 'passed'],
    [{ kind: 'any' }, 3, [false, false, false], 'failed'],
    [{ kind: 'n_of_m', n: 2 }, 3, [true], 'open'],
    [{ kind: 'n_of_m', n: 2 }, 3, [true, false], 'open'],
    [{ kind: 'n_of_m', n: 2 }, 3, [true, false, true], 'passed'],
    [{ kind: 'n_of_m', n: 2 }, 3, [false, false], 'failed'],
    [{ kind: 'n_of_m', n: 5 }, 3, [true, true, true], 'passed'],
  ] as const)('%o with %i voters after %j is %s', (rule, voters, votes, state) => {
    expect(tallyGroup(rule, voters, votes.map((pass) => ({ pass }))).state).toBe(state);
  });
});

describe('escalationSchedule', () => {
  const opened = Date.UTC(2027, 0, 1);
  const due = opened + 7 * DAY;
  const head = { type: 'user', userId: 'head' } as const;
  const office = { type: 'unit', unitId: 'office' } as const;

  it('reminds before due, escalates along the chain, then expires', () => {
    const steps = escalationSchedule(due, { remindBeforeMs: [2 * HOUR, 2 * DAY], chain: [head, office], graceMs: 3 * DAY }, opened);
    expect(steps).toEqual([
      { at: due - 2 * DAY, kind: 'remind', holder: 0 },
      { at: due - 2 * HOUR, kind: 'remind', holder: 0 },
      { at: due, kind: 'escalate', to: head, step: 1 },
      { at: due + 3 * DAY, kind: 'escalate', to: office, step: 2 },
      { at: due + 6 * DAY, kind: 'expire' },
    ]);
  });

  it('drops reminders that would fall before the task was opened', () => {
    const steps = escalationSchedule(opened + HOUR, { remindBeforeMs: [2 * DAY], chain: [], graceMs: DAY }, opened);
    expect(steps).toEqual([{ at: opened + HOUR, kind: 'expire' }]);
  });
});

describe('validateDecision', () => {
  it('accepts an outcome of the kind with a valid payload', () => {
    expect(validateDecision('committee.vote', 'approve', { note: 'sound plan' })).toEqual([]);
  });

  it('names a bad outcome and unknown payload fields', () => {
    expect(validateDecision('committee.vote', 'maybe', { note: 'x', score: 3 })).toEqual([
      { path: 'outcome', message: 'must be one of: approve, reject' },
      { path: 'payload.score', message: 'unknown field' },
    ]);
  });

  it("refuses a center's analysis of another area than its task asks for", () => {
    const customer = { area: 'customer', customers: 'c', marketing: 'm', brand: 'b' };
    expect(validateDecision('plan.contribution', 'submitted', customer, { area: 'hr' })).toEqual([{ path: 'payload.area', message: 'this task asks for the hr analysis, not customer' }]);
    expect(validateDecision('plan.contribution', 'submitted', customer, { area: 'customer' })).toEqual([]);
  });
});

describe('majorityOf', () => {
  it('needs more than half of the voters, and at least one vote', () => {
    expect([0, 1, 2, 3, 4, 5].map((voters) => majorityOf(voters))).toEqual([1, 1, 2, 2, 3, 3].map((n) => ({ kind: 'n_of_m', n })));
  });
});

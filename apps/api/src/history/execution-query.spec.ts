import { executionFilterSchema, executionQuery } from './execution-query';

describe('execution search', () => {
  it('builds the list filter Temporal and `temporal workflow list --query` take', () => {
    const filter = executionFilterSchema.parse({
      cycleId: '0b6f2f1e-8c4a-4d36-9a51-3c1f9f8e2a10',
      procedure: 'monthly-review',
      planYear: '2027',
      period: '2027-03',
      status: 'continued_as_new',
      unitId: '5d1c8a9e-6f4b-4c2a-8e3d-1a2b3c4d5e6f',
    });
    expect(executionQuery(filter)).toBe(
      "RollplanCycleId = '0b6f2f1e-8c4a-4d36-9a51-3c1f9f8e2a10' AND RollplanProcedure = 'monthly-review' AND RollplanPlanYear = 2027 AND RollplanPeriod = '2027-03' AND ExecutionStatus = 'ContinuedAsNew' AND RollplanUnits = '5d1c8a9e-6f4b-4c2a-8e3d-1a2b3c4d5e6f'",
    );
    expect(executionQuery({})).toBe('');
  });

  it.each([
    [{ planYear: 'next' }, 'planYear'],
    [{ period: '2027-13' }, 'period'],
    [{ procedure: "monthly-review' OR 1=1" }, 'procedure'],
    [{ status: 'asleep' }, 'status'],
    [{ cycleId: 'cycle-1' }, 'cycleId'],
    [{ unknown: 'x' }, ''],
  ])('refuses %j', (input, path) => {
    const result = executionFilterSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].path.join('.')).toBe(path);
  });
});

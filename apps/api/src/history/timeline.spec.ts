import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowType } from '@rollplan/workflows';
import { TimelineType, decodePayload, linkedExecutions, tasksOfHistories, timelineOfHistory, type HistoryJson } from './timeline';

// Recorded histories (test/fixtures/histories) read as an auditor would.
const fixture = (path: string): HistoryJson => JSON.parse(readFileSync(join(__dirname, '../../../../test/fixtures/histories', path), 'utf8'));
const run = (workflowType: string) => ({ workflowId: 'wf', runId: 'run', workflowType });

describe('timeline of a history', () => {
  it('reads drafting and two review rounds as decisions with their actors, versions and verdicts, in order', () => {
    const history = fixture('planningCycle/drafting-two-rounds-approved.v0.6.0.json');
    const entries = timelineOfHistory(run(WorkflowType.PlanningCycle), history, tasksOfHistories([history]));
    const decisive = entries.filter((e) => ([TimelineType.Decision, TimelineType.PlanVersion, TimelineType.PlanVerdict, TimelineType.Command] as string[]).includes(e.type));
    expect(decisive.map((e) => [e.type, e.details.kind ?? null, e.details.outcome ?? e.details.verdict ?? e.details.version ?? e.details.name])).toEqual([
      ['decision', 'plan.contribution', 'submitted'],
      ['decision', 'plan.contribution', 'submitted'],
      ['plan.version', null, 1],
      ['decision', 'plan.internal_review', 'no_objection'],
      ['decision', 'plan.review', 'request_changes'],
      ['decision', 'plan.review', 'approve'],
      ['plan.verdict', null, 'changes_requested'],
      ['plan.version', null, 2],
      ['decision', 'plan.internal_review', 'no_objection'],
      ['decision', 'plan.review', 'approve'],
      ['decision', 'plan.review', 'approve'],
      ['decision', 'plan.final_approval', 'approve'],
      ['plan.verdict', null, 'approved'],
      ['command', null, 'cancelCycle'],
    ]);
    // People decide; the committee's verdict is the workflow's.
    expect(decisive.filter((e) => e.type !== TimelineType.PlanVerdict).every((e) => typeof e.actorId === 'string')).toBe(true);
    expect(decisive.filter((e) => e.type === TimelineType.PlanVerdict).map((e) => e.actorId)).toEqual([null, null]);
    expect(decisive.find((e) => e.details.verdict === 'approved')?.summary).toBe('Plan version 2 approved, effective from 2027-01');
    expect(decisive.at(-1)).toMatchObject({ summary: 'Cancellation of the cycle requested: recorded for replay', details: { reason: 'recorded for replay' } });
    expect(entries.map((e) => e.at)).toEqual([...entries.map((e) => e.at)].sort());
  });

  it('names the code paths the execution took, once each', () => {
    const history = fixture('planningCycle/drafting-two-rounds-approved.v0.6.0.json');
    const patches = timelineOfHistory(run(WorkflowType.PlanningCycle), history, new Map()).filter((e) => e.type === TimelineType.CodeVersion);
    expect(patches.map((e) => e.details.patch)).toEqual(['cycle-drafting-and-review', 'cycle-monthly-loop', 'cycle-rolling-adjustment']);
  });

  it('names a task carried into a later month by what it was opened as', () => {
    const february = fixture('monthlyReview/months-with-cause-action-and-change-2.v0.6.0.json');
    const march = fixture('monthlyReview/months-with-cause-action-and-change-3.v0.6.0.json');
    const alone = timelineOfHistory(run(WorkflowType.MonthlyReview), march, tasksOfHistories([march])).filter((e) => e.type === TimelineType.Decision);
    const together = timelineOfHistory(run(WorkflowType.MonthlyReview), march, tasksOfHistories([february, march])).filter((e) => e.type === TimelineType.Decision);
    expect(alone.at(-1)?.summary).toMatch(/^task [0-9a-f-]{36}: done$/);
    expect(together.at(-1)?.summary).toBe('monthly.action "Win back the order": done');
    expect(together.at(-1)?.details.kind).toBe('monthly.action');
  });

  it('reads a month: opening, actuals with their source, the analysis, escalations and the closing timer', () => {
    const history = fixture('monthlyReview/months-with-cause-action-and-change-2.v0.6.0.json');
    const entries = timelineOfHistory(run(WorkflowType.MonthlyReview), history, tasksOfHistories([history]));
    expect(entries[0]).toMatchObject({ type: TimelineType.ExecutionStarted, summary: 'Month 2027-02 opened with plan version 1' });
    expect(entries.filter((e) => e.type === TimelineType.Actuals).map((e) => e.details.source).sort()).toEqual(['api', 'csv']);
    expect(entries.filter((e) => e.type === TimelineType.Analysis)[0].summary).toBe('Month 2027-02 analysed: 1 off track, 1 on track');
    expect(entries.filter((e) => e.type === TimelineType.TimerFired).every((e) => /^Timer fired after \d/.test(e.summary))).toBe(true);
    expect(entries.at(-1)).toMatchObject({ type: TimelineType.ExecutionClosed, details: { status: 'completed' } });
    // The unit a KPI's actuals concern is on the entry, for the unit filter.
    const revenue = entries.find((e) => e.type === TimelineType.Actuals && e.summary.includes('revenue-cny'));
    expect(revenue?.unitIds.length).toBeGreaterThan(0);
  });

  it('finds the executions a history names: months started, the runs before and after', () => {
    const cycle = fixture('planningCycle/months-with-cause-action-and-change.v0.7.0.json');
    const linked = linkedExecutions('cycle-x', cycle);
    expect(linked.length).toBeGreaterThanOrEqual(4);
    const months = linked.filter((l) => l.workflowId.startsWith('month-')).map((l) => l.workflowId.slice(-7));
    expect(months.slice(0, 4)).toEqual(['2027-01', '2027-02', '2027-03', '2027-04']);
    expect(new Set(linked.map((l) => l.runId)).size).toBe(linked.length);
    // A run that continued another and continued as new names both.
    const middle: HistoryJson = {
      events: [
        { eventId: '1', eventTime: '2028-01-01T00:00:00Z', eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED', workflowExecutionStartedEventAttributes: { continuedExecutionRunId: 'run-1' } },
        { eventId: '9', eventTime: '2029-01-01T00:00:00Z', eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW', workflowExecutionContinuedAsNewEventAttributes: { newExecutionRunId: 'run-3' } },
      ],
    };
    expect(linkedExecutions('cycle-x', middle)).toEqual([
      { workflowId: 'cycle-x', runId: 'run-1' },
      { workflowId: 'cycle-x', runId: 'run-3' },
    ]);
  });

  it('decodes JSON payloads and leaves null and binary ones undefined', () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    expect(decodePayload({ metadata: { encoding: b64('json/plain') }, data: b64('{"a":1}') })).toEqual({ a: 1 });
    expect(decodePayload({ metadata: { encoding: b64('binary/null') } })).toBeUndefined();
    expect(decodePayload(undefined)).toBeUndefined();
  });
});

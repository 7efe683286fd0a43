import { randomUUID } from 'node:crypto';
import { Client, type WorkflowClientInterceptor } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { seedDemoOrganization } from '@rollplan/api';
import { OrgUnitEntity, UserEntity } from '@rollplan/db';
import { WorkflowType, tasksQuery, type HumanTaskInput } from '@rollplan/workflows';
import { useWorkflowTestBed } from '../support/temporal';

const DAY = 86_400_000;
// The header OpenTelemetry's Temporal interceptors read and write (libs/workflows/src/tracing.ts).
const TRACE_HEADER = '_tracer-data';

// How far a caller's trace follows a workflow (issue 20): into what its start set going, not into
// what a timer opens days later. Read from the history: the header each scheduled activity carries.
describe('a trace through a workflow (time-skipping)', () => {
  const bed = useWorkflowTestBed('tracing');

  it('hands the starting trace to the activities the start set going, not to reminders days later', async () => {
    await seedDemoOrganization(bed.db.dataSource);
    const admin = await bed.db.dataSource.getRepository(UserEntity).findOneByOrFail({ email: 'admin@rollplan.example' });
    const finance = await bed.db.dataSource.getRepository(OrgUnitEntity).findOneByOrFail({ code: 'finance' });
    const traceparent = `00-${'4bf92f3577b34da6a3ce929d0e0e4736'}-${'00f067aa0ba902b7'}-01`;
    // A client that starts workflows within that trace, as the API's does within a request's.
    const tracing: WorkflowClientInterceptor = {
      start: (input, next) => next({ ...input, headers: { ...input.headers, [TRACE_HEADER]: defaultPayloadConverter.toPayload({ traceparent }) } }),
    };
    const client = new Client({ connection: bed.env.connection, interceptors: { workflow: [tracing] } });
    const now = Number(await bed.env.currentTimeMs());
    const input: HumanTaskInput = {
      requestedBy: { userId: admin.id, roles: ['admin'], unitId: admin.unitId, via: 'user' },
      tasks: [
        {
          kind: 'adhoc.request',
          title: 'Traced request',
          assignee: { type: 'unit', unitId: finance.id },
          dueAt: new Date(now + 5 * DAY).toISOString(),
          escalation: { remindBeforeMs: [2 * DAY], chain: [], graceMs: 3 * DAY },
        },
      ],
    };
    const handle = await client.workflow.start(WorkflowType.HumanTask, { workflowId: `task-${randomUUID()}`, taskQueue: bed.taskQueue, args: [input] });
    for (let i = 0; i < 200 && (await handle.query(tasksQuery)).length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    await bed.env.sleep(4 * DAY); // past the reminder, two days before due

    const { events } = await handle.fetchHistory();
    const headers = (activityType: string) =>
      events!
        .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activityType)
        .map((e) => {
          const payload = e.activityTaskScheduledEventAttributes!.header?.fields?.[TRACE_HEADER];
          return payload ? defaultPayloadConverter.fromPayload<{ traceparent: string }>(payload as Payload).traceparent : null;
        });
    // Opening the task is what the start set going: in the caller's trace, a child of its span.
    expect(headers('openTask')).toEqual([traceparent]);
    // The reminder, opened by a timer days later, starts no part of that trace.
    expect(headers('remindTask')).toEqual([null]);
  });
});

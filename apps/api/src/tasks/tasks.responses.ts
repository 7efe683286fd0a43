import { z } from 'zod';
import { TASK_KIND_NAMES, assigneeSchema } from '@rollplan/domain';
import { isoTime, nullableText, pageOf, responseDto } from '../common/openapi-types';

const openPayload = () => z.record(z.string(), z.unknown()).describe('the decision payload: its shape depends on the kind (its JSON Schema: GET /task-kinds)');

/** A task as the inbox shows it (the tasks read model). */
const taskViewSchema = z.strictObject({
  id: z.uuid(),
  kind: z.enum(TASK_KIND_NAMES),
  title: z.string(),
  status: z.enum(['open', 'claimed', 'completed', 'cancelled']),
  assignee: assigneeSchema.describe('who holds it now: a person, a unit (any member may claim it) or the committee'),
  eligibleUserIds: z.array(z.uuid()).describe('who may act on it now'),
  claimedBy: z.uuid().nullable(),
  delegatedBy: z.uuid().nullable().describe('who delegated it: they stay accountable'),
  submittedBy: z.uuid().nullable().describe('who submitted the work under decision (four eyes)'),
  cycleId: z.uuid().nullable(),
  links: z.record(z.string(), z.string()).describe('what the task is about: area, unitId, version, round, period, kpiId, …'),
  context: z.record(z.string(), z.unknown()).optional().describe('what the holder needs to decide, by kind (e.g. the figures for a rolling adjustment); absent when there is none'),
  dueAt: isoTime(),
  escalationStep: z.number().int().min(0),
  outcome: nullableText().describe('one of the kind’s outcomes, once decided'),
  comment: nullableText(),
  payload: openPayload().nullable(),
  decidedBy: z.uuid().nullable(),
  decidedAt: isoTime().nullable(),
  cancelReason: nullableText(),
  openedAt: isoTime(),
});
export class TaskViewDto extends responseDto(taskViewSchema) {}
export class TaskPageDto extends responseDto(pageOf(taskViewSchema)) {}

/** What the workflow holding the task recorded for a decision (POST /tasks/:id/complete). */
export class TaskDecisionDto extends responseDto(
  z.strictObject({
    taskId: z.uuid(),
    outcome: z.string(),
    comment: z.string().optional(),
    payload: openPayload().optional(),
    decidedBy: z.uuid().optional().describe('absent when the system decided (a timeout outcome)'),
    decidedAt: isoTime(),
  }),
) {}

export class TaskCommentViewDto extends responseDto(z.strictObject({ id: z.uuid(), authorId: z.uuid(), body: z.string(), createdAt: isoTime() })) {}

export class RequestOpenedDto extends responseDto(
  z.strictObject({
    requestId: z.string().describe('workflow id of the request'),
    ballots: z.number().int().min(1).describe('tasks opened: one, or one ballot per committee member'),
  }),
) {}

/** GET /task-kinds: what a client needs to build each kind's decision form. */
export class TaskKindDto extends responseDto(
  z.strictObject({
    kind: z.enum(TASK_KIND_NAMES),
    outcomes: z.array(z.string()),
    fourEyes: z.boolean().describe('the person who submitted the work under decision may not decide it'),
    closedBySystem: z.string().optional().describe('closed by the workflow once the work arrives elsewhere: where to send it'),
    payloadSchema: z.record(z.string(), z.unknown()).describe("JSON Schema (draft 2020-12) of the decision's payload, as the API validates it"),
  }),
) {}

import { z } from 'zod';
import { CyclePhase, ROLES, planContentSchema } from '@rollplan/domain';
import { auditRecordSchema } from '../audit/audit.responses';
import { isoTime, responseDto } from '../common/openapi-types';
import { TimelineType } from './timeline';

const executionStatus = z.enum(['UNSPECIFIED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'TERMINATED', 'CONTINUED_AS_NEW', 'TIMED_OUT', 'PAUSED', 'UNKNOWN']);

/** A workflow execution as Temporal's visibility lists it. */
const executionSchema = z.strictObject({
  workflowId: z.string(),
  runId: z.uuid(),
  workflowType: z.string(),
  status: executionStatus,
  startTime: isoTime(),
  closeTime: isoTime().nullable(),
  historyLength: z.number().int().min(0),
  parent: z.strictObject({ workflowId: z.string(), runId: z.string() }).nullable().describe('the execution that started it as a child'),
  searchAttributes: z.record(z.string(), z.unknown()).describe('RollplanCycleId, RollplanProcedure, RollplanPlanYear, RollplanPeriod, RollplanUnits, …'),
});

export class ExecutionPageDto extends responseDto(
  z.strictObject({
    query: z.string().describe('the visibility list filter used: `temporal workflow list --query "…"` runs the same search'),
    items: z.array(executionSchema),
    nextPageToken: z
      .string()
      .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/)
      .nullable()
      .describe('pass as pageToken for the next page; null on the last'),
  }),
) {}

const TIMELINE_TYPES = Object.values(TimelineType) as [TimelineType, ...TimelineType[]];

/** One entry of a cycle's timeline: a workflow history event in business terms, or an audit record. */
const timelineItemSchema = z.strictObject({
  at: isoTime(),
  type: z.enum(TIMELINE_TYPES),
  summary: z.string().describe('one line in business terms'),
  actorId: z.uuid().nullable(),
  actorRoles: z.array(z.enum(ROLES)),
  via: z.enum(['user', 'api_token']).optional().describe('`api_token` when a machine client acted for the actor'),
  unitIds: z.array(z.uuid()).describe("org units the entry concerns: the actor's, the task holder's, a KPI owner's"),
  source: z.enum(['workflow', 'audit']),
  workflowId: z.string().optional(),
  runId: z.string().optional(),
  eventId: z.number().int().min(1).optional().describe("the history event's id"),
  auditRecordId: z.number().int().min(1).optional().describe('the audit record of the same act'),
  details: z.record(z.string(), z.unknown()).describe('what the entry carries, by type: task id and kind, outcome, comment, version, reason, …'),
  actor: z.strictObject({ id: z.uuid(), name: z.string(), email: z.string(), unitId: z.uuid().nullable() }).nullable(),
});

export class TimelineDto extends responseDto(
  z.strictObject({
    cycleId: z.uuid(),
    total: z.number().int().min(0),
    limit: z.number().int().min(1),
    offset: z.number().int().min(0),
    executions: z
      .array(z.strictObject({ workflowId: z.string(), runId: z.uuid(), workflowType: z.string(), status: executionStatus }))
      .describe("every execution of the cycle the timeline was read from: its runs, months and requests"),
    items: z.array(timelineItemSchema),
  }),
) {}

/** The history of an execution as `temporal workflow show --output json` prints it (replayable). */
const historySchema = z.strictObject({
  events: z.array(
    z
      .looseObject({ eventId: z.string(), eventTime: isoTime(), eventType: z.string() })
      .describe("a history event in Temporal's proto3 JSON form; its attributes depend on its type"),
  ),
});

/** GET /cycles/:id/export: a cycle's complete record, streamed as one JSON document (an attachment). */
export class CycleExportDto extends responseDto(
  z.strictObject({
    format: z.literal('rollplan.cycle-export.v1'),
    exportedAt: isoTime(),
    cycle: z
      .strictObject({
        id: z.uuid(),
        title: z.string(),
        startYear: z.number().int(),
        horizonYears: z.number().int(),
        phase: z.enum(Object.values(CyclePhase) as [CyclePhase, ...CyclePhase[]]),
        phaseSince: isoTime(),
        workflowId: z.string(),
        cancelReason: z.string().nullable(),
        effectiveVersion: z.number().int().nullable(),
        createdAt: isoTime(),
        updatedAt: isoTime(),
      })
      .describe("the cycle's read model"),
    planVersions: z.array(
      z.strictObject({
        cycleId: z.uuid(),
        version: z.number().int().min(1),
        status: z.enum(['in_review', 'changes_requested', 'approved', 'rejected', 'superseded']),
        content: planContentSchema,
        submittedBy: z.uuid(),
        submittedAt: isoTime(),
        round: z.number().int().min(0),
        decidedAt: isoTime().nullable(),
        effectiveFrom: z.string().nullable(),
      }),
    ),
    auditRecords: z.array(auditRecordSchema),
    executions: z.array(z.strictObject({ execution: executionSchema, history: historySchema })).describe('every execution of the cycle, oldest first'),
  }),
) {}

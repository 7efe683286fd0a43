// Reads Temporal histories (in the JSON form `temporal workflow show --output json` prints) as
// business events: tasks opened, reminders, escalations, decisions with their actor, plan
// versions and verdicts, months, timers, code versions. Pure: no SDK, no I/O; the API feeds it
// histories and merges the result with the audit log (GET /cycles/:id/history).
import type { Actor, Assignee } from '@rollplan/domain';
import { WorkflowType, type CycleActivities, type MonitoringActivities, type PlanActivities, type TaskActivities, type TaskDecision, type TaskSpec } from '@rollplan/workflows';

/**
 * The activities a history can name, from the interfaces the worker implements: renaming one
 * makes its `case` below fail to compile instead of silently dropping its timeline entries.
 */
type ActivityName = keyof (CycleActivities & TaskActivities & PlanActivities & MonitoringActivities);
const OPEN_TASK: ActivityName = 'openTask';

/** The kinds of timeline entries; `?type=` filters on these. */
export const TimelineType = {
  ExecutionStarted: 'execution.started',
  ExecutionContinued: 'execution.continued',
  ExecutionClosed: 'execution.closed',
  CancelRequested: 'execution.cancel_requested',
  CodeVersion: 'code.version',
  Command: 'command',
  TaskOpened: 'task.opened',
  TaskReminded: 'task.reminded',
  TaskEscalated: 'task.escalated',
  TaskClaimed: 'task.claimed',
  TaskDelegated: 'task.delegated',
  TaskRescheduled: 'task.rescheduled',
  TaskCancelled: 'task.cancelled',
  Decision: 'decision',
  PlanVersion: 'plan.version',
  PlanVerdict: 'plan.verdict',
  CyclePhase: 'cycle.phase',
  Actuals: 'actuals',
  Analysis: 'analysis',
  Period: 'period',
  Report: 'report',
  TimerFired: 'timer.fired',
  Audit: 'audit',
} as const;
export type TimelineType = (typeof TimelineType)[keyof typeof TimelineType];

export interface TimelineEntry {
  at: string;
  type: TimelineType;
  /** One line in business terms, e.g. "Plan version 2 approved, effective from 2027-01". */
  summary: string;
  actorId: string | null;
  actorRoles: string[];
  /** `api_token` when a machine client acted for the actor. */
  via?: 'user' | 'api_token';
  /** Org units the entry concerns: the actor's, the task holder's, a KPI owner's. */
  unitIds: string[];
  source: 'workflow' | 'audit';
  workflowId?: string;
  runId?: string;
  eventId?: number;
  /** For workflow entries written to the audit log too: that record's id. */
  auditRecordId?: number;
  details: Record<string, unknown>;
}

export interface ExecutionRef {
  workflowId: string;
  runId: string;
  workflowType: string;
}

/** A history event as the proto3 JSON form has it; only what the timeline reads is typed. */
export interface HistoryEventJson {
  eventId: string;
  eventTime: string;
  eventType: string;
  [attributes: string]: unknown;
}

export interface HistoryJson {
  events: HistoryEventJson[];
}

interface PayloadJson {
  metadata?: { encoding?: string };
  data?: string;
}

/** What the timeline knows of a task, gathered from every execution of the cycle (tasks move between months). */
export interface TaskInfo {
  kind: string;
  title: string;
  assignee: Assignee;
}

const b64 = (value: string) => Buffer.from(value, 'base64').toString('utf8');

/** Decodes a payload written by the default data converter (JSON); `undefined` for null/binary. */
export function decodePayload(payload: PayloadJson | undefined): unknown {
  if (!payload?.metadata?.encoding) return undefined;
  const encoding = b64(payload.metadata.encoding);
  if (encoding !== 'json/plain' || payload.data === undefined) return undefined;
  return JSON.parse(b64(payload.data));
}

function attributes(event: HistoryEventJson): Record<string, any> {
  const key = Object.keys(event).find((k) => k.endsWith('EventAttributes'));
  return (key ? event[key] : {}) as Record<string, any>;
}

const firstArg = (payloads: { payloads?: PayloadJson[] } | undefined): any => decodePayload(payloads?.payloads?.[0]);
const eventTypeName = (event: HistoryEventJson) => event.eventType.replace(/^EVENT_TYPE_/, '');

/** The business events of several executions (e.g. a cycle's), each in event order, tasks named across all of them. */
export function timelineOfExecutions(records: { execution: ExecutionRef; history: HistoryJson }[]): TimelineEntry[] {
  const tasks = tasksOfHistories(records.map((r) => r.history));
  return records.flatMap(({ execution, history }) => timelineOfHistory(execution, history, tasks));
}

/** Every task opened in these histories, by task id. */
export function tasksOfHistories(histories: HistoryJson[]): Map<string, TaskInfo> {
  const tasks = new Map<string, TaskInfo>();
  for (const history of histories) {
    for (const event of history.events) {
      if (eventTypeName(event) !== 'ACTIVITY_TASK_SCHEDULED') continue;
      const attrs = attributes(event);
      if (attrs.activityType?.name !== OPEN_TASK) continue;
      const input = firstArg(attrs.input) as { taskId: string; spec: TaskSpec };
      tasks.set(input.taskId, { kind: input.spec.kind, title: input.spec.title, assignee: input.spec.assignee });
    }
  }
  return tasks;
}

/**
 * The executions a history names: children it started, the run it continued from and the run it
 * continued as. Lets a reader find executions the visibility store has not indexed yet.
 */
export function linkedExecutions(workflowId: string, history: HistoryJson): { workflowId: string; runId: string }[] {
  const linked: { workflowId: string; runId: string }[] = [];
  for (const event of history.events) {
    const attrs = attributes(event);
    switch (eventTypeName(event)) {
      case 'CHILD_WORKFLOW_EXECUTION_STARTED':
        if (attrs.workflowExecution?.runId) linked.push({ workflowId: attrs.workflowExecution.workflowId, runId: attrs.workflowExecution.runId });
        break;
      case 'WORKFLOW_EXECUTION_STARTED':
        if (attrs.continuedExecutionRunId) linked.push({ workflowId, runId: attrs.continuedExecutionRunId });
        break;
      case 'WORKFLOW_EXECUTION_CONTINUED_AS_NEW':
        if (attrs.newExecutionRunId) linked.push({ workflowId, runId: attrs.newExecutionRunId });
        break;
      default:
        break;
    }
  }
  return linked;
}

const holderText = (assignee: Assignee | undefined): string =>
  !assignee ? 'unknown holder' : assignee.type === 'user' ? `user ${assignee.userId}` : assignee.type === 'unit' ? `unit ${assignee.unitId}` : 'the committee';
const holderUnits = (assignee: Assignee | undefined): string[] => (assignee?.type === 'unit' ? [assignee.unitId] : []);

function durationText(protoDuration: string | undefined): string {
  const seconds = Number(String(protoDuration ?? '0s').replace(/s$/, ''));
  if (seconds >= 86_400) return `${Math.round((seconds / 86_400) * 10) / 10} days`;
  if (seconds >= 3_600) return `${Math.round((seconds / 3_600) * 10) / 10} hours`;
  return `${Math.round(seconds)} s`;
}

/** Updates and signals whose effect an activity records with the same actor: shown once, from the activity. */
const SHOWN_BY_THEIR_EFFECT = new Set(['completeTask', 'claimTask', 'unclaimTask', 'delegateTask', 'submitActuals', 'submitDraft', 'extendContribution', 'closePeriod', 'extendPeriod']);

const COMMAND_TEXT: Record<string, (input: any) => string> = {
  cancelCycle: (i) => `Cancellation of the cycle requested: ${i?.reason ?? ''}`,
  closeCycle: (i) => `Closure of the cycle requested${i?.force ? ' (forced)' : ''}${i?.reason ? `: ${i.reason}` : ''}`,
  openRequest: (i) => `Ad-hoc request opened: ${i?.request?.tasks?.map((t: TaskSpec) => t.title).join('; ') ?? ''}`,
  proposeChange: (i) => `Plan change proposed: ${i?.reason ?? ''}`,
  waiveContribution: (i) => `Contribution of unit ${i?.unitId} waived: ${i?.reason ?? ''}`,
  startAdjustment: () => 'Rolling adjustment started by hand',
};

function actorOf(input: any): Actor | undefined {
  const candidate = input?.actor ?? input?.by ?? input?.requestedBy ?? input?.request?.requestedBy ?? input?.startedBy;
  return candidate && typeof candidate === 'object' && typeof candidate.userId === 'string' ? (candidate as Actor) : undefined;
}

function withActor(actor: Actor | undefined | null): Pick<TimelineEntry, 'actorId' | 'actorRoles' | 'via'> {
  return actor ? { actorId: actor.userId, actorRoles: actor.roles ?? [], ...(actor.via ? { via: actor.via } : {}) } : { actorId: null, actorRoles: [] };
}

const unique = (values: (string | null | undefined)[]) => [...new Set(values.filter((v): v is string => typeof v === 'string'))];

/**
 * The business events of one execution's history, in event order. `tasks` comes from
 * `tasksOfHistories` over every execution of the cycle, so a task carried into a later month
 * is still named.
 */
export function timelineOfHistory(execution: ExecutionRef, history: HistoryJson, tasks: Map<string, TaskInfo>): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  const timers = new Map<string, string>();
  const patches = new Set<string>();
  const updates = new Map<string, TimelineEntry>();
  const ref = { workflowId: execution.workflowId, runId: execution.runId };

  const add = (event: HistoryEventJson, type: TimelineType, summary: string, actor: Actor | null | undefined, details: Record<string, unknown>, units: (string | null | undefined)[] = []) => {
    const entry: TimelineEntry = {
      // Milliseconds, like the audit log's times: entries sort and filter as strings.
      at: new Date(event.eventTime).toISOString(),
      type,
      summary,
      ...withActor(actor),
      unitIds: unique([actor?.unitId, ...units]),
      source: 'workflow',
      ...ref,
      eventId: Number(event.eventId),
      details,
    };
    entries.push(entry);
    return entry;
  };
  const taskText = (taskId: string) => {
    const task = tasks.get(taskId);
    return task ? `${task.kind} "${task.title}"` : `task ${taskId}`;
  };

  for (const event of history.events) {
    const attrs = attributes(event);
    switch (eventTypeName(event)) {
      case 'WORKFLOW_EXECUTION_STARTED': {
        const input = firstArg(attrs.input);
        if (attrs.continuedExecutionRunId) {
          add(event, TimelineType.ExecutionContinued, `${execution.workflowType} continued in a new run (history kept short)`, null, { previousRunId: attrs.continuedExecutionRunId });
        } else if (execution.workflowType === WorkflowType.PlanningCycle) {
          add(event, TimelineType.ExecutionStarted, `Cycle "${input?.title}" started for ${input?.startYear}–${input?.startYear + (input?.horizonYears ?? 3) - 1}`, actorOf(input), { title: input?.title, startYear: input?.startYear });
        } else if (execution.workflowType === WorkflowType.MonthlyReview) {
          add(event, TimelineType.ExecutionStarted, `Month ${input?.period} opened with plan version ${input?.version}`, null, { period: input?.period, version: input?.version, kpis: input?.targets?.length });
        } else {
          add(event, TimelineType.ExecutionStarted, `Request opened: ${input?.tasks?.map((t: TaskSpec) => t.title).join('; ')}`, actorOf(input), {});
        }
        break;
      }
      case 'WORKFLOW_EXECUTION_UPDATE_ACCEPTED': {
        const name: string = attrs.acceptedRequest?.input?.name;
        const input = firstArg(attrs.acceptedRequest?.input?.args);
        if (SHOWN_BY_THEIR_EFFECT.has(name)) break;
        const text = COMMAND_TEXT[name]?.(input) ?? `${name} requested`;
        const entry = add(event, TimelineType.Command, text, actorOf(input), { name, ...(input?.reason ? { reason: input.reason } : {}) });
        updates.set(attrs.acceptedRequest?.meta?.updateId, entry);
        break;
      }
      case 'WORKFLOW_EXECUTION_UPDATE_COMPLETED': {
        const entry = updates.get(attrs.meta?.updateId);
        if (entry && attrs.outcome?.failure) entry.details.refused = attrs.outcome.failure.message;
        break;
      }
      case 'WORKFLOW_EXECUTION_SIGNALED': {
        if (SHOWN_BY_THEIR_EFFECT.has(attrs.signalName)) break;
        const input = firstArg(attrs.input);
        add(event, TimelineType.Command, `Signal ${attrs.signalName}`, actorOf(input), { name: attrs.signalName });
        break;
      }
      case 'WORKFLOW_EXECUTION_CANCEL_REQUESTED':
        add(event, TimelineType.CancelRequested, `Cancellation of ${execution.workflowType} requested${attrs.cause ? `: ${attrs.cause}` : ''}`, null, { identity: attrs.identity });
        break;
      case 'ACTIVITY_TASK_SCHEDULED':
        activityEntry(event, attrs.activityType?.name as ActivityName, firstArg(attrs.input), attrs.activityId);
        break;
      case 'TIMER_STARTED':
        timers.set(attrs.timerId, attrs.startToFireTimeout);
        break;
      case 'TIMER_FIRED':
        add(event, TimelineType.TimerFired, `Timer fired after ${durationText(timers.get(attrs.timerId))}`, null, { timerId: attrs.timerId });
        break;
      case 'MARKER_RECORDED': {
        // A local activity's marker holds its type and result, not its input: activities run
        // locally return what they recorded (recordTaskDecision), so the result stands for it.
        if (attrs.markerName === 'core_local_activity') {
          const data = decodePayload(attrs.details?.data?.payloads?.[0]) as { activity_type?: string; activity_id?: string } | undefined;
          const result = decodePayload(attrs.details?.result?.payloads?.[0]);
          if (data?.activity_type && result) {
            const entry = activityEntry(event, data.activity_type as ActivityName, result, data.activity_id ?? '');
            // The marker is written once the activity has run, after whatever the decision set off
            // in the same workflow task: the entry takes the decision's own time.
            const decidedAt = (result as { decision?: { decidedAt?: string } }).decision?.decidedAt;
            if (entry && decidedAt) entry.at = new Date(decidedAt).toISOString();
          }
          break;
        }
        if (attrs.markerName !== 'core_patch') break;
        const patch = decodePayload(attrs.details?.['patch-data']?.payloads?.[0]) as { id?: string } | undefined;
        if (!patch?.id || patches.has(patch.id)) break;
        patches.add(patch.id);
        add(event, TimelineType.CodeVersion, `Runs the code path of patch "${patch.id}"`, null, { patch: patch.id });
        break;
      }
      case 'WORKFLOW_EXECUTION_COMPLETED':
      case 'WORKFLOW_EXECUTION_CANCELED':
      case 'WORKFLOW_EXECUTION_TERMINATED':
      case 'WORKFLOW_EXECUTION_FAILED':
      case 'WORKFLOW_EXECUTION_TIMED_OUT': {
        const status = eventTypeName(event).replace('WORKFLOW_EXECUTION_', '').toLowerCase();
        add(event, TimelineType.ExecutionClosed, `${execution.workflowType} ${status}${attrs.reason ? `: ${attrs.reason}` : ''}`, null, { status });
        break;
      }
      default:
        break;
    }
  }
  // Stable: entries of one time keep the order of their events.
  return entries.sort((a, b) => a.at.localeCompare(b.at));

  function activityEntry(event: HistoryEventJson, name: ActivityName, input: any, activityId: string): TimelineEntry | undefined {
    const details = { activityId };
    switch (name) {
      case 'openTask': {
        const spec = input.spec as TaskSpec;
        add(event, TimelineType.TaskOpened, `Task opened: ${spec.kind} "${spec.title}" for ${holderText(spec.assignee)}, due ${spec.dueAt}`, null, { ...details, taskId: input.taskId, kind: spec.kind, assignee: spec.assignee, dueAt: spec.dueAt }, holderUnits(spec.assignee));
        return;
      }
      case 'remindTask':
        add(event, TimelineType.TaskReminded, `Reminder sent for ${taskText(input.taskId)}`, null, { ...details, taskId: input.taskId }, holderUnits(tasks.get(input.taskId)?.assignee));
        return;
      case 'escalateTask':
        add(event, TimelineType.TaskEscalated, `${taskText(input.taskId)} escalated (step ${input.step}) to ${holderText(input.to)}, due ${input.dueAt}`, null, { ...details, taskId: input.taskId, step: input.step, to: input.to }, holderUnits(input.to));
        return;
      case 'recordTaskClaim':
        add(event, TimelineType.TaskClaimed, `${taskText(input.taskId)} ${input.claimedBy ? 'claimed' : 'released'}`, input.actor, { ...details, taskId: input.taskId });
        return;
      case 'recordTaskDelegation':
        add(event, TimelineType.TaskDelegated, `${taskText(input.taskId)} delegated to user ${input.toUserId}`, input.actor, { ...details, taskId: input.taskId, toUserId: input.toUserId });
        return;
      case 'rescheduleTask':
        add(event, TimelineType.TaskRescheduled, `${taskText(input.taskId)} now due ${input.dueAt}${input.reason ? `: ${input.reason}` : ''}`, input.actor, { ...details, taskId: input.taskId, dueAt: input.dueAt, reason: input.reason });
        return;
      case 'cancelTask':
        add(event, TimelineType.TaskCancelled, `${taskText(input.taskId)} cancelled: ${input.reason}`, null, { ...details, taskId: input.taskId, reason: input.reason }, holderUnits(tasks.get(input.taskId)?.assignee));
        return;
      case 'recordTaskDecision': {
        const decision = input.decision as TaskDecision;
        const by = input.actor ? '' : ' by the system (no decision in time)';
        return add(
          event,
          TimelineType.Decision,
          `${taskText(decision.taskId)}: ${decision.outcome}${by}${decision.comment ? ` — "${decision.comment}"` : ''}`,
          input.actor,
          { ...details, taskId: decision.taskId, kind: tasks.get(decision.taskId)?.kind, outcome: decision.outcome, comment: decision.comment ?? null },
          holderUnits(tasks.get(decision.taskId)?.assignee),
        );
      }
      case 'recordPlanVersion':
        add(event, TimelineType.PlanVersion, `Plan version ${input.version} submitted (round ${input.round})`, { userId: input.submittedBy, roles: [], unitId: null, via: 'user' }, { ...details, version: input.version, round: input.round });
        return;
      case 'recordPlanVerdict':
        add(
          event,
          TimelineType.PlanVerdict,
          `Plan version ${input.version} ${String(input.verdict).replace('_', ' ')}${input.effectiveFrom ? `, effective from ${input.effectiveFrom}` : ''}${input.reasons?.length ? ` — ${input.reasons.join('; ')}` : ''}`,
          null,
          { ...details, version: input.version, verdict: input.verdict, effectiveFrom: input.effectiveFrom ?? null, reasons: input.reasons ?? [] },
        );
        return;
      case 'recordCyclePhase':
        add(event, TimelineType.CyclePhase, `Cycle entered ${input.phase}${input.reason ? `: ${input.reason}` : ''}`, input.actor, { ...details, phase: input.phase, reason: input.reason ?? null });
        return;
      case 'recordActuals':
        add(
          event,
          TimelineType.Actuals,
          `Actuals for ${input.period}: ${input.values.map((v: { kpiId: string; value: number }) => `${v.kpiId} ${v.value}`).join(', ')} (via ${input.source})`,
          input.actor,
          { ...details, period: input.period, values: input.values, source: input.source, importId: input.importId ?? null },
          input.values.map((v: { ownerUnitId: string }) => v.ownerUnitId),
        );
        return;
      case 'recordEvaluations': {
        const counts: Record<string, number> = {};
        for (const e of input.evaluations as { status: string }[]) counts[e.status] = (counts[e.status] ?? 0) + 1;
        add(
          event,
          TimelineType.Analysis,
          `Month ${input.period} analysed: ${Object.entries(counts).map(([status, n]) => `${n} ${status.replace('_', ' ')}`).join(', ')}`,
          null,
          { ...details, period: input.period, evaluations: input.evaluations },
          (input.evaluations as { ownerUnitId: string }[]).map((e) => e.ownerUnitId),
        );
        return;
      }
      case 'recordPeriodEvent':
        add(event, TimelineType.Period, `Month ${input.period} ${String(input.event).replace('_', ' ')}${input.reason ? `: ${input.reason}` : ''}`, input.actor, { ...details, period: input.period, event: input.event, reason: input.reason ?? null });
        return;
      case 'requestMonthlyReport':
        add(event, TimelineType.Report, `Report of ${input.period} requested`, null, { ...details, period: input.period });
        return;
      default:
        return;
    }
  }
}

import {
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import {
  TASK_KINDS,
  TaskStatus,
  escalationSchedule,
  freshDueAt,
  isClosedTask,
  tallyGroup,
  checkDecision,
  type Actor,
  type ErrorDetail,
  type GroupRule,
  type TaskKind,
  type TaskKindName,
} from '@rollplan/domain/rules';
import type { TaskActivities } from './activities';
import { FailureType, Patch } from './names';
import {
  claimTaskUpdate,
  completeTaskUpdate,
  delegateTaskUpdate,
  tasksQuery,
  unclaimTaskUpdate,
  type TaskDecision,
  type TaskSpec,
  type TaskState,
} from './human-task.messages';
import { hasPatch } from './patches';

const activities = proxyActivities<TaskActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
// The same activity run in the worker beside the workflow: its result is a marker in the workflow
// task that took the decision, so the update answers without a second workflow task. Safe because
// recordTaskDecision records once whatever its activity id (it changes only a row still open).
const local = proxyLocalActivities<Pick<TaskActivities, 'recordTaskDecision'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Records a decision in the read model, audit log and outbox. Patch log: docs/temporal.md. */
async function recordDecision(input: Parameters<TaskActivities['recordTaskDecision']>[0]): Promise<void> {
  await (hasPatch(Patch.DecisionByLocalActivity) ? local.recordTaskDecision(input) : activities.recordTaskDecision(input));
}

/**
 * Runs task bookkeeping that must land once started: when the scope is cancelled meanwhile
 * (the cycle or month ends), the activity still completes and its row is known to the board,
 * which then cancels it — rather than a half-cancelled activity leaving an open row behind.
 * Patch log: docs/temporal.md.
 */
function bookkeep<T>(bookkeeping: () => Promise<T>): Promise<T> {
  return hasPatch(Patch.TaskBookkeepingSettles) ? CancellationScope.nonCancellable(bookkeeping) : bookkeeping();
}

function fail(type: string, message: string, details?: unknown[]): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true, details });
}

/**
 * The human tasks of one workflow execution: opens them, waits for their decisions through
 * due-date reminders and escalations, and answers the task updates the API sends. Every
 * workflow that waits on people creates one board and calls `install()` once.
 */
export class TaskBoard {
  private readonly tasks = new Map<string, TaskState>();
  /** Ids of tasks whose `openTask` activity is running. */
  private readonly opening = new Set<string>();
  /** Checks of decisions that need the workflow's own state (see checkDecisionsWith). */
  private readonly checks = new Map<TaskKindName, (task: TaskState, payload: Record<string, unknown>) => ErrorDetail[]>();

  /** Adds a check of decisions on tasks of `kind` against the workflow's state (e.g. the milestones a report must cover); validators only, so it writes no history. */
  checkDecisionsWith(kind: TaskKindName, check: (task: TaskState, payload: Record<string, unknown>) => ErrorDetail[]): this {
    this.checks.set(kind, check);
    return this;
  }

  install(): this {
    setHandler(tasksQuery, () => [...this.tasks.values()]);

    this.handleTaskUpdate(
      completeTaskUpdate,
      ({ taskId, outcome, payload, actor }) => {
        const task = this.requireOpen(taskId);
        this.assertMayAct(task, actor);
        const kind: TaskKind = TASK_KINDS[task.spec.kind];
        if (kind.closedBySystem) fail(FailureType.Conflict, `this task closes by itself: ${kind.closedBySystem}`);
        if (kind.fourEyes && task.spec.submittedBy === actor.userId) {
          fail(FailureType.Forbidden, 'four-eyes: whoever submitted the work may not decide on it');
        }
        const problems = checkDecision(task.spec.kind, outcome, payload, task.spec.links);
        const check = this.checks.get(task.spec.kind);
        if (check && problems.length === 0) problems.push(...check(task, payload ?? {}));
        if (problems.length > 0) fail(FailureType.ValidationFailed, 'invalid decision', problems);
      },
      async ({ taskId, outcome, comment, payload, actor }) => {
        const task = this.require(taskId);
        // Two updates may pass their validators in one activation: only the first decides.
        if (task.decision) fail(FailureType.Conflict, 'task was decided by another request');
        const decision: TaskDecision = { taskId, outcome, comment, payload, decidedBy: actor.userId, decidedAt: new Date().toISOString() };
        task.decision = decision;
        task.status = TaskStatus.Completed;
        await recordDecision({ decision, actor });
        return decision;
      },
    );

    this.handleTaskUpdate(
      claimTaskUpdate,
      ({ taskId, actor }) => {
        const task = this.requireOpen(taskId);
        if (task.assignee.type === 'user') fail(FailureType.Conflict, 'only a task held by a group can be claimed');
        if (task.claimedBy && task.claimedBy !== actor.userId) fail(FailureType.Conflict, 'task is claimed by someone else');
        this.assertMayAct(task, actor);
      },
      async ({ taskId, actor }) => {
        const task = this.require(taskId);
        task.claimedBy = actor.userId;
        task.status = TaskStatus.Claimed;
        await activities.recordTaskClaim({ taskId, claimedBy: actor.userId, actor });
        return task;
      },
    );

    this.handleTaskUpdate(
      unclaimTaskUpdate,
      ({ taskId, actor }) => {
        const task = this.requireOpen(taskId);
        if (task.claimedBy !== actor.userId) fail(FailureType.Conflict, 'you have not claimed this task');
      },
      async ({ taskId, actor }) => {
        const task = this.require(taskId);
        task.claimedBy = undefined;
        task.status = TaskStatus.Open;
        await activities.recordTaskClaim({ taskId, claimedBy: null, actor });
        return task;
      },
    );

    this.handleTaskUpdate(
      delegateTaskUpdate,
      ({ taskId, toUserId, actor }) => {
        const task = this.requireOpen(taskId);
        this.assertMayAct(task, actor);
        if (toUserId === actor.userId) fail(FailureType.Conflict, 'cannot delegate to yourself');
        // A decision cannot be handed to whoever may not take it: the author of the work under
        // decision (four-eyes), or someone who already holds a ballot in the same vote.
        if (TASK_KINDS[task.spec.kind].fourEyes && task.spec.submittedBy === toUserId) {
          fail(FailureType.Forbidden, 'four-eyes: the author of the work under decision cannot take it');
        }
        if (this.ballotsOf(task).some((ballot) => ballot !== task && this.holders(ballot).includes(toUserId))) {
          fail(FailureType.Conflict, 'that person already holds a ballot in this vote');
        }
      },
      async ({ taskId, toUserId, actor }) => {
        const task = this.require(taskId);
        // The delegator stays accountable: the read model keeps who delegated.
        task.assignee = { type: 'user', userId: toUserId };
        task.eligible = [toUserId];
        task.claimedBy = undefined;
        task.status = TaskStatus.Open;
        await activities.recordTaskDelegation({ taskId, toUserId, actor });
        return task;
      },
    );
    return this;
  }

  /**
   * Registers a task update. The task row is visible to the API as soon as the `openTask`
   * activity commits, a moment before the workflow learns the activity finished: an update
   * for a task still opening is accepted, waits for it, and is checked then.
   */
  private handleTaskUpdate<Input extends { taskId: string }, Result>(
    update: UpdateDefinition<Result, [Input]>,
    check: (input: Input) => void,
    apply: (input: Input) => Promise<Result>,
  ): void {
    setHandler(
      update,
      async (input) => {
        if (this.opening.has(input.taskId)) {
          await condition(() => !this.opening.has(input.taskId));
          check(input);
        }
        return apply(input);
      },
      { validator: (input) => void (this.opening.has(input.taskId) || check(input)) },
    );
  }

  /** Opens one task and waits for its decision (or the system's, on final timeout); undefined if it was cancelled (waived). */
  async decide(spec: TaskSpec): Promise<TaskDecision | undefined> {
    return this.wait(await this.open(spec));
  }

  /** Like `decide`, telling `onOpen` the task id as soon as the task exists (for waivers, status views). */
  async decideTracked(spec: TaskSpec, onOpen: (taskId: string) => void): Promise<TaskDecision | undefined> {
    const task = await this.open(spec);
    onOpen(task.id);
    return this.wait(task);
  }

  /** Decides an open task in the workflow's name (work that arrived another way, e.g. actuals); `actor` is who did the work. */
  async settle(taskId: string, outcome: string, actor: Actor | null, comment?: string): Promise<void> {
    const task = this.requireOpen(taskId);
    const decision: TaskDecision = { taskId, outcome, comment, ...(actor ? { decidedBy: actor.userId } : {}), decidedAt: new Date().toISOString() };
    task.decision = decision;
    task.status = TaskStatus.Completed;
    await recordDecision({ decision, actor });
  }

  /**
   * Takes over an open task from an execution that has ended (a corrective action carried into
   * the next month): the row now points here, and the wait goes on from where it was — reminders
   * already sent and escalations already made are not repeated.
   */
  async adopt(state: TaskState): Promise<TaskDecision | undefined> {
    const task: TaskState = { ...state, adopted: true };
    this.opening.add(task.id);
    await activities.transferTask({ taskId: task.id, workflowId: workflowInfo().workflowId });
    this.tasks.set(task.id, task);
    this.opening.delete(task.id);
    return this.wait(task);
  }

  /** Ends one open task without a decision (a waived contribution), with the reason recorded. */
  async cancelTask(taskId: string, reason: string): Promise<void> {
    const task = this.requireOpen(taskId);
    await this.cancel(task, reason);
  }

  /** Moves a task's due date; its reminders and escalations are scheduled again from the new date. */
  async reschedule(taskId: string, dueAt: string, why: { reason?: string; actor?: Actor } = {}): Promise<void> {
    const task = this.requireOpen(taskId);
    task.spec = { ...task.spec, dueAt };
    task.rescheduled = true;
    await activities.rescheduleTask({ taskId, dueAt, ...why });
  }

  /** A task this board holds, open or closed. */
  taskOf(taskId: string): TaskState | undefined {
    return this.tasks.get(taskId);
  }

  /** Resolves once no task is being opened or adopted (before handing open tasks on). */
  async idle(): Promise<void> {
    await condition(() => this.opening.size === 0);
  }

  /** Open tasks, for status views. */
  openTasks(): TaskState[] {
    return [...this.tasks.values()].filter((t) => !isClosedTask(t.status));
  }

  /**
   * Opens one task per spec and waits until `rule` decides: `passOutcome` votes pass, others
   * fail. Tasks still open then are cancelled — their votes can no longer change the result.
   * With `hearEveryone` (committee review rounds) the group waits for every ballot, so each
   * member's comments reach the revision; the rule is applied to the complete tally.
   */
  async decideGroup(specs: TaskSpec[], rule: GroupRule, passOutcome: string, { hearEveryone = false } = {}) {
    const tasks = await Promise.all(specs.map((spec) => this.open(spec)));
    // The ballots of one vote know each other: one person, one ballot.
    for (const task of tasks) task.group = tasks[0].id;
    const tally = () => tallyGroup(rule, tasks.length, tasks.filter((t) => t.decision).map((t) => ({ pass: t.decision!.outcome === passOutcome })));
    const scope = new CancellationScope();
    const waiting = scope.run(() => Promise.all(tasks.map((task) => this.wait(task)))).catch((error: unknown) => {
      if (!isCancellation(error)) throw error;
    });
    await condition(() => (hearEveryone ? tasks.every((t) => isClosedTask(t.status)) : tally().state !== 'open'));
    scope.cancel();
    await waiting;
    for (const task of tasks) if (!isClosedTask(task.status)) await this.cancel(task, 'the group has decided');
    const { state, passes, fails, needed } = tally();
    return { state: state === 'passed' ? ('passed' as const) : ('failed' as const), passes, fails, needed, decisions: tasks.flatMap((t) => (t.decision ? [t.decision] : [])) };
  }

  /** Cancels every task still open, e.g. when the cycle is cancelled. Safe to call in a cancelled scope. */
  async cancelOpen(reason: string): Promise<void> {
    await CancellationScope.nonCancellable(async () => {
      for (const task of this.tasks.values()) if (!isClosedTask(task.status)) await this.cancel(task, reason);
    });
  }

  private async open(requested: TaskSpec): Promise<TaskState> {
    const id = uuid4();
    const openedAt = new Date().toISOString();
    // Nobody is reminded or escalated over work that reached them after its due date: it gets
    // a fresh one, and the holder sees it first (patch log: docs/temporal.md).
    const dueAt = Date.parse(requested.dueAt);
    const spec = dueAt <= Date.now() && hasPatch(Patch.FreshDueDates) ? { ...requested, dueAt: new Date(freshDueAt(dueAt, Date.now())).toISOString() } : requested;
    this.opening.add(id);
    const { eligible } = await bookkeep(() => activities.openTask({ taskId: id, workflowId: workflowInfo().workflowId, spec, openedAt }));
    const task: TaskState = { id, spec, status: TaskStatus.Open, assignee: spec.assignee, eligible, escalationStep: 0 };
    this.tasks.set(id, task);
    this.opening.delete(id);
    return task;
  }

  private async wait(task: TaskState): Promise<TaskDecision | undefined> {
    const settled = () => task.decision !== undefined || task.status === TaskStatus.Cancelled || task.rescheduled === true;
    const openedAt = Date.now();
    for (const step of escalationSchedule(Date.parse(task.spec.dueAt), task.spec.escalation, openedAt)) {
      if (task.adopted && step.kind === 'escalate' && step.step <= task.escalationStep) continue;
      const ms = step.at - Date.now();
      if (ms > 0) await condition(settled, ms);
      if (task.decision || task.status === TaskStatus.Cancelled) return task.decision;
      if (task.rescheduled) {
        task.rescheduled = false;
        return this.wait(task);
      }
      if (step.kind === 'remind') {
        await bookkeep(() => activities.remindTask({ taskId: task.id, at: new Date().toISOString() }));
      } else if (step.kind === 'escalate') {
        const next = new Date(step.at + task.spec.escalation.graceMs).toISOString();
        const { eligible } = await bookkeep(() => activities.escalateTask({ taskId: task.id, to: step.to, step: step.step, dueAt: next }));
        // Decided (or cancelled) while the escalation was being recorded: it stays closed, not
        // reopened as pending and handed on to the next month. Patch log: docs/temporal.md.
        const closedMeanwhile = isClosedTask(task.status) && hasPatch(Patch.EscalationKeepsClosedTask);
        if (!closedMeanwhile) Object.assign(task, { assignee: step.to, eligible, claimedBy: undefined, status: TaskStatus.Open, escalationStep: step.step });
      } else {
        const timeoutOutcome = (TASK_KINDS[task.spec.kind] as TaskKind).timeoutOutcome;
        if (timeoutOutcome) return this.decideBySystem(task, timeoutOutcome);
      }
    }
    await condition(() => task.decision !== undefined || task.status === TaskStatus.Cancelled);
    return task.decision;
  }

  private async decideBySystem(task: TaskState, outcome: string): Promise<TaskDecision> {
    const decision: TaskDecision = { taskId: task.id, outcome, comment: 'no decision before the last escalation ran out', decidedAt: new Date().toISOString() };
    task.decision = decision;
    task.status = TaskStatus.Completed;
    await recordDecision({ decision, actor: null });
    return decision;
  }

  private async cancel(task: TaskState, reason: string): Promise<void> {
    task.status = TaskStatus.Cancelled;
    await activities.cancelTask({ taskId: task.id, reason });
  }

  private require(taskId: string): TaskState {
    const task = this.tasks.get(taskId);
    if (!task) fail(FailureType.NotFound, 'task not found');
    return task;
  }

  private requireOpen(taskId: string): TaskState {
    const task = this.require(taskId);
    if (isClosedTask(task.status)) fail(FailureType.Conflict, `task is already ${task.status}`);
    return task;
  }

  private assertMayAct(task: TaskState, actor: Actor): void {
    if (!this.holders(task).includes(actor.userId)) fail(FailureType.Forbidden, 'this task is not yours');
  }

  /** Who holds a task now, or decided it. */
  private holders(task: TaskState): string[] {
    return [...(task.claimedBy ? [task.claimedBy] : task.eligible), ...(task.decision?.decidedBy ? [task.decision.decidedBy] : [])];
  }

  /** The ballots of the vote `task` belongs to (itself alone outside a vote). */
  private ballotsOf(task: TaskState): TaskState[] {
    return task.group ? [...this.tasks.values()].filter((t) => t.group === task.group) : [task];
  }
}

import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client, WorkflowNotFoundError } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { v5 as uuidv5 } from 'uuid';
import {
  DomainError,
  ErrorCode,
  Role,
  cycleWorkflowId,
  hasAnyRole,
  majorityOf,
  mayActOnTasks,
  requestedEscalation,
  validateDecision,
  type Actor,
  type CompleteTaskRequest,
  type CreateTaskRequest,
  type ListTasksQuery,
  type TaskKindName,
} from '@rollplan/domain';
import { CommitteeMemberEntity, TaskCommentEntity, TaskEntity, UserEntity, activeCommitteeMembers, appendAudit } from '@rollplan/db';
import {
  CODE_BASELINE,
  Procedure,
  SearchAttribute,
  WorkflowType,
  claimTaskUpdate,
  completeTaskUpdate,
  delegateTaskUpdate,
  openRequestUpdate,
  unclaimTaskUpdate,
  type HumanTaskInput,
  type TaskSpec,
} from '@rollplan/workflows';
import { API_CONFIG, type ApiConfig } from '../config';
import { toDomainError } from '../common/temporal-errors';
import { StartGate } from '../infra/start-gate';

/** Kinds decided by the committee: their ballots never leave it. */
const COMMITTEE_KINDS: string[] = ['plan.review', 'plan.final_approval', 'committee.vote'];

const IDEMPOTENT_REQUEST_NAMESPACE = '9d0f7f3c-5a52-4d7e-bb5b-6f3f0c8f2a61';

/**
 * The inbox and every action on a task. Decisions go to the workflow holding the task as
 * updates — its validator has the last word — and the tasks table answers the reads.
 */
@Injectable()
export class TasksService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly temporal: Client,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly startGate: StartGate,
  ) {}

  async inbox(actor: Actor, query: ListTasksQuery) {
    const qb = this.db.getRepository(TaskEntity).createQueryBuilder('t').orderBy('t.dueAt', 'ASC').addOrderBy('t.id', 'ASC');
    if (query.status === 'active') qb.andWhere(`t.status IN ('open', 'claimed')`);
    else qb.andWhere('t.status = :status', { status: query.status });
    // Mine: I may act on it now, or I claimed, decided or delegated it.
    qb.andWhere('(:me = ANY(t.eligibleUserIds) OR t.claimedBy = :me OR t.decidedBy = :me OR t.delegatedBy = :me)', { me: actor.userId });
    if (query.cycleId) qb.andWhere('t.cycleId = :cycleId', { cycleId: query.cycleId });
    if (query.kind) qb.andWhere('t.kind = :kind', { kind: query.kind });
    if (query.dueBefore) qb.andWhere('t.dueAt < :dueBefore', { dueBefore: query.dueBefore });
    const [rows, total] = await qb.take(query.limit).skip(query.offset).getManyAndCount();
    return { items: rows.map(toView), total, limit: query.limit, offset: query.offset };
  }

  async get(actor: Actor, id: string) {
    return toView(await this.visibleTask(actor, id));
  }

  async complete(actor: Actor, id: string, body: CompleteTaskRequest, idempotencyKey?: string) {
    const task = await this.visibleTask(actor, id);
    // The payload's shape is checked here, against the kind's schema; the workflow checks the rest
    // (who may decide, the outcome, four-eyes). A closed task is left to the workflow's 409.
    if (task.status === 'open' || task.status === 'claimed') {
      const problems = validateDecision(task.kind as TaskKindName, body.outcome, body.payload, task.links);
      if (problems.length > 0) throw new DomainError(ErrorCode.ValidationFailed, 'invalid decision', problems);
    }
    return this.send(task, () =>
      this.temporal.workflow.getHandle(task.workflowId).executeUpdate(completeTaskUpdate, {
        args: [{ taskId: id, ...body, actor }],
        updateId: updateId('complete', id, actor, idempotencyKey),
      }),
    );
  }

  async claim(actor: Actor, id: string, claim: boolean) {
    const task = await this.visibleTask(actor, id);
    await this.send(task, () =>
      this.temporal.workflow.getHandle(task.workflowId).executeUpdate(claim ? claimTaskUpdate : unclaimTaskUpdate, { args: [{ taskId: id, actor }] }),
    );
    return this.get(actor, id);
  }

  async delegate(actor: Actor, id: string, toUserId: string) {
    const task = await this.visibleTask(actor, id);
    const target = await this.db.getRepository(UserEntity).findOneBy({ id: toUserId });
    if (!target?.active) throw new DomainError(ErrorCode.ValidationFailed, 'cannot delegate to that user', [{ path: 'toUserId', message: 'no such active user' }]);
    if (!mayActOnTasks(target.roles)) throw new DomainError(ErrorCode.ValidationFailed, 'cannot delegate to that user', [{ path: 'toUserId', message: 'this user does not act on tasks (an auditor only reads)' }]);
    // A committee ballot stays within the committee (the workflow also refuses the author and a second ballot).
    if (COMMITTEE_KINDS.includes(task.kind) && !(await this.db.getRepository(CommitteeMemberEntity).existsBy({ userId: toUserId }))) {
      throw new DomainError(ErrorCode.Forbidden, 'a committee ballot can only be delegated to another committee member');
    }
    await this.send(task, () =>
      this.temporal.workflow.getHandle(task.workflowId).executeUpdate(delegateTaskUpdate, { args: [{ taskId: id, toUserId, actor }] }),
    );
    return this.get(actor, id);
  }

  async comments(actor: Actor, id: string) {
    await this.visibleTask(actor, id);
    const rows = await this.db.getRepository(TaskCommentEntity).find({ where: { taskId: id }, order: { createdAt: 'ASC' } });
    return rows.map((c) => ({ id: c.id, authorId: c.authorId, body: c.body, createdAt: c.createdAt.toISOString() }));
  }

  async addComment(actor: Actor, id: string, body: string) {
    await this.visibleTask(actor, id);
    const commentId = randomUUID();
    await this.db.transaction(async (manager) => {
      await manager.getRepository(TaskCommentEntity).insert({ id: commentId, taskId: id, authorId: actor.userId, body });
      await appendAudit(manager, { actor, action: 'task.commented', subjectType: 'task', subjectId: id, data: { commentId } });
    });
    return (await this.comments(actor, id)).find((c) => c.id === commentId)!;
  }

  /** Starts an ad-hoc request: one task, or one ballot per committee member under a rule. */
  async createRequest(actor: Actor, request: CreateTaskRequest, idempotencyKey?: string) {
    await this.startGate.admit();
    const base = {
      kind: request.kind,
      title: request.title,
      dueAt: new Date(request.dueAt).toISOString(),
      escalation: requestedEscalation(request),
      submittedBy: actor.userId,
      ...(request.cycleId ? { cycleId: request.cycleId } : {}),
    };
    let input: HumanTaskInput;
    if (request.kind === 'committee.vote') {
      const members = await activeCommitteeMembers(this.db.manager);
      if (members.length === 0) throw new DomainError(ErrorCode.Conflict, 'the committee has no active members');
      const ballots: TaskSpec[] = members.map((m) => ({ ...base, assignee: { type: 'user', userId: m.userId } }));
      input = { requestedBy: actor, tasks: ballots, group: { rule: request.rule ?? majorityOf(members.length), passOutcome: 'approve' }, baseline: CODE_BASELINE };
    } else {
      input = { requestedBy: actor, tasks: [{ ...base, assignee: request.assignee }], baseline: CODE_BASELINE };
    }
    const requestId = idempotencyKey ? uuidv5(`${actor.userId}:${idempotencyKey}`, IDEMPOTENT_REQUEST_NAMESPACE) : randomUUID();
    const workflowId = `task-request-${requestId}`;
    try {
      if (request.cycleId) {
        // A child of the cycle: it is cancelled, with its open tasks, when the cycle closes.
        await this.temporal.workflow
          .getHandle(cycleWorkflowId(request.cycleId))
          .executeUpdate(openRequestUpdate, { args: [{ requestId: workflowId, request: input }], updateId: `open-request:${workflowId}` });
      } else {
        await this.temporal.workflow.start(WorkflowType.HumanTask, {
          workflowId,
          taskQueue: this.config.TEMPORAL_TASK_QUEUE,
          args: [input],
          // A retried request (same key) finds the workflow it started.
          workflowIdConflictPolicy: 'USE_EXISTING',
          typedSearchAttributes: [
            { key: SearchAttribute.Procedure, value: Procedure.HumanTask },
            { key: SearchAttribute.Units, value: [...new Set(input.tasks.flatMap((t) => (t.assignee.type === 'unit' ? [t.assignee.unitId] : [])))] },
          ],
        });
      }
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) {
        throw new DomainError(ErrorCode.ValidationFailed, 'cycle not found', [{ path: 'cycleId', message: 'no such cycle, or it has closed' }]);
      }
      toDomainError(error, 'request');
    }
    return { requestId: workflowId, ballots: input.tasks.length };
  }

  /** The task, if the actor may see it: whoever may act, claimed, decided or delegated it, its submitter, admins and auditors. */
  private async visibleTask(actor: Actor, id: string): Promise<TaskEntity> {
    const task = await this.db.getRepository(TaskEntity).findOneBy({ id });
    if (!task) throw new DomainError(ErrorCode.NotFound, 'task not found');
    const involved = [task.claimedBy, task.decidedBy, task.delegatedBy, task.submittedBy, ...task.eligibleUserIds].includes(actor.userId);
    if (!involved && !hasAnyRole(actor, [Role.Admin, Role.Auditor])) throw new DomainError(ErrorCode.Forbidden, 'this task is not yours');
    return task;
  }

  private async send<T>(task: TaskEntity, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      // The workflow has closed: the task can no longer change.
      if (error instanceof WorkflowNotFoundError) throw new DomainError(ErrorCode.Conflict, `task is already ${task.status === 'open' || task.status === 'claimed' ? 'closed' : task.status}`);
      toDomainError(error, 'task');
    }
  }
}

/** Retried requests with the same key (per user, per task) reuse the update id, so Temporal returns the first result. */
function updateId(action: string, taskId: string, actor: Actor, key?: string): string {
  return key ? `${action}:${taskId}:${actor.userId}:${key}` : randomUUID();
}

function toView(task: TaskEntity) {
  return {
    id: task.id,
    kind: task.kind,
    title: task.title,
    status: task.status,
    assignee: task.assignee,
    eligibleUserIds: task.eligibleUserIds,
    claimedBy: task.claimedBy,
    delegatedBy: task.delegatedBy,
    submittedBy: task.submittedBy,
    cycleId: task.cycleId,
    links: task.links,
    ...(task.context ? { context: task.context } : {}),
    dueAt: task.dueAt.toISOString(),
    escalationStep: task.escalationStep,
    outcome: task.outcome,
    comment: task.comment,
    payload: task.payload,
    decidedBy: task.decidedBy,
    decidedAt: task.decidedAt?.toISOString() ?? null,
    cancelReason: task.cancelReason,
    openedAt: task.openedAt.toISOString(),
  };
}


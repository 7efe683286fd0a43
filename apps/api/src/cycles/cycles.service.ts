import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { Repository } from 'typeorm';
import { v5 as uuidv5 } from 'uuid';
import {
  DomainError,
  ErrorCode,
  cycleWorkflowId,
  planYears,
  type Actor,
  type CancelCycleRequest,
  type ListCyclesQuery,
  type StartCycleRequest,
} from '@rollplan/domain';
import { CycleEntity } from '@rollplan/db';
import {
  Procedure,
  SearchAttribute,
  WorkflowType,
  cancelCycleUpdate,
  cycleStatusQuery,
  type CycleStatus,
  type PlanningCycleInput,
} from '@rollplan/workflows';
import { API_CONFIG, type ApiConfig } from '../config';
import { toDomainError } from '../common/temporal-errors';

/** Namespace of the UUIDv5 cycle ids derived from idempotency keys. Persisted: never change. */
const IDEMPOTENT_CYCLE_NAMESPACE = '6f1d4a53-2f0b-4a8e-9a55-2c1f3f3b9d11';

export interface CycleView {
  id: string;
  workflowId: string;
  title: string;
  startYear: number;
  horizonYears: number;
  planYears: number[];
  phase: CycleStatus['phase'];
  phaseSince: string;
  startedBy?: string;
  cancellation?: CycleStatus['cancellation'];
  createdAt?: string;
}

@Injectable()
export class CyclesService {
  constructor(
    private readonly temporal: Client,
    @InjectRepository(CycleEntity) private readonly cycles: Repository<CycleEntity>,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /**
   * Starts a cycle's workflow. With an idempotency key the cycle id is derived from it,
   * so a retried request finds the workflow it started (`created: false`); the same key
   * with a different body is refused.
   */
  async start(request: StartCycleRequest, actor: Actor, idempotencyKey?: string): Promise<{ cycle: CycleView; created: boolean }> {
    // Keys are scoped per user: two admins choosing the same key start two cycles.
    const cycleId = idempotencyKey ? uuidv5(`${actor.userId}:${idempotencyKey}`, IDEMPOTENT_CYCLE_NAMESPACE) : randomUUID();
    const requestHash = hashRequest(request);
    const input: PlanningCycleInput = { cycleId, ...request, startedBy: actor };
    const workflowId = cycleWorkflowId(cycleId);
    try {
      await this.temporal.workflow.start(WorkflowType.PlanningCycle, {
        workflowId,
        taskQueue: this.config.TEMPORAL_TASK_QUEUE,
        args: [input],
        // A cycle's id is never reused, even after its workflow has closed.
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        memo: { requestHash },
        typedSearchAttributes: [
          { key: SearchAttribute.CycleId, value: cycleId },
          { key: SearchAttribute.Procedure, value: Procedure.PlanningCycle },
          { key: SearchAttribute.PlanYear, value: request.startYear },
        ],
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError) || !idempotencyKey) toDomainError(error, 'cycle');
      const description = await this.temporal.workflow.getHandle(workflowId).describe();
      if (description.memo?.requestHash !== requestHash) {
        throw new DomainError(
          ErrorCode.IdempotencyKeyReused,
          'this Idempotency-Key was already used for a different request',
        );
      }
      return { cycle: await this.get(cycleId), created: false };
    }
    return { cycle: toView({ ...input, phase: 'starting', phaseSince: new Date().toISOString() }, workflowId), created: true };
  }

  /** A cycle as its workflow reports it, with the read model's creation time. */
  async get(cycleId: string): Promise<CycleView> {
    const [row, status] = await Promise.all([
      this.cycles.findOne({ select: { id: true, createdAt: true }, where: { id: cycleId } }),
      this.temporal.workflow
        .getHandle(cycleWorkflowId(cycleId))
        .query(cycleStatusQuery)
        .catch((error: unknown) => toDomainError(error, 'cycle')),
    ]);
    return toView(status, cycleWorkflowId(cycleId), row?.createdAt);
  }

  /** Cycles from the read model, newest first. */
  async list(query: ListCyclesQuery): Promise<{ items: CycleView[]; total: number; limit: number; offset: number }> {
    const [rows, total] = await this.cycles.findAndCount({
      where: query.phase ? { phase: query.phase } : {},
      order: { createdAt: 'DESC', id: 'ASC' },
      take: query.limit,
      skip: query.offset,
    });
    const items = rows.map((row) =>
      toView(
        {
          cycleId: row.id,
          title: row.title,
          startYear: row.startYear,
          horizonYears: row.horizonYears,
          phase: row.phase,
          phaseSince: row.phaseSince.toISOString(),
          ...(row.cancelReason ? { cancellation: { reason: row.cancelReason, at: row.phaseSince.toISOString() } } : {}),
        },
        row.workflowId,
        row.createdAt,
      ),
    );
    return { items, total, limit: query.limit, offset: query.offset };
  }

  /** Cancels through the workflow's update; the update id makes a retried request a no-op. */
  async cancel(cycleId: string, request: CancelCycleRequest, actor: Actor, idempotencyKey?: string): Promise<CycleView> {
    const handle = this.temporal.workflow.getHandle(cycleWorkflowId(cycleId));
    try {
      await handle.executeUpdate(cancelCycleUpdate, {
        args: [{ ...request, by: actor }],
        updateId: idempotencyKey ? `${actor.userId}:${idempotencyKey}` : randomUUID(),
      });
    } catch (error) {
      // An update to a closed workflow fails as "not found"; the cycle exists, it is just over.
      if (error instanceof WorkflowNotFoundError) {
        const { phase } = await this.get(cycleId);
        throw new DomainError(ErrorCode.Conflict, `cycle is already ${phase}`);
      }
      toDomainError(error, 'cycle');
    }
    return this.get(cycleId);
  }

}

function toView(status: CycleStatus, workflowId: string, createdAt?: Date): CycleView {
  return {
    id: status.cycleId,
    workflowId,
    title: status.title,
    startYear: status.startYear,
    horizonYears: status.horizonYears,
    planYears: planYears(status.startYear, status.horizonYears),
    phase: status.phase,
    phaseSince: status.phaseSince,
    ...(status.startedBy ? { startedBy: status.startedBy.userId } : {}),
    ...(status.cancellation ? { cancellation: status.cancellation } : {}),
    ...(createdAt ? { createdAt: createdAt.toISOString() } : {}),
  };
}

/** Canonical JSON (sorted keys) hashed: equal bodies hash equal whatever their key order. */
function hashRequest(request: StartCycleRequest): string {
  const canonical = JSON.stringify(request, Object.keys(request).sort());
  return createHash('sha256').update(canonical).digest('hex');
}

import { createHmac, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client, type WorkflowExecutionInfo } from '@temporalio/client';
import { executionInfoFromRaw, historyToJSON } from '../infra/temporal-internals';
import { LRUCache } from 'lru-cache';
import { DataSource } from 'typeorm';
import { DomainError, ErrorCode } from '@rollplan/domain';
import { AuditLogEntity, CycleEntity, PlanVersionEntity, UserEntity } from '@rollplan/db';
import { API_CONFIG, type ApiConfig } from '../config';
import { executionQuery, type ExecutionFilter } from './execution-query';
import { TimelineType, linkedExecutions, timelineOfExecutions, type HistoryJson, type TimelineEntry } from './timeline';

export interface ExecutionView {
  workflowId: string;
  runId: string;
  workflowType: string;
  status: string;
  startTime: string;
  closeTime: string | null;
  historyLength: number;
  parent: { workflowId: string; runId: string } | null;
  searchAttributes: Record<string, unknown>;
}

/** An execution and its history. */
export interface ExecutionRecord {
  execution: ExecutionView;
  history: HistoryJson;
}

export interface TimelineFilter {
  types?: string[];
  actorId?: string;
  unitId?: string;
  from?: string;
  to?: string;
  limit: number;
  offset: number;
}

export interface ActorView {
  id: string;
  name: string;
  email: string;
  unitId: string | null;
}

export type TimelineItem = TimelineEntry & { actor: ActorView | null };

/** Histories fetched at once while building a timeline or an export. */
const FETCH_CONCURRENCY = 8;

/**
 * Auditors' view of the workflows: executions found through Temporal's visibility (search
 * attributes), their histories read as business events and merged with the audit log.
 */
@Injectable()
export class HistoryService {
  /** Histories of closed executions never change: kept parsed, by run id (bounded by events held). */
  private readonly closedHistories = new LRUCache<string, HistoryJson>({
    maxSize: 200_000,
    sizeCalculation: (history) => Math.max(1, history.events.length),
  });

  constructor(
    private readonly temporal: Client,
    @InjectDataSource() private readonly db: DataSource,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /**
   * One page of executions matching the filter, with the visibility query that found them.
   * Page tokens are Temporal's, signed for this query: a token that is not one we issued is
   * refused here (the dev server hangs on a malformed one instead of refusing it).
   */
  async listExecutions(filter: ExecutionFilter, pageSize: number, pageToken?: string) {
    const query = executionQuery(filter);
    const response = await this.temporal.workflowService.listWorkflowExecutions({
      namespace: this.temporal.options.namespace,
      query,
      pageSize,
      nextPageToken: pageToken ? this.verifiedPageToken(pageToken, query) : undefined,
    });
    const items = await Promise.all(
      (response.executions ?? []).map((raw) => executionInfoFromRaw(raw, this.temporal.options.loadedDataConverter, raw, this.temporal.options.namespace)),
    );
    const next = response.nextPageToken && response.nextPageToken.length > 0 ? this.signedPageToken(Buffer.from(response.nextPageToken), query) : null;
    return { query, items: items.map(toExecutionView), nextPageToken: next };
  }

  private pageTokenMac(token: Buffer, query: string): string {
    return createHmac('sha256', this.config.JWT_SECRET).update('executions-page\0').update(query).update('\0').update(token).digest('base64url').slice(0, 22);
  }

  private signedPageToken(token: Buffer, query: string): string {
    return `${token.toString('base64url')}.${this.pageTokenMac(token, query)}`;
  }

  private verifiedPageToken(pageToken: string, query: string): Buffer {
    const [body, mac] = pageToken.split('.');
    const token = Buffer.from(body ?? '', 'base64url');
    const expected = Buffer.from(this.pageTokenMac(token, query));
    if (!mac || mac.length !== expected.length || !timingSafeEqual(Buffer.from(mac), expected)) {
      throw new DomainError(ErrorCode.ValidationFailed, 'invalid page token', [{ path: 'pageToken', message: 'must be the nextPageToken of an earlier page of the same search' }]);
    }
    return token;
  }

  async assertCycleExists(cycleId: string): Promise<CycleEntity> {
    const cycle = await this.db.getRepository(CycleEntity).findOneBy({ id: cycleId });
    if (!cycle) throw new DomainError(ErrorCode.NotFound, 'cycle not found');
    return cycle;
  }

  /**
   * Every execution of a cycle (each run of the cycle, its months, its requests) with its
   * history, oldest first: those visibility lists, and any their histories name that visibility
   * has not indexed yet (it may lag a just-started child or a new run by a moment).
   */
  async cycleRecord(cycleId: string): Promise<ExecutionRecord[]> {
    const listed: ExecutionView[] = [];
    for await (const info of this.temporal.workflow.list({ query: executionQuery({ cycleId }) })) listed.push(toExecutionView(info));
    const records: ExecutionRecord[] = [];
    const known = new Set(listed.map((e) => e.runId));
    for (let frontier = listed; frontier.length > 0; ) {
      const found = await mapLimited(frontier, FETCH_CONCURRENCY, async (execution) => ({ execution, history: await this.history(execution) }));
      records.push(...found);
      const missing: { workflowId: string; runId: string }[] = [];
      for (const { execution, history } of found) {
        for (const link of linkedExecutions(execution.workflowId, history)) {
          if (known.has(link.runId)) continue;
          known.add(link.runId);
          missing.push(link);
        }
      }
      frontier = await mapLimited(missing, FETCH_CONCURRENCY, async (link) => toExecutionView(await this.temporal.workflow.getHandle(link.workflowId, link.runId).describe()));
    }
    return records.sort((a, b) => a.execution.startTime.localeCompare(b.execution.startTime) || a.execution.workflowId.localeCompare(b.execution.workflowId));
  }

  /** An execution's full history, in the JSON form `temporal workflow show --output json` prints, parsed. */
  private async history(execution: ExecutionView): Promise<HistoryJson> {
    const cached = this.closedHistories.get(execution.runId);
    if (cached) return cached;
    const raw = await this.temporal.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    const history = JSON.parse(historyToJSON(raw)) as HistoryJson;
    if (execution.status !== 'RUNNING') this.closedHistories.set(execution.runId, history);
    return history;
  }

  /** The cycle's timeline: workflow events in business terms merged with the audit log, filtered and paged. */
  async timeline(cycleId: string, filter: TimelineFilter) {
    await this.assertCycleExists(cycleId);
    const record = await this.cycleRecord(cycleId);
    const fromWorkflows = timelineOfExecutions(record);

    // Audit rows written by a workflow's activity carry its key: they annotate that entry
    // rather than repeat it. The others (comments, imports, API-side acts) join the timeline.
    const byActivity = new Map(fromWorkflows.filter((e) => e.details.activityId).map((e) => [`${e.workflowId}/${e.runId}/${e.details.activityId}`, e]));
    const fromAudit: TimelineEntry[] = [];
    for (const row of await this.cycleAuditRows(cycleId)) {
      const entry = row.dedupeKey ? byActivity.get(row.dedupeKey) : undefined;
      if (entry) entry.auditRecordId = Number(row.id);
      else fromAudit.push(auditEntry(row));
    }

    const merged = [...fromWorkflows, ...fromAudit]
      .map((entry, order) => ({ entry, order }))
      .sort((a, b) => a.entry.at.localeCompare(b.entry.at) || a.order - b.order)
      .map(({ entry }) => entry);
    const actors = await this.actors(merged);
    for (const entry of merged) {
      const unit = entry.actorId ? actors.get(entry.actorId)?.unitId : null;
      if (unit && !entry.unitIds.includes(unit)) entry.unitIds.push(unit);
    }
    const selected = merged.filter((entry) => matches(entry, filter));
    return {
      cycleId,
      total: selected.length,
      limit: filter.limit,
      offset: filter.offset,
      executions: record.map(({ execution: { workflowId, runId, workflowType, status } }) => ({ workflowId, runId, workflowType, status })),
      items: selected.slice(filter.offset, filter.offset + filter.limit).map((entry): TimelineItem => ({ ...entry, actor: entry.actorId ? (actors.get(entry.actorId) ?? null) : null })),
    };
  }

  planVersions(cycleId: string): Promise<PlanVersionEntity[]> {
    return this.db.getRepository(PlanVersionEntity).find({ where: { cycleId }, order: { version: 'ASC' } });
  }

  /** Audit rows about the cycle: the cycle itself, its months, its tasks. */
  cycleAuditRows(cycleId: string): Promise<AuditLogEntity[]> {
    return this.db
      .getRepository(AuditLogEntity)
      .createQueryBuilder('a')
      .where(`(a.subjectType = 'cycle' AND a.subjectId = :cycleId)`, { cycleId })
      .orWhere(`(a.subjectType = 'period' AND a.subjectId LIKE :prefix)`, { prefix: `${cycleId}/%` })
      .orWhere(`(a.subjectType = 'task' AND a.subjectId IN (SELECT t.id::text FROM tasks t WHERE t.cycle_id = CAST(:taskCycleId AS uuid)))`, { taskCycleId: cycleId })
      .orderBy('a.id', 'ASC')
      .getMany();
  }

  async actors(entries: { actorId: string | null }[]): Promise<Map<string, ActorView>> {
    const ids = [...new Set(entries.map((e) => e.actorId).filter((id): id is string => !!id))];
    if (ids.length === 0) return new Map();
    const users = await this.db.getRepository(UserEntity).createQueryBuilder('u').where('u.id IN (:...ids)', { ids }).getMany();
    return new Map(users.map((u) => [u.id, { id: u.id, name: u.displayName, email: u.email, unitId: u.unitId }]));
  }
}

function matches(entry: TimelineEntry, filter: TimelineFilter): boolean {
  if (filter.types && !filter.types.includes(entry.type)) return false;
  if (filter.actorId && entry.actorId !== filter.actorId) return false;
  if (filter.unitId && !entry.unitIds.includes(filter.unitId)) return false;
  if (filter.from && entry.at < filter.from) return false;
  if (filter.to && entry.at >= filter.to) return false;
  return true;
}

function auditEntry(row: AuditLogEntity): TimelineEntry {
  const reason = typeof row.data?.reason === 'string' ? `: ${row.data.reason}` : '';
  return {
    at: row.at.toISOString(),
    type: TimelineType.Audit,
    summary: `${row.action.replace(/[._]/g, ' ')} (${row.subjectType} ${row.subjectId})${reason}`,
    actorId: row.actorId,
    actorRoles: row.actorRoles,
    unitIds: [],
    source: 'audit',
    auditRecordId: Number(row.id),
    details: { action: row.action, subjectType: row.subjectType, subjectId: row.subjectId, data: row.data },
  };
}

export function toExecutionView(info: Omit<WorkflowExecutionInfo, 'raw'>): ExecutionView {
  const attributes: Record<string, unknown> = {};
  for (const pair of info.typedSearchAttributes?.getAll() ?? []) attributes[pair.key.name] = pair.value instanceof Date ? pair.value.toISOString() : pair.value;
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    workflowType: info.type,
    status: info.status.name,
    startTime: info.startTime.toISOString(),
    closeTime: info.closeTime?.toISOString() ?? null,
    historyLength: info.historyLength,
    parent: info.parentExecution?.workflowId ? { workflowId: info.parentExecution.workflowId, runId: info.parentExecution.runId ?? '' } : null,
    searchAttributes: attributes,
  };
}

/** Maps with at most `limit` calls in flight, keeping the order. */
async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { DataSource } from 'typeorm';
import { seedDemoOrganization } from '@rollplan/api';
import { OrgUnitEntity, UserEntity } from '@rollplan/db';
import type { Actor, Role } from '@rollplan/domain';
import { completeTaskUpdate, tasksQuery, type CycleSetup, type TaskState } from '@rollplan/workflows';

/** Seeds the demo organization and fills `people` (by e-mail name) and `units` (by code). */
export async function seedDemoPeople(dataSource: DataSource, people: Record<string, Actor>, units: Record<string, string>): Promise<void> {
  await seedDemoOrganization(dataSource);
  for (const u of await dataSource.getRepository(UserEntity).find()) {
    people[u.email.split('@')[0]] = { userId: u.id, roles: u.roles as Role[], unitId: u.unitId, via: 'user' };
  }
  for (const unit of await dataSource.getRepository(OrgUnitEntity).find()) units[unit.code] = unit.id;
}

/** Helpers that act on a cycle on the time-skipping server the way its people would. */
export function cycleDriver(env: () => TestWorkflowEnvironment, people: Record<string, Actor>, units: Record<string, string>) {
  /** The demo organisation's setup: finance contributes, reviewer1 and reviewer2 vote (all), the chair approves. */
  async function demoSetup(overrides: Partial<CycleSetup> = {}): Promise<CycleSetup> {
    return {
      contributors: [{ unitId: units['finance'], area: 'finance', name: 'Finance' }],
      contributionDueAt: new Date(Number(await env().currentTimeMs()) + 14 * 86_400_000).toISOString(),
      planningOfficeUnitId: units['planning-office'],
      internalReviewUnitIds: [],
      committee: { memberIds: [people.reviewer1.userId, people.reviewer2.userId], chairId: people.chair.userId, rule: { kind: 'all' }, reviewDays: 7, maxRounds: 3 },
      ...overrides,
    };
  }
  async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
    for (let i = 0; i < 400; i++) {
      const value = await probe().catch(() => undefined);
      if (value !== undefined && done(value)) return value;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`never: ${what}`);
  }
  const openOf = (handle: WorkflowHandle, kind: string, count = 1) =>
    until(() => handle.query(tasksQuery), (tasks) => tasks.filter((t) => t.spec.kind === kind && t.status === 'open').length >= count, `${count} open ${kind}`).then((tasks) =>
      tasks.filter((t) => t.spec.kind === kind && t.status === 'open'),
    );
  const complete = (handle: WorkflowHandle, task: TaskState, actor: Actor, outcome: string, payload?: Record<string, unknown>) =>
    handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: task.id, outcome, actor, payload }] });
  const sleepUntil = async (ms: number) => {
    const now = Number(await env().currentTimeMs());
    if (ms > now) await env().sleep(ms - now);
  };
  /** Every open ballot approved by its holder, then the chair's final approval. */
  async function approveRound(cycle: WorkflowHandle, ballots: number) {
    for (const ballot of await openOf(cycle, 'plan.review', ballots)) {
      const voter = Object.values(people).find((p) => p.userId === ballot.eligible[0])!;
      await complete(cycle, ballot, voter, 'approve');
    }
    await complete(cycle, (await openOf(cycle, 'plan.final_approval'))[0], people.chair, 'approve');
  }
  /** The failure an update was refused with. */
  async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(error instanceof WorkflowUpdateFailedError) || !(error.cause instanceof ApplicationFailure)) throw new Error(`expected a refused update, got ${String(error)}`);
    return error.cause;
  }
  return { demoSetup, until, openOf, complete, sleepUntil, approveRound, failureOf };
}

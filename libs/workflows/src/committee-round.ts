import { CyclePhase, tallyGroup, type Assignee, type BusinessCalendar, type EscalationPolicy } from '@rollplan/domain/rules';
import { businessCalendar, dueInDays, escalationInDays } from './business-days';
import type { TaskBoard } from './human-task';
import type { TaskDecision, TaskSpec } from './human-task.messages';
import { Patch } from './names';
import type { CommitteeRoundState, CycleSetup, CycleStatus } from './planning-cycle.messages';
import { hasPatch } from './patches';

// The committee round (seed 000 §4, seed 003 §三), the same for a first plan, a change and a
// rolled plan: plan-drafting.ts, plan-change.ts and rolling-adjustment.ts each run it.

const DAY = 86_400_000;

/** Overdue work goes to `first` (if any), then to the planning office. */
export function escalation(setup: CycleSetup, remindBeforeMs: number[], graceMs: number, first?: Assignee): EscalationPolicy {
  const chain: Assignee[] = [
    ...(first ? [first] : []),
    ...(setup.planningOfficeUnitId ? [{ type: 'unit' as const, unitId: setup.planningOfficeUnitId }] : []),
  ];
  return { remindBeforeMs, chain, graceMs };
}

export type Verdict = 'approve' | 'request_changes' | 'reject';

/** What one review round is about: a draft of the plan, or a change to the plan in force. */
export interface ReviewSubject {
  cycleId: string;
  version: number;
  submittedBy: string;
  round: number;
  subject: 'plan' | 'change' | 'adjustment';
  /** For a change: the version in force, so reviewers look at the diff. */
  diffFrom?: number;
}

/**
 * One review round of a version (seed 000 §4, seed 003 §三): the optional internal review, then
 * the members' ballots under the committee's rule — every member heard — and the chair's final
 * approval. Past the round limit the chair decides alone. `onStage` is told each stage entered.
 */
export async function reviewRound(
  setup: CycleSetup,
  board: TaskBoard,
  subject: ReviewSubject,
  onStage: (stage: CyclePhase) => Promise<void>,
  onElectorate: (electorate: CommitteeRoundState) => void = () => undefined,
): Promise<{ verdict: Verdict; reasons: string[] }> {
  const { version, round } = subject;
  const calendar = await businessCalendar(setup);
  const what = subject.subject === 'plan' ? `plan v${version}` : subject.subject === 'change' ? `plan change v${version}` : `rolled plan v${version}`;
  if (setup.internalReviewUnitIds.length > 0) {
    await onStage(CyclePhase.InternalReview);
    await Promise.all(
      setup.internalReviewUnitIds.map((unitId) => board.decide(reviewSpec('plan.internal_review', `Internal review of ${what}`, { type: 'unit', unitId }, setup, subject, calendar))),
    );
  }

  await onStage(CyclePhase.CommitteeReview);
  let reasons: string[] = [];
  const chairDecides = async (): Promise<Verdict> => {
    const decision = await board.decide(reviewSpec('plan.final_approval', `Final approval of ${what}`, { type: 'user', userId: setup.committee.chairId }, setup, subject, calendar));
    reasons = commentsOf([decision]);
    return (decision?.outcome ?? 'request_changes') as Verdict;
  };
  if (round > setup.committee.maxRounds) return { verdict: await chairDecides(), reasons };

  // Four-eyes: a member who submitted the version gets no ballot, and the rule counts the
  // members who may vote (patch log: docs/temporal.md; before it, their ballot waited in vain).
  const recusal = hasPatch(Patch.CommitteeRecusal);
  const voters = recusal ? setup.committee.memberIds.filter((userId) => userId !== subject.submittedBy) : setup.committee.memberIds;
  const recused = setup.committee.memberIds.filter((userId) => !voters.includes(userId));
  onElectorate({ subject: subject.subject, version, round, voters, recused, needed: tallyGroup(setup.committee.rule, voters.length, []).needed });
  if (voters.length === 0) return { verdict: await chairDecides(), reasons };
  const ballots = voters.map((userId) => reviewSpec('plan.review', `Review ${what} (round ${round})`, { type: 'user', userId }, setup, subject, calendar));
  const vote = await board.decideGroup(ballots, setup.committee.rule, 'approve', { hearEveryone: true });
  reasons = commentsOf(vote.decisions);
  if (vote.state === 'passed') return { verdict: await chairDecides(), reasons };
  // As many rejections as approvals would have been needed: rejected. Otherwise the office revises.
  const rejects = vote.decisions.filter((d) => d.outcome === 'reject').length;
  return { verdict: rejects >= vote.needed ? 'reject' : 'request_changes', reasons };
}

/**
 * A round on a change or a rolled plan: `tracked` (the cycle's `change` or `adjustment`) counts
 * the round and follows its stage; the round's electorate shows on the cycle.
 */
export function reviewTracked(
  setup: CycleSetup,
  status: CycleStatus,
  board: TaskBoard,
  tracked: { version?: number; round: number; stage: string },
  submission: { version: number; submittedBy: string; subject: 'change' | 'adjustment' },
): Promise<{ verdict: Verdict; reasons: string[] }> {
  const { version, submittedBy, subject } = submission;
  Object.assign(tracked, { version, round: tracked.round + 1, stage: 'committee_review' });
  return reviewRound(
    setup,
    board,
    { cycleId: status.cycleId, version, submittedBy, round: tracked.round, subject, diffFrom: status.effectiveVersion },
    async (stage) => void (tracked.stage = stage === CyclePhase.InternalReview ? 'internal_review' : 'committee_review'),
    (electorate) => (status.committeeRound = electorate),
  );
}

function reviewSpec(kind: TaskSpec['kind'], title: string, assignee: Assignee, setup: CycleSetup, subject: ReviewSubject, calendar: BusinessCalendar | undefined): TaskSpec {
  // Overdue reviews escalate to the chair (the chair's own task to the planning office).
  const toChair: Assignee | undefined = assignee.type === 'user' && assignee.userId === setup.committee.chairId ? undefined : { type: 'user', userId: setup.committee.chairId };
  const dueAt = dueInDays(setup.committee.reviewDays, calendar);
  return {
    kind,
    title,
    assignee,
    dueAt,
    escalation: escalationInDays(dueAt, [1], 2, toChair ? [toChair] : escalation(setup, [], 0).chain, calendar),
    submittedBy: subject.submittedBy,
    cycleId: subject.cycleId,
    links: {
      version: String(subject.version),
      round: String(subject.round),
      ...(subject.subject !== 'plan' ? { [subject.subject]: 'true' } : {}),
      ...(subject.diffFrom !== undefined ? { diffFrom: String(subject.diffFrom) } : {}),
    },
  };
}

function commentsOf(decisions: (TaskDecision | undefined)[]): string[] {
  return decisions.flatMap((d) => {
    const comments = (d?.payload?.comments as { anchor: string; text: string }[] | undefined) ?? [];
    return [...(d?.comment ? [d.comment] : []), ...comments.map((c) => `${c.anchor}: ${c.text}`)];
  });
}

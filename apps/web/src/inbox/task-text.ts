import type { TFunction } from 'i18next';
import type { Task } from '../api/types';
import { formatPeriod } from '../format';

/**
 * A task's title in the reader's language, built from its kind and links where the kind has a
 * template (the server's title is English); requests keep the title their sender wrote.
 */
export function taskTitle(task: Pick<Task, 'kind' | 'title' | 'links'>, t: TFunction, unitName: (id: string) => string, years?: string): string {
  const links = (task.links ?? {}) as Record<string, string>;
  const values: Record<string, string> = { ...links };
  if (links.unitId) values.unit = unitName(links.unitId);
  if (links.period) values.period = formatPeriod(links.period);
  values.years = years ?? '';
  const template = `kindTitle.${task.kind}`;
  const needed: Record<string, string[]> = {
    'plan.contribution': ['unit', 'years'],
    'plan.internal_review': ['version'],
    'plan.review': ['version', 'round'],
    'plan.final_approval': ['version', 'round'],
    'monthly.actuals': ['period'],
    'monthly.cause_analysis': ['period', 'kpiId'],
    'monthly.milestones': ['period'],
    'monthly.spend': ['period'],
    'monthly.operations_meeting': ['period'],
    'evaluation.sign_off': ['span'],
  };
  const fields = needed[task.kind];
  if (!fields || fields.some((f) => !values[f])) return task.title;
  return t(template, values);
}

export const isOverdue = (task: Pick<Task, 'status' | 'dueAt'>) => (task.status === 'open' || task.status === 'claimed') && Date.parse(task.dueAt) < Date.now();

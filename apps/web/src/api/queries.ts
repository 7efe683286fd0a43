import { useQuery } from '@tanstack/react-query';
import { api, ok } from './client';
import type { Colleague, OrgUnit, TaskKindInfo } from './types';

/** Query keys, in one place: live updates invalidate by these prefixes. */
export const keys = {
  me: ['me'] as const,
  tasks: ['tasks'] as const,
  task: (id: string) => ['tasks', id] as const,
  comments: (id: string) => ['tasks', id, 'comments'] as const,
  taskKinds: ['task-kinds'] as const,
  cycles: ['cycles'] as const,
  cycle: (id: string) => ['cycles', id] as const,
  versions: (cycleId: string) => ['cycles', cycleId, 'versions'] as const,
  version: (cycleId: string, version: number) => ['cycles', cycleId, 'versions', version] as const,
  diff: (cycleId: string, from: number, to: number) => ['cycles', cycleId, 'diff', from, to] as const,
  notifications: ['notifications'] as const,
  directory: ['directory'] as const,
  units: ['org-units'] as const,
};

const forever = { staleTime: 5 * 60_000 };

/** One task, as the task page shows it and a failed decision re-reads it. */
export const taskQuery = (id: string) => ({ queryKey: keys.task(id), queryFn: () => ok(api.GET('/tasks/{id}', { params: { path: { id } } })) });

export function useDirectory() {
  const people = useQuery({ queryKey: keys.directory, queryFn: () => ok(api.GET('/directory')), ...forever });
  const units = useQuery({ queryKey: keys.units, queryFn: () => ok(api.GET('/org-units')), ...forever });
  const byUser = new Map<string, Colleague>((people.data ?? []).map((p) => [p.id, p]));
  const byUnit = new Map<string, OrgUnit>((units.data ?? []).map((u) => [u.id, u]));
  return {
    people: people.data ?? [],
    units: units.data ?? [],
    personName: (id: string | null | undefined) => (id ? (byUser.get(id)?.displayName ?? id.slice(0, 8)) : ''),
    unitName: (id: string | null | undefined) => (id ? (byUnit.get(id)?.name ?? id.slice(0, 8)) : ''),
  };
}

export function useTaskKinds() {
  const query = useQuery({ queryKey: keys.taskKinds, queryFn: () => ok(api.GET('/task-kinds')), staleTime: Infinity });
  return new Map<string, TaskKindInfo>((query.data ?? []).map((k) => [k.kind, k]));
}

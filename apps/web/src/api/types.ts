import type { paths } from './schema';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;
/** The JSON body of an operation's success response, from the generated OpenAPI types. */
export type Ok<P extends keyof paths, M extends Method> = paths[P][M] extends { responses: infer R }
  ? R extends { 200: infer A }
    ? JsonOf<A>
    : R extends { 201: infer A }
      ? JsonOf<A>
      : R extends { 202: infer A }
        ? JsonOf<A>
        : never
  : never;

export type Me = Ok<'/auth/me', 'get'>;
export type TaskPage = Ok<'/tasks', 'get'>;
export type Task = Ok<'/tasks/{id}', 'get'>;
export type TaskComment = Ok<'/tasks/{id}/comments', 'get'>[number];
export type TaskKindInfo = Ok<'/task-kinds', 'get'>[number];
export type CyclePage = Ok<'/cycles', 'get'>;
export type Cycle = Ok<'/cycles/{id}', 'get'>;
export type PlanVersionSummary = Ok<'/plans/{cycleId}/versions', 'get'>[number];
export type PlanVersion = Ok<'/plans/{cycleId}/versions/{version}', 'get'>;
export type PlanDiff = Ok<'/plans/{cycleId}/diff', 'get'>;
export type NotificationPage = Ok<'/notifications', 'get'>;
export type Notification = NotificationPage['items'][number];
export type Colleague = Ok<'/directory', 'get'>[number];
export type OrgUnit = Ok<'/org-units', 'get'>[number];

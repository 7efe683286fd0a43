import type { Actor } from '@rollplan/domain';

/**
 * Called after a user is deactivated (their tokens already revoked). Later procedures
 * register handlers here to reassign or escalate the user's open tasks and actions:
 * `{ provide: USER_DEACTIVATED_HANDLERS, useClass: …, multi }` via PeopleModule.register().
 */
export interface UserDeactivatedHandler {
  onUserDeactivated(userId: string, actor: Actor): Promise<void>;
}

export const USER_DEACTIVATED_HANDLERS = Symbol('USER_DEACTIVATED_HANDLERS');

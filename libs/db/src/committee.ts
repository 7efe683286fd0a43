import type { EntityManager } from 'typeorm';
import { CommitteeMemberEntity } from './entities/identity.entities';

/**
 * The decision committee's active members with their users, in the order they joined: who gets a
 * ballot, who may be delegated a committee task, who chairs. One query for the API and the worker.
 */
export function activeCommitteeMembers(manager: EntityManager): Promise<CommitteeMemberEntity[]> {
  return manager.getRepository(CommitteeMemberEntity).createQueryBuilder('c').innerJoinAndSelect('c.user', 'u', 'u.active = true').orderBy('c.joinedAt', 'ASC').getMany();
}

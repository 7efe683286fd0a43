import type { DataSource } from 'typeorm';
import { CycleEntity } from '@rollplan/db';
import { DomainError, ErrorCode } from '@rollplan/domain';

/** 404 unless the cycle exists: routes under /cycles/:id that read rows of their own. */
export async function requireCycle(db: DataSource, cycleId: string): Promise<void> {
  if (!(await db.getRepository(CycleEntity).existsBy({ id: cycleId }))) throw new DomainError(ErrorCode.NotFound, 'cycle not found');
}

import { z } from 'zod';
import { CENTER_AREAS, ROLES, UNIT_KINDS } from '@rollplan/domain';
import { isoTime, pageOf, responseDto } from '../common/openapi-types';

const userViewSchema = z.strictObject({
  id: z.uuid(),
  email: z.string(),
  displayName: z.string(),
  roles: z.array(z.enum(ROLES)),
  unitId: z.uuid().nullable().describe('home org unit'),
  committeeMember: z.boolean(),
  active: z.boolean(),
  deactivatedAt: isoTime().nullable(),
  createdAt: isoTime(),
});
export class UserViewDto extends responseDto(userViewSchema) {}
export class UserPageDto extends responseDto(pageOf(userViewSchema)) {}

export class OrgUnitDto extends responseDto(
  z.strictObject({
    id: z.uuid(),
    code: z.string(),
    name: z.string(),
    kind: z.enum(UNIT_KINDS),
    area: z.enum(CENTER_AREAS).nullable().describe("a functional center's planning area; null for every other unit"),
    headUserId: z.uuid().nullable().describe("the unit's head: where its overdue tasks escalate"),
    createdAt: isoTime(),
    updatedAt: isoTime(),
  }),
) {}

/** GET /directory: colleagues for everyone signed in — no e-mail addresses, no roles. */
export class DirectoryEntryDto extends responseDto(
  z.strictObject({
    id: z.uuid(),
    displayName: z.string(),
    unitId: z.uuid().nullable(),
    committeeMember: z.boolean(),
  }),
) {}

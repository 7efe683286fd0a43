import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { UserEntity } from '@rollplan/db';
import { Authenticated } from '../auth/auth.decorators';
import { DirectoryEntryDto } from './people.responses';
import { PeopleService } from './people.service';

/**
 * Colleagues by name and unit, for everyone signed in: who holds a task, whom to delegate to.
 * No e-mail addresses or roles: managing people stays with the planning office (GET /users).
 */
@ApiTags('people')
@Controller('directory')
export class DirectoryController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly people: PeopleService,
  ) {}

  @Get()
  @Authenticated()
  @ApiOperation({ summary: 'Active colleagues: id, name, unit, committee membership' })
  @ApiOkResponse({ type: [DirectoryEntryDto] })
  async list() {
    const [users, committee] = await Promise.all([
      this.db.getRepository(UserEntity).find({ select: { id: true, displayName: true, unitId: true }, where: { active: true }, order: { displayName: 'ASC' } }),
      this.people.listCommittee(),
    ]);
    const members = new Set(committee.map((m) => m.id));
    return users.map((u) => ({ id: u.id, displayName: u.displayName, unitId: u.unitId, committeeMember: members.has(u.id) }));
  }
}

import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Role, type Actor } from '@rollplan/domain';
import { Authenticated, CurrentActor, Roles } from '../auth/auth.decorators';
import { CreateOrgUnitDto, CreateUserDto, IdParamDto, ListUsersQueryDto, UpdateOrgUnitDto, UpdateUserDto, UserIdParamDto } from './people.dto';
import { OrgUnitDto, UserPageDto, UserViewDto } from './people.responses';
import { PeopleService } from './people.service';

const ADMIN = [Role.Admin] as const;
const PEOPLE_READERS = [Role.Admin, Role.Auditor] as const;

@ApiTags('people')
@Controller('users')
export class UsersController {
  constructor(private readonly people: PeopleService) {}

  @Get()
  @Roles(PEOPLE_READERS)
  @ApiOperation({ summary: 'List users (filters: role, unitId, active)' })
  @ApiOkResponse({ type: UserPageDto })
  list(@Query() query: ListUsersQueryDto) {
    return this.people.listUsers(query);
  }

  @Post()
  @Roles(ADMIN)
  @ApiOperation({ summary: 'Create a user' })
  @ApiCreatedResponse({ type: UserViewDto })
  create(@Body() body: CreateUserDto, @CurrentActor() actor: Actor) {
    return this.people.createUser(body, actor);
  }

  @Get(':id')
  @Roles(PEOPLE_READERS)
  @ApiOkResponse({ type: UserViewDto })
  get(@Param() { id }: IdParamDto) {
    return this.people.getUser(id);
  }

  @Patch(':id')
  @Roles(ADMIN)
  @ApiOperation({ summary: "Change a user's name, roles, unit or password (a new password ends their sessions)" })
  @ApiOkResponse({ type: UserViewDto })
  update(@Param() { id }: IdParamDto, @Body() body: UpdateUserDto, @CurrentActor() actor: Actor) {
    return this.people.updateUser(id, body, actor);
  }

  @Post(':id/deactivate')
  @Roles(ADMIN)
  @HttpCode(200)
  @ApiOperation({ summary: 'Deactivate: no more logins, every token revoked, open work handed on' })
  @ApiOkResponse({ type: UserViewDto })
  deactivate(@Param() { id }: IdParamDto, @CurrentActor() actor: Actor) {
    return this.people.deactivateUser(id, actor);
  }

  @Post(':id/reactivate')
  @Roles(ADMIN)
  @HttpCode(200)
  @ApiOkResponse({ type: UserViewDto })
  reactivate(@Param() { id }: IdParamDto, @CurrentActor() actor: Actor) {
    return this.people.reactivateUser(id, actor);
  }
}

@ApiTags('people')
@Controller('org-units')
export class OrgUnitsController {
  constructor(private readonly people: PeopleService) {}

  @Get()
  @Authenticated()
  @ApiOperation({ summary: 'The org structure: planning office, functional centers, subsidiaries, committee' })
  @ApiOkResponse({ type: [OrgUnitDto] })
  list() {
    return this.people.listUnits();
  }

  @Post()
  @Roles(ADMIN)
  @ApiCreatedResponse({ type: OrgUnitDto })
  create(@Body() body: CreateOrgUnitDto, @CurrentActor() actor: Actor) {
    return this.people.createUnit(body, actor);
  }

  @Patch(':id')
  @Roles(ADMIN)
  @ApiOperation({ summary: "Rename a unit or set its head (the escalation target for the unit's tasks)" })
  @ApiOkResponse({ type: OrgUnitDto })
  update(@Param() { id }: IdParamDto, @Body() body: UpdateOrgUnitDto, @CurrentActor() actor: Actor) {
    return this.people.updateUnit(id, body, actor);
  }
}

@ApiTags('people')
@Controller('committee')
export class CommitteeController {
  constructor(private readonly people: PeopleService) {}

  @Get('members')
  @Authenticated()
  @ApiOperation({ summary: 'Members of the decision committee' })
  @ApiOkResponse({ type: [UserViewDto] })
  list() {
    return this.people.listCommittee();
  }

  @Put('members/:userId')
  @Roles(ADMIN)
  @ApiOperation({ summary: 'Seat a user on the committee (idempotent)' })
  @ApiOkResponse({ type: [UserViewDto] })
  add(@Param() { userId }: UserIdParamDto, @CurrentActor() actor: Actor) {
    return this.people.addCommitteeMember(userId, actor);
  }

  @Delete('members/:userId')
  @Roles(ADMIN)
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'not (or no longer) on the committee' })
  async remove(@Param() { userId }: UserIdParamDto, @CurrentActor() actor: Actor): Promise<void> {
    await this.people.removeCommitteeMember(userId, actor);
  }
}

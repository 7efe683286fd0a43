import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ACTING_ROLES, Role, type Actor } from '@rollplan/domain';
import { Authenticated, CurrentActor, Roles } from '../auth/auth.decorators';
import { ApiIdempotencyKey, IdempotencyKey } from '../common/idempotency-key.decorator';
import { IdParamDto } from '../people/people.dto';
import { CompleteTaskDto, CreateTaskDto, DelegateTaskDto, ListTasksQueryDto, TaskCommentDto } from './tasks.dto';
import { RequestOpenedDto, TaskCommentViewDto, TaskDecisionDto, TaskPageDto, TaskViewDto } from './tasks.responses';
import { TasksService } from './tasks.service';

@ApiTags('tasks')
@Controller('tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Get()
  @Authenticated()
  @ApiOperation({ summary: 'My inbox across every procedure: tasks I may act on, claimed, decided or delegated' })
  @ApiOkResponse({ type: TaskPageDto })
  inbox(@CurrentActor() actor: Actor, @Query() query: ListTasksQueryDto) {
    return this.tasks.inbox(actor, query);
  }

  @Post()
  @Roles([Role.Admin])
  @ApiIdempotencyKey()
  @ApiOperation({ summary: 'Send an ad-hoc request to a person, a unit or the committee (a committee vote: one ballot per member)' })
  @ApiCreatedResponse({ type: RequestOpenedDto })
  create(@CurrentActor() actor: Actor, @Body() body: CreateTaskDto, @IdempotencyKey() key: string | undefined) {
    return this.tasks.createRequest(actor, body, key);
  }

  @Get(':id')
  @Authenticated()
  @ApiOkResponse({ type: TaskViewDto })
  get(@CurrentActor() actor: Actor, @Param() { id }: IdParamDto) {
    return this.tasks.get(actor, id);
  }

  @Post(':id/complete')
  // Auditors read tasks and change nothing.
  @Roles(ACTING_ROLES)
  @HttpCode(200)
  @ApiIdempotencyKey()
  @ApiOperation({ summary: 'Decide a task: outcome, comment, payload (validated by the task kind)' })
  @ApiOkResponse({ type: TaskDecisionDto })
  complete(@CurrentActor() actor: Actor, @Param() { id }: IdParamDto, @Body() body: CompleteTaskDto, @IdempotencyKey() key: string | undefined) {
    return this.tasks.complete(actor, id, body, key);
  }

  @Post(':id/claim')
  // Auditors read tasks and change nothing.
  @Roles(ACTING_ROLES)
  @HttpCode(200)
  @ApiOperation({ summary: 'Take a task held by your unit or the committee' })
  @ApiOkResponse({ type: TaskViewDto })
  claim(@CurrentActor() actor: Actor, @Param() { id }: IdParamDto) {
    return this.tasks.claim(actor, id, true);
  }

  @Post(':id/unclaim')
  // Auditors read tasks and change nothing.
  @Roles(ACTING_ROLES)
  @HttpCode(200)
  @ApiOkResponse({ type: TaskViewDto })
  unclaim(@CurrentActor() actor: Actor, @Param() { id }: IdParamDto) {
    return this.tasks.claim(actor, id, false);
  }

  @Post(':id/delegate')
  // Auditors read tasks and change nothing.
  @Roles(ACTING_ROLES)
  @HttpCode(200)
  @ApiOperation({ summary: 'Hand a task to another user; you stay accountable' })
  @ApiOkResponse({ type: TaskViewDto })
  delegate(@CurrentActor() actor: Actor, @Param() { id }: IdParamDto, @Body() body: DelegateTaskDto) {
    return this.tasks.delegate(actor, id, body.toUserId);
  }

  @Get(':id/comments')
  @Authenticated()
  @ApiOkResponse({ type: [TaskCommentViewDto] })
  comments(@CurrentActor() actor: Actor, @Param() { id }: IdParamDto) {
    return this.tasks.comments(actor, id);
  }

  @Post(':id/comments')
  // Auditors read tasks and change nothing.
  @Roles(ACTING_ROLES)
  @ApiCreatedResponse({ type: TaskCommentViewDto })
  addComment(@CurrentActor() actor: Actor, @Param() { id }: IdParamDto, @Body() body: TaskCommentDto) {
    return this.tasks.addComment(actor, id, body.body);
  }
}

import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { TASK_KINDS, TASK_KIND_NAMES, TASK_PAYLOADS, type TaskKind } from '@rollplan/domain';
import { Authenticated } from '../auth/auth.decorators';
import { TaskKindDto } from './tasks.responses';

/** What a client needs to build a decision form for each kind of task, from the rules themselves. */
const KINDS = TASK_KIND_NAMES.map((kind) => {
  const definition: TaskKind = TASK_KINDS[kind];
  return {
    kind,
    outcomes: [...definition.outcomes],
    fourEyes: definition.fourEyes,
    ...(definition.closedBySystem ? { closedBySystem: definition.closedBySystem } : {}),
    payloadSchema: z.toJSONSchema(TASK_PAYLOADS[kind], { io: 'input' }) as Record<string, unknown>,
  };
});

@ApiTags('tasks')
@Controller('task-kinds')
export class TaskKindsController {
  @Get()
  @Authenticated()
  @ApiOperation({ summary: 'Every kind of task: its outcomes and the JSON Schema of its payload (forms are built from it)' })
  @ApiOkResponse({ type: [TaskKindDto] })
  list() {
    return KINDS;
  }
}

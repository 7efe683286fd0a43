import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { TASK_KINDS, TASK_KIND_NAMES, type TaskKind } from '@rollplan/domain';
import { Authenticated } from '../auth/auth.decorators';

const taskKindSchema = z.strictObject({
  kind: z.enum(TASK_KIND_NAMES),
  outcomes: z.array(z.string()),
  fourEyes: z.boolean().describe('the person who submitted the work under decision may not decide it'),
  closedBySystem: z.string().optional().describe('closed by the workflow once the work arrives elsewhere: where to send it'),
  payloadSchema: z.record(z.string(), z.unknown()).describe("JSON Schema (draft 2020-12) of the decision's payload, as the API validates it"),
});
class TaskKindDto extends createZodDto(taskKindSchema) {}

/** What a client needs to build a decision form for each kind of task, from the rules themselves. */
const KINDS = TASK_KIND_NAMES.map((kind) => {
  const definition: TaskKind = TASK_KINDS[kind];
  return {
    kind,
    outcomes: [...definition.outcomes],
    fourEyes: definition.fourEyes,
    ...(definition.closedBySystem ? { closedBySystem: definition.closedBySystem } : {}),
    payloadSchema: z.toJSONSchema(definition.payload, { io: 'input' }) as Record<string, unknown>,
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

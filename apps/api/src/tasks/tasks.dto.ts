import { createZodDto } from 'nestjs-zod';
import { completeTaskSchema, createTaskRequestSchema, delegateTaskSchema, listTasksQuerySchema, taskCommentSchema } from '@rollplan/domain';

export class ListTasksQueryDto extends createZodDto(listTasksQuerySchema) {}
export class CompleteTaskDto extends createZodDto(completeTaskSchema) {}
export class DelegateTaskDto extends createZodDto(delegateTaskSchema) {}
export class TaskCommentDto extends createZodDto(taskCommentSchema) {}
export class CreateTaskDto extends createZodDto(createTaskRequestSchema) {}

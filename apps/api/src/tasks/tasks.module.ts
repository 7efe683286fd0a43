import { Module } from '@nestjs/common';
import { TaskKindsController } from './task-kinds.controller';
import { TasksController } from './tasks.controller';
import { TasksService } from './tasks.service';

@Module({ controllers: [TasksController, TaskKindsController], providers: [TasksService] })
export class TasksModule {}

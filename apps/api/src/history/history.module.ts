import { Module } from '@nestjs/common';
import { HistoryController } from './history.controller';
import { HistoryService } from './history.service';

/** Auditors' reading of the workflows: timelines, execution search, exports. */
@Module({ controllers: [HistoryController], providers: [HistoryService] })
export class HistoryModule {}

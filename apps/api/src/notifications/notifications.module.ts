import { Module } from '@nestjs/common';
import { NotificationsController } from './notifications.controller';
import { NotificationsService } from './notifications.service';
import { NotificationStreams } from './notification-stream';

@Module({ controllers: [NotificationsController], providers: [NotificationsService, NotificationStreams] })
export class NotificationsModule {}

import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { Role, createWebhookSchema, listNotificationsQuerySchema, pagingSchema, type Actor } from '@rollplan/domain';
import { Authenticated, CurrentActor, Roles } from '../auth/auth.decorators';
import { IdParamDto } from '../people/people.dto';
import { NotificationsService } from './notifications.service';

class ListNotificationsQueryDto extends createZodDto(listNotificationsQuerySchema) {}
class CreateWebhookDto extends createZodDto(createWebhookSchema) {}
class PagingQueryDto extends createZodDto(pagingSchema) {}
class JobIdParamDto extends createZodDto(z.strictObject({ id: z.string().regex(/^[\w:.-]{1,300}$/, 'not a job id') })) {}

@ApiTags('notifications')
@Controller()
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get('notifications')
  @Authenticated()
  @ApiOperation({ summary: 'My in-app notifications, newest first' })
  mine(@CurrentActor() actor: Actor, @Query() query: ListNotificationsQueryDto) {
    return this.notifications.mine(actor, query);
  }

  @Post('notifications/:id/read')
  @Authenticated()
  @HttpCode(204)
  async markRead(@CurrentActor() actor: Actor, @Param() { id }: IdParamDto): Promise<void> {
    await this.notifications.markRead(actor, id);
  }

  @Get('webhooks')
  @Roles([Role.Admin, Role.Auditor])
  listWebhooks() {
    return this.notifications.listWebhooks();
  }

  @Post('webhooks')
  @Roles([Role.Admin])
  @ApiOperation({ summary: 'Subscribe a URL to events; the signing secret is in this response only' })
  createWebhook(@CurrentActor() actor: Actor, @Body() body: CreateWebhookDto) {
    return this.notifications.createWebhook(actor, body);
  }

  @Delete('webhooks/:id')
  @Roles([Role.Admin])
  @HttpCode(204)
  async deactivateWebhook(@CurrentActor() actor: Actor, @Param() { id }: IdParamDto): Promise<void> {
    await this.notifications.deactivateWebhook(actor, id);
  }

  @Get('dead-letters')
  @Roles([Role.Admin])
  @ApiOperation({ summary: 'Deliveries (e-mail, webhook) that used up their retries' })
  deadLetters(@Query() query: PagingQueryDto) {
    return this.notifications.deadLetters(query.limit, query.offset);
  }

  @Post('dead-letters/:id/retry')
  @Roles([Role.Admin])
  @HttpCode(200)
  retry(@CurrentActor() actor: Actor, @Param() { id }: JobIdParamDto) {
    return this.notifications.retryDeadLetter(actor, id);
  }
}

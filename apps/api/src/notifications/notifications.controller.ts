import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiCreatedResponse, ApiExtraModels, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { Role, createWebhookSchema, listNotificationsQuerySchema, pagingSchema, type Actor } from '@rollplan/domain';
import { Authenticated, CurrentActor, Roles } from '../auth/auth.decorators';
import { IdParamDto } from '../people/people.dto';
import { NotificationsService } from './notifications.service';
import { NotificationStreams } from './notification-stream';
import { CreatedWebhookDto, DeadLetterPageDto, DeadLetterRetriedDto, NotificationPageDto, StreamedNotificationDto, WebhookDto } from './notifications.responses';

class ListNotificationsQueryDto extends createZodDto(listNotificationsQuerySchema) {}
class CreateWebhookDto extends createZodDto(createWebhookSchema) {}
class PagingQueryDto extends createZodDto(pagingSchema) {}
class StreamQueryDto extends createZodDto(z.strictObject({ maxSeconds: z.coerce.number().int().min(1).max(3600).default(300) })) {}
class JobIdParamDto extends createZodDto(z.strictObject({ id: z.string().regex(/^[\w:.-]{1,300}$/, 'not a job id') })) {}

@ApiTags('notifications')
@ApiExtraModels(StreamedNotificationDto)
@Controller()
export class NotificationsController {
  constructor(
    private readonly notifications: NotificationsService,
    private readonly streams: NotificationStreams,
  ) {}

  @Get('notifications')
  @Authenticated()
  @ApiOperation({ summary: 'My in-app notifications, newest first' })
  @ApiOkResponse({ type: NotificationPageDto })
  mine(@CurrentActor() actor: Actor, @Query() query: ListNotificationsQueryDto) {
    return this.notifications.mine(actor, query);
  }

  @Get('notifications/stream')
  @Authenticated()
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description: 'server-sent events: `event: notification`, its `data` a StreamedNotificationDto as JSON, its `id` a cursor for Last-Event-ID; a `: keep-alive` comment every 15 s',
    content: { 'text/event-stream': { schema: { type: 'string', description: `an event stream; each event's data: ${getSchemaPath(StreamedNotificationDto)}` } } },
  })
  @ApiOperation({
    summary:
      'My new in-app notifications as server-sent events (`event: notification`, `id` a cursor to resume from with Last-Event-ID); the stream ends after maxSeconds (default 300), clients reconnect',
  })
  async stream(@CurrentActor() actor: Actor, @Query() { maxSeconds }: StreamQueryDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no', Connection: 'keep-alive' });
    res.flushHeaders();
    res.write('retry: 3000\n\n');
    const resumeFrom = Number(/^(\d+)-/.exec(req.header('last-event-id') ?? '')?.[1]);
    // Without Last-Event-ID the stream starts now; with it, it first sends what was missed.
    let cursor = Number.isFinite(resumeFrom) ? resumeFrom : Date.now();
    let sending = Promise.resolve();
    const send = () =>
      (sending = sending.then(async () => {
        for (const n of await this.streams.since(actor.userId, cursor).catch(() => [])) {
          cursor = Math.max(cursor, Date.parse(n.createdAt));
          res.write(`id: ${Date.parse(n.createdAt)}-${n.id}\nevent: notification\ndata: ${JSON.stringify(n)}\n\n`);
        }
      }));
    const stop = this.streams.listen(actor.userId, send);
    // The chain is awaited below (`await sending`); each link catches its own failure.
    void send();
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    await new Promise<void>((resolve) => {
      const end = setTimeout(resolve, maxSeconds * 1000);
      req.on('close', () => {
        clearTimeout(end);
        resolve();
      });
    });
    clearInterval(heartbeat);
    stop();
    await sending;
    res.end();
  }

  @Post('notifications/:id/read')
  @Authenticated()
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'marked read' })
  async markRead(@CurrentActor() actor: Actor, @Param() { id }: IdParamDto): Promise<void> {
    await this.notifications.markRead(actor, id);
  }

  @Get('webhooks')
  @Roles([Role.Admin, Role.Auditor])
  @ApiOkResponse({ type: [WebhookDto] })
  listWebhooks() {
    return this.notifications.listWebhooks();
  }

  @Post('webhooks')
  @Roles([Role.Admin])
  @ApiOperation({ summary: 'Subscribe a URL to events; the signing secret is in this response only' })
  @ApiCreatedResponse({ type: CreatedWebhookDto })
  createWebhook(@CurrentActor() actor: Actor, @Body() body: CreateWebhookDto) {
    return this.notifications.createWebhook(actor, body);
  }

  @Delete('webhooks/:id')
  @Roles([Role.Admin])
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'deactivated: no more deliveries' })
  async deactivateWebhook(@CurrentActor() actor: Actor, @Param() { id }: IdParamDto): Promise<void> {
    await this.notifications.deactivateWebhook(actor, id);
  }

  @Get('dead-letters')
  @Roles([Role.Admin])
  @ApiOperation({ summary: 'Deliveries (e-mail, webhook) that used up their retries' })
  @ApiOkResponse({ type: DeadLetterPageDto })
  deadLetters(@Query() query: PagingQueryDto) {
    return this.notifications.deadLetters(query.limit, query.offset);
  }

  @Post('dead-letters/:id/retry')
  @Roles([Role.Admin])
  @HttpCode(200)
  @ApiOkResponse({ type: DeadLetterRetriedDto })
  retry(@CurrentActor() actor: Actor, @Param() { id }: JobIdParamDto) {
    return this.notifications.retryDeadLetter(actor, id);
  }
}

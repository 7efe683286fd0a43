import { z } from 'zod';
import { NOTIFICATION_EVENTS } from '@rollplan/domain';
import { isoTime, pageOf, responseDto } from '../common/openapi-types';

const notificationSchema = z.strictObject({
  id: z.uuid(),
  event: z.enum(NOTIFICATION_EVENTS),
  title: z.string(),
  taskId: z.uuid().nullable(),
  createdAt: isoTime(),
  readAt: isoTime().nullable(),
});
export class NotificationPageDto extends responseDto(pageOf(notificationSchema)) {}

/**
 * GET /notifications/stream: server-sent events. Each `event: notification` carries one of these
 * as its `data` (JSON), with `id: <ms since the epoch>-<notification id>` to resume from.
 */
export const streamedNotificationSchema = notificationSchema.omit({ readAt: true });

const webhookSchema = z.strictObject({
  id: z.uuid(),
  url: z.string(),
  events: z.array(z.enum([...NOTIFICATION_EVENTS, '*'])),
  active: z.boolean(),
  createdBy: z.uuid(),
  createdAt: isoTime(),
});
export class WebhookDto extends responseDto(webhookSchema) {}
/** A new webhook subscription: the signing secret is in this response only. */
export class CreatedWebhookDto extends responseDto(webhookSchema.extend({ secret: z.string().startsWith('whsec_').describe('receivers verify X-Rollplan-Signature with it') })) {}

export class DeadLetterPageDto extends responseDto(
  z.strictObject({
    items: z.array(
      z.strictObject({
        id: z.string().describe('the dead letter’s job id: retry it with POST /dead-letters/:id/retry'),
        queue: z.string().describe('the delivery queue it came from (e-mail or webhooks)'),
        event: z.string().describe('the job name: the notification event'),
        failedReason: z.string(),
        attempts: z.number().int().min(0),
        deadAt: isoTime(),
        data: z.record(z.string(), z.unknown()).describe('the delivery job as it was queued'),
      }),
    ),
    total: z.number().int().min(0),
  }),
) {}
export class DeadLetterRetriedDto extends responseDto(z.strictObject({ retriedAs: z.string().describe('the job id of the new delivery') })) {}
export class StreamedNotificationDto extends responseDto(streamedNotificationSchema) {}

// Job data of rollplan's BullMQ queues (queue names: QueueName in @rollplan/workflows).

/** One outbox event to fan out. */
export interface NotificationJobData {
  outboxId: string;
  event: string;
  payload: Record<string, unknown>;
}

export interface EmailJobData {
  /** `<outbox id>.email.<user id>`: the delivery's idempotency key. */
  deliveryKey: string;
  to: string;
  subject: string;
  text: string;
}

export interface WebhookJobData {
  /** `<outbox id>.webhook.<subscription id>`: the delivery's idempotency key, sent as X-Rollplan-Delivery. */
  deliveryKey: string;
  subscriptionId: string;
  event: string;
  body: Record<string, unknown>;
}

export interface DeadLetterJobData {
  queue: string;
  name: string;
  data: EmailJobData | WebhookJobData;
  failedReason: string;
  attempts: number;
}

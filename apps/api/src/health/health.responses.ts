import { z } from 'zod';
import { responseDto } from '../common/openapi-types';

const SERVICES = ['temporal', 'postgres', 'redis', 'worker'] as const;
const service = z.enum(SERVICES);
const indicator = z.strictObject({ status: z.enum(['up', 'down']), message: z.string().optional().describe('why it is down') });

/** GET /health, as @nestjs/terminus answers: 200 with status ok when every service is up, else 503 with status error. */
export class HealthResultDto extends responseDto(
  z.strictObject({
    status: z.enum(['ok', 'error', 'shutting_down']),
    info: z.partialRecord(service, indicator).describe('the services that are up'),
    error: z.partialRecord(service, indicator).describe('the services that are down'),
    details: z.record(service, indicator).describe('every service'),
  }),
) {}

/** GET /health/live: the process answers. */
export class LivenessDto extends responseDto(z.strictObject({ status: z.literal('ok') })) {}

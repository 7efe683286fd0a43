import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Tracing } from '@rollplan/telemetry';

export const TRACING = Symbol('TRACING');

/** Sends the spans still batched when the API shuts down (a deploy must not cut its last requests' traces). */
@Injectable()
export class TracingFlush implements OnApplicationShutdown {
  constructor(@Inject(TRACING) private readonly tracing: Tracing | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.tracing?.shutdown();
  }
}

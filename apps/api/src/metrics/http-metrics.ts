import type { NextFunction, Request, Response } from 'express';
import { trace } from '@opentelemetry/api';
import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The API's Prometheus metrics, one registry per application (tests run several in a process):
 * request duration by method, route template and status, requests in flight, and prom-client's
 * process metrics (CPU, memory, event-loop lag, GC).
 */
export class HttpMetrics {
  readonly registry = new Registry();
  private readonly duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route template and status, from arrival to the last byte sent',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly inFlight = new Gauge({
    name: 'http_requests_in_flight',
    help: 'HTTP requests being handled now (open notification streams included)',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.registry.setDefaultLabels({ app: 'api' });
  }

  /**
   * Express middleware: records each request when its response has been sent (or the client
   * left), and names the request's trace span after the same route template (tracing on).
   */
  middleware() {
    return (request: Request, response: Response, next: NextFunction) => {
      const stop = this.duration.startTimer();
      const serverSpan = trace.getActiveSpan();
      this.inFlight.inc();
      let recorded = false;
      const record = () => {
        if (recorded) return;
        recorded = true;
        this.inFlight.dec();
        const route = routeTemplate(request);
        stop({ method: request.method, route, status: String(response.statusCode) });
        serverSpan?.updateName(`${request.method} ${route}`).setAttribute('http.route', route);
      };
      response.once('finish', record);
      response.once('close', record);
      next();
    };
  }
}

/**
 * The matched route's template (`/cycles/:id`), never the concrete path: one series per route,
 * not per cycle. Requests no route matched (404s, the web app's files) share one label each.
 */
function routeTemplate(request: Request): string {
  const route = (request as Request & { route?: { path?: string } }).route?.path;
  if (route) return `${request.baseUrl}${route}`;
  return request.path.startsWith('/app') ? '/app/*' : 'unmatched';
}

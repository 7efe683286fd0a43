import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators';
import { HttpMetrics } from './http-metrics';

/**
 * GET /metrics in Prometheus's text format, for a scraper inside the deployment: the reverse
 * proxies in front of the API (deploy/nginx.conf, the cluster profile's nginx) do not pass it on.
 */
@ApiTags('health')
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(HttpMetrics) private readonly metrics: HttpMetrics) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'Prometheus metrics of this API process: request durations by route template and status, requests in flight, process figures' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: "Prometheus's text exposition format 0.0.4", schema: { type: 'string' } })
  @Header('Cache-Control', 'no-store')
  async scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}

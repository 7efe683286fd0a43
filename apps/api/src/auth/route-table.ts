import { RequestMethod, type INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { ACCESS_RULE, type AccessRule } from './auth.decorators';

export interface RouteEntry {
  method: string;
  /** Nest's path pattern, e.g. `/cycles/:id`. */
  path: string;
  rule: AccessRule | undefined;
}

/** Every route of the application with its access rule, read from the controllers' metadata. */
export function routeTable(app: INestApplication): RouteEntry[] {
  const discovery = app.get(DiscoveryService);
  const scanner = app.get(MetadataScanner);
  const routes: RouteEntry[] = [];
  for (const wrapper of discovery.getControllers()) {
    const controller = wrapper.metatype as (new (...args: never[]) => object) | undefined;
    if (!controller?.prototype) continue;
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    for (const name of scanner.getAllMethodNames(controller.prototype)) {
      const handler = (controller.prototype as Record<string, object>)[name];
      const sub = Reflect.getMetadata(PATH_METADATA, handler);
      if (sub === undefined) continue;
      routes.push({
        method: RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number],
        path: `/${[base, String(sub)].filter((p) => p && p !== '/').join('/')}`.replace(/\/+/g, '/'),
        rule: Reflect.getMetadata(ACCESS_RULE, handler) ?? Reflect.getMetadata(ACCESS_RULE, controller),
      });
    }
  }
  return routes;
}

/** Refuses to start an API with a route nobody decided the access of (the guard would refuse it anyway). */
export function assertEveryRouteHasAccessRule(app: INestApplication): void {
  const missing = routeTable(app).filter((r) => !r.rule);
  if (missing.length > 0) {
    throw new Error(`routes without an access rule (@Public, @Roles or @Authenticated): ${missing.map((r) => `${r.method} ${r.path}`).join(', ')}`);
  }
}

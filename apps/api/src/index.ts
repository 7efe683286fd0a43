export { createApp } from './app.factory';
export { loadApiConfig, type ApiConfig } from './config';
export { DEMO_PASSWORD, seedDemoOrganization, type DemoLogin } from './people/demo-organization';
export { ACCESS_RULE, type AccessRule } from './auth/auth.decorators';
export { routeTable, type RouteEntry } from './auth/route-table';
export { reconcile, type Mismatch } from './reconcile/reconcile';
export { executionInfoFromRaw, historyFromJSON, historyToJSON } from './infra/temporal-internals';

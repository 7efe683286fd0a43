export { createApp } from './app.factory';
export { loadApiConfig, type ApiConfig } from './config';
export { DEMO_PASSWORD, seedDemoOrganization, type DemoLogin } from './people/demo-organization';

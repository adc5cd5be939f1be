/**
 * `production` is the shared stage: real users' data and traffic. Only it gets the durable Redis (MemoryDB),
 * RDS Proxy and Multi-AZ, managed NAT, reserved concurrency, X-Ray tracing, alarms and the dashboard. Every
 * other stage (personal, `ci`, `e2e…`) stays light: single small nodes, nothing extra billing while idle.
 */
export const isProductionStage = (): boolean => $app.stage === 'production';

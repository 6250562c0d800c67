// Test support shared by integration tests and benchmarks (never imported by a service's runtime code).
export { spawnNodeService, type ChildService } from './child-service.ts';

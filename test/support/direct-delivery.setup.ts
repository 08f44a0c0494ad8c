// The `direct` jest project (jest.config.js): every end-to-end suite runs with
// `delivery: 'direct'`, as `SSE_TEST_DELIVERY=direct` asks (test/support/test-app.ts).
// Jest gives each suite a copy of process.env, so this reaches only the suites
// of this project.
process.env.SSE_TEST_DELIVERY = 'direct';

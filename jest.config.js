/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // tsconfig's isolatedModules makes ts-jest transpile file by file (fast); `npm test` runs
  // `tsc --noEmit` first for the type check.
  transform: {
    '^.+\\.[tj]sx?$': ['ts-jest', { tsconfig: { allowJs: true, isolatedModules: true } }],
  },
  // middy and echarts (with zrender) are ESM-only; compile them to CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!(@middy|echarts|zrender)/)'],
  setupFiles: ['<rootDir>/bin/quiet-warnings.js'],
  testTimeout: 30000,
};

import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// Layers that must run in a browser too: no Node built-ins, no native or Node-only packages, no adapter code.
const ENVIRONMENT_NEUTRAL = ['src/core/**', 'src/gradients/**', 'src/methods/**', 'src/objectives/**', 'src/metrics/**', 'src/wordnet/**'];
const NODE_ONLY_PACKAGES = ['onnxruntime-node', 'sharp', 'openai', 'commander', 'cli-progress', 'fastify', 'bullmq', 'ioredis', 'piscina', 'playwright-core'];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'web/dist/', 'web/**/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  { files: ['**/*.js', '**/*.mjs'], languageOptions: { globals: { process: 'readonly', Buffer: 'readonly', console: 'readonly' } } },
  {
    files: ENVIRONMENT_NEUTRAL,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: NODE_ONLY_PACKAGES.map((name) => ({ name, message: 'this layer must run in a browser: only src/models (adapters), io, cli and server may use it' })),
          patterns: [
            { group: ['node:*'], message: 'this layer must run in a browser: no Node built-ins (do the I/O in src/models or src/io)' },
            { group: ['fs', 'fs/*', 'path', 'os', 'url', 'zlib', 'child_process', 'worker_threads', 'http', 'https', 'net', 'crypto'], message: 'this layer must run in a browser: no Node built-ins' },
            { group: ['**/models/*', '!**/models/model.js', '!**/models/preprocess.js', '!**/models/differentiable.js', '!**/models/labels.js', '**/models/remote/*', '!**/models/remote/types.js', '**/io/*', '**/cli/*', '**/explain/*', '**/stand-in/*'], allowTypeImports: true, message: 'adapters and apps sit above this layer: import their types only' },
          ],
        },
      ],
    },
  },
  // The page of `lrsal serve`: plain ES modules run by the browser.
  { files: ['web/**/*.js'], languageOptions: { globals: globals.browser } },
);

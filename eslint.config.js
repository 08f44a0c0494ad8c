// ESLint for the library, the tests, the sample app and the benchmark: the
// recommended rules of ESLint and typescript-eslint; formatting is Prettier's.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/', 'bench/results/'] },
  js.configs.recommended,
  {
    // The consumer apps' package-lock.json files are not ours to lint; their
    // CommonJS jest config is CommonJS.
    files: ['test/consumer/commonjs-app/jest.config.js'],
    languageOptions: { sourceType: 'commonjs' },
  },
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // Request and response objects differ between Express and Fastify: `any` is deliberate there.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrors: 'none',
        },
      ],
    },
  },
  {
    // A subpath (nestjs-sse-channels/redis, /prometheus, /terminus, /testing, /client) is built
    // on the public API alone: it imports the package root and nothing else
    // of the library, so what it needs is public, and a custom transport can
    // do everything RedisTransport does.
    files: [
      'src/redis/**/*.ts',
      'src/prometheus/**/*.ts',
      'src/terminus/**/*.ts',
      'src/testing/**/*.ts',
      'src/client/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./(?!sse/index\\.js$)',
              message:
                "A subpath imports the library only through its root: import from '../sse/index.js' (export what is missing there).",
            },
          ],
        },
      ],
    },
  },
  {
    // The browser client imports nothing at run time: a page loads it with
    // <script type="module"> as it is. Types of the package root are fine
    // (erased by the compiler).
    files: ['src/client/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\./)',
              allowTypeImports: true,
              message:
                "The client imports nothing at run time: only its own files, and the package root's types with 'import type'.",
            },
          ],
        },
      ],
    },
  },
  prettier,
);

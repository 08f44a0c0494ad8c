import { createRequire } from 'node:module';

/** The `@nestjs/swagger` module. */
export type Swagger = typeof import('@nestjs/swagger');

let loaded: Swagger | null | Promise<Swagger | null> | undefined;

/**
 * `@nestjs/swagger` if the application has it (an optional peer), `null` if
 * not. It is loaded with `require()`, which reaches an ES module on Node 20.19
 * and later, because a top-level `await import()` would stop CommonJS
 * applications from loading this package with `require()`. Where `require()`
 * cannot load an ES module (jest's module system), it is imported instead, and
 * the promise of it is returned.
 */
export function installedSwagger(): Swagger | null | Promise<Swagger | null> {
  if (loaded !== undefined) return loaded;
  try {
    loaded = createRequire(import.meta.url)('@nestjs/swagger') as Swagger;
  } catch (error) {
    const { code } = error as { code?: unknown };
    if (code === 'ERR_REQUIRE_ESM') {
      loaded = import('@nestjs/swagger').then(
        (swagger) => (loaded = swagger),
        () => (loaded = null),
      );
    } else if (code === 'MODULE_NOT_FOUND' && mentionsSwagger(error)) {
      loaded = null;
    } else {
      throw error;
    }
  }
  return loaded;
}

function mentionsSwagger(error: unknown): boolean {
  const { message } = error as { message?: unknown };
  return typeof message === 'string' && message.includes('@nestjs/swagger');
}

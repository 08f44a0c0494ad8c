// Plain JavaScript has no decorator syntax on Node 20, so the Nest servers
// apply Nest's decorators by hand, in the order TypeScript would.
import 'reflect-metadata';

/** `@decorator method() {}`: applies the decorators (listed top to bottom) to one method. */
export function decorateMethod(cls, name, ...decorators) {
  const proto = cls.prototype;
  const descriptor = Reflect.decorate(
    decorators,
    proto,
    name,
    Object.getOwnPropertyDescriptor(proto, name),
  );
  Object.defineProperty(proto, name, descriptor);
}

/** `@decorator class {}`. */
export function decorateClass(cls, ...decorators) {
  return Reflect.decorate(decorators, cls);
}

/**
 * Compile-time checks that a runtime validator (a zod schema) and the wire contract describe the same shape:
 * `type _Check = Assert<Equals<z.infer<typeof Schema>, ContractType>>` stops compiling when either drifts,
 * including a field that became optional or a string that lost its literal union.
 */

/** True when A and B are the same type (not merely assignable one way); intersections are flattened first. */
export type Equals<A, B> =
  (<T>() => T extends Flatten<A> ? 1 : 2) extends <T>() => T extends Flatten<B> ? 1 : 2 ? true : false;

/** Compiles only when given `true`. */
export type Assert<T extends true> = T;

type Flatten<T> = T extends object ? (T extends readonly unknown[] ? T : { [K in keyof T]: T[K] }) : T;

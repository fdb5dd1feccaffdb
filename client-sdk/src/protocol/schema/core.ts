/**
 * The protocol's own validator: a few hundred bytes where zod cost the SDK 26 KB (zod/mini still about 9 KB).
 * Schemas are plain data (`def`) plus a `run` function, so the server can turn the very same schemas into
 * zod ones (server/protocol/zod.ts) for its admin API and OpenAPI document, while the SDK ships only this.
 * Messages name the limit (`must be between 1 and 999`); an issue's path names the field.
 */

/** Where in the value an issue is, e.g. `['mutations', 3, 'request', 'qty']`. */
export type Path = (string | number)[];

export interface Issue {
  readonly path: Path;
  /** Reads after the field's name: `must be between 1 and 999`. */
  readonly message: string;
}

/** The data behind a schema, read by the server's zod bridge. */
export type Def =
  | { readonly kind: 'string'; readonly min?: number; readonly max?: number; readonly pattern?: RegExp; readonly patternMessage?: string }
  | { readonly kind: 'number'; readonly int: boolean; readonly min?: number; readonly max?: number }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'literal'; readonly value: string | number | boolean }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'object'; readonly shape: Shape }
  | { readonly kind: 'optional'; readonly inner: AnySchema }
  | { readonly kind: 'nullable'; readonly inner: AnySchema }
  | { readonly kind: 'array'; readonly item: AnySchema; readonly min?: number; readonly max?: number }
  | { readonly kind: 'record'; readonly key: AnySchema; readonly value: AnySchema }
  | { readonly kind: 'union'; readonly key: string; readonly options: readonly AnySchema[] }
  | { readonly kind: 'refine'; readonly inner: AnySchema; readonly test: (value: never) => boolean; readonly message: string; readonly path?: Path }
  | { readonly kind: 'transform'; readonly inner: AnySchema };

export type SafeParseResult<T> = { success: true; data: T } | { success: false; error: SchemaError };

declare const OUTPUT: unique symbol;

export interface Schema<T> {
  readonly def: Def;
  /** Type only: what a successful parse gives. */
  readonly [OUTPUT]?: T;
  /** Checks `value` at `path`, appending to `issues`; returns the parsed value (the input itself unless transformed). */
  run(value: unknown, path: Path, issues: Issue[]): unknown;
  safeParse(value: unknown): SafeParseResult<T>;
  /** Throws a `SchemaError` naming every issue. */
  parse(value: unknown): T;
}

export type AnySchema = Schema<unknown>;
export type Shape = { readonly [key: string]: AnySchema };
export type Infer<S> = S extends Schema<infer T> ? T : never;

/** A schema whose field may be absent in an object. */
export interface OptionalSchema<T> extends Schema<T | undefined> {
  readonly def: { readonly kind: 'optional'; readonly inner: AnySchema };
}

/** `qty must be between 1 and 999`; a whole-value issue reads `value must ...`. */
export function describeIssue(issue: Issue): string {
  return `${issue.path.length > 0 ? issue.path.join('.') : 'value'} ${issue.message}`;
}

export class SchemaError extends Error {
  constructor(readonly issues: readonly Issue[]) {
    super(issues.slice(0, 3).map(describeIssue).join('; '));
    this.name = 'SchemaError';
  }
}

const methods = {
  safeParse(this: AnySchema, value: unknown): SafeParseResult<unknown> {
    const issues: Issue[] = [];
    const data = this.run(value, [], issues);
    return issues.length === 0 ? { success: true, data } : { success: false, error: new SchemaError(issues) };
  },
  parse(this: AnySchema, value: unknown): unknown {
    const result = this.safeParse(value);
    if (!result.success) throw result.error;
    return result.data;
  },
};

/** Builds a schema from its def and its check. */
export function schema<T>(def: Def, run: Schema<T>['run'], extra?: object): Schema<T> {
  return Object.assign(Object.create(methods) as object, extra, { def, run }) as Schema<T>;
}

/** Records an issue at `path` (plus `key`, when given). */
export function fail(issues: Issue[], path: Path, message: string, key?: string | number): void {
  issues.push({ path: key === undefined ? path.slice() : [...path, key], message });
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

import {
  fail,
  isPlainObject,
  schema,
  type AnySchema,
  type Infer,
  type Issue,
  type OptionalSchema,
  type Path,
  type Schema,
  type Shape,
} from './core.js';

type Flatten<T> = { [K in keyof T]: T[K] } & {};
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends OptionalSchema<unknown> ? K : never }[keyof S];
export type ObjectOutput<S extends Shape> = Flatten<
  { -readonly [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]> } & { -readonly [K in OptionalKeys<S>]?: Infer<S[K]> }
>;

export interface ObjectSchema<S extends Shape> extends Schema<ObjectOutput<S>> {
  readonly shape: S;
}

interface Bounds {
  min?: number;
  max?: number;
}

function range(bounds: Bounds, unit: string): string {
  const { min, max } = bounds;
  if (min !== undefined && max !== undefined) return `must be between ${min} and ${max}${unit}`;
  return min !== undefined ? `must be at least ${min}${unit}` : `must be at most ${max}${unit}`;
}

const outside = (n: number, { min, max }: Bounds) => (min !== undefined && n < min) || (max !== undefined && n > max);

/** A string of `min`..`max` UTF-16 units; `pattern` fails with `message` (default: `has characters that are not allowed`). */
export function string(options: Bounds & { pattern?: RegExp; message?: string } = {}): Schema<string> {
  const { pattern, message, ...bounds } = options;
  return schema<string>({ kind: 'string', ...bounds, ...(pattern ? { pattern, patternMessage: message } : {}) }, (value, path, issues) => {
    if (typeof value !== 'string') fail(issues, path, 'must be a string');
    else if (outside(value.length, bounds)) fail(issues, path, range(bounds, ' characters long'));
    else if (pattern && !pattern.test(value)) fail(issues, path, message ?? 'has characters that are not allowed');
    return value;
  });
}

/** A finite number in `min`..`max`. */
export function number(bounds: Bounds = {}): Schema<number> {
  return schema<number>({ kind: 'number', int: false, ...bounds }, (value, path, issues) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) fail(issues, path, 'must be a number');
    else if (outside(value, bounds)) fail(issues, path, range(bounds, ''));
    return value;
  });
}

/** A safe integer in `min`..`max`. */
export function int(bounds: Bounds = {}): Schema<number> {
  return schema<number>({ kind: 'number', int: true, ...bounds }, (value, path, issues) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) fail(issues, path, 'must be a whole number');
    else if (outside(value, bounds)) fail(issues, path, range(bounds, ''));
    return value;
  });
}

export function boolean(): Schema<boolean> {
  return schema<boolean>({ kind: 'boolean' }, (value, path, issues) => {
    if (typeof value !== 'boolean') fail(issues, path, 'must be true or false');
    return value;
  });
}

export function unknown(): Schema<unknown> {
  return schema<unknown>({ kind: 'unknown' }, (value) => value);
}

export function literal<const V extends string | number | boolean>(expected: V): Schema<V> {
  return schema<V>({ kind: 'literal', value: expected }, (value, path, issues) => {
    if (value !== expected) fail(issues, path, `must be ${JSON.stringify(expected)}`);
    return value;
  });
}

export interface EnumSchema<V extends string> extends Schema<V> {
  readonly options: readonly V[];
}

export function enumOf<const V extends readonly [string, ...string[]]>(values: V): EnumSchema<V[number]> {
  const allowed = new Set<unknown>(values);
  return schema<V[number]>(
    { kind: 'enum', values },
    (value, path, issues) => {
      if (!allowed.has(value)) fail(issues, path, `must be one of ${values.join(', ')}`);
      return value;
    },
    { options: values },
  ) as EnumSchema<V[number]>;
}

export function optional<T>(inner: Schema<T>): OptionalSchema<T> {
  return schema<T | undefined>({ kind: 'optional', inner }, (value, path, issues) =>
    value === undefined ? value : inner.run(value, path, issues),
  ) as OptionalSchema<T>;
}

export function nullable<T>(inner: Schema<T>): Schema<T | null> {
  return schema<T | null>({ kind: 'nullable', inner }, (value, path, issues) => (value === null ? value : inner.run(value, path, issues)));
}

/** An object with exactly these fields (unknown ones are refused; absent ones must be optional). */
export function object<const S extends Shape>(shape: S): ObjectSchema<S> {
  const keys = Object.keys(shape);
  const has = (key: string) => Object.prototype.hasOwnProperty.call(shape, key);
  const run = (value: unknown, path: Path, issues: Issue[]) => {
    if (!isPlainObject(value)) {
      fail(issues, path, 'must be an object');
      return value;
    }
    let copy: Record<string, unknown> | undefined;
    for (const key of keys) {
      const field = shape[key] as AnySchema;
      const given = value[key];
      if (given === undefined && field.def.kind !== 'optional') {
        fail(issues, path, 'is required', key);
        continue;
      }
      path.push(key);
      const parsed = field.run(given, path, issues);
      path.pop();
      if (parsed !== given) (copy ??= { ...value })[key] = parsed;
    }
    for (const key in value) if (!has(key)) fail(issues, path, 'is not a known field', key);
    return copy ?? value;
  };
  return schema({ kind: 'object', shape }, run, { shape }) as ObjectSchema<S>;
}

/** Items of one schema, `min`..`max` of them. */
export function array<T>(item: Schema<T>, bounds: Bounds = {}): Schema<T[]> {
  return schema<T[]>({ kind: 'array', item, ...bounds }, (value, path, issues) => {
    if (!Array.isArray(value)) {
      fail(issues, path, 'must be a list');
      return value;
    }
    if (outside(value.length, bounds)) fail(issues, path, range(bounds, ' items'));
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      const parsed = item.run(value[i], path, issues);
      path.pop();
      if (parsed !== value[i]) (copy ??= value.slice())[i] = parsed;
    }
    return copy ?? value;
  });
}

/** An object used as a map: every key and every value checked. */
export function record<V>(key: Schema<string>, item: Schema<V>): Schema<Record<string, V>> {
  return schema<Record<string, V>>({ kind: 'record', key, value: item }, (value, path, issues) => {
    if (!isPlainObject(value)) {
      fail(issues, path, 'must be an object');
      return value;
    }
    for (const name in value) {
      path.push(name);
      key.run(name, path, issues);
      item.run(value[name], path, issues);
      path.pop();
    }
    return value;
  });
}

/** One of several objects, told apart by the literal value of their `key` field. */
export function union<const O extends readonly ObjectSchema<Shape>[]>(key: string, options: O): Schema<Infer<O[number]>> {
  const byTag = new Map<unknown, AnySchema>();
  for (const option of options) {
    const tag = option.shape[key]?.def;
    if (tag?.kind === 'literal') byTag.set(tag.value, option);
  }
  const tags = [...byTag.keys()].join(', ');
  return schema<Infer<O[number]>>({ kind: 'union', key, options }, (value, path, issues) => {
    const option = isPlainObject(value) ? byTag.get(value[key]) : undefined;
    if (option) return option.run(value, path, issues);
    if (isPlainObject(value)) fail(issues, path, `must be one of ${tags}`, key);
    else fail(issues, path, 'must be an object');
    return value;
  });
}

/** `inner`, and then `test` must hold (checked only when `inner` passed); the issue goes at `at` below the value. */
export function refine<T>(inner: Schema<T>, test: (value: T) => boolean, message: string, at?: Path): Schema<T> {
  return schema<T>({ kind: 'refine', inner, test, message, ...(at ? { path: at } : {}) }, (value, path, issues) => {
    const before = issues.length;
    const parsed = inner.run(value, path, issues);
    if (issues.length === before && !test(parsed as T)) issues.push({ path: at ? [...path, ...at] : path.slice(), message });
    return parsed;
  });
}

/** `inner`, then `map` turns the checked value into the output (and may add issues of its own). */
export function transform<T, U>(inner: Schema<T>, map: (value: T, path: Path, issues: Issue[]) => U): Schema<U> {
  return schema<U>({ kind: 'transform', inner }, (value, path, issues) => {
    const before = issues.length;
    const parsed = inner.run(value, path, issues);
    return issues.length === before ? map(parsed as T, path, issues) : parsed;
  });
}

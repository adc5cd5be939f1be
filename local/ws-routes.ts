import type { WsRouteHandlers } from './ws-gateway-types.js';

export type RouteSelector = (body: string) => string | undefined;

const BODY_PATH = /^\$request\.body((?:\.[^.${}]+)*)$/;
const TEMPLATE_PART = /\$\{request\.body((?:\.[^.${}]+)*)\}/g;
const LIFECYCLE_ROUTES = new Set(['$connect', '$disconnect']);

function lookup(root: unknown, path: string): unknown {
  let value = root;
  for (const key of path.split('.').slice(1)) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

// The JSONPath result is stringified before it is compared with the route keys.
function stringify(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function parse(body: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch {
    return { ok: false };
  }
}

/**
 * Compiles `$request.body.a.b` or a template such as `${request.body.service}/${request.body.action}`
 * into a function returning the candidate route key (undefined when the body is not JSON or lacks it).
 */
export function compileRouteSelector(expression: string): RouteSelector {
  const plain = BODY_PATH.exec(expression);
  const templated = expression.includes('${');
  if (!plain && !templated) throw new Error(`unsupported routeSelectionExpression ${expression}`);
  return (body) => {
    const parsed = parse(body);
    if (!parsed.ok) return undefined;
    if (plain) return stringify(lookup(parsed.value, plain[1] ?? ''));
    let missing = false;
    const key = expression.replace(TEMPLATE_PART, (_, path: string) => {
      const value = stringify(lookup(parsed.value, path));
      missing ||= value === undefined;
      return value ?? '';
    });
    return missing ? undefined : key;
  };
}

/** The message route for a body: a matching custom key, else $default, else undefined (no route). */
export function selectRoute(routes: WsRouteHandlers, selector: RouteSelector, body: string) {
  const candidate = selector(body);
  const usable = (key: string | undefined): key is string =>
    key !== undefined &&
    !LIFECYCLE_ROUTES.has(key) &&
    Object.hasOwn(routes, key) &&
    routes[key] !== undefined;
  if (usable(candidate)) return candidate;
  return usable('$default') ? '$default' : undefined;
}

/**
 * Route selection as API Gateway HTTP APIs do it: path templates with `{name}` (one segment)
 * and `{name+}` (the rest of the path) parameters, and the most specific route winning, so
 * `POST /v1/work/claim-next` beats `POST /v1/work/{id}/claim` style templates, while
 * `GET /v1/work/claim-next` still reaches `GET /v1/work/{id}` (no GET route is more specific).
 * A route of method `ANY` takes every method; `HEAD` takes a `GET` route (answered without a body).
 * Used by the local gateway and by the fallback route, which answers for known paths.
 */

/** What the matcher needs of a route. */
export interface RoutePattern {
  readonly method: string;
  readonly path: string;
}

type Segment =
  | { readonly kind: 'static'; readonly text: string }
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'greedy'; readonly name: string };

/** The outcome of looking a request up. */
export type RouteResolution<R> =
  | { readonly kind: 'matched'; readonly route: R; readonly pathParameters: Record<string, string> }
  | { readonly kind: 'method_not_allowed'; readonly allow: readonly string[] }
  | { readonly kind: 'not_found' };

const segmentOf = (part: string): Segment => {
  const greedy = /^\{([^{}]+)\+\}$/.exec(part);
  if (greedy?.[1]) return { kind: 'greedy', name: greedy[1] };
  const param = /^\{([^{}]+)\}$/.exec(part);
  if (param?.[1]) return { kind: 'param', name: param[1] };
  return { kind: 'static', text: part };
};

const splitPath = (path: string): string[] => path.split('/').slice(1);

const RANK: Record<Segment['kind'], number> = { static: 0, param: 1, greedy: 2 };

/** Negative when `a` is more specific than `b`: compared segment by segment, static first. */
const bySpecificity = (a: readonly Segment[], b: readonly Segment[]): number => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const difference = RANK[(a[i] as Segment).kind] - RANK[(b[i] as Segment).kind];
    if (difference !== 0) return difference;
  }
  return b.length - a.length;
};

const decodeSegment = (text: string): string => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

const matchSegments = (
  pattern: readonly Segment[],
  parts: readonly string[],
): Record<string, string> | undefined => {
  const parameters: Record<string, string> = {};
  for (const [i, segment] of pattern.entries()) {
    if (segment.kind === 'greedy') {
      const rest = parts.slice(i);
      if (rest.length === 0 || rest.every((part) => part === '')) return undefined;
      parameters[segment.name] = decodeSegment(rest.join('/'));
      return parameters;
    }
    const part = parts[i];
    if (part === undefined) return undefined;
    if (segment.kind === 'static' && part !== segment.text) return undefined;
    if (segment.kind === 'param') {
      if (part === '') return undefined;
      parameters[segment.name] = decodeSegment(part);
    }
  }
  return pattern.length === parts.length ? parameters : undefined;
};

/** Builds a lookup over `routes`: `(method, rawPath) => resolution`. */
export const routeMatcher = <R extends RoutePattern>(routes: readonly R[]) => {
  const compiled = routes
    .map((route) => ({ route, segments: splitPath(route.path).map(segmentOf) }))
    .sort((a, b) => bySpecificity(a.segments, b.segments));

  return (method: string, rawPath: string): RouteResolution<R> => {
    const parts = splitPath(rawPath);
    const allow = new Set<string>();
    // The path is the most specific template's: `PUT /v1/work/claim-next` is told POST, as
    // `GET /v1/work/claim-next` is by the GET route it reaches (see `pathTemplates`).
    let templatePath: string | undefined;
    for (const { route, segments } of compiled) {
      const pathParameters = matchSegments(segments, parts);
      if (!pathParameters) continue;
      if (
        route.method === method ||
        route.method === 'ANY' ||
        (method === 'HEAD' && route.method === 'GET')
      ) {
        return { kind: 'matched', route, pathParameters };
      }
      templatePath ??= route.path;
      if (route.path !== templatePath) continue;
      allow.add(route.method);
      if (route.method === 'GET') allow.add('HEAD');
    }
    return allow.size > 0 ? { kind: 'method_not_allowed', allow: [...allow].sort() } : { kind: 'not_found' };
  };
};

/**
 * Builds a lookup of the most specific path template matching a path, with the methods routes
 * take there: `GET /v1/work/claim-next` reaches `GET /v1/work/{id}`, yet the path is the
 * claim-next route's, which takes only POST.
 */
export const pathTemplates = <R extends RoutePattern>(routes: readonly R[]) => {
  const compiled = routes
    .filter((route) => route.method !== 'ANY')
    .map((route) => ({ route, segments: splitPath(route.path).map(segmentOf) }))
    .sort((a, b) => bySpecificity(a.segments, b.segments));
  return (rawPath: string): { readonly path: string; readonly methods: readonly string[] } | undefined => {
    const parts = splitPath(rawPath);
    const first = compiled.find(({ segments }) => matchSegments(segments, parts) !== undefined);
    if (!first) return undefined;
    const methods = compiled
      .filter(({ route }) => route.path === first.route.path)
      .map(({ route }) => route.method);
    return { path: first.route.path, methods: [...new Set(methods)].sort() };
  };
};

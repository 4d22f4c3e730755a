/**
 * Credentials: an interceptor that puts them on every attempt of a request (retries included), and
 * a redactor that blanks them out of any text that leaves the client (messages, stored errors).
 */
import type { Dispatcher } from 'undici';

export type Auth = { kind: 'bearer'; token: string } | { kind: 'basic'; username: string; password: string };

/** The `Authorization` header value for `auth`, or null for none. */
export function authHeader(auth: Auth | null): string | null {
  if (auth === null) return null;
  if (auth.kind === 'bearer') return `Bearer ${auth.token}`;
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
}

/** `Authorization` on every request (and every retry of it), replacing one the caller set. */
export function authInterceptor(auth: Auth | null): Dispatcher.DispatcherComposeInterceptor {
  const value = authHeader(auth);
  return (dispatch) => (opts, handler) => {
    if (value === null) return dispatch(opts, handler);
    return dispatch({ ...opts, headers: withHeader(opts.headers, 'authorization', value) }, handler);
  };
}

/**
 * A function that blanks every credential (token, password, user:password, their Basic and
 * URL-encoded forms, and any user info in a URL) out of a text: applied to every message that
 * leaves the tracking client.
 */
export function redactor(settings: { auth: Auth | null } | null): (text: string) => string {
  const secrets: string[] = [];
  const auth = settings?.auth;
  if (auth?.kind === 'bearer') secrets.push(auth.token);
  if (auth?.kind === 'basic') {
    secrets.push(auth.password, `${auth.username}:${auth.password}`, Buffer.from(`${auth.username}:${auth.password}`).toString('base64'));
    secrets.push(encodeURIComponent(auth.password));
  }
  const live = secrets.filter((s) => s.length >= 3).sort((a, b) => b.length - a.length);
  return (text: string) => {
    let out = text.replace(/(\/\/)[^/@\s]+@/g, '$1');
    for (const secret of live) out = out.split(secret).join('***');
    return out;
  };
}

function withHeader(headers: Dispatcher.DispatchOptions['headers'], name: string, value: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) out[String(headers[i]).toLowerCase()] = headers[i + 1] as string;
  } else if (headers && typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [k, v] of headers as Iterable<[string, string | string[] | undefined]>) if (v !== undefined) out[k.toLowerCase()] = v;
  } else if (headers) {
    for (const [k, v] of Object.entries(headers as Record<string, string | string[] | undefined>)) if (v !== undefined) out[k.toLowerCase()] = v;
  }
  out[name] = value;
  return out;
}

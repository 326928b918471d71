/**
 * Calls to this gateway's API: relative to this file (<prefix>/ui/api.js -> <prefix>/v1/), so the
 * page works behind a proxy that mounts the gateway under a path. Under --auth=jwt the token the
 * user typed is kept in sessionStorage (this tab only, gone when it closes) and sent as
 * `Authorization: Bearer`; nothing else is stored.
 */
const BASE = new URL('../v1/', import.meta.url);
const TOKEN_KEY = 'scheduler-rest.token';

/** 'unauthorized' when an answer is 401; 'token' when the token changes. */
export const apiEvents = new EventTarget();

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY) ?? '',
  set(value) {
    const trimmed = value.trim().replace(/^Bearer\s+/i, '');
    if (trimmed) sessionStorage.setItem(TOKEN_KEY, trimmed); else sessionStorage.removeItem(TOKEN_KEY);
    apiEvents.dispatchEvent(new Event('token'));
  },
};

/** An error answer: `{ error: { code, message, details } }`, or the status alone. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `The gateway answered ${status}`);
    this.status = status;
    this.code = body?.error?.code ?? 'http_error';
    this.details = body?.error?.details;
  }
}

export function apiUrl(path, query = {}) {
  const url = new URL(path.replace(/^\/+/, ''), BASE);
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, String(value));
  return url;
}

export function authHeaders(extra = {}) {
  const headers = new Headers(extra);
  const value = token.get();
  if (value) headers.set('Authorization', `Bearer ${value}`);
  return headers;
}

async function failed(response) {
  const body = await response.json().catch(() => undefined);
  if (response.status === 401) apiEvents.dispatchEvent(new Event('unauthorized'));
  return new ApiError(response.status, body);
}

/** One JSON request; resolves to the answer's body (null when it has none), rejects with ApiError. */
export async function api(method, path, { query, body, headers = {}, signal } = {}) {
  const sent = authHeaders({ Accept: 'application/json', ...headers });
  if (body !== undefined) sent.set('Content-Type', 'application/json');
  const response = await fetch(apiUrl(path, query), { method, headers: sent, body: body === undefined ? undefined : JSON.stringify(body), signal, cache: 'no-store' });
  if (!response.ok) throw await failed(response);
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

/** GET with If-None-Match: `undefined` when the answer is unchanged (304), else `{ etag, body }`. */
export async function getIfChanged(path, etag, { query, signal } = {}) {
  const headers = authHeaders({ Accept: 'application/json' });
  if (etag) headers.set('If-None-Match', etag);
  const response = await fetch(apiUrl(path, query), { headers, signal, cache: 'no-store' });
  if (response.status === 304) return undefined;
  if (!response.ok) throw await failed(response);
  return { etag: response.headers.get('ETag'), body: await response.json() };
}

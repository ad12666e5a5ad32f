// The read API of SPEC §4.1 and the session of SPEC §9, from the browser: same origin, the
// session cookie travels by itself; state-changing requests carry X-CSRF-Token.

export class ApiError extends Error {
  // `retryAfter`: the seconds a 429's Retry-After asks to wait (null without one).
  constructor(status, code, message, retryAfter = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

let csrfToken = sessionStorage.getItem('cohort.csrf') || '';

// Freshness (issue 20 point 4): every view's answer says in its Cohort-As-Of header when the
// last change was applied to its figures. `listener(asOf)` hears each one (app.js's scope line).
let asOfListener = null;
export function onAsOf(listener) {
  asOfListener = listener;
}

// "/api/v1/courses/a b" style paths: each key is encoded as one segment.
export function path(...segments) {
  return '/api/v1/' + segments.map((s) => encodeURIComponent(s)).join('/');
}

// `params`: an object; undefined, null and '' values are left out.
export function withQuery(url, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${url}?${s}` : url;
}

async function request(method, url, {body, signal} = {}) {
  const headers = {Accept: 'application/json'};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const response = await fetch(url, {
    method, headers, signal, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  const text = await response.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  const asOf = response.headers.get('Cohort-As-Of');
  if (response.ok && asOf && asOfListener && !(signal && signal.aborted)) asOfListener(asOf);
  if (!response.ok) {
    const e = data && data.error ? data.error : {};
    const wait = Number.parseInt(response.headers.get('Retry-After') || '', 10);
    throw new ApiError(response.status, e.code || 'http_' + response.status,
      e.message || `${response.status} ${response.statusText}`,
      Number.isFinite(wait) && wait >= 0 ? wait : null);
  }
  return data;
}

export function get(url, signal) {
  return request('GET', url, {signal});
}

export function post(url, body) {
  return request('POST', url, {body});
}

export function del(url) {
  return request('DELETE', url);
}

// The signed-in person, or null when signed out.
export async function currentSession() {
  try {
    const s = await request('GET', path('session'));
    csrfToken = s.csrf_token || csrfToken;
    sessionStorage.setItem('cohort.csrf', csrfToken);
    return s;
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 404)) return null;
    throw e;
  }
}

export async function signIn(email, password, account) {
  const body = {email, password};
  if (account) body.account = account;
  const s = await request('POST', path('session'), {body});
  csrfToken = s.csrf_token || '';
  sessionStorage.setItem('cohort.csrf', csrfToken);
  return s;
}

export async function signOut() {
  try {
    await request('DELETE', path('session'));
  } finally {
    csrfToken = '';
    sessionStorage.removeItem('cohort.csrf');
  }
}

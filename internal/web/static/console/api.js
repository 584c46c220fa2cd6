// The staff API client (/api/v1): bearer token, JSON bodies, the error object
// {"error": {"code", "message", "fields"?}} turned into an ApiError.

export class ApiError extends Error {
  constructor(status, code, message, fields) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code || '';
    this.fields = fields || [];
  }
}

export class StaffApi {
  constructor(onUnauthorized) {
    this.token = sessionStorage.getItem('concierge.staffToken') || '';
    this.onUnauthorized = onUnauthorized;
  }

  setToken(token) {
    this.token = token || '';
    if (token) sessionStorage.setItem('concierge.staffToken', token);
    else sessionStorage.removeItem('concierge.staffToken');
  }

  authHeaders() {
    return this.token ? { Authorization: `Bearer ${this.token}` } : {};
  }

  async call(method, path, body, extraHeaders) {
    const headers = { Accept: 'application/json', ...this.authHeaders(), ...(extraHeaders || {}) };
    const init = { method, headers, cache: 'no-store' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let resp;
    try {
      resp = await fetch(`/api/v1${path}`, init);
    } catch {
      throw new ApiError(0, 'NetworkError', 'The server cannot be reached. Check the connection and try again.');
    }
    if (resp.status === 204) return null;
    let data = null;
    try { data = await resp.json(); } catch { /* not JSON */ }
    if (!resp.ok) {
      const e = (data && data.error) || {};
      const err = new ApiError(resp.status, e.code, e.message, e.fields);
      if (resp.status === 401 && path !== '/auth/login') this.onUnauthorized(err);
      throw err;
    }
    return data;
  }

  login(username, password) { return this.call('POST', '/auth/login', { username, password }); }
  logout() { return this.call('POST', '/auth/logout'); }
  me() { return this.call('GET', '/me'); }
  counts() { return this.call('GET', '/inbox/counts'); }

  conversations(filter, cursor) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filter)) if (v) q.set(k, v);
    if (cursor) q.set('cursor', cursor);
    q.set('limit', '30');
    return this.call('GET', `/conversations?${q}`);
  }

  conversation(code) { return this.call('GET', `/conversations/${encodeURIComponent(code)}`); }

  send(code, type, content, idempotencyKey) {
    return this.call('POST', `/conversations/${encodeURIComponent(code)}/messages`, { type, content },
      { 'Idempotency-Key': idempotencyKey });
  }

  act(code, action, body) {
    return this.call('POST', `/conversations/${encodeURIComponent(code)}/${action}`, body);
  }
}

// A Server-Sent Events client over fetch(): unlike EventSource it can send an Authorization
// header. It keeps the id of the last event, reconnects with back-off and resumes with the
// Last-Event-ID header, so that no event is missed across reconnections (SPEC §6).

/**
 * SSEParser turns chunks of an event stream into events, per the HTML "event stream"
 * interpretation rules: fields id, event, data (joined by "\n"), retry; ":" comments ignored;
 * an event is dispatched at a blank line.
 */
export class SSEParser {
  constructor(onEvent, onRetry) {
    this.buf = '';
    this.onEvent = onEvent;
    this.onRetry = onRetry || (() => {});
    this.reset();
  }

  reset() {
    this.type = '';
    this.data = [];
    this.id = null;
  }

  push(chunk) {
    this.buf += chunk;
    let nl;
    while ((nl = this.buf.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.buf.slice(0, nl);
      // A lone "\r" at the end of a chunk may be followed by "\n" in the next one.
      if (this.buf[nl] === '\r' && nl + 1 === this.buf.length) break;
      const skip = this.buf.startsWith('\r\n', nl) ? 2 : 1;
      this.buf = this.buf.slice(nl + skip);
      this.line(line);
    }
  }

  line(line) {
    if (line === '') {
      if (this.data.length > 0 || this.id !== null) {
        this.onEvent({ id: this.id, type: this.type || 'message', data: this.data.join('\n') });
      }
      this.reset();
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event': this.type = value; break;
      case 'data': this.data.push(value); break;
      case 'id': if (!value.includes('\0')) this.id = value; break;
      case 'retry': if (/^\d+$/.test(value)) this.onRetry(Number(value)); break;
      default: break;
    }
  }
}

/**
 * LiveStream keeps one event stream open. options:
 *   url: the stream's URL;
 *   headers(): the request headers (e.g. Authorization), asked at every (re)connection;
 *   onEvent({id, type, data}): each event (data parsed as JSON when it is JSON);
 *   onState(state): "connecting", "live" or "reconnecting";
 *   onAuthFailure(status): the server refused the credential (401/403): the stream stops.
 */
export class LiveStream {
  constructor(options) {
    this.opts = options;
    this.lastEventId = null;
    this.attempt = 0;
    this.retryMs = 2000;
    this.stopped = true;
    this.controller = null;
    this.timer = null;
    this.state = '';
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.controller) this.controller.abort();
    this.controller = null;
  }

  async connect() {
    if (this.stopped) return;
    this.setState(this.attempt === 0 ? 'connecting' : 'reconnecting');
    const controller = new AbortController();
    this.controller = controller;
    const headers = { Accept: 'text/event-stream', ...this.opts.headers() };
    if (this.lastEventId !== null) headers['Last-Event-ID'] = this.lastEventId;
    let waitMs = null;
    try {
      const resp = await fetch(this.opts.url, { headers, signal: controller.signal, cache: 'no-store' });
      if (resp.status === 401 || resp.status === 403) {
        this.stopped = true;
        this.opts.onAuthFailure(resp.status);
        return;
      }
      if (!resp.ok || !resp.body) {
        const retryAfter = Number(resp.headers.get('Retry-After'));
        if (retryAfter > 0) waitMs = retryAfter * 1000;
        throw new Error(`event stream answered ${resp.status}`);
      }
      this.attempt = 0;
      this.setState('live');
      const parser = new SSEParser((ev) => this.dispatch(ev), (ms) => { this.retryMs = ms; });
      const reader = resp.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.push(value);
      }
    } catch (err) {
      if (controller.signal.aborted) return;
    }
    if (this.stopped || controller.signal.aborted) return;
    this.scheduleReconnect(waitMs);
  }

  setState(state) {
    if (state === this.state) return;
    this.state = state;
    this.opts.onState(state);
  }

  dispatch(ev) {
    if (ev.id !== null && ev.id !== '') this.lastEventId = ev.id;
    let data = ev.data;
    try { data = JSON.parse(ev.data); } catch { /* not JSON: pass the text */ }
    try {
      this.opts.onEvent({ id: ev.id, type: ev.type, data });
    } catch (err) {
      console.error('event handler failed', err);
    }
  }

  scheduleReconnect(waitMs) {
    this.attempt += 1;
    this.setState('reconnecting');
    // Exponential back-off from the server's retry hint, capped at 30 s, with jitter.
    const base = waitMs ?? Math.min(30000, this.retryMs * 2 ** Math.min(this.attempt - 1, 4));
    const delay = this.attempt === 1 && waitMs === null ? 250 : base * (0.75 + Math.random() * 0.5);
    this.timer = setTimeout(() => this.connect(), delay);
  }
}

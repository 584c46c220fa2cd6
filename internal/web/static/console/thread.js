// The open conversation: details, messages (originals and translations, notes apart), the
// reply box and the actions (assign to me, close/reopen, mark read).
import { $, h, show, formatTime } from '/assets/dom.js';

function authorName(m, conv) {
  const name = [m.author && m.author.firstName, m.author && m.author.lastName].filter(Boolean).join(' ');
  switch (m.type) {
    case 'Guest': return name || [conv.guestFirstName, conv.guestLastName].filter(Boolean).join(' ') || 'Guest';
    case 'System': return 'System';
    default: return name || (m.author && m.author.username) || 'Staff';
  }
}

/** translationNotes says which translations of a message are late or will not come
 * (translationStates: language → pending, done, failed, unsupported). */
function translationNotes(m) {
  const notes = [];
  for (const [lang, state] of Object.entries(m.translationStates || {})) {
    if ((m.translations || {})[lang]) continue;
    const L = lang.toUpperCase();
    if (state === 'pending') notes.push(`Translation to ${L} pending…`);
    else if (state === 'failed') notes.push(`Translation to ${L} failed: the original is shown`);
    else if (state === 'unsupported') notes.push(`No translation to ${L} available`);
  }
  return notes;
}

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

export class Thread {
  constructor(app) {
    this.app = app;
    this.code = '';
    this.conv = null;
    this.messages = new Map(); // code → message, by seq
    this.readTimer = null;
    this.pendingKey = '';
    const text = $('reply-text');
    $('reply-form').addEventListener('submit', (e) => { e.preventDefault(); this.send(); });
    text.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); this.send(); }
    });
    text.addEventListener('input', () => { this.pendingKey = ''; });
    $('reply-note').addEventListener('change', () => this.noteMode());
    $('assign-me').addEventListener('click', () => this.assignToggle());
    $('toggle-status').addEventListener('click', () => this.toggleStatus());
    $('back').addEventListener('click', () => this.app.back());
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && document.body.classList.contains('viewing')
        && !e.target.closest('select')) this.app.back();
    });
  }

  clear() {
    this.code = '';
    this.conv = null;
    this.messages.clear();
    show($('thread-body'), false);
    show($('thread-empty'), true);
    document.body.classList.remove('viewing');
  }

  async open(code) {
    if (this.code !== code) {
      this.code = code;
      this.messages.clear();
      $('thread-messages').replaceChildren();
      $('reply-text').value = '';
      $('reply-note').checked = false;
      this.noteMode();
      show($('reply-error'), false);
    }
    show($('thread-empty'), false);
    show($('thread-body'), true);
    await this.refresh();
    $('reply-text').focus();
    this.markRead();
  }

  /** refresh reloads the open conversation from the server. */
  async refresh() {
    if (!this.code) return;
    const code = this.code;
    try {
      const detail = await this.app.api.conversation(code);
      if (code !== this.code) return;
      this.conv = detail.conversation;
      this.messages = new Map(detail.messages.map((m) => [m.code, m]));
      this.renderHead();
      this.renderMessages(true);
    } catch (e) {
      if (e.status === 404) { this.clear(); this.app.error('That conversation is no longer visible to you.'); return; }
      this.app.error(e.message);
    }
  }

  onConversation(conv, kind, order) {
    if (conv.code !== this.code || !this.conv) return;
    this.conv = { ...this.conv, ...conv };
    if (order) this.conv.order = order;
    this.renderHead();
    // A read receipt changed: the guest read staff messages (or another agent read the guest's).
    if (kind === 'message.read') this.refresh();
  }

  onMessage(code, m, replace) {
    if (code !== this.code) return;
    if (!replace && this.messages.has(m.code)) return;
    this.messages.set(m.code, m);
    this.renderMessages(!replace);
    if (m.type === 'Guest' && !document.hidden) this.markRead();
  }

  /** markRead marks the guest's messages read, shortly after they are shown. */
  markRead() {
    clearTimeout(this.readTimer);
    const code = this.code;
    this.readTimer = setTimeout(async () => {
      if (code !== this.code) return;
      const unread = [...this.messages.values()].some((m) => m.type === 'Guest' && !m.isRead);
      if (!unread && this.conv && this.conv.unreadCount === 0) return;
      try {
        const conv = await this.app.api.act(code, 'read', {});
        this.app.inbox.onConversation(conv, false);
        for (const m of this.messages.values()) if (m.type === 'Guest') m.isRead = true;
      } catch { /* retried at the next message or opening */ }
    }, 300);
  }

  renderHead() {
    const c = this.conv;
    const guest = [c.guestFirstName, c.guestLastName].filter(Boolean).join(' ') || 'Guest';
    $('thread-title').textContent = `${c.roomNumber ? `Room ${c.roomNumber} · ` : ''}${guest}`;
    const outlet = (c.outlet && c.outlet.name) || c.outletCode;
    const assignee = c.assignee ? (c.assignee.displayName || c.assignee.username) : 'nobody';
    $('thread-sub').replaceChildren(
      h('span', { class: `tag ${c.status === 'Closed' ? 'closed' : 'open'}` }, c.status), ' ',
      [outlet, c.subject !== outlet && c.subject, `language ${(c.guestLanguageCode || '?').toUpperCase()}`,
        `assigned to ${assignee}`].filter(Boolean).join(' · '));
    const mine = c.assignee && c.assignee.username === this.app.user.username;
    $('assign-me').textContent = mine ? 'Unassign' : 'Assign to me';
    const btn = $('toggle-status');
    btn.textContent = c.status === 'Closed' ? 'Reopen' : 'Close';
    btn.className = c.status === 'Closed' ? 'secondary' : 'danger';
    this.renderDetails();
  }

  renderDetails() {
    const c = this.conv;
    const rows = [];
    const add = (k, v) => { if (v) rows.push(h('dt', {}, k), h('dd', {}, v)); };
    if (c.stay) {
      add('Guest', [c.stay.firstName, c.stay.lastName].filter(Boolean).join(' '));
      add('Room', c.stay.roomNumber);
      add('Stay', `${c.stay.arrival} → ${c.stay.departure}`);
      add('Language', c.stay.languageCode);
      add('Booking', c.stay.bookingReference);
    } else {
      add('Guest', [c.guestFirstName, c.guestLastName].filter(Boolean).join(' ') || 'Not verified');
      add('Guest id', c.guestIdentifier);
      add('Language', c.guestLanguageCode);
    }
    add('Outlet', (c.outlet && c.outlet.name) || c.outletCode);
    add('Service center', c.serviceCenter && c.serviceCenter.name);
    if (c.order) add('Order', `${c.order.code} · ${c.order.status}`);
    if (c.orderForm && typeof c.orderForm === 'object') {
      for (const [k, v] of Object.entries(c.orderForm)) add(`Form: ${k}`, typeof v === 'string' ? v : JSON.stringify(v));
    }
    add('Opened', formatTime(c.createdAt));
    $('details-list').replaceChildren(...rows);
    $('details').querySelector('summary').textContent = c.order
      ? `Guest, stay and order ${c.order.code} (${c.order.status})` : 'Guest and stay';
  }

  renderMessages(scroll) {
    const list = $('thread-messages');
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    const msgs = [...this.messages.values()].sort((a, b) => a.seq - b.seq);
    // Keep existing nodes (screen readers announce only additions).
    const have = new Map([...list.children].map((li) => [li.dataset.code, li]));
    let prev = null;
    // Unchanged messages keep their nodes: the live region announces only what is new.
    for (const m of msgs) {
      const sig = JSON.stringify([m.content, m.translations, m.translationStates, m.isRead]);
      const old = have.get(m.code);
      have.delete(m.code);
      let node = old;
      if (!old || old.dataset.sig !== sig) {
        node = this.renderMessage(m);
        node.dataset.sig = sig;
        if (old) old.replaceWith(node);
      }
      if (!old) { if (prev) prev.after(node); else list.prepend(node); }
      prev = node;
    }
    for (const stale of have.values()) stale.remove();
    if (scroll || atBottom) list.scrollTop = list.scrollHeight;
  }

  renderMessage(m) {
    const c = this.conv;
    const kind = m.type.toLowerCase();
    const meta = [h('span', { class: 'author' }, m.type === 'Note' ? `Note · ${authorName(m, c)}` : authorName(m, c)),
      h('time', { datetime: m.createdAt }, formatTime(m.createdAt)),
      m.languageCode && h('span', { title: 'Original language' }, m.languageCode.toUpperCase())];
    if (m.type === 'Staff' || m.type === 'System') meta.push(h('span', { class: 'receipt' }, m.isRead ? 'Read by guest' : 'Sent'));
    const body = [h('div', { class: 'meta' }, meta), h('p', { class: 'text', lang: m.languageCode || null }, m.content)];
    const translations = Object.entries(m.translations || {}).filter(([lang]) => lang !== m.languageCode);
    for (const [lang, text] of translations) {
      body.push(h('div', { class: 'translation' },
        h('span', { class: 'lang' }, `Translation (${lang.toUpperCase()})`),
        h('p', { class: 'text', lang }, text)));
    }
    for (const note of translationNotes(m)) body.push(h('p', { class: 'pending' }, note));
    return h('li', { class: `msg ${kind}`, dataset: { code: m.code } }, body);
  }

  noteMode() {
    const note = $('reply-note').checked;
    $('reply-form').classList.toggle('note-mode', note);
    $('reply-send').textContent = note ? 'Add note' : 'Send';
    $('reply-text').placeholder = note
      ? 'Write an internal note… (Enter adds it, Shift+Enter for a new line)'
      : 'Write a reply… (Enter sends, Shift+Enter for a new line)';
  }

  async send() {
    const text = $('reply-text');
    const content = text.value.trim();
    if (!content || !this.code) return;
    const type = $('reply-note').checked ? 'Note' : 'Staff';
    // The same key for retries of the same text: a reply is never written twice.
    if (!this.pendingKey) this.pendingKey = newKey();
    const btn = $('reply-send');
    btn.disabled = true;
    try {
      const m = await this.app.api.send(this.code, type, content, this.pendingKey);
      this.pendingKey = '';
      text.value = '';
      show($('reply-error'), false);
      this.onMessage(this.code, m);
      this.app.inbox.onMessage(this.code, m);
    } catch (e) {
      $('reply-error').textContent = `Not sent: ${e.message}`;
      show($('reply-error'), true);
    } finally {
      btn.disabled = false;
      text.focus();
    }
  }

  async assignToggle() {
    const c = this.conv;
    if (!c) return;
    const mine = c.assignee && c.assignee.username === this.app.user.username;
    await this.act(mine ? 'unassign' : 'assign', mine ? {} : { username: this.app.user.username });
  }

  async toggleStatus() {
    if (!this.conv) return;
    await this.act(this.conv.status === 'Closed' ? 'reopen' : 'close', {});
  }

  async act(action, body) {
    const code = this.code;
    try {
      const conv = await this.app.api.act(code, action, body);
      if (code !== this.code) return;
      this.conv = { ...this.conv, ...conv };
      this.renderHead();
      this.app.inbox.onConversation(conv, false);
      this.app.error('');
    } catch (e) {
      this.app.error(e.message);
    }
  }
}

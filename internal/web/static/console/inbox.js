// The inbox: filters, the list of conversations with cursor paging, and live changes.
import { $, h, show, formatTime } from '/assets/dom.js';

/** previewOf is the list's line for a message: its text, a Note marked as such; '' for none. */
function previewOf(m) {
  if (!m) return '';
  return m.type === 'Note' ? `Note: ${m.content}` : m.content;
}

/**
 * itemOf turns an inbox summary (which carries the last message and the outlet's name) or a
 * full staff conversation (which does not: the old item's are kept) into a list item.
 */
function itemOf(c, old) {
  const assignee = c.assignee ? c.assignee.username : null;
  const assigneeName = c.assignee ? c.assignee.displayName : '';
  return {
    code: c.code,
    id: c.id,
    status: c.status,
    subject: c.subject || '',
    outletCode: c.outletCode,
    outletName: c.outletName || (c.outlet && c.outlet.name) || (old && old.outletName) || '',
    serviceCenterCode: c.serviceCenterCode,
    propertyCode: c.propertyCode,
    roomNumber: c.roomNumber || '',
    guestName: [c.guestFirstName, c.guestLastName].filter(Boolean).join(' '),
    guestLanguageCode: c.guestLanguageCode || '',
    assignee,
    assigneeName: assigneeName || (old && old.assignee === assignee ? old.assigneeName : ''),
    unreadCount: c.unreadCount || 0,
    lastMessageAt: c.lastMessageAt || (old && old.lastMessageAt) || null,
    updatedAt: c.updatedAt,
    createdAt: c.createdAt,
    lastMessage: 'lastMessage' in c ? previewOf(c.lastMessage) : (old ? old.lastMessage : null),
    fresh: old ? old.fresh : false,
  };
}

export class Inbox {
  constructor(app) {
    this.app = app;
    this.items = new Map(); // code → item, in list order
    this.nextCursor = '';
    this.current = '';
    this.loading = 0;
    this.since = ''; // the newest createdAt loaded so far: what is newer is new
    $('filters').addEventListener('submit', (e) => { e.preventDefault(); this.reload(); });
    for (const id of ['f-center', 'f-status', 'f-assignee']) {
      $(id).addEventListener('change', () => this.reload());
    }
    $('f-q').addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && $('f-q').value) { $('f-q').value = ''; this.reload(); }
    });
    $('load-more').addEventListener('click', () => this.loadMore());
    $('inbox-list').addEventListener('keydown', (e) => this.keyNav(e));
  }

  filter() {
    // A center is named by its property and code: two properties may use the same code.
    const [property, serviceCenter] = ($('f-center').value || '|').split('|');
    return {
      property,
      serviceCenter,
      status: $('f-status').value,
      assignee: $('f-assignee').value,
      q: $('f-q').value.trim(),
    };
  }

  async init() {
    await this.loadCenters();
    await this.reload();
  }

  async loadCenters() {
    try {
      const counts = await this.app.api.counts();
      const sel = $('f-center');
      const keep = sel.value;
      sel.replaceChildren(h('option', { value: '' }, 'All'));
      const many = new Set(counts.serviceCenters.map((c) => c.propertyCode)).size > 1;
      for (const c of counts.serviceCenters) {
        const label = `${c.name}${many ? ` (${c.propertyCode})` : ''}${c.unreadConversations ? ` · ${c.unreadConversations} unread` : ''}`;
        sel.append(h('option', { value: `${c.propertyCode}|${c.code}` }, label));
      }
      sel.value = keep;
    } catch (e) {
      this.app.error(e.message);
    }
  }

  clear() {
    this.items.clear();
    this.nextCursor = '';
    this.current = '';
    $('inbox-list').replaceChildren();
  }

  async reload() {
    const seq = ++this.loading;
    $('inbox-list').setAttribute('aria-busy', 'true');
    try {
      const page = await this.app.api.conversations(this.filter(), '');
      if (seq !== this.loading) return; // a newer reload won
      const old = this.items;
      this.items = new Map();
      for (const c of page.conversations) this.items.set(c.code, itemOf(c, old.get(c.code)));
      this.since = page.conversations.reduce((m, c) => (c.createdAt > m ? c.createdAt : m), this.since);
      this.nextCursor = page.nextCursor || '';
      this.app.error('');
      this.render();
    } catch (e) {
      if (seq === this.loading) this.app.error(e.message);
    } finally {
      if (seq === this.loading) $('inbox-list').setAttribute('aria-busy', 'false');
    }
  }

  async loadMore() {
    if (!this.nextCursor) return;
    const btn = $('load-more');
    btn.disabled = true;
    try {
      const page = await this.app.api.conversations(this.filter(), this.nextCursor);
      for (const c of page.conversations) {
        if (!this.items.has(c.code)) this.items.set(c.code, itemOf(c));
      }
      this.nextCursor = page.nextCursor || '';
      this.render();
    } catch (e) {
      this.app.error(e.message);
    } finally {
      btn.disabled = false;
    }
  }

  /** matches says whether a conversation belongs in the list under the current filters. */
  matches(it) {
    const f = this.filter();
    if (f.status && it.status !== f.status) return false;
    if (f.serviceCenter && (it.serviceCenterCode !== f.serviceCenter || it.propertyCode !== f.property)) return false;
    if (f.assignee === 'me' && it.assignee !== this.app.user.username) return false;
    if (f.assignee === 'nobody' && it.assignee) return false;
    return true;
  }

  /** onConversation applies a conversation's new state from the event stream. */
  onConversation(conv, isUpdate) {
    const old = this.items.get(conv.code);
    const it = itemOf(conv, old);
    if (it.code === this.current) it.unreadCount = 0;
    this.upsert(it, Boolean(old), isUpdate);
  }

  /** onMessage applies a new message from the event stream. */
  async onMessage(code, m) {
    let it = this.items.get(code);
    if (!it) {
      // A conversation this list has not loaded: fetch it once to list it.
      try {
        const detail = await this.app.api.conversation(code);
        if (this.items.has(code)) { it = this.items.get(code); } else {
          it = itemOf(detail.conversation);
          this.note(it, m);
          this.upsert(it, false, true);
          return;
        }
      } catch { return; }
    }
    it = { ...it };
    // The conversation state of an event is read when the event is delivered: it may count
    // this message already (its last message is then at least as new).
    const counted = (it.lastMessageAt || '') >= m.createdAt;
    this.note(it, m);
    if (m.type === 'Guest' && code !== this.current && !counted) it.unreadCount += 1;
    this.upsert(it, true, false);
  }

  note(it, m) {
    it.lastMessage = previewOf(m);
    it.lastMessageAt = m.createdAt;
    if (m.createdAt > (it.updatedAt || '')) it.updatedAt = m.createdAt;
  }

  upsert(it, known, cueIfNew) {
    if (!this.matches(it) || (!known && this.filter().q)) {
      if (known && it.code !== this.current) { this.items.delete(it.code); this.render(); }
      else if (known) { this.items.set(it.code, it); this.render(); }
      return;
    }
    if (!known && cueIfNew) {
      it.fresh = true;
      const who = [it.roomNumber && `room ${it.roomNumber}`, it.guestName].filter(Boolean).join(', ');
      // New: created after the newest conversation loaded so far (server times only).
      const isNew = (it.createdAt || '') > this.since;
      this.items.set(it.code, it);
      this.sort();
      this.render();
      this.app.cue(isNew ? `New conversation${who ? ` from ${who}` : ''}`
        : `Conversation${who ? ` from ${who}` : ''} added to the list`);
      return;
    }
    this.items.set(it.code, it);
    this.sort();
    this.render();
    this.app.updateTitle();
  }

  sort() {
    const list = [...this.items.values()].sort((a, b) =>
      (b.updatedAt || '').localeCompare(a.updatedAt || '') || (b.id || 0) - (a.id || 0));
    this.items = new Map(list.map((it) => [it.code, it]));
  }

  setCurrent(code) {
    this.current = code;
    const it = this.items.get(code);
    if (it) { it.fresh = false; it.unreadCount = 0; }
    this.render();
    this.app.updateTitle();
  }

  focusCurrent() {
    const btn = $('inbox-list').querySelector(`[data-code="${CSS.escape(this.current)}"]`);
    if (btn) btn.focus();
  }

  unreadConversations() {
    let n = 0;
    for (const it of this.items.values()) if (it.unreadCount > 0 || it.fresh) n++;
    return n;
  }

  render() {
    const list = $('inbox-list');
    const focused = document.activeElement && document.activeElement.dataset
      ? document.activeElement.dataset.code : undefined;
    list.replaceChildren(...[...this.items.values()].map((it) => h('li', {}, this.renderItem(it))));
    if (focused) {
      const el = list.querySelector(`[data-code="${CSS.escape(focused)}"]`);
      if (el) el.focus();
    }
    show($('inbox-empty'), this.items.size === 0);
    show($('load-more'), Boolean(this.nextCursor));
    const n = this.items.size;
    $('inbox-count').textContent = `${n}${this.nextCursor ? '+' : ''} conversation${n === 1 ? '' : 's'}`;
    this.app.updateTitle();
  }

  renderItem(it) {
    const who = it.guestName || 'Guest';
    const room = it.roomNumber ? `Room ${it.roomNumber}` : 'No room';
    const unread = it.unreadCount > 0;
    const label = [`${room}, ${who}`, it.outletName || it.outletCode, unread ? `${it.unreadCount} unread` : '',
      it.fresh ? 'new' : '', it.status === 'Closed' ? 'closed' : ''].filter(Boolean).join(', ');
    return h('button', {
      type: 'button',
      class: `conv${unread ? ' unread' : ''}${it.fresh ? ' fresh' : ''}`,
      dataset: { code: it.code },
      'aria-current': it.code === this.current ? 'true' : null,
      'aria-label': label,
      onclick: () => this.app.open(it.code),
    },
    h('span', { class: 'who' }, `${room} · ${who}`),
    h('span', { class: 'when' }, formatTime(it.lastMessageAt || it.updatedAt)),
    h('span', { class: 'line' }, it.lastMessage || it.subject),
    h('span', { class: 'info' },
      h('span', { class: 'tag', title: 'Outlet' }, it.outletName || it.outletCode),
      it.guestLanguageCode && h('span', { class: 'tag', title: 'Guest language' }, it.guestLanguageCode.toUpperCase()),
      it.status === 'Closed' && h('span', { class: 'tag closed' }, 'Closed'),
      it.fresh && h('span', { class: 'tag open' }, 'New'),
      h('span', { class: 'muted' }, it.assignee ? `→ ${it.assigneeName || it.assignee}` : 'Unassigned'),
      unread && h('span', { class: 'badge', 'aria-hidden': 'true' }, String(it.unreadCount))));
  }

  /** keyNav moves between conversations with the arrow keys (Home/End too). */
  keyNav(e) {
    const buttons = [...$('inbox-list').querySelectorAll('button.conv')];
    const i = buttons.indexOf(document.activeElement);
    if (i < 0) return;
    let j = -1;
    if (e.key === 'ArrowDown') j = Math.min(buttons.length - 1, i + 1);
    else if (e.key === 'ArrowUp') j = Math.max(0, i - 1);
    else if (e.key === 'Home') j = 0;
    else if (e.key === 'End') j = buttons.length - 1;
    if (j >= 0) { e.preventDefault(); buttons[j].focus(); }
  }
}

import { html, type TemplateResult } from 'lit';
import type { ChatStore } from '../state/chat-store.js';
import type { ThreadKey } from '../state/thread.js';
import { LightElement } from './light-element.js';

const MAX_LENGTH = 4000;

/**
 * The "Message" box: Enter sends, Shift+Enter adds a line; typing is signalled to the peer (or the group).
 * Drafts are per conversation.
 */
export class MessageComposer extends LightElement {
  static override properties = { store: { attribute: false }, threadKey: {}, draft: { state: true } };
  declare store: ChatStore | undefined;
  /** The peer's user id or `group:<id>` (../state/thread.ts). */
  declare threadKey: ThreadKey;
  declare draft: string;
  private readonly drafts = new Map<string, string>();

  constructor() {
    super();
    this.draft = '';
  }

  override render(): TemplateResult {
    const remaining = MAX_LENGTH - this.draft.length;
    return html`
      <form class="composer" @submit=${this.submit}>
        <label for="composer-input">Message</label>
        <div class="composer-row">
          <textarea
            id="composer-input"
            rows="1"
            maxlength=${MAX_LENGTH}
            placeholder="Write a message…"
            aria-describedby="composer-hint"
            .value=${this.draft}
            @input=${this.onInput}
            @keydown=${this.onKeydown}
          ></textarea>
          <button class="primary" type="submit" ?disabled=${this.draft.trim() === ''}>Send</button>
        </div>
        <p class="hint" id="composer-hint">
          Enter to send · Shift+Enter for a new line${remaining < 200 ? ` · ${remaining} characters left` : ''}
        </p>
      </form>
    `;
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('threadKey')) {
      const previous = changed.get('threadKey');
      if (typeof previous === 'string') this.drafts.set(previous, this.draft);
      this.draft = this.drafts.get(this.threadKey) ?? '';
    }
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    // Opening a conversation puts the cursor where the next message will be written.
    if (changed.has('threadKey')) this.focus();
  }

  override focus(): void {
    this.querySelector('textarea')?.focus();
  }

  private onInput(event: InputEvent): void {
    if (!(event.target instanceof HTMLTextAreaElement)) return;
    this.draft = event.target.value;
    if (this.draft.trim() !== '') this.store?.typing(this.threadKey);
  }

  private onKeydown(event: KeyboardEvent): void {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      this.send();
    }
  }

  private submit(event: SubmitEvent): void {
    event.preventDefault();
    this.send();
  }

  private send(): void {
    const body = this.draft.trim();
    if (body === '' || !this.store) return;
    this.store.send(this.threadKey, body);
    this.draft = '';
    this.focus();
  }
}

customElements.define('message-composer', MessageComposer);

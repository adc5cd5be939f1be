import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import type { BlockedPerson } from '../api/types.js';
import { fullDateTime } from '../format.js';
import { avatar } from './avatar.js';
import { StoreElement } from './light-element.js';

/**
 * "Blocked people": everyone the user blocked (`GET /chat/blocks`), each with Unblock. A modal `<dialog>`
 * like the sessions panel; emits `close`.
 */
export class BlockedPanel extends StoreElement {
  static override properties = {
    open: { type: Boolean },
    loading: { state: true },
    error: { state: true },
  };
  declare open: boolean;
  declare loading: boolean;
  declare error: string;

  constructor() {
    super();
    this.open = false;
    this.loading = false;
    this.error = '';
  }

  override render(): TemplateResult {
    const blocked = this.store?.blocks.list() ?? [];
    return html`
      <dialog class="sessions blocked" aria-labelledby="blocked-title" @close=${() => this.emit('close')}>
        <header class="dialog-header">
          <h2 id="blocked-title">Blocked people</h2>
        </header>
        <p class="muted">
          Blocked people can't message you and don't see when you're online; you can't message them either.
        </p>
        ${this.error ? html`<p class="form-error" role="alert">${this.error}</p>` : nothing}
        ${
          this.loading && blocked.length === 0
            ? html`<p class="muted">Loading…</p>`
            : blocked.length === 0
              ? html`<p class="muted empty-blocked">You haven't blocked anyone.</p>`
              : html`<ul class="session-list" aria-label="Blocked people" aria-busy=${this.loading ? 'true' : 'false'}>
                  ${blocked.map((entry) => this.renderEntry(entry))}
                </ul>`
        }
        <footer class="dialog-footer end">
          <button class="ghost" type="button" @click=${this.dismiss}>Close</button>
        </footer>
      </dialog>
    `;
  }

  private renderEntry({ user, blockedAt }: BlockedPerson): TemplateResult {
    return html`<li class="session">
      ${avatar(user)}
      <div class="session-main">
        <p class="session-device">${user.displayName}</p>
        <p class="muted small-print">blocked ${fullDateTime(blockedAt)}</p>
      </div>
      <button
        class="ghost small"
        type="button"
        aria-label=${`Unblock ${user.displayName}`}
        @click=${() => void this.unblock(user.id)}
      >
        Unblock
      </button>
    </li>`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    const dialog = this.querySelector('dialog');
    if (!dialog || !changed.has('open')) return;
    if (this.open && !dialog.open) {
      dialog.showModal();
      void this.load();
    } else if (!this.open && dialog.open) {
      dialog.close();
    }
  }

  private async load(): Promise<void> {
    if (!this.store) return;
    this.loading = true;
    this.error = '';
    try {
      await this.store.loadBlocks();
    } catch (error) {
      this.error = error instanceof Error ? error.message : 'Could not load blocked people';
    } finally {
      this.loading = false;
    }
  }

  private async unblock(peerId: string): Promise<void> {
    if (!this.store) return;
    this.error = '';
    try {
      await this.store.unblock(peerId);
    } catch (error) {
      this.error = error instanceof Error ? error.message : 'Could not unblock';
    }
  }

  private readonly dismiss = (): void => {
    this.querySelector('dialog')?.close();
  };
}

customElements.define('blocked-panel', BlockedPanel);
